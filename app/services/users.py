"""API users and their bearer tokens, kept in the graph as `(:User)` nodes.

A token is shown once, when it is made, and only its HMAC-SHA256 under `api_secret` is stored:
a copy of the database alone does not let anyone call the API, and a lost token is revoked and
replaced rather than recovered. Shared by the API (lookup, `/users`) and `paraat users`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import uuid
from typing import Annotated, Any, Literal

from neo4j import ManagedTransaction
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from app.api.patterns import NOT_SPACE
from app.services import audit
from core.errors import NotFoundError
from graph.repositories.users import UsersRepository

log = logging.getLogger(__name__)

Role = Literal["admin", "bizdev", "scout", "company"]
ROLES: tuple[Role, ...] = ("admin", "bizdev", "scout", "company")
# Who may read what other users asked (the words of demand questions). Everyone else, a
# company in the loket or the registration preview, sees only their themes and NLD areas
# (`services.loket.demand_summary`); docs/security.md §2.
DEMAND_READERS: tuple[Role, ...] = ("bizdev", "scout", "admin")
TOKEN_PREFIX = "pa_"
MAX_TOKEN_CHARS = 200


class UserBase(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    role: Role
    kvk_number: str | None = Field(default=None, pattern=r"^\d{8}$")

    @model_validator(mode="after")
    def _company_has_kvk(self) -> UserBase:
        # A company user acts for exactly one company; other roles act for none.
        if self.role == "company" and not self.kvk_number:
            raise ValueError("a company user needs a KvK number (--kvk)")
        if self.role != "company" and self.kvk_number:
            raise ValueError("only company users are bound to a KvK number")
        return self


def _at_most_200_as_sent(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 200:
        raise ValueError("must be at most 200 characters")
    return value


# The rule of `_company_has_kvk` in the API schema: role company <=> a KvK number.
_KVK_ONLY_FOR_COMPANIES: dict[str, Any] = {
    "if": {"properties": {"role": {"const": "company"}}, "required": ["role"]},
    "then": {"required": ["kvk_number"], "properties": {"kvk_number": {"type": "string"}}},
    "else": {"properties": {"kvk_number": {"type": "null"}}},
}


class UserCreate(UserBase):
    """A company user needs the KvK number of its company; other roles must not have one."""

    model_config = ConfigDict(json_schema_extra=_KVK_ONLY_FOR_COMPANIES)

    # Counted as sent, like the schema's maxLength, not after stripping.
    name: Annotated[str, Field(min_length=1, max_length=200,
                               json_schema_extra={"pattern": NOT_SPACE}),
                    BeforeValidator(_at_most_200_as_sent)]


class UserPublic(UserBase):
    """What the API knows about the caller; never the token or its hash."""

    id: str = Field(max_length=64)


class UserListed(UserPublic):
    created_at: str | None = Field(default=None, max_length=64)
    revoked: bool = False
    revoked_at: str | None = Field(default=None, max_length=64)


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str, secret: str) -> str:
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def create_user(users: UsersRepository, user: UserCreate, secret: str,
                actor: UserPublic | None = None) -> tuple[UserPublic, str]:
    """Store a new user; returns it with the plain token, which is not kept anywhere. The
    audit names `actor` (None: the command line)."""
    token = new_token()
    uid = uuid.uuid4().hex[:16]
    public = UserPublic(id=uid, **user.model_dump())

    def work(tx: ManagedTransaction) -> None:
        users.create_in(tx, id=uid, name=user.name, role=user.role,
                        kvk_number=user.kvk_number, token_hash=hash_token(token, secret))
        audit.record(tx, actor.id if actor else None, actor.role if actor else None,
                     "user.create", "user", uid, None, public.model_dump())

    users.execute_write(work)
    log.info("created API user %s (%s)", uid, user.role)
    return public, token


def user_for_token(users: UsersRepository, token: str, secret: str) -> UserPublic | None:
    """The active user holding this token, or None (unknown or revoked)."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    r = users.by_token_hash(hash_token(token, secret))
    if r is None:
        return None
    return UserPublic(id=r["id"], name=r["name"], role=r["role"], kvk_number=r["kvk_number"])


def list_users(users: UsersRepository) -> list[UserListed]:
    return [UserListed(**r) for r in users.listed()]


def revoke_user(users: UsersRepository, user_id: str, actor: UserPublic | None = None) -> None:
    def work(tx: ManagedTransaction) -> bool:
        if not users.revoke_in(tx, user_id):
            return False
        audit.record(tx, actor.id if actor else None, actor.role if actor else None,
                     "user.revoke", "user", user_id, {"revoked": False}, {"revoked": True})
        return True

    if not users.execute_write(work):
        raise NotFoundError(f"No API user with id {user_id!r}.")
    log.info("revoked API user %s", user_id)
