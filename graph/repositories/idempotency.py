"""Idempotency keys of API writes: the answer given, stored in the write's transaction."""

from __future__ import annotations

import logging

from neo4j import ManagedTransaction, Record

from graph.queries import idempotency as idempotency_q
from graph.repositories.base import Repository

log = logging.getLogger(__name__)


class IdempotencyRepository(Repository):
    def get(self, key_id: str) -> Record | None:
        """Read from the leader: a retry right after the first write must see its key."""
        records, _, _ = self.driver.execute_query(idempotency_q.IDEMPOTENCY_GET, id=key_id,
                                                  database_=self.database)
        return records[0] if records else None

    @staticmethod
    def save_in(tx: ManagedTransaction, key_id: str, fingerprint: str, status: int,
                body: str) -> None:
        tx.run(idempotency_q.IDEMPOTENCY_SAVE, id=key_id, fingerprint=fingerprint,
               status=status, body=body).consume()
