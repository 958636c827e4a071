"""RDF export and import (ingest/rdf/)."""

from __future__ import annotations

# Node properties per label for the export; vectors are nulled here so they never travel
# (ingest/rdf/export.py decides which of the other properties have an RDF form).
RDF_EXPORT_NODES: dict[str, str] = {
    "Capability": "MATCH (k:Capability) RETURN k {.*, embedding: null} AS props",
    "NLDArea": "MATCH (a:NLDArea) RETURN a {.*, embedding: null} AS props",
    "Company": "MATCH (c:Company) RETURN c {.*, embedding: null} AS props",
    **{label: f"MATCH (n:{label}) RETURN n {{.*, embedding: null}} AS props"
       for label in ("Municipality", "Cluster", "Ecosystem", "KnowledgeInstitution",
                     "MilitaryFacility", "Organisation", "Site", "Facility", "Programme")},
}

# Every edge of the model between exported labels ($labels), with HAS_CAPABILITY's properties.
RDF_EXPORT_LINKS = """
MATCH (a)-[r:LOCATED_IN|MEMBER_OF|PART_OF|RELEVANT_TO|HAS_CAPABILITY|KNOWLEDGE_PARTNER|BROADER
             |IN_AREA|LOCATED_AT|OPERATED_BY|PROVIDED_BY|PARTNER_OF]->(b)
WITH a, r, b, [l IN labels(a) WHERE l IN $labels][0] AS src_label,
     [l IN labels(b) WHERE l IN $labels][0] AS dst_label
WHERE src_label IS NOT NULL AND dst_label IS NOT NULL
RETURN src_label, CASE src_label WHEN 'Company' THEN a.kvk_number ELSE a.id END AS src,
       type(r) AS rel, dst_label,
       CASE dst_label WHEN 'Company' THEN b.kvk_number ELSE b.id END AS dst,
       r.source AS source, r.confidence AS confidence, r.evidence AS evidence,
       r.set_by AS set_by
"""

# Companies exactly as the file has them: provenance (source, imported_at, file_hash) comes from
# the file, not from this run; null props remove what the file does not hold.
RDF_UPSERT_COMPANIES = """
UNWIND $rows AS row
MERGE (c:Company {kvk_number: row.kvk_number})
SET c:Supply, c += row.props
"""

# A company's links are replaced by the file's, with exactly the file's edge properties.
RDF_LINK_COMPANIES = """
UNWIND $rows AS row
MATCH (c:Company {kvk_number: row.kvk_number})
CALL (c) {
  OPTIONAL MATCH (c)-[old:LOCATED_IN|HAS_CAPABILITY|MEMBER_OF|PART_OF]->()
  DELETE old
}
CALL (c, row) {
  UNWIND row.municipalities AS mid
  MATCH (m:Municipality {id: mid})
  CREATE (c)-[:LOCATED_IN]->(m)
}
CALL (c, row) {
  UNWIND row.capabilities AS cap
  MATCH (k:Capability {id: cap.id})
  CREATE (c)-[:HAS_CAPABILITY {set_by: cap.set_by, source: cap.source,
                               confidence: cap.confidence, evidence: cap.evidence}]->(k)
}
CALL (c, row) {
  UNWIND row.clusters AS cid
  MATCH (k:Cluster {id: cid})
  CREATE (c)-[:MEMBER_OF]->(k)
}
CALL (c, row) {
  UNWIND row.ecosystems AS eid
  MATCH (e:Ecosystem {id: eid})
  CREATE (c)-[:PART_OF]->(e)
}
CALL (c, row) {
  UNWIND row.sites AS sid
  MATCH (e:Site {id: sid})
  CREATE (c)-[:PART_OF]->(e)
}
"""
