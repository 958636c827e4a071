"""Trusted profiles (issue 20, items 4-6): compliance claims with their state and expiry, who
may see which profile field, defence experience, and the reminders before a claim or a
profile lapses (graph/repositories/profiles.py).

Claims: (:Company)-[:HAS_CLAIM]->(:ComplianceClaim {id: "<kvk>:<kind>", kind, value, state,
expires_on, declared_by, declared_at, verified_by, verified_at, verify_note, reminded_expiry})
and, once evidence is uploaded, (:ComplianceClaim)-[:EVIDENCE]->(:Evidence {sha256, filename,
content_type, size, data, uploaded_by, uploaded_at}) (a node of its own, so reading claims
never pulls the document). Visibility: two list properties on the company,
`visibility_defence` and `visibility_hidden`, holding field names (absent: public).
"""

from __future__ import annotations

# What a viewer may not see of company `c`: nothing for admins ($viewer.all) and the company
# itself ($viewer.kvk), the hidden fields for bizdev and scouts ($viewer.defence), the hidden
# and defence-only fields for everyone else. $viewer is one map, so one plan serves all roles.
WITHHELD = """CASE WHEN $viewer.all OR c.kvk_number = $viewer.kvk THEN []
  ELSE coalesce(c.visibility_hidden, []) + CASE WHEN $viewer.defence THEN []
       ELSE coalesce(c.visibility_defence, []) END END"""

COMPANY_EXISTS = "MATCH (c:Company {kvk_number: $kvk}) RETURN c.name AS name"

# Visibility, defence experience and claims of some companies (profiles, lists, match hits).
PROFILE_META = """
UNWIND $kvks AS kvk
MATCH (c:Company {kvk_number: kvk})
CALL (c) {
  OPTIONAL MATCH (c)-[:HAS_CLAIM]->(cl:ComplianceClaim)
  WITH cl ORDER BY cl.kind
  RETURN collect(cl {.kind, .value, .state, expires_on: toString(cl.expires_on),
                     .declared_by, declared_at: toString(cl.declared_at), .verified_by,
                     verified_at: toString(cl.verified_at), .verify_note,
                     evidence: EXISTS { (cl)-[:EVIDENCE]->(:Evidence) }}) AS claims
}
RETURN c.kvk_number AS kvk, c.defence_experience AS defence_experience,
       coalesce(c.visibility_defence, []) AS visibility_defence,
       coalesce(c.visibility_hidden, []) AS visibility_hidden, claims
"""

SET_VISIBILITY = """
MATCH (c:Company {kvk_number: $kvk})
SET c.visibility_defence = $defence, c.visibility_hidden = $hidden
RETURN c.kvk_number AS kvk
"""

SET_DEFENCE_EXPERIENCE = """
MATCH (c:Company {kvk_number: $kvk})
SET c.defence_experience = $value
RETURN c.kvk_number AS kvk
"""

# A declaration (new or changed). A change of value or expiry drops an earlier verification:
# what was verified is no longer what is claimed. With evidence on file the state is
# evidence_uploaded, else self_declared.
UPSERT_CLAIM = """
MATCH (c:Company {kvk_number: $kvk})
MERGE (c)-[:HAS_CLAIM]->(cl:ComplianceClaim {id: $kvk + ':' + $kind})
ON CREATE SET cl.kind = $kind
WITH cl, coalesce(cl.value = $value, cl.value IS NULL AND $value IS NULL)
         AND coalesce(cl.expires_on = date($expires_on),
                      cl.expires_on IS NULL AND $expires_on IS NULL) AS same
SET cl.value = $value,
    cl.expires_on = CASE WHEN $expires_on IS NULL THEN null ELSE date($expires_on) END,
    cl.declared_by = $user_id, cl.declared_at = datetime()
WITH cl, same
CALL (cl, same) {
  WITH cl WHERE NOT (same AND coalesce(cl.state = 'verified', false))
  SET cl.state = CASE WHEN EXISTS { (cl)-[:EVIDENCE]->(:Evidence) } THEN 'evidence_uploaded'
                      ELSE 'self_declared' END,
      cl.verified_by = null, cl.verified_at = null, cl.verify_note = null,
      cl.reminded_expiry = null
}
RETURN cl.state AS state
"""

