"""The mail outbox (graph/queries/outbox.py) for app/services/mail.py."""

from __future__ import annotations

from typing import Any

from graph.queries import outbox as q
from graph.repositories.base import Repository


class OutboxRepository(Repository):
    def create(self, *, id: str, kind: str, to: str, subject: str, body: str,
               ref: str | None = None) -> str:
        rows = self._write(q.OUTBOX_CREATE, id=id, kind=kind, to=to, subject=subject,
                           body=body, ref=ref)
        return str(rows[0]["id"])

    def result(self, id: str, status: str, tries: int, error: str | None,
               retry_seconds: float) -> dict[str, Any] | None:
        rows = self._write(q.OUTBOX_RESULT, id=id, status=status, tries=tries, error=error,
                           retry_seconds=int(retry_seconds))
        return rows[0].data() if rows else None

    def forget_body(self, id: str) -> None:
        self._write(q.OUTBOX_FORGET_BODY, id=id)

    def get(self, id: str) -> dict[str, Any] | None:
        rows = self._read(q.OUTBOX_GET, id=id)
        return rows[0].data() if rows else None

    def claim_due(self, max_attempts: int, limit: int, lease_seconds: int
                  ) -> list[dict[str, Any]]:
        rows = self._write(q.OUTBOX_CLAIM_DUE, max_attempts=max_attempts, limit=limit,
                           lease_seconds=lease_seconds)
        return [r.data() for r in rows]

    def page(self, status: str | None, kind: str | None, limit: int, offset: int
             ) -> tuple[int, list[dict[str, Any]]]:
        total, rows = self._page(q.OUTBOX_COUNT, q.OUTBOX_LIST,
                                 {"status": status, "kind": kind}, limit, offset)
        return total, [r.data() for r in rows]
