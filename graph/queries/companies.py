"""Companies: the import's writes (ingest/companies.py, ingest/registry.py) and the API's
reads of lists and profiles (app/api/routes/companies.py)."""

from __future__ import annotations

from graph.queries import profiles as profiles_q

EXISTING_COMPANY_HASHES = """
UNWIND $kvks AS kvk
MATCH (c:Company {kvk_number: kvk})
RETURN c.kvk_number AS kvk, c.record_hash AS record_hash, c.embedding_hash AS embedding_hash
"""

# Content changes (record_hash) update the node and its provenance; an unchanged row leaves
# the node exactly as it was, so a re-run of the same import changes nothing. Only changed
# rows come back, and only those are re-linked.
UPSERT_COMPANIES = """
UNWIND $rows AS row
MERGE (c:Company {kvk_number: row.kvk_number})
SET c:Supply
WITH c, row, c.record_hash AS old
WHERE old IS NULL OR old <> row.record_hash
SET c += row.props,
    c.record_hash = row.record_hash,
    c.imported_at = datetime($now),
    c.import_run = $run_id,
    c.file_hash = $file_hash,
    c.source = coalesce(row.source, $source)
RETURN c.kvk_number AS kvk, old IS NULL AS created
"""

# New companies (the writer checked they do not exist yet) are created with their links in
# one pass; CREATE is several times cheaper than MERGE. Should another writer have created one
# meanwhile, the uniqueness constraint fails the batch and the writer redoes it with MERGE.
CREATE_COMPANIES = """
UNWIND $rows AS row
CREATE (c:Company:Supply)
SET c = row.props,
    c.kvk_number = row.kvk_number,
    c.record_hash = row.record_hash,
    c.imported_at = datetime($now),
    c.import_run = $run_id,
    c.file_hash = $file_hash,
    c.source = coalesce(row.source, $source)
WITH c, row
CALL (c, row) {
  MATCH (m:Municipality {id: row.municipality})
  CREATE (c)-[:LOCATED_IN]->(m)
}
CALL (c, row) {
  UNWIND row.capabilities AS cap
  MATCH (k:Capability {id: cap.id})
  CREATE (c)-[:HAS_CAPABILITY {set_by: 'import', source: cap.source,
                               confidence: cap.confidence, evidence: cap.evidence}]->(k)
}
RETURN count(c) AS created
"""

ENSURE_MUNICIPALITIES = """
UNWIND $rows AS row
MERGE (m:Municipality {id: row.id})
ON CREATE SET m.name = row.name
"""

# Links of changed companies only: municipality and capabilities. Capabilities set by an
# import replace the previous import's; a company's own declarations (set_by = 'company')
# are never touched by an import.
LINK_COMPANIES = """
UNWIND $rows AS row
MATCH (c:Company {kvk_number: row.kvk_number})
CALL (c, row) {
  OPTIONAL MATCH (c)-[old:LOCATED_IN]->(m0:Municipality)
  WHERE row.municipality IS NULL OR m0.id <> row.municipality
  DELETE old
}
CALL (c, row) {
  WITH c, row WHERE row.municipality IS NOT NULL
  MERGE (m:Municipality {id: row.municipality})
  ON CREATE SET m.name = row.municipality_name
  MERGE (c)-[:LOCATED_IN]->(m)
}
CALL (c, row) {
  OPTIONAL MATCH (c)-[old:HAS_CAPABILITY]->(k0:Capability)
  WHERE coalesce(old.set_by, 'import') = 'import' AND NOT k0.id IN row.capability_ids
  DELETE old
}
CALL (c, row) {
  UNWIND row.capabilities AS cap
  MATCH (k:Capability {id: cap.id})
  MERGE (c)-[r:HAS_CAPABILITY]->(k)
  ON CREATE SET r.set_by = 'import'
  WITH r, cap WHERE r.set_by = 'import'
  SET r.source = cap.source, r.confidence = cap.confidence, r.evidence = cap.evidence
}
"""

LINK_COMPANY_GROUPS = """
UNWIND $rows AS row
MATCH (c:Company {kvk_number: row.kvk_number})
OPTIONAL MATCH (c)-[old:MEMBER_OF|PART_OF]->()
DELETE old
WITH DISTINCT c, row
CALL (c, row) {
  UNWIND row.clusters AS cid
  MATCH (k:Cluster {id: cid})
  MERGE (c)-[:MEMBER_OF]->(k)
}
CALL (c, row) {
  UNWIND row.ecosystems AS eid
  MATCH (e:Ecosystem {id: eid})
  MERGE (c)-[:PART_OF]->(e)
}
CALL (c, row) {
  UNWIND row.ecosystems AS eid
  MATCH (e:Site {id: eid})
  MERGE (c)-[:PART_OF]->(e)
}
"""

SET_COMPANY_EMBEDDINGS = """
UNWIND $rows AS row
MATCH (c:Company {kvk_number: row.kvk_number})
CALL db.create.setNodeVectorProperty(c, 'embedding', row.embedding)
SET c.embedding_hash = row.hash
"""

COMPANIES_WITHOUT_EMBEDDING = """
MATCH (c:Company) WHERE c.embedding IS NULL
RETURN c.kvk_number AS kvk, c.name AS name, c.description AS description
LIMIT $limit
"""

