"""Trusted profiles in the graph: claims, evidence, visibility, defence experience and the
reminder bookkeeping. Every change is written with its audit event in one transaction."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, LiteralString

from neo4j import ManagedTransaction

from graph.queries import audit as audit_q
from graph.queries import profiles as q
from graph.repositories.base import Repository

log = logging.getLogger(__name__)


class ProfileRepository(Repository):
    def company_name(self, kvk: str) -> str | None:
        rows = self._read(q.COMPANY_EXISTS, kvk=kvk)
        return str(rows[0]["name"]) if rows else None

    def meta(self, kvks: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Per company: defence_experience, visibility lists and claims (without documents)."""
        wanted = sorted(set(kvks))
        if not wanted:
            return {}
        return {r["kvk"]: dict(r) for r in self._read(q.PROFILE_META, kvks=wanted)}

    def _audited(self, query: LiteralString, params: dict[str, Any],
                 audit: dict[str, Any]) -> list[dict[str, Any]]:
        """The change and its audit event in one transaction."""

        def work(tx: ManagedTransaction) -> list[dict[str, Any]]:
            rows = [r.data() for r in tx.run(query, params)]
            if rows:
                tx.run(audit_q.AUDIT_RECORD, audit).consume()
            return rows

        with self.driver.session(database=self.database) as session:
            return session.execute_write(work)

    def set_visibility(self, kvk: str, defence: list[str], hidden: list[str],
                       audit: dict[str, Any]) -> bool:
        return bool(self._audited(q.SET_VISIBILITY,
                                  {"kvk": kvk, "defence": defence, "hidden": hidden}, audit))

    def set_defence_experience(self, kvk: str, value: str | None,
                               audit: dict[str, Any]) -> bool:
        return bool(self._audited(q.SET_DEFENCE_EXPERIENCE, {"kvk": kvk, "value": value},
                                  audit))

    def upsert_claim(self, kvk: str, kind: str, value: str | None, expires_on: str | None,
                     user_id: str, audit: dict[str, Any]) -> str | None:
        rows = self._audited(q.UPSERT_CLAIM, {"kvk": kvk, "kind": kind, "value": value,
                                              "expires_on": expires_on, "user_id": user_id},
                             audit)
        return str(rows[0]["state"]) if rows else None

    def set_evidence(self, kvk: str, kind: str, doc: dict[str, Any], user_id: str,
                     audit: dict[str, Any]) -> str | None:
        rows = self._audited(q.SET_EVIDENCE, {"kvk": kvk, "kind": kind, "user_id": user_id,
                                              **doc}, audit)
        return str(rows[0]["state"]) if rows else None

    def evidence(self, kvk: str, kind: str) -> dict[str, Any] | None:
        return self._first(q.GET_EVIDENCE, kvk=kvk, kind=kind)

    def verify_claim(self, kvk: str, kind: str, user_id: str, note: str | None,
                     audit: dict[str, Any]) -> str | None:
        rows = self._audited(q.VERIFY_CLAIM, {"kvk": kvk, "kind": kind, "user_id": user_id,
                                              "note": note}, audit)
        return str(rows[0]["state"]) if rows else None

    def delete_claim(self, kvk: str, kind: str, audit: dict[str, Any]) -> bool:
        rows = self._audited(q.DELETE_CLAIM, {"kvk": kvk, "kind": kind}, audit)
        return bool(rows) and int(rows[0]["n"]) > 0

    # -------------------------------------------------------------------- reminders

    def due_claim_reminders(self, today: str, days: int) -> list[dict[str, Any]]:
        return [dict(r) for r in self._read(q.DUE_CLAIM_REMINDERS, today=today, days=days)]

    def due_stale_reminders(self, today: str, days: int, stale_days: int
                            ) -> list[dict[str, Any]]:
        return [dict(r) for r in self._read(q.DUE_STALE_REMINDERS, today=today, days=days,
                                            stale_days=stale_days)]

    def mark_claim_reminded(self, kvk: str, kind: str) -> None:
        self._write(q.MARK_CLAIM_REMINDED, kvk=kvk, kind=kind)

    def mark_stale_reminded(self, kvk: str) -> None:
        self._write(q.MARK_STALE_REMINDED, kvk=kvk)
