"""Registrations, profile changes and erasure (app/api/routes/registrations.py), and a
company's pending registrations on its profile."""

from __future__ import annotations

REGISTRATION_CREATE = """
CREATE (r:Registration {id: $id, kvk_number: $kvk, kind: $kind, status: 'pending',
                        profile: $profile, submitted_by: $user_id, submitted_role: $role,
                        submitted_at: datetime()})
"""

_REGISTRATION_FIELDS = """
r.id AS id, r.kvk_number AS kvk_number, r.kind AS kind, r.status AS status,
r.profile AS profile, r.submitted_by AS submitted_by, toString(r.submitted_at) AS submitted_at,
r.decided_by AS decided_by, toString(r.decided_at) AS decided_at,
r.decision_note AS decision_note
"""

REGISTRATION_GET = "MATCH (r:Registration {id: $id}) RETURN " + _REGISTRATION_FIELDS

_REGISTRATION_FILTER = """
($status IS NULL OR r.status = $status) AND ($kvk IS NULL OR r.kvk_number = $kvk)
"""

REGISTRATION_COUNT = ("MATCH (r:Registration) WHERE " + _REGISTRATION_FILTER
                      + " RETURN count(r) AS total")

REGISTRATION_LIST = """
MATCH (r:Registration) WHERE """ + _REGISTRATION_FILTER + """
WITH r ORDER BY r.submitted_at DESC, r.id SKIP $offset LIMIT $limit
RETURN """ + _REGISTRATION_FIELDS

# Taking the write lock first (SET) and reading the status after it is Neo4j's documented way
# to avoid lost updates: two concurrent approvals of one registration serialise here and the
# second one sees the first one's decision.
REGISTRATION_LOCK = """
MATCH (r:Registration {id: $id})
SET r.locked_at = datetime()
RETURN r.status AS status, r.submitted_by AS submitted_by
"""

REGISTRATION_DECIDE = """
MATCH (r:Registration {id: $id})
SET r.status = $status, r.decided_by = $user_id, r.decided_at = datetime(),
    r.decision_note = $note
REMOVE r.locked_at
"""

# The fields a company maintains, as the registration form holds them (declared capabilities
# only: inferred ones are the importer's guesses, not the company's statement).
# One row per existing company of $kvks (a list: a page of registrations loads in one read).
COMPANY_PROFILE_FIELDS = """
UNWIND $kvks AS kvk
MATCH (c:Company {kvk_number: kvk})
OPTIONAL MATCH (c)-[:LOCATED_IN]->(m:Municipality)
WITH c, head(collect(m.id)) AS municipality
RETURN c.kvk_number AS kvk,
       c {.name, .description, .description_en, .website, .employees, .sbi_code,
          .ncage_code, .iso9001, .aqap2110, .security_status, .export_control_notes} AS props,
       municipality, toString(c.last_verified) AS last_verified,
       [(c)-[r:HAS_CAPABILITY]->(k:Capability) WHERE r.source = 'declared' | k.id]
         AS capabilities
"""

# Runs inside the approval's transaction, after the company row was written.
COMPANY_MARK_VERIFIED = """
MATCH (c:Company {kvk_number: $kvk})
SET c += $compliance,
    c.compliance_self_declared = true,
    c.last_verified = datetime(),
    c.verified_by = $user_id,
    c.registration = $registration_id,
    c.updated_at = datetime()
"""

PENDING_REGISTRATIONS_FOR = """
MATCH (r:Registration {kvk_number: $kvk, status: 'pending'})
RETURN """ + _REGISTRATION_FIELDS + """
ORDER BY submitted_at
"""

# GDPR erasure: the company, its registrations and the personal data in its audit history;
# the audit keeps that an erasure happened, by whom and when.
COMPANY_ERASE = """
MATCH (c:Company {kvk_number: $kvk})
OPTIONAL MATCH (r:Registration {kvk_number: $kvk})
WITH c, collect(r) AS regs
FOREACH (r IN regs | DETACH DELETE r)
WITH c
OPTIONAL MATCH (s:SignupRequest {kvk_number: $kvk})
WITH c, collect(s) AS signups
FOREACH (s IN signups | DETACH DELETE s)
WITH c
OPTIONAL MATCH (l:LoketItem {kvk_number: $kvk})
WITH c, c.name AS name, collect(l) AS items
WITH c, name, items, [l IN items | l.id] AS loket_ids
FOREACH (l IN items | DETACH DELETE l)
DETACH DELETE c
RETURN name, loket_ids
"""

AUDIT_ERASE_PERSONAL_DATA = """
MATCH (a:AuditEvent)
WHERE (a.kvk_number = $kvk OR (a.entity = 'loket' AND a.entity_id IN $loket_ids))
  AND a.action <> 'company.erase'
SET a.before = CASE WHEN a.before IS NULL THEN null ELSE $erased END,
    a.after = CASE WHEN a.after IS NULL THEN null ELSE $erased END
RETURN count(a) AS scrubbed
"""
