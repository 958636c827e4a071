"""The loket: ideas, offers and questions from companies with their reverse matches and
triage (graph/repositories/loket.py, matching/reverse.py; issue 6)."""

from __future__ import annotations

from graph.queries.demand import DEMAND_AREAS

# Loket: ideas, offers and questions from companies, with their reverse matches (JSON) and
# triage notes (a list of JSON strings); ABOUT edges to the concepts found in the text.
LOKET_CREATE = """
CREATE (l:LoketItem {id: $id, kind: $kind, title: $title, text: $text, kvk_number: $kvk,
                     submitted_by: $actor, status: 'new', lang: $lang, matches: $matches,
                     notes: [], created_at: datetime(), updated_at: datetime(),
                     confirmed_at: datetime()})
WITH l
CALL (l) {
  UNWIND $concepts AS cid
  MATCH (k:Capability {id: cid})
  CREATE (l)-[:ABOUT]->(k)
}
RETURN l.id AS id
"""

_LOKET_FIELDS = """
RETURN l.id AS id, l.kind AS kind, l.title AS title, l.text AS text,
       l.kvk_number AS kvk_number, l.submitted_by AS submitted_by, l.status AS status,
       l.lang AS lang, l.matches AS matches, coalesce(l.notes, []) AS notes,
       toString(l.created_at) AS created_at, toString(l.updated_at) AS updated_at
"""

LOKET_GET = "MATCH (l:LoketItem {id: $id})" + _LOKET_FIELDS + """,
       l.confirm_hash IS NULL OR l.confirmed_at IS NOT NULL AS confirmed,
       toString(l.first_response_at) AS first_response_at
"""

# Without an account (app/services/desks.py): the sender's address waits for confirmation
# (`confirm_hash`, the HMAC of the mailed code); until then no desk and no list shows it.
LOKET_CREATE_ANONYMOUS = """
CREATE (l:LoketItem {id: $id, kind: $kind, title: $title, text: $text, kvk_number: $kvk,
                     submitted_by: 'anonymous', contact_email: $email, ip_hash: $ip_hash,
                     confirm_hash: $confirm_hash,
                     confirm_expires: datetime() + duration({seconds: $ttl}),
                     status: 'new', lang: $lang, matches: $matches, notes: [],
                     created_at: datetime(), updated_at: datetime()})
WITH l
CALL (l) {
  UNWIND $concepts AS cid
  MATCH (k:Capability {id: cid})
  CREATE (l)-[:ABOUT]->(k)
}
RETURN l.id AS id
"""

LOKET_THROTTLE_COUNTS = """
OPTIONAL MATCH (a:LoketItem) WHERE a.ip_hash = $ip_hash
  AND a.created_at > datetime() - duration({seconds: $window})
WITH count(a) AS by_address
OPTIONAL MATCH (e:LoketItem) WHERE e.contact_email = $email AND e.submitted_by = 'anonymous'
  AND e.created_at > datetime() - duration({seconds: $window})
RETURN by_address, count(e) AS by_email
"""

LOKET_BY_CONFIRM = """
MATCH (l:LoketItem {confirm_hash: $confirm_hash})
RETURN l.id AS id, l.confirmed_at IS NOT NULL AS confirmed,
       l.confirm_expires < datetime() AS expired, l.contact_email AS contact_email,
       l.title AS title
"""

LOKET_CONFIRM = """
MATCH (l:LoketItem {id: $id}) WHERE l.confirmed_at IS NULL AND l.confirm_expires >= datetime()
SET l.confirmed_at = datetime(), l.updated_at = datetime()
RETURN l.id AS id
"""

# Unconfirmed items whose link expired are never seen by anyone: they go with their text and
# address.
LOKET_PURGE_UNCONFIRMED = """
MATCH (l:LoketItem) WHERE l.confirmed_at IS NULL AND l.confirm_hash IS NOT NULL
  AND l.confirm_expires < datetime() - duration({seconds: $grace})
WITH l LIMIT 1000 DETACH DELETE l RETURN count(*) AS deleted
"""

# $kvk null: every item (bizdev/admin); otherwise only that company's.
LOKET_COUNT = """
MATCH (l:LoketItem) WHERE ($kvk IS NULL OR l.kvk_number = $kvk)
  AND ($status IS NULL OR l.status = $status)
  AND (l.confirm_hash IS NULL OR l.confirmed_at IS NOT NULL)
RETURN count(l) AS total
"""

LOKET_LIST = """
MATCH (l:LoketItem) WHERE ($kvk IS NULL OR l.kvk_number = $kvk)
  AND ($status IS NULL OR l.status = $status)
  AND (l.confirm_hash IS NULL OR l.confirmed_at IS NOT NULL)
WITH l ORDER BY l.created_at DESC, l.id SKIP $offset LIMIT $limit
""" + _LOKET_FIELDS + """
ORDER BY created_at DESC, id
"""

# The status changes only from one of $from (checked after LOKET_LOCK_STATUS took the lock).
LOKET_TRIAGE = """
MATCH (l:LoketItem {id: $id}) WHERE l.status IN $from
WITH l, l.status AS before
SET l.status = $status, l.notes = coalesce(l.notes, []) + [$note], l.updated_at = datetime(),
    l.first_response_at = coalesce(l.first_response_at, datetime())
RETURN before
"""

# Takes the item's write lock before the status is read, so concurrent triages serialise;
# the transaction rolls back when the step is refused.
LOKET_LOCK_STATUS = """
MATCH (l:LoketItem {id: $id})
SET l.updated_at = datetime()
RETURN l.status AS status
"""

# Reverse matching: groups that hold one of $capabilities or serve one of $areas.
LOKET_RELATED_CLUSTERS = """
MATCH (cl:Cluster)
WITH cl, [(cl)-[:HAS_CAPABILITY]->(k:Capability) WHERE k.id IN $capabilities | k.id] AS caps,
     [(cl)-[:RELEVANT_TO]->(a:NLDArea) WHERE a.id IN $areas | a.id] AS areas
WHERE size(caps) > 0 OR size(areas) > 0
RETURN cl.id AS id, cl.name AS name, cl.kind AS kind, caps, areas
"""

LOKET_RELATED_INSTITUTIONS = """
MATCH (ki:KnowledgeInstitution)
WITH ki, [(ki)-[:HAS_CAPABILITY]->(k:Capability) WHERE k.id IN $capabilities | k.id] AS caps,
     [(ki)-[:KNOWLEDGE_PARTNER]->(e:Ecosystem)
      WHERE EXISTS { (e)-[:MEMBER_OF]->(c:Cluster) WHERE c.id IN $clusters }
         OR EXISTS { (e)-[:HAS_CAPABILITY]->(k:Capability) WHERE k.id IN $capabilities }
      | e.id] AS ecosystems
WHERE size(caps) > 0 OR size(ecosystems) > 0
RETURN ki.id AS id, ki.name AS name, ki.kind AS kind, caps, ecosystems
"""

LOKET_RELATED_DEMAND = """
MATCH (d:DemandQuestion)
WITH d, [(d)-[:ABOUT]->(k:Capability) | k.id] AS concepts, """ + DEMAND_AREAS + """ AS areas
WHERE any(c IN concepts WHERE c IN $capabilities)
RETURN d.id AS id, d.question AS question, d.lang AS lang,
       toString(d.created_at) AS created_at, concepts, areas
ORDER BY d.created_at DESC LIMIT $limit
"""
