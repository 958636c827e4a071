"""The ontology's concepts in the graph: NLD areas, capabilities, their links and
embeddings (ingest/ontology_loader.py)."""

from __future__ import annotations

UPSERT_NLD_AREAS = """
UNWIND $rows AS row
MERGE (a:NLDArea {id: row.id})
SET a += row.props
"""

UPSERT_CAPABILITIES = """
UNWIND $rows AS row
MERGE (k:Capability {id: row.id})
SET k += row.props
"""

# Replace a concept's BROADER / IN_AREA edges with exactly the ontology's.
LINK_CAPABILITIES = """
UNWIND $rows AS row
MATCH (k:Capability {id: row.id})
OPTIONAL MATCH (k)-[old:BROADER|IN_AREA]->()
DELETE old
WITH DISTINCT k, row
CALL (k, row) {
  UNWIND row.broader AS b
  MATCH (p:Capability {id: b})
  MERGE (k)-[:BROADER]->(p)
}
CALL (k, row) {
  UNWIND row.areas AS a
  MATCH (n:NLDArea {id: a})
  MERGE (k)-[:IN_AREA]->(n)
}
"""

SET_CAPABILITY_EMBEDDINGS = """
UNWIND $rows AS row
MATCH (k:Capability {id: row.id})
CALL db.create.setNodeVectorProperty(k, 'embedding', row.embedding)
SET k.embedding_hash = row.hash
"""

CAPABILITY_EMBEDDING_HASHES = """
MATCH (k:Capability) RETURN k.id AS id, k.embedding_hash AS hash
"""
