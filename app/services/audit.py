"""The audit trail: every write through the API or `paraat users` leaves an `(:AuditEvent)`
with who, when, what, and the object before and after, written in the same transaction as the
change so the trail cannot miss a write that happened or record one that did not.

It takes the actor's id and role, not a user object: the audit knows nothing of users, so the
users service can audit its own writes without an import cycle."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from neo4j import ManagedTransaction

from graph.repositories.audit import AuditRepository

log = logging.getLogger(__name__)

MAX_SNAPSHOT_CHARS = 100_000
_SECRET_KEYS = frozenset({"token", "token_hash", "password", "embedding"})
# Who a change without an API user (the command line) is recorded as.
CLI_ACTOR = "cli"


def _snapshot(value: dict[str, Any] | None) -> str | None:
    """JSON text of an object without secrets or vectors, capped in size."""
    if value is None:
        return None
    clean = {k: v for k, v in value.items() if k not in _SECRET_KEYS}
    text = json.dumps(clean, ensure_ascii=False, sort_keys=True, default=str)
    if len(text) > MAX_SNAPSHOT_CHARS:
        text = json.dumps({"truncated": True, "chars": len(text)})
    return text


def event(actor_id: str | None, actor_role: str | None, action: str, entity: str,
          entity_id: str, before: dict[str, Any] | None, after: dict[str, Any] | None, *,
          kvk_number: str | None = None) -> dict[str, Any]:
    """One audit event's fields. `kvk_number` ties it to a company, so an erasure can scrub
    the personal data in it. Without an actor the change came from the command line."""
    return {
        "id": uuid.uuid4().hex, "actor_id": actor_id or CLI_ACTOR,
        "actor_role": actor_role or CLI_ACTOR, "action": action, "entity": entity,
        "entity_id": entity_id, "before": _snapshot(before), "after": _snapshot(after),
        "kvk_number": kvk_number or (entity_id if entity == "company" else None),
    }


def record(target: AuditRepository | ManagedTransaction, actor_id: str | None,
           actor_role: str | None, action: str, entity: str, entity_id: str,
           before: dict[str, Any] | None, after: dict[str, Any] | None, *,
           kvk_number: str | None = None) -> str:
    """Write one audit event; pass the write's transaction to keep both atomic, the
    repository for work that has no transaction of its own (an import run)."""
    params = event(actor_id, actor_role, action, entity, entity_id, before, after,
                   kvk_number=kvk_number)
    if isinstance(target, AuditRepository):
        target.record(params)
    else:
        AuditRepository.record_in(target, params)
    log.info("audit %s %s %s by %s", action, entity, entity_id, params["actor_id"])
    return str(params["id"])


def parse(value: str | None) -> dict[str, Any] | None:
    if not value:
        return None
    out: dict[str, Any] = json.loads(value)
    return out
