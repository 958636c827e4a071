"""Sign-up without an admin (app/services/signup.py): a `(:SignupRequest)` per request, its
one-time code stored only as an HMAC (`code_hash`), the client address only as an HMAC
(`ip_hash`, for the throttle). Statuses: mailed -> verified (account made) | review (the KvK
number already has an account: an admin decides) -> approved (a new code mailed) -> verified |
rejected."""

from __future__ import annotations

# Created only while the address and the e-mail are under their hourly limits (one statement,
# so a refused request stores nothing); returns no row when throttled, with the counts.
SIGNUP_THROTTLE_COUNTS = """
OPTIONAL MATCH (a:SignupRequest) WHERE a.ip_hash = $ip_hash
  AND a.created_at > datetime() - duration({seconds: $window})
WITH count(a) AS by_address
OPTIONAL MATCH (e:SignupRequest) WHERE e.email = $email
  AND e.created_at > datetime() - duration({seconds: $window})
RETURN by_address, count(e) AS by_email
"""

SIGNUP_CREATE = """
CREATE (s:SignupRequest {id: $id, kvk_number: $kvk_number, company_name: $company_name,
                         email: $email, contact_name: $contact_name, code_hash: $code_hash,
                         expires_at: datetime() + duration({seconds: $ttl}),
                         status: 'mailed', created_at: datetime(), ip_hash: $ip_hash})
RETURN s.id AS id, toString(s.expires_at) AS expires_at
"""

_FIELDS = """
s.id AS id, s.kvk_number AS kvk_number, s.company_name AS company_name, s.email AS email,
s.contact_name AS contact_name, s.status AS status, toString(s.created_at) AS created_at,
toString(s.expires_at) AS expires_at, s.expires_at < datetime() AS expired,
toString(s.verified_at) AS verified_at, s.user_id AS user_id, s.decided_by AS decided_by,
toString(s.decided_at) AS decided_at, s.decision_note AS decision_note
"""

SIGNUP_BY_CODE = "MATCH (s:SignupRequest {code_hash: $code_hash}) RETURN " + _FIELDS
SIGNUP_GET = "MATCH (s:SignupRequest {id: $id}) RETURN " + _FIELDS

# Serialises everything that decides about one KvK number's account: MERGE on a unique key
# takes its lock, so two verifications for one number cannot both make an account.
SIGNUP_LOCK_KVK = """
MERGE (k:SignupKvk {kvk_number: $kvk_number}) SET k.locked_at = datetime()
"""

# Locks the request itself, then reads its state (the second of two concurrent uses sees the
# first one's result).
SIGNUP_LOCK = """
MATCH (s:SignupRequest {id: $id}) SET s.locked_at = datetime()
RETURN s.status AS status, s.code_hash = $code_hash AS same_code,
       s.expires_at < datetime() AS expired
"""

COMPANY_ACCOUNT_EXISTS = """
RETURN EXISTS { MATCH (u:User {kvk_number: $kvk_number, role: 'company'})
                WHERE u.revoked = false } AS taken
"""

SIGNUP_VERIFIED = """
MATCH (s:SignupRequest {id: $id})
SET s.status = 'verified', s.verified_at = datetime(), s.user_id = $user_id
REMOVE s.locked_at
"""

SIGNUP_TO_REVIEW = """
MATCH (s:SignupRequest {id: $id})
SET s.status = 'review', s.verified_at = datetime()
REMOVE s.locked_at
"""

# An admin's decision; approval sets a fresh code (the old one was used to prove the address).
SIGNUP_DECIDE = """
MATCH (s:SignupRequest {id: $id}) WHERE s.status = 'review'
SET s.status = $status, s.decided_by = $user_id, s.decided_at = datetime(),
    s.decision_note = $note,
    s.code_hash = coalesce($code_hash, s.code_hash),
    s.expires_at = CASE WHEN $code_hash IS NULL THEN s.expires_at
                        ELSE datetime() + duration({seconds: $ttl}) END
RETURN s.id AS id
"""

_FILTER = "($status IS NULL OR s.status = $status)"

SIGNUP_COUNT = "MATCH (s:SignupRequest) WHERE " + _FILTER + " RETURN count(s) AS total"

SIGNUP_LIST = """
MATCH (s:SignupRequest) WHERE """ + _FILTER + """
WITH s ORDER BY s.created_at DESC, s.id SKIP $offset LIMIT $limit
RETURN """ + _FIELDS

# Requests whose code expired unused are of no use after the throttle window: their personal
# data goes (kept: the ones an admin reviews or decided, and the verified ones).
SIGNUP_PURGE_EXPIRED = """
MATCH (s:SignupRequest) WHERE s.status IN ['mailed', 'approved']
  AND s.expires_at < datetime() - duration({seconds: $grace})
WITH s LIMIT 1000 DETACH DELETE s RETURN count(*) AS deleted
"""
