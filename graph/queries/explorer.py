"""The graph explorer: a start node and its neighbourhood, public labels only
(app/api/routes/explorer.py)."""

from __future__ import annotations

from graph.queries import profiles as profiles_q

# Explorer: the start node by its key, one label at a time so every lookup uses the key's
# uniqueness index. Only public labels are reachable (no users, questions or audit events).
API_FIND_NODE = """
CALL () {
  MATCH (n:Company {kvk_number: $id}) RETURN n
  UNION MATCH (n:Cluster {id: $id}) RETURN n
  UNION MATCH (n:Ecosystem {id: $id}) RETURN n
  UNION MATCH (n:KnowledgeInstitution {id: $id}) RETURN n
  UNION MATCH (n:MilitaryFacility {id: $id}) RETURN n
  UNION MATCH (n:Municipality {id: $id}) RETURN n
  UNION MATCH (n:Organisation {id: $id}) RETURN n
  UNION MATCH (n:NLDArea {id: $id}) RETURN n
  UNION MATCH (n:Capability {id: $id}) RETURN n
  UNION MATCH (n:Supply {id: $id}) RETURN n
}
RETURN elementId(n) AS eid, labels(n) AS labels, coalesce(n.kvk_number, n.id) AS id,
       coalesce(n.name, n.label_nl, n.id) AS name
LIMIT 1
"""

# One ring outward from the given nodes, capped; $labels are the public labels. An edge of a
# company that stands for a profile field the company keeps from this viewer ($rel_fields:
# type -> field, $viewer) is left out.
API_NEIGHBOURS = """
UNWIND $eids AS eid
MATCH (a) WHERE elementId(a) = eid
MATCH (a)-[r]-(b)
WHERE any(l IN labels(b) WHERE l IN $labels)
WITH a, r, b, CASE WHEN a:Company THEN a WHEN b:Company THEN b END AS c
WHERE c IS NULL OR NOT coalesce($rel_fields[type(r)], '') IN (""" + profiles_q.WITHHELD + """)
RETURN elementId(b) AS eid, labels(b) AS labels, coalesce(b.kvk_number, b.id) AS id,
       coalesce(b.name, b.label_nl, b.id) AS name, elementId(startNode(r)) AS source,
       elementId(endNode(r)) AS target, type(r) AS type
LIMIT $limit
"""
