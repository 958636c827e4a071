"""Shortlists and watchlists (app/api/routes/shortlists.py, watchlists.py; issue 6)."""

from __future__ import annotations

# Shortlists: (:Shortlist)-[:INCLUDES {note, added_at, added_by}]->(:Company).
SHORTLIST_CREATE = """
CREATE (s:Shortlist {id: $id, name: $name, question: $question, owner: $owner,
                     created_at: datetime(), updated_at: datetime()})
RETURN s.id AS id
"""

SHORTLIST_OWNER = "MATCH (s:Shortlist {id: $id}) RETURN s.owner AS owner"

SHORTLIST_COUNT_OWN = "MATCH (s:Shortlist {owner: $owner}) RETURN count(s) AS total"

SHORTLIST_LIST_OWN = """
MATCH (s:Shortlist {owner: $owner})
WITH s ORDER BY s.created_at DESC, s.id SKIP $offset LIMIT $limit
RETURN s.id AS id, s.name AS name, s.question AS question, s.owner AS owner,
       toString(s.created_at) AS created_at, toString(s.updated_at) AS updated_at,
       COUNT { (s)-[:INCLUDES]->(:Company) } AS item_count
ORDER BY created_at DESC, id
"""

SHORTLIST_GET = """
MATCH (s:Shortlist {id: $id})
CALL (s) {
  OPTIONAL MATCH (s)-[r:INCLUDES]->(c:Company)
  OPTIONAL MATCH (c)-[:LOCATED_IN]->(m:Municipality)
  WITH r, c, head(collect(m)) AS m
  ORDER BY r.added_at, c.kvk_number
  RETURN collect(CASE WHEN c IS NULL THEN null ELSE {
      kvk_number: c.kvk_number, name: c.name, municipality: m.id,
      municipality_name: m.name, website: c.website, employees: c.employees,
      note: r.note, added_at: toString(r.added_at)} END) AS items
}
RETURN s.id AS id, s.name AS name, s.question AS question, s.owner AS owner,
       toString(s.created_at) AS created_at, toString(s.updated_at) AS updated_at, items
"""

# Adding a company twice keeps its first added_at and replaces the note.
SHORTLIST_ADD_ITEM = """
MATCH (s:Shortlist {id: $id})
MATCH (c:Company {kvk_number: $kvk})
OPTIONAL MATCH (s)-[old:INCLUDES]->(c)
WITH s, c, CASE WHEN old IS NULL THEN null
               ELSE {note: old.note, added_at: toString(old.added_at)} END AS before
MERGE (s)-[r:INCLUDES]->(c)
ON CREATE SET r.added_at = datetime()
SET r.note = $note, r.added_by = $actor, s.updated_at = datetime()
RETURN before, c.name AS name, r.note AS note, toString(r.added_at) AS added_at
"""

SHORTLIST_REMOVE_ITEM = """
MATCH (s:Shortlist {id: $id})-[r:INCLUDES]->(c:Company {kvk_number: $kvk})
WITH s, r, {note: r.note, added_at: toString(r.added_at)} AS before
DELETE r
SET s.updated_at = datetime()
RETURN before
"""

# Watchlists: a saved question; `seen` holds the KvK numbers shown at `last_seen_at`.
WATCHLIST_CREATE = """
CREATE (w:Watchlist {id: $id, name: $name, question: $question, filters: $filters,
                     top_k: $top_k, owner: $owner, seen: $seen, created_at: datetime(),
                     last_seen_at: datetime()})
RETURN toString(w.last_seen_at) AS last_seen_at
"""

WATCHLIST_COUNT_OWN = "MATCH (w:Watchlist {owner: $owner}) RETURN count(w) AS total"

_WATCHLIST_FIELDS = """
RETURN w.id AS id, w.name AS name, w.question AS question, w.filters AS filters,
       w.top_k AS top_k, w.owner AS owner, coalesce(w.seen, []) AS seen,
       toString(w.created_at) AS created_at, toString(w.last_seen_at) AS last_seen_at
"""

WATCHLIST_LIST_OWN = """
MATCH (w:Watchlist {owner: $owner})
WITH w ORDER BY w.created_at DESC, w.id SKIP $offset LIMIT $limit
""" + _WATCHLIST_FIELDS + """
ORDER BY created_at DESC, id
"""

WATCHLIST_GET = "MATCH (w:Watchlist {id: $id})" + _WATCHLIST_FIELDS

# When each candidate's profile last changed (any of the three timestamps, as text).
WATCHLIST_COMPANY_TIMES = """
UNWIND $kvks AS kvk
MATCH (c:Company {kvk_number: kvk})
RETURN c.kvk_number AS kvk, toString(c.updated_at) AS updated_at,
       toString(c.last_verified) AS last_verified, toString(c.imported_at) AS imported_at
"""

WATCHLIST_MARK_SEEN = """
MATCH (w:Watchlist {id: $id})
SET w.seen = $seen, w.last_seen_at = datetime()
RETURN toString(w.last_seen_at) AS last_seen_at
"""
