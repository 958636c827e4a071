"""Browsing supply, shared by the API (app/api/routes/supply.py) and anyone else who lists it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from neo4j import Driver

from graph.repositories.supply_browse import SupplyBrowseRepository
from matching.constraints import KINDS, LABEL_KIND
from matching.filters import kind_names

#: Labels a search may find (the explorer's public labels plus the new supply kinds).
PUBLIC_LABELS: tuple[str, ...] = (
    "Company", "Site", "Facility", "Programme", "KnowledgeInstitution", "Cluster", "Ecosystem",
    "MilitaryFacility", "Municipality", "Organisation", "NLDArea", "Capability")


def kind_of(labels: Sequence[str]) -> str | None:
    """The supply kind of a node from its labels (a company first), or None."""
    return next((LABEL_KIND[lb] for lb in KINDS.values() if lb in labels), None)


def _label(labels: Sequence[str]) -> str:
    return next((x for x in PUBLIC_LABELS if x in labels), labels[0] if labels else "")


def find_nodes(driver: Driver, text: str, limit: int) -> list[dict[str, Any]]:
    rows = SupplyBrowseRepository(driver).find_nodes(text, PUBLIC_LABELS, limit)
    return [{"id": r["id"], "label": _label(r["labels"]), "kind": kind_of(r["labels"]),
             "name": r["name"]} for r in rows if r["id"]]


def list_supply(driver: Driver, kinds: Sequence[str] | None, limit: int
                ) -> list[dict[str, Any]]:
    """Raises FilterError (422 / exit 2) for an unknown kind."""
    names = kind_names(kinds) or [k for k in KINDS if k != "company"]
    rows = SupplyBrowseRepository(driver).list_supply([KINDS[k] for k in names], limit)
    out = []
    for r in rows:
        attrs = {k: v for k, v in (r["attributes"] or {}).items() if v not in (None, [])}
        out.append({"kind": kind_of(r["labels"]) or "", "id": r["id"], "name": r["name"],
                    "municipality": r["municipality"],
                    "municipality_name": r["municipality_name"],
                    "description": r["description"], "description_en": r["description_en"],
                    "source": r["source"], "attributes": attrs})
    return out
