"""The audit trail: `(:AuditEvent)` nodes, written in the transaction of the change they
record (`record_in`) or on their own (`record`, for work that has no transaction of its own)."""

from __future__ import annotations

import logging
from typing import Any

from neo4j import ManagedTransaction, Record

from graph.queries import audit as audit_q
from graph.repositories.base import Repository

log = logging.getLogger(__name__)


class AuditRepository(Repository):
    @staticmethod
    def record_in(tx: ManagedTransaction, event: dict[str, Any]) -> None:
        tx.run(audit_q.AUDIT_RECORD, event).consume()

    def record(self, event: dict[str, Any]) -> None:
        self.driver.execute_query(audit_q.AUDIT_RECORD, event, database_=self.database)

    def page(self, filters: dict[str, Any], limit: int, offset: int
             ) -> tuple[int, list[Record]]:
        """Newest first; `filters` holds entity, entity_id and actor_id (None: any)."""
        return self._page(audit_q.AUDIT_COUNT, audit_q.AUDIT_LIST, filters, limit, offset)
