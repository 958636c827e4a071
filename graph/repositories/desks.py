"""Desks and the loket without an account (graph/queries/desks.py, graph/queries/loket.py)
for app/services/desks.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from neo4j import ManagedTransaction

from graph.queries import desks as q
from graph.queries import loket as loket_q
from graph.repositories.base import Repository

AuditHook = Callable[[ManagedTransaction], Any]


class DeskRepository(Repository):
    # -- desks ---------------------------------------------------------------------------

    def upsert(self, rows: list[dict[str, Any]]) -> int:
        self._write(q.DESK_UPSERT, rows=rows)
        return len(rows)

    def all(self) -> list[dict[str, Any]]:
        return [r.data() for r in self._read(q.DESK_LIST)]

    def get(self, desk_id: str) -> dict[str, Any] | None:
        rows = self._read(q.DESK_GET, id=desk_id)
        return rows[0].data() if rows else None

    def set_email(self, desk_id: str, email: str) -> bool:
        return bool(self._write(q.DESK_SET_EMAIL, id=desk_id, email=email))

    # -- anonymous loket items -----------------------------------------------------------

    def throttle_counts(self, ip_hash: str, email: str, window_seconds: int) -> tuple[int, int]:
        r = self._read(loket_q.LOKET_THROTTLE_COUNTS, ip_hash=ip_hash, email=email,
                       window=window_seconds)[0]
        return int(r["by_address"]), int(r["by_email"])

    def create_anonymous(self, item: dict[str, Any], routes: list[dict[str, str]],
                         on_done: AuditHook) -> None:
        """The item, its ABOUT edges, its routes and the audit event in one transaction."""

        def work(tx: ManagedTransaction) -> None:
            tx.run(loket_q.LOKET_CREATE_ANONYMOUS, item).consume()
            tx.run(q.LOKET_ROUTE, id=item["id"], routes=routes, by="routing").consume()
            on_done(tx)

        with self.driver.session(database=self.database) as session:
            session.execute_write(work)

    def route(self, item_id: str, routes: list[dict[str, str]], by: str) -> None:
        self._write(q.LOKET_ROUTE, id=item_id, routes=routes, by=by)

    def item(self, item_id: str) -> dict[str, Any] | None:
        rows = self._read(loket_q.LOKET_GET, id=item_id)
        return rows[0].data() if rows else None

    def by_confirm_hash(self, confirm_hash: str) -> dict[str, Any] | None:
        rows = self._read(loket_q.LOKET_BY_CONFIRM, confirm_hash=confirm_hash)
        return rows[0].data() if rows else None

    def confirm(self, item_id: str, on_done: AuditHook) -> bool:
        def work(tx: ManagedTransaction) -> bool:
            if tx.run(loket_q.LOKET_CONFIRM, id=item_id).single() is None:
                return False
            on_done(tx)
            return True

        with self.driver.session(database=self.database) as session:
            return bool(session.execute_write(work))

    def purge_unconfirmed(self, grace_seconds: int) -> int:
        return int(self._write(loket_q.LOKET_PURGE_UNCONFIRMED,
                               grace=grace_seconds)[0]["deleted"])

    # -- routes, queues, referrals -------------------------------------------------------

    def routes(self, item_id: str) -> list[dict[str, Any]]:
        return [r.data() for r in self._read(q.LOKET_ROUTES, id=item_id)]

    def routes_of(self, item_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {i: [] for i in item_ids}
        for r in self._read(q.LOKET_ROUTES_MANY, ids=item_ids):
            d = r.data()
            out.setdefault(d.pop("item"), []).append(d)
        return out

    def queue(self, desk_id: str, status: str | None, limit: int, offset: int
              ) -> tuple[int, list[dict[str, Any]]]:
        total, rows = self._page(q.DESK_QUEUE_COUNT, q.DESK_QUEUE,
                                 {"desk": desk_id, "status": status}, limit, offset)
        return total, [r.data() for r in rows]

    def refer(self, item_id: str, to_desk: str, from_desk: str | None, allowed_from: list[str],
              note_json: str, reason: str, reason_en: str, by: str, on_done: AuditHook
              ) -> tuple[str, str | None]:
        """A referral in one transaction: lock the item, move its status to `doorverwezen`
        (only from `allowed_from`) with the note, re-route it, audit. Returns ("ok", before),
        ("unknown", None) for an unknown item, ("status", before) for a refused step."""

        def work(tx: ManagedTransaction) -> tuple[str, str | None]:
            cur = tx.run(loket_q.LOKET_LOCK_STATUS, id=item_id).single()
            if cur is None:
                return "unknown", None
            before = cur["status"]
            moved = tx.run(loket_q.LOKET_TRIAGE, {"id": item_id, "status": "doorverwezen",
                                                  "from": allowed_from,
                                                  "note": note_json}).single()
            if moved is None:
                return "status", before
            tx.run(q.LOKET_REFER, {"id": item_id, "to": to_desk, "from": from_desk,
                                   "reason": reason, "reason_en": reason_en,
                                   "by": by}).consume()
            on_done(tx)
            return "ok", before

        with self.driver.session(database=self.database) as session:
            out = session.execute_write(work)
        return str(out[0]), out[1]