CREATE_IMPORT_RUN = """
CREATE (r:ImportRun {id: $id, source: $source, file: $file, file_hash: $file_hash,
                     started_at: datetime($now), status: 'running'})
"""

FINISH_IMPORT_RUN = """
MATCH (r:ImportRun {id: $id})
SET r += $props, r.finished_at = datetime()
"""

COUNT_COMPANIES = "MATCH (c:Company) RETURN count(c) AS n"

COMPANY_NAMES_IN = """
UNWIND $municipalities AS mid
MATCH (c:Company)-[:LOCATED_IN]->(:Municipality {id: mid})
RETURN c.kvk_number AS kvk, c.name AS name, mid AS municipality
"""

# Companies: null filters match everything; `q` is a case-insensitive substring of the name.
# A field the company keeps from this viewer (profiles.WITHHELD, $viewer) filters on nothing:
# a filter must not reveal what the profile hides.
_API_COMPANY_FILTER = """
  ($municipality IS NULL OR (NOT 'municipality' IN withheld AND EXISTS {
      MATCH (c)-[:LOCATED_IN]->(m:Municipality) WHERE m.id = $municipality }))
  AND ($capability IS NULL OR (NOT 'capabilities' IN withheld AND EXISTS {
      MATCH (c)-[:HAS_CAPABILITY]->(:Capability)-[:BROADER*0..3]->(k:Capability)
      WHERE k.id = $capability }))
  AND ($q IS NULL OR toLower(c.name) CONTAINS toLower($q))
  AND ($defence_experience IS NULL OR
       CASE WHEN 'defence_experience' IN withheld THEN 'unknown'
            ELSE coalesce(c.defence_experience, 'unknown') END IN $defence_experience)
"""
_API_WITHHELD = "MATCH (c:Company) WITH c, " + profiles_q.WITHHELD + " AS withheld WHERE "

API_COUNT_COMPANIES = _API_WITHHELD + _API_COMPANY_FILTER + """
RETURN count(c) AS total
"""

API_LIST_COMPANIES = _API_WITHHELD + _API_COMPANY_FILTER + """
WITH c ORDER BY c.name, c.kvk_number SKIP $offset LIMIT $limit
OPTIONAL MATCH (c)-[:LOCATED_IN]->(m:Municipality)
WITH c, head(collect(m)) AS m
RETURN c.kvk_number AS kvk_number, c.name AS name, m.id AS municipality,
       m.name AS municipality_name, c.kvk_status AS kvk_status,
       coalesce(c.synthetic, false) AS synthetic, c.website AS website,
       c.employees AS employees
ORDER BY name, kvk_number
"""

# One company with everything its profile page shows; NLD areas come via its capabilities
# and via its clusters, each with the route it was reached by.
API_COMPANY_PROFILE = """
MATCH (c:Company {kvk_number: $kvk})
CALL (c) {
  OPTIONAL MATCH (c)-[:LOCATED_IN]->(m:Municipality)
  RETURN head(collect(m {.id, .name})) AS municipality
}
CALL (c) {
  OPTIONAL MATCH (c)-[r:HAS_CAPABILITY]->(k:Capability)
  WITH r, k ORDER BY coalesce(r.confidence, 1.0) DESC, k.id
  RETURN collect(CASE WHEN k IS NULL THEN null ELSE {
      id: k.id, label_nl: k.label_nl, label_en: k.label_en,
      source: CASE r.source WHEN 'inferred' THEN 'inferred' ELSE 'declared' END,
      confidence: r.confidence,
      evidence: r.evidence, set_by: r.set_by} END) AS capabilities
}
CALL (c) {
  OPTIONAL MATCH (c)-[:MEMBER_OF]->(cl:Cluster)
  WITH cl ORDER BY cl.name
  RETURN collect(cl {.id, .name, .kind}) AS clusters
}
CALL (c) {
  OPTIONAL MATCH (c)-[:PART_OF]->(e:Ecosystem|Site)
  WITH e ORDER BY e.name
  RETURN collect(e {.id, .name, .kind}) AS ecosystems
}
CALL (c) {
  OPTIONAL MATCH (c)-[:HAS_CAPABILITY]->(k:Capability)-[:IN_AREA]->(a:NLDArea)
  RETURN collect(DISTINCT CASE WHEN a IS NULL THEN null
                          ELSE {id: a.id, via: 'capability', through: k.id} END) AS by_cap
}
CALL (c) {
  OPTIONAL MATCH (c)-[:MEMBER_OF]->(cl:Cluster)-[:RELEVANT_TO]->(a:NLDArea)
  RETURN collect(DISTINCT CASE WHEN a IS NULL THEN null
                          ELSE {id: a.id, via: 'cluster', through: cl.id} END) AS by_cluster
}
RETURN c {.kvk_number, .name, .description, .description_en, .activity, .website,
          .employees, .sbi_code, .kvk_status, .synthetic, .source, .import_run,
          .file_hash, .ncage_code, .iso9001, .aqap2110, .security_status,
          .export_control_notes, .compliance_self_declared} AS company,
       toString(c.imported_at) AS imported_at, toString(c.last_verified) AS last_verified,
       municipality, capabilities, clusters, ecosystems, by_cap + by_cluster AS nld_links
"""

API_NLD_AREA_NAMES = """
MATCH (a:NLDArea) RETURN a.id AS id, a.name_nl AS name_nl, a.name_en AS name_en
ORDER BY a.id
"""
