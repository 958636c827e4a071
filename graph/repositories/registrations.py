"""Registrations (a company profile waiting for review), the profile fields they change, and
a company's GDPR erasure."""

from __future__ import annotations

import logging
from typing import Any

from neo4j import ManagedTransaction, Record

from graph.queries import registrations as registrations_q
from graph.repositories.base import Repository

log = logging.getLogger(__name__)


class RegistrationsRepository(Repository):
    def get(self, reg_id: str) -> Record | None:
        rows = self._read(registrations_q.REGISTRATION_GET, id=reg_id)
        return rows[0] if rows else None

    @staticmethod
    def get_in(tx: ManagedTransaction, reg_id: str) -> Record | None:
        return tx.run(registrations_q.REGISTRATION_GET, id=reg_id).single()

    def page(self, status: str | None, kvk: str | None, limit: int, offset: int
             ) -> tuple[int, list[Record]]:
        return self._page(registrations_q.REGISTRATION_COUNT, registrations_q.REGISTRATION_LIST,
                          {"status": status, "kvk": kvk}, limit, offset)

    def pending_for(self, kvk: str) -> list[Record]:
        return self._read(registrations_q.PENDING_REGISTRATIONS_FOR, kvk=kvk)

    def profile_fields(self, kvks: list[str]) -> list[Record]:
        """The maintainable fields of each existing company among `kvks`, in one read."""
        return self._read(registrations_q.COMPANY_PROFILE_FIELDS, kvks=kvks)

    @staticmethod
    def create_in(tx: ManagedTransaction, *, id: str, kvk: str, kind: str, profile: str,
                  user_id: str, role: str) -> None:
        tx.run(registrations_q.REGISTRATION_CREATE, id=id, kvk=kvk, kind=kind, profile=profile,
               user_id=user_id, role=role).consume()

    @staticmethod
    def lock_status_in(tx: ManagedTransaction, reg_id: str) -> str | None:
        locked = tx.run(registrations_q.REGISTRATION_LOCK, id=reg_id).single()
        return None if locked is None else str(locked["status"])

    @staticmethod
    def decide_in(tx: ManagedTransaction, reg_id: str, status: str, user_id: str,
                  note: str | None) -> None:
        tx.run(registrations_q.REGISTRATION_DECIDE, id=reg_id, status=status, user_id=user_id,
               note=note).consume()

    @staticmethod
    def mark_verified_in(tx: ManagedTransaction, kvk: str, compliance: dict[str, Any],
                         user_id: str, registration_id: str) -> None:
        tx.run(registrations_q.COMPANY_MARK_VERIFIED, kvk=kvk, compliance=compliance,
               user_id=user_id, registration_id=registration_id).consume()

    @staticmethod
    def erase_company_in(tx: ManagedTransaction, kvk: str, erased: str) -> str | None:
        """Delete the company, its registrations and loket items, and scrub the personal data
        in its audit history (replaced by `erased`); its name, or None when there is none."""
        rec = tx.run(registrations_q.COMPANY_ERASE, kvk=kvk).single()
        if rec is None:
            return None
        tx.run(registrations_q.AUDIT_ERASE_PERSONAL_DATA, kvk=kvk, loket_ids=rec["loket_ids"],
               erased=erased).consume()
        return str(rec["name"])