# New evidence replaces the old and needs a new verification.
SET_EVIDENCE = """
MATCH (:Company {kvk_number: $kvk})-[:HAS_CLAIM]->(cl:ComplianceClaim {id: $kvk + ':' + $kind})
OPTIONAL MATCH (cl)-[:EVIDENCE]->(old:Evidence)
DETACH DELETE old
WITH DISTINCT cl
CREATE (cl)-[:EVIDENCE]->(:Evidence {sha256: $sha256, filename: $filename,
                                     content_type: $content_type, size: $size, data: $data,
                                     uploaded_by: $user_id, uploaded_at: datetime()})
SET cl.state = 'evidence_uploaded', cl.verified_by = null, cl.verified_at = null,
    cl.verify_note = null
RETURN cl.state AS state
"""

GET_EVIDENCE = """
MATCH (:Company {kvk_number: $kvk})-[:HAS_CLAIM]->(cl:ComplianceClaim {id: $kvk + ':' + $kind})
      -[:EVIDENCE]->(e:Evidence)
RETURN e.filename AS filename, e.content_type AS content_type, e.data AS data,
       e.sha256 AS sha256
"""

VERIFY_CLAIM = """
MATCH (:Company {kvk_number: $kvk})-[:HAS_CLAIM]->(cl:ComplianceClaim {id: $kvk + ':' + $kind})
SET cl.state = 'verified', cl.verified_by = $user_id, cl.verified_at = datetime(),
    cl.verify_note = $note
RETURN cl.state AS state
"""

DELETE_CLAIM = """
MATCH (:Company {kvk_number: $kvk})-[:HAS_CLAIM]->(cl:ComplianceClaim {id: $kvk + ':' + $kind})
OPTIONAL MATCH (cl)-[:EVIDENCE]->(e:Evidence)
DETACH DELETE e, cl
RETURN 1 AS n
"""

# ----------------------------------------------------------------------------- reminders

# Where a company's reminders go: the address its account was signed up with (a verified
# sign-up), an address on a user account, or one on the company itself.
_ADDRESSES = """
  CALL (c) {
    MATCH (s:SignupRequest {kvk_number: c.kvk_number}) WHERE s.status = 'verified'
    RETURN s.email AS email
    UNION
    MATCH (u:User {kvk_number: c.kvk_number}) WHERE NOT coalesce(u.revoked, false)
    RETURN u.email AS email
    UNION
    RETURN c.email AS email
    UNION
    RETURN c.contact_email AS email
  }
  WITH email WHERE email IS NOT NULL RETURN DISTINCT email"""

# Claims that expire within $days from $today and whose coming expiry was not yet reminded
# (a new expiry date gets a new reminder), with the addresses of the company's accounts.
DUE_CLAIM_REMINDERS = """
MATCH (c:Company)-[:HAS_CLAIM]->(cl:ComplianceClaim)
WHERE cl.expires_on IS NOT NULL AND cl.expires_on <= date($today) + duration({days: $days})
  AND (cl.reminded_expiry IS NULL OR cl.reminded_expiry <> cl.expires_on)
WITH c, cl, COLLECT { """ + _ADDRESSES + """ } AS emails
RETURN c.kvk_number AS kvk, c.name AS name, cl.kind AS kind, toString(cl.expires_on) AS due,
       emails
ORDER BY kvk, kind
"""

MARK_CLAIM_REMINDED = """
MATCH (:Company {kvk_number: $kvk})-[:HAS_CLAIM]->(cl:ComplianceClaim {id: $kvk + ':' + $kind})
SET cl.reminded_expiry = cl.expires_on
"""

# Profiles that go stale within $days (last verified + $stale_days), or are stale and were
# never reminded for this verification; a new verification gets a new reminder.
DUE_STALE_REMINDERS = """
MATCH (c:Company)
WHERE c.last_verified IS NOT NULL
  AND date(c.last_verified) + duration({days: $stale_days})
      <= date($today) + duration({days: $days})
  AND (c.stale_reminded_for IS NULL OR c.stale_reminded_for <> c.last_verified)
WITH c, COLLECT { """ + _ADDRESSES + """ } AS emails
RETURN c.kvk_number AS kvk, c.name AS name,
       toString(date(c.last_verified) + duration({days: $stale_days})) AS due, emails
ORDER BY kvk
"""

MARK_STALE_REMINDED = """
MATCH (c:Company {kvk_number: $kvk})
SET c.stale_reminded_for = c.last_verified
"""
