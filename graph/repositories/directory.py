"""What scouts browse: companies, clusters, NLD areas and the explorer's neighbourhoods."""

from __future__ import annotations

import logging
from typing import Any

from neo4j import Record

from graph.queries import companies as companies_q
from graph.queries import explorer as explorer_q
from graph.queries import groups as groups_q
from graph.repositories.base import Repository

log = logging.getLogger(__name__)
# The `$viewer` of graph.queries.profiles.WITHHELD for a reader without a token.
_ANONYMOUS: dict[str, Any] = {"all": False, "defence": False, "kvk": None}


class DirectoryRepository(Repository):
    def companies_page(self, municipality: str | None, capability: str | None, q: str | None,
                       limit: int, offset: int, *, defence_experience: list[str] | None = None,
                       viewer: dict[str, Any] | None = None) -> tuple[int, list[Record]]:
        """`viewer`: the profiles.WITHHELD map of who reads (default: an anonymous reader);
        a field a company keeps from it filters on nothing."""
        return self._page(companies_q.API_COUNT_COMPANIES, companies_q.API_LIST_COMPANIES,
                          {"municipality": municipality, "capability": capability, "q": q,
                           "defence_experience": defence_experience,
                           "viewer": viewer or _ANONYMOUS}, limit, offset)

    def company_profile(self, kvk: str) -> Record | None:
        rows = self._read(companies_q.API_COMPANY_PROFILE, kvk=kvk)
        return rows[0] if rows else None

    def nld_area_names(self) -> dict[str, tuple[str | None, str | None]]:
        """NLD area id -> (Dutch name, English name)."""
        return {a["id"]: (a["name_nl"], a["name_en"])
                for a in self._read(companies_q.API_NLD_AREA_NAMES)}

    def clusters_page(self, limit: int, offset: int) -> tuple[int, list[Record]]:
        return self._page(groups_q.API_COUNT_CLUSTERS, groups_q.API_LIST_CLUSTERS, None,
                          limit, offset)

    def cluster(self, cluster_id: str) -> Record | None:
        rows = self._read(groups_q.API_CLUSTER_DETAIL, id=cluster_id)
        return rows[0] if rows else None

    def nld_areas(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self._read(groups_q.API_LIST_NLD_AREAS)]

    def find_node(self, node_id: str) -> Record | None:
        rows = self._read(explorer_q.API_FIND_NODE, id=node_id)
        return rows[0] if rows else None

    def neighbours(self, eids: list[str], labels: list[str], limit: int, *,
                   rel_fields: dict[str, str] | None = None,
                   viewer: dict[str, Any] | None = None) -> list[Record]:
        """`rel_fields`: edge type -> the profile field it stands for; such an edge of a
        company is left out when the company keeps that field from `viewer`."""
        return self._read(explorer_q.API_NEIGHBOURS, eids=eids, labels=labels, limit=limit,
                          rel_fields=rel_fields or {}, viewer=viewer or _ANONYMOUS)
