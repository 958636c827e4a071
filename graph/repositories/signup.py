"""Sign-up requests (graph/queries/signup.py) for app/services/signup.py. The deciding writes
take a hook that writes the audit event in the same transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from neo4j import ManagedTransaction

from graph.queries import signup as q
from graph.queries import users as users_q
from graph.repositories.base import Repository

AuditHook = Callable[[ManagedTransaction], Any]


class SignupRepository(Repository):
    def throttle_counts(self, ip_hash: str, email: str, window_seconds: int) -> tuple[int, int]:
        r = self._read(q.SIGNUP_THROTTLE_COUNTS, ip_hash=ip_hash, email=email,
                       window=window_seconds)[0]
        return int(r["by_address"]), int(r["by_email"])

    def create(self, *, id: str, kvk_number: str, company_name: str, email: str,
               contact_name: str, code_hash: str, ttl_seconds: int, ip_hash: str
               ) -> dict[str, Any]:
        rows = self._write(q.SIGNUP_CREATE, id=id, kvk_number=kvk_number,
                           company_name=company_name, email=email, contact_name=contact_name,
                           code_hash=code_hash, ttl=ttl_seconds, ip_hash=ip_hash)
        return rows[0].data()

    def by_code(self, code_hash: str) -> dict[str, Any] | None:
        rows = self._read(q.SIGNUP_BY_CODE, code_hash=code_hash)
        return rows[0].data() if rows else None

    def get(self, id: str) -> dict[str, Any] | None:
        rows = self._read(q.SIGNUP_GET, id=id)
        return rows[0].data() if rows else None

    def page(self, status: str | None, limit: int, offset: int
             ) -> tuple[int, list[dict[str, Any]]]:
        total, rows = self._page(q.SIGNUP_COUNT, q.SIGNUP_LIST, {"status": status}, limit,
                                 offset)
        return total, [r.data() for r in rows]

    def use_code(self, request_id: str, kvk_number: str, code_hash: str,
                 new_user: dict[str, Any], allow_existing: bool,
                 on_account: AuditHook, on_review: AuditHook) -> str:
        """In one transaction, under the KvK number's lock: refuse a used or expired code,
        then either make the company user (`new_user`: id, name, token_hash) or, when the
        number already has an active company account and this is not an admin-approved
        request (`allow_existing`), send the request to review. Returns "account",
        "review", or the refusal ("used", "expired", "unknown")."""

        def work(tx: ManagedTransaction) -> str:
            tx.run(q.SIGNUP_LOCK_KVK, kvk_number=kvk_number).consume()
            cur = tx.run(q.SIGNUP_LOCK, id=request_id, code_hash=code_hash).single()
            if cur is None or not cur["same_code"]:
                return "unknown"
            if cur["status"] not in ("mailed", "approved"):
                return "used"
            if cur["expired"]:
                return "expired"
            taken = tx.run(q.COMPANY_ACCOUNT_EXISTS, kvk_number=kvk_number).single()
            if taken is not None and taken["taken"] and not allow_existing:
                tx.run(q.SIGNUP_TO_REVIEW, id=request_id).consume()
                on_review(tx)
                return "review"
            tx.run(users_q.API_CREATE_USER, id=new_user["id"], name=new_user["name"],
                   role="company", kvk_number=kvk_number,
                   token_hash=new_user["token_hash"]).consume()
            tx.run(q.SIGNUP_VERIFIED, id=request_id, user_id=new_user["id"]).consume()
            on_account(tx)
            return "account"

        with self.driver.session(database=self.database) as session:
            return str(session.execute_write(work))

    def decide(self, request_id: str, status: str, user_id: str, note: str | None,
               code_hash: str | None, ttl_seconds: int, on_done: AuditHook) -> bool:
        """An admin's approval (with a fresh code) or rejection of a request in review;
        False when it is not (or no longer) in review."""

        def work(tx: ManagedTransaction) -> bool:
            row = tx.run(q.SIGNUP_DECIDE, id=request_id, status=status, user_id=user_id,
                         note=note, code_hash=code_hash, ttl=ttl_seconds).single()
            if row is None:
                return False
            on_done(tx)
            return True

        with self.driver.session(database=self.database) as session:
            return bool(session.execute_write(work))

    def purge_expired(self, grace_seconds: int) -> int:
        return int(self._write(q.SIGNUP_PURGE_EXPIRED, grace=grace_seconds)[0]["deleted"])
