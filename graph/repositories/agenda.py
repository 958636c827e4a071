"""The agenda's asks to Defence and the Rijk as `(:AgendaAsk)` nodes (issue 21): seeded from
ingest/data/seed/agenda_asks.csv, their status kept by policy officers and admins."""

from __future__ import annotations

import logging
from typing import Any

from neo4j import ManagedTransaction, Record

from core.errors import NotFoundError
from graph.queries import monitor as monitor_q
from graph.repositories.audit import AuditRepository
from graph.repositories.base import Repository

log = logging.getLogger(__name__)


class AgendaRepository(Repository):
    def upsert(self, rows: list[dict[str, Any]]) -> None:
        """Text, partners and links from the seed; a status and its log survive a reload."""
        self._write(monitor_q.AGENDA_UPSERT, rows=rows)
        self._write(monitor_q.AGENDA_LINK,
                    rows=[{"id": r["id"], "concerns": r["concerns"]} for r in rows])

    def list(self) -> list[Record]:
        return self._read(monitor_q.AGENDA_LIST)

    def set_status(self, ask_id: str, status: str, log_entry: str, make_audit: Any) -> str:
        """Returns the status before."""
        def work(tx: ManagedTransaction) -> str:
            cur = tx.run(monitor_q.AGENDA_LOCK, id=ask_id).single()
            if cur is None:
                raise NotFoundError(f"No agenda ask {ask_id!r}.")
            tx.run(monitor_q.AGENDA_SET_STATUS, id=ask_id, status=status,
                   log=log_entry).consume()
            AuditRepository.record_in(tx, make_audit({"status": cur["status"]},
                                                    {"status": status}))
            return str(cur["status"])

        return self.execute_write(work)
