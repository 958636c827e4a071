"""Introductions of suppliers for demand questions or to Defence units, and the scouting
status scouts keep per company (issue 21). Every write runs with its audit event in one
transaction, so the trail holds exactly the changes that happened."""

from __future__ import annotations

import logging
from typing import Any

from neo4j import ManagedTransaction, Record

from core.errors import ConflictError, NotFoundError
from graph.queries import monitor as monitor_q
from graph.repositories.audit import AuditRepository
from graph.repositories.base import Repository

log = logging.getLogger(__name__)


class IntroductionRepository(Repository):
    def supply_name(self, kind: str, key: str) -> str | None:
        """The supplier's name; None when no supply node of that kind has that key."""
        rows = self._read(monitor_q.SUPPLY_NAME[kind], key=key)
        return str(rows[0]["name"] or key) if rows else None

    def question_exists(self, question_id: str) -> bool:
        return bool(self._read(monitor_q.DEMAND_QUESTION_EXISTS, id=question_id))

    def create(self, kind: str, params: dict[str, Any], audit: dict[str, Any]) -> str:
        def work(tx: ManagedTransaction) -> str:
            rec = tx.run(monitor_q.INTRODUCTION_CREATE[kind], params).single()
            if rec is None:
                raise NotFoundError(f"No {kind} with key {params['key']!r}.")
            AuditRepository.record_in(tx, audit)
            return str(rec["id"])

        return self.execute_write(work)

    def get(self, intro_id: str) -> Record | None:
        rows = self._read(monitor_q.INTRODUCTION_GET, id=intro_id)
        return rows[0] if rows else None

    def page(self, filters: dict[str, Any], limit: int, offset: int
             ) -> tuple[int, list[Record]]:
        return self._page(monitor_q.INTRODUCTION_COUNT, monitor_q.INTRODUCTION_LIST, filters,
                          limit, offset)

    def step(self, intro_id: str, status: str | None, allowed_from: dict[str, tuple[str, ...]],
             params: dict[str, Any], make_audit: Any) -> None:
        """Move to `status` (when given) if the current status is one it may follow, else a
        ConflictError; a note alone is recorded without a step. `make_audit(before, after)`
        builds the audit event."""
        def work(tx: ManagedTransaction) -> None:
            cur = tx.run(monitor_q.INTRODUCTION_LOCK, id=intro_id).single()
            if cur is None:
                raise NotFoundError(f"No introduction {intro_id}.")
            before = {"status": cur["status"], "note": cur["note"]}
            if status is None:
                tx.run(monitor_q.INTRODUCTION_NOTE, params).consume()
                after = {"status": cur["status"], "note": params["note"]}
            else:
                frm = allowed_from[status]
                rec = tx.run(monitor_q.INTRODUCTION_STEP[status],
                             {**params, "from": list(frm)}).single()
                if rec is None:
                    raise ConflictError(
                        f"An introduction with status '{cur['status']}' cannot become "
                        f"'{status}' (allowed from: {', '.join(frm)}).")
                after = {"status": status, "note": params["note"] or cur["note"]}
            AuditRepository.record_in(tx, make_audit(before, after))

        self.execute_write(work)


class ScoutingRepository(Repository):
    def get(self, kvk: str) -> Record | None:
        rows = self._read(monitor_q.SCOUTING_GET, kvk=kvk)
        return rows[0] if rows else None

    def page(self, status: str | None, limit: int, offset: int) -> tuple[int, list[Record]]:
        return self._page(monitor_q.SCOUTING_COUNT, monitor_q.SCOUTING_LIST,
                          {"status": status}, limit, offset)

    def set_status(self, kvk: str, status: str, allowed_from: tuple[str, ...],
                   params: dict[str, Any], make_audit: Any) -> None:
        def work(tx: ManagedTransaction) -> None:
            cur = tx.run(monitor_q.SCOUTING_LOCK, kvk=kvk).single()
            if cur is None:
                raise NotFoundError(f"No company with KvK number {kvk}.")
            if cur["status"] not in allowed_from:
                raise ConflictError(
                    f"A company with scouting status '{cur['status']}' cannot become "
                    f"'{status}' (allowed from: {', '.join(allowed_from)}).")
            tx.run(monitor_q.SCOUTING_SET, {**params, "kvk": kvk, "status": status}).consume()
            AuditRepository.record_in(tx, make_audit({"status": cur["status"]},
                                                    {"status": status}))

        self.execute_write(work)

    def prospects_for_question(self, question_id: str, limit: int) -> list[Record]:
        return self._read(monitor_q.PROSPECTS_FOR_QUESTION, question_id=question_id,
                          limit=limit)

    def prospects_for_area(self, area: str, limit: int) -> list[Record]:
        return self._read(monitor_q.PROSPECTS_FOR_AREA, area=area, limit=limit)

    def area_exists(self, area: str) -> bool:
        return bool(self._read(monitor_q.NLD_AREA_EXISTS, id=area))

    def question_exists(self, question_id: str) -> bool:
        return bool(self._read(monitor_q.DEMAND_QUESTION_EXISTS, id=question_id))
