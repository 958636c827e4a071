"""Idempotent writes: a write runs at most once per (user, key).

The key is stored in the same transaction as the write it guards, with the answer that was
given. A retry with the same key and body gets that answer again; the same key with another
body is a 409. Because the key lives in Neo4j (with a uniqueness constraint), this holds across
API restarts and between concurrent retries: exactly one of them writes.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from neo4j import ManagedTransaction
from neo4j import exceptions as neo4j_exc

from core.errors import ConflictError
from graph.errors import is_constraint_violation
from graph.repositories.idempotency import IdempotencyRepository

log = logging.getLogger(__name__)

Work = Callable[[ManagedTransaction], dict[str, Any]]


@dataclass(frozen=True)
class WriteResult:
    status: int
    body: dict[str, Any]
    replayed: bool = False


def fingerprint(method: str, path: str, payload: Any) -> str:
    text = json.dumps([method, path, payload], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _stored(keys: IdempotencyRepository, key_id: str, fp: str) -> WriteResult | None:
    r = keys.get(key_id)
    if r is None:
        return None
    if r["fingerprint"] != fp:
        raise ConflictError("This Idempotency-Key was already used for a different request.")
    return WriteResult(int(r["status"]), json.loads(r["body"]), replayed=True)


def run_write(keys: IdempotencyRepository, user_id: str, key: str | None, fp: str, status: int,
              work: Work, execute: Callable[[Work], object] | None = None) -> WriteResult:
    """Run `work` in one write transaction, at most once per (user, key). `execute` runs the
    transaction function some other way (inside the company writer's transaction)."""
    key_id = f"{user_id}:{key}" if key else None
    if key_id:
        done = _stored(keys, key_id, fp)
        if done:
            return done

    answer: dict[str, Any] = {}

    def tx_work(tx: ManagedTransaction) -> dict[str, Any]:
        body = work(tx)
        if key_id:
            keys.save_in(tx, key_id, fp, status,
                         json.dumps(body, default=str, ensure_ascii=False))
        answer.clear()
        answer.update(body)  # a retried transaction function overwrites an earlier attempt
        return body

    try:
        if execute is None:
            keys.execute_write(tx_work)
        else:
            execute(tx_work)
    except (neo4j_exc.ConstraintError, neo4j_exc.ResultFailedError) as e:
        # A concurrent retry with the same key committed first: answer as it did.
        done = _stored(keys, key_id, fp) if key_id and is_constraint_violation(e) else None
        if done is None:
            raise
        log.info("idempotent replay for key %s after a concurrent write", key_id)
        return done
    return WriteResult(status, answer)
