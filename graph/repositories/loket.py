"""The loket: items companies bring to Defence, their triage, and the reads the reverse match
makes (clusters, knowledge partners and past demand questions sharing concepts or areas)."""

from __future__ import annotations

import logging
from typing import Any

from neo4j import ManagedTransaction, Record

from graph.queries import loket as loket_q
from graph.repositories.base import Repository

log = logging.getLogger(__name__)


class LoketRepository(Repository):
    @staticmethod
    def create_in(tx: ManagedTransaction, *, id: str, kind: str, title: str, text: str,
                  kvk: str | None, actor: str, lang: str, matches: str,
                  concepts: list[str]) -> None:
        tx.run(loket_q.LOKET_CREATE, id=id, kind=kind, title=title, text=text, kvk=kvk,
               actor=actor, lang=lang, matches=matches, concepts=concepts).consume()

    def get(self, item_id: str) -> Record | None:
        rows = self._read(loket_q.LOKET_GET, id=item_id)
        return rows[0] if rows else None

    def page(self, kvk: str | None, status: str | None, limit: int, offset: int
             ) -> tuple[int, list[Record]]:
        """Newest first; `kvk` None: every company's items."""
        return self._page(loket_q.LOKET_COUNT, loket_q.LOKET_LIST,
                          {"kvk": kvk, "status": status}, limit, offset)

    @staticmethod
    def lock_status_in(tx: ManagedTransaction, item_id: str) -> str | None:
        """The item's status under a write lock; None when there is no such item."""
        cur = tx.run(loket_q.LOKET_LOCK_STATUS, id=item_id).single()
        return None if cur is None else str(cur["status"])

    @staticmethod
    def triage_in(tx: ManagedTransaction, item_id: str, status: str, allowed_from: list[str],
                  note: str) -> bool:
        """False when the item's status is not one of `allowed_from`."""
        return tx.run(loket_q.LOKET_TRIAGE, {"id": item_id, "status": status,
                                             "from": allowed_from, "note": note}
                      ).single() is not None

    # ------------------------------------------------------------------ reverse match

    def related_clusters(self, capabilities: list[str], areas: list[str]) -> list[Record]:
        return self._read(loket_q.LOKET_RELATED_CLUSTERS, capabilities=capabilities,
                          areas=areas)

    def related_institutions(self, capabilities: list[str], areas: list[str],
                             clusters: list[str]) -> list[Record]:
        return self._read(loket_q.LOKET_RELATED_INSTITUTIONS, capabilities=capabilities,
                          areas=areas, clusters=clusters)

    def related_demand(self, capabilities: list[str], areas: list[str],
                       limit: int = 500) -> list[dict[str, Any]]:
        return [dict(r) for r in self._read(loket_q.LOKET_RELATED_DEMAND,
                                            capabilities=capabilities, areas=areas,
                                            limit=limit)]
