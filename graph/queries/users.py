"""API users; tokens are stored only as an HMAC (token_hash), lookups go by that hash
(graph/repositories/users.py, app/services/users.py)."""

from __future__ import annotations

# Users: tokens are stored only as an HMAC (token_hash); lookups go by that hash.
API_CREATE_USER = """
CREATE (u:User {id: $id, name: $name, role: $role, kvk_number: $kvk_number,
                token_hash: $token_hash, created_at: datetime(), revoked: false})
RETURN u.id AS id
"""

API_USER_BY_TOKEN_HASH = """
MATCH (u:User {token_hash: $token_hash}) WHERE u.revoked = false
RETURN u.id AS id, u.name AS name, u.role AS role, u.kvk_number AS kvk_number
LIMIT 1
"""

API_LIST_USERS = """
MATCH (u:User)
RETURN u.id AS id, u.name AS name, u.role AS role, u.kvk_number AS kvk_number,
       toString(u.created_at) AS created_at, u.revoked AS revoked,
       toString(u.revoked_at) AS revoked_at
ORDER BY u.created_at, u.id
"""

API_REVOKE_USER = """
MATCH (u:User {id: $id})
SET u.revoked = true, u.revoked_at = coalesce(u.revoked_at, datetime())
RETURN u.id AS id
"""
