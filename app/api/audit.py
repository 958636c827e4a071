"""The audit trail: every write through the API leaves an `(:AuditEvent)` with who, when,
what, and the object before and after, written in the same transaction as the change so the
trail cannot miss a write that happened or record one that did not."""

from __future__ import annotations

import json
import logging
import uuid
from typing import TYPE_CHECKING, Any

from neo4j import Driver, ManagedTransaction

from graph.queries import audit as audit_q

if TYPE_CHECKING:
    from app.api.users import UserPublic

log = logging.getLogger(__name__)

MAX_SNAPSHOT_CHARS = 100_000
_SECRET_KEYS = frozenset({"token", "token_hash", "password", "embedding"})


def _snapshot(value: dict[str, Any] | None) -> str | None:
    """JSON text of an object without secrets or vectors, capped in size."""
    if value is None:
        return None
    clean = {k: v for k, v in value.items() if k not in _SECRET_KEYS}
    text = json.dumps(clean, ensure_ascii=False, sort_keys=True, default=str)
    if len(text) > MAX_SNAPSHOT_CHARS:
        text = json.dumps({"truncated": True, "chars": len(text)})
    return text


def record(target: Driver | ManagedTransaction, actor: UserPublic | None, action: str,
           entity: str, entity_id: str, before: dict[str, Any] | None,
           after: dict[str, Any] | None, *, kvk_number: str | None = None) -> str:
    """Write one audit event; pass the write's transaction to keep both atomic.
    `kvk_number` ties it to a company, so an erasure can scrub the personal data in it.
    Without an actor the change came from the command line (`paraat users …`)."""
    params = {
        "id": uuid.uuid4().hex, "actor_id": actor.id if actor else "cli",
        "actor_role": actor.role if actor else "cli", "action": action, "entity": entity,
        "entity_id": entity_id, "before": _snapshot(before), "after": _snapshot(after),
        "kvk_number": kvk_number or (entity_id if entity == "company" else None),
    }
    if isinstance(target, ManagedTransaction):
        target.run(audit_q.AUDIT_RECORD, params).consume()
    else:
        target.execute_query(audit_q.AUDIT_RECORD, params)
    log.info("audit %s %s %s by %s", action, entity, entity_id, params["actor_id"])
    return str(params["id"])


def parse(value: str | None) -> dict[str, Any] | None:
    if not value:
        return None
    out: dict[str, Any] = json.loads(value)
    return out
