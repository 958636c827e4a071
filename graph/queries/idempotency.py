"""Idempotency keys of API writes (graph/repositories/idempotency.py)."""

from __future__ import annotations

IDEMPOTENCY_GET = """
MATCH (k:IdempotencyKey {id: $id})
RETURN k.fingerprint AS fingerprint, k.status AS status, k.body AS body
"""

# Created in the same transaction as the write it guards: the uniqueness constraint on id
# makes a concurrent retry with the same key fail instead of writing twice.
IDEMPOTENCY_SAVE = """
CREATE (:IdempotencyKey {id: $id, fingerprint: $fingerprint, status: $status, body: $body,
                         created_at: datetime()})
"""
