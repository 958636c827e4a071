"""API users: `(:User)` nodes with the HMAC of their token (never the token itself)."""

from __future__ import annotations

import logging
from typing import Any

from neo4j import ManagedTransaction, Record

from graph.queries import users as users_q
from graph.repositories.base import Repository

log = logging.getLogger(__name__)


class UsersRepository(Repository):
    def create_in(self, tx: ManagedTransaction, *, id: str, name: str, role: str,
                  kvk_number: str | None, token_hash: str) -> None:
        tx.run(users_q.API_CREATE_USER, id=id, name=name, role=role, kvk_number=kvk_number,
               token_hash=token_hash).consume()

    def by_token_hash(self, token_hash: str) -> Record | None:
        """The active (not revoked) user holding this token hash."""
        records, _, _ = self.driver.execute_query(users_q.API_USER_BY_TOKEN_HASH,
                                                  token_hash=token_hash, routing_="r",
                                                  database_=self.database)
        return records[0] if records else None

    def listed(self) -> list[dict[str, Any]]:
        """Every user, revoked ones too (never a token hash)."""
        records, _, _ = self.driver.execute_query(users_q.API_LIST_USERS, routing_="r",
                                                  database_=self.database)
        return [dict(r) for r in records]

    def revoke_in(self, tx: ManagedTransaction, user_id: str) -> bool:
        """False when there is no such user."""
        return tx.run(users_q.API_REVOKE_USER, id=user_id).single() is not None
