"""Desks of the loket (app/services/desks.py): `(:Desk)` nodes from ingest/data/seed/desks.csv,
`(:LoketItem)-[:ROUTED_TO {reason, at, active}]->(:Desk)` for where an item went and why.
A referral makes the old edge inactive (`referred_to`) and adds an active one (`referred_from`).
Desks see an item only once its sender confirmed the e-mail address (`confirmed_at`)."""

from __future__ import annotations

DESK_UPSERT = """
UNWIND $rows AS row
MERGE (d:Desk {id: row.id})
SET d.name_nl = row.name_nl, d.name_en = row.name_en, d.description_nl = row.description_nl,
    d.description_en = row.description_en, d.source = row.source,
    d.email = CASE WHEN d.email_set_by_admin = true THEN d.email ELSE row.email END
"""

_DESK_FIELDS = """
d.id AS id, d.name_nl AS name_nl, d.name_en AS name_en, d.description_nl AS description_nl,
d.description_en AS description_en, d.email AS email
"""

DESK_LIST = "MATCH (d:Desk) RETURN " + _DESK_FIELDS + " ORDER BY d.id"

DESK_GET = "MATCH (d:Desk {id: $id}) RETURN " + _DESK_FIELDS

DESK_SET_EMAIL = """
MATCH (d:Desk {id: $id}) SET d.email = $email, d.email_set_by_admin = true
RETURN d.id AS id
"""

# The routing made at submission; every edge active.
LOKET_ROUTE = """
MATCH (l:LoketItem {id: $id})
UNWIND $routes AS r
MATCH (d:Desk {id: r.desk})
MERGE (l)-[e:ROUTED_TO]->(d)
SET e.reason = r.reason, e.reason_en = r.reason_en, e.via = r.via, e.at = datetime(),
    e.active = true, e.by = $by
"""

LOKET_ROUTES = """
MATCH (l:LoketItem {id: $id})-[e:ROUTED_TO]->(d:Desk)
RETURN d.id AS desk, d.name_nl AS name_nl, d.name_en AS name_en, e.reason AS reason,
       e.reason_en AS reason_en, e.via AS via, toString(e.at) AS at,
       coalesce(e.active, true) AS active,
       e.referred_to AS referred_to, e.referred_from AS referred_from
ORDER BY e.at, d.id
"""

# Routes of many items in one read (a queue page).
LOKET_ROUTES_MANY = """
UNWIND $ids AS iid
MATCH (l:LoketItem {id: iid})-[e:ROUTED_TO]->(d:Desk)
RETURN l.id AS item, d.id AS desk, d.name_nl AS name_nl, d.name_en AS name_en,
       e.reason AS reason, e.reason_en AS reason_en, e.via AS via, toString(e.at) AS at,
       coalesce(e.active, true) AS active,
       e.referred_to AS referred_to, e.referred_from AS referred_from
ORDER BY e.at, d.id
"""

# A referral: every active edge of the item (or only the one from $from) becomes inactive,
# the target desk gets an active edge with the reason. Returns nothing if the desk is unknown.
LOKET_REFER = """
MATCH (l:LoketItem {id: $id})
MATCH (to:Desk {id: $to})
OPTIONAL MATCH (l)-[old:ROUTED_TO]->(from:Desk)
  WHERE coalesce(old.active, true) AND from.id <> $to AND ($from IS NULL OR from.id = $from)
SET old.active = false, old.referred_to = $to, old.referred_at = datetime()
WITH DISTINCT l, to, collect(from.id) AS froms
MERGE (l)-[e:ROUTED_TO]->(to)
SET e.reason = $reason, e.reason_en = $reason_en, e.via = 'referral', e.at = datetime(),
    e.active = true, e.by = $by,
    e.referred_from = CASE WHEN size(froms) > 0 THEN froms[0] ELSE $from END
RETURN to.id AS desk, froms
"""

_QUEUE_FILTER = """
MATCH (l:LoketItem)-[e:ROUTED_TO]->(d:Desk {id: $desk})
WHERE coalesce(e.active, true) AND l.confirmed_at IS NOT NULL
  AND ($status IS NULL OR l.status = $status)
"""

DESK_QUEUE_COUNT = _QUEUE_FILTER + " RETURN count(l) AS total"

DESK_QUEUE = _QUEUE_FILTER + """
WITH l, e ORDER BY l.confirmed_at DESC, l.id SKIP $offset LIMIT $limit
RETURN l.id AS id, l.kind AS kind, l.title AS title, l.text AS text,
       l.kvk_number AS kvk_number, l.status AS status, l.contact_email AS contact_email,
       toString(l.created_at) AS created_at, toString(l.confirmed_at) AS confirmed_at,
       toString(l.first_response_at) AS first_response_at, e.reason AS reason,
       toString(e.at) AS routed_at, coalesce(l.notes, []) AS notes
"""
