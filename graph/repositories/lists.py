"""Shortlists and watchlists: a user's own lists (the owner check is the caller's)."""

from __future__ import annotations

import logging
from typing import Any

from neo4j import ManagedTransaction, Record

from graph.queries import lists as lists_q
from graph.repositories.base import Repository

log = logging.getLogger(__name__)


class ListsRepository(Repository):
    # ------------------------------------------------------------------ shortlists

    @staticmethod
    def create_shortlist_in(tx: ManagedTransaction, *, id: str, name: str,
                            question: str | None, owner: str) -> None:
        tx.run(lists_q.SHORTLIST_CREATE, id=id, name=name, question=question,
               owner=owner).consume()

    def shortlist_owner(self, list_id: str) -> str | None:
        rows = self._read(lists_q.SHORTLIST_OWNER, id=list_id)
        return rows[0]["owner"] if rows else None

    def shortlist(self, list_id: str) -> dict[str, Any] | None:
        return self._first(lists_q.SHORTLIST_GET, id=list_id)

    def shortlists_page(self, owner: str, limit: int, offset: int) -> tuple[int, list[Record]]:
        return self._page(lists_q.SHORTLIST_COUNT_OWN, lists_q.SHORTLIST_LIST_OWN,
                          {"owner": owner}, limit, offset)

    @staticmethod
    def add_item_in(tx: ManagedTransaction, list_id: str, kvk: str, note: str | None,
                    actor: str) -> Record | None:
        """None when there is no such company."""
        return tx.run(lists_q.SHORTLIST_ADD_ITEM, id=list_id, kvk=kvk, note=note,
                      actor=actor).single()

    @staticmethod
    def remove_item_in(tx: ManagedTransaction, list_id: str, kvk: str) -> Record | None:
        """None when the company is not on the list."""
        return tx.run(lists_q.SHORTLIST_REMOVE_ITEM, id=list_id, kvk=kvk).single()

    # ------------------------------------------------------------------ watchlists

    @staticmethod
    def create_watchlist_in(tx: ManagedTransaction, *, id: str, name: str, question: str,
                            filters: str, top_k: int, owner: str, seen: list[str]) -> None:
        tx.run(lists_q.WATCHLIST_CREATE, id=id, name=name, question=question, filters=filters,
               top_k=top_k, owner=owner, seen=seen).consume()

    def watchlist(self, watch_id: str) -> dict[str, Any] | None:
        return self._first(lists_q.WATCHLIST_GET, id=watch_id)

    def watchlists_page(self, owner: str, limit: int, offset: int) -> tuple[int, list[Record]]:
        return self._page(lists_q.WATCHLIST_COUNT_OWN, lists_q.WATCHLIST_LIST_OWN,
                          {"owner": owner}, limit, offset)

    def company_times(self, kvks: list[str]) -> dict[str, list[str | None]]:
        """When each company's profile last changed: updated, verified, imported."""
        rows = self._read(lists_q.WATCHLIST_COMPANY_TIMES, kvks=kvks)
        return {r["kvk"]: [r["updated_at"], r["last_verified"], r["imported_at"]] for r in rows}

    @staticmethod
    def mark_seen_in(tx: ManagedTransaction, watch_id: str, seen: list[str]) -> str:
        rec = tx.run(lists_q.WATCHLIST_MARK_SEEN, id=watch_id, seen=seen).single()
        assert rec is not None
        return str(rec["last_seen_at"])
