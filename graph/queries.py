"""Every Cypher statement Paraat runs, as a named constant.

Values always travel as parameters (`$name`); batches go through `UNWIND $rows`. Labels,
relationship types and property keys are fixed here, never built from user input. Schema
statements (DDL) cannot take parameters for names, so they are constants too; the only
number formatted into DDL is the vector dimension, which `graph.schema` checks is an int.
"""

from __future__ import annotations

# --------------------------------------------------------------------------- server / admin

DBMS_COMPONENTS = """
CALL dbms.components() YIELD name, versions, edition
RETURN name, versions[0] AS version, edition
"""

CHANGE_INITIAL_PASSWORD = "ALTER CURRENT USER SET PASSWORD FROM $old TO $new"

SHOW_CONSTRAINTS = "SHOW CONSTRAINTS YIELD name, labelsOrTypes, properties, type RETURN *"

SHOW_INDEXES = """
SHOW INDEXES YIELD name, type, labelsOrTypes, properties, options, state
RETURN name, type, labelsOrTypes, properties, options, state
"""

COUNT_NODES = "MATCH (n) RETURN count(n) AS n"

COUNT_BY_LABEL = """
MATCH (n) UNWIND labels(n) AS label
RETURN label, count(*) AS n ORDER BY label
"""

# Deletes in slices so a big graph never needs one huge transaction.
DELETE_ALL_BATCH = """
MATCH (n) WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS deleted
"""

# --------------------------------------------------------------------------- schema

# (label, property) pairs that identify a node. Every MERGE uses one of these.
NODE_KEYS: tuple[tuple[str, str], ...] = (
    ("Company", "kvk_number"),
    ("Cluster", "id"),
    ("Ecosystem", "id"),
    ("KnowledgeInstitution", "id"),
    ("MilitaryFacility", "id"),
    ("Municipality", "id"),
    ("Organisation", "id"),
    ("NLDArea", "id"),
    ("Capability", "id"),
    ("DemandQuestion", "id"),
    ("LoketItem", "id"),
    ("Registration", "id"),
    ("User", "id"),
    ("Shortlist", "id"),
    ("Watchlist", "id"),
    ("AuditEvent", "id"),
    ("ImportRun", "id"),
    ("ParaatMeta", "key"),
)

CONSTRAINTS: tuple[str, ...] = tuple(
    f"CREATE CONSTRAINT {label.lower()}_{prop}_unique IF NOT EXISTS "
    f"FOR (n:{label}) REQUIRE n.{prop} IS UNIQUE"
    for label, prop in NODE_KEYS
)

COMPANY_VECTOR_INDEX = "company_embedding"
CAPABILITY_VECTOR_INDEX = "capability_embedding"
COMPANY_FULLTEXT_INDEX = "company_text"
COMPANY_FULLTEXT_INDEX_EN = "company_text_en"

# {dim} is the only placeholder, filled with a checked int by graph.schema.
VECTOR_INDEX_TEMPLATE = (
    "CREATE VECTOR INDEX {name} IF NOT EXISTS FOR (n:{label}) ON n.embedding "
    "OPTIONS {{indexConfig: {{`vector.dimensions`: {dim}, "
    "`vector.similarity_function`: 'cosine'}}}}"
)

# One analyzer per Lucene index: Dutch stemming in one, English in the other; the matcher
# queries both. Neo4j allows one index per label + property list, so the lists differ by the
# name. `concept_terms` holds the labels (both languages) of the concepts found in the
# company's text or held as capabilities, which also splits Dutch compounds (see matching).
# Eventually consistent: Lucene indexing runs after commit, not inside the write (measured:
# ~3,000 -> ~5,000 companies/s); imports wait for the refresh before they report done.
FULLTEXT_INDEXES: tuple[str, ...] = (
    f"CREATE FULLTEXT INDEX {COMPANY_FULLTEXT_INDEX} IF NOT EXISTS "
    "FOR (n:Company) ON EACH [n.name, n.description, n.description_en, n.concept_terms] "
    "OPTIONS {indexConfig: {`fulltext.analyzer`: 'dutch', "
    "`fulltext.eventually_consistent`: true}}",
    f"CREATE FULLTEXT INDEX {COMPANY_FULLTEXT_INDEX_EN} IF NOT EXISTS "
    "FOR (n:Company) ON EACH [n.description, n.description_en, n.concept_terms] "
    "OPTIONS {indexConfig: {`fulltext.analyzer`: 'english', "
    "`fulltext.eventually_consistent`: true}}",
)

DROP_VECTOR_INDEX: dict[str, str] = {
    name: f"DROP INDEX {name} IF EXISTS"
    for name in (COMPANY_VECTOR_INDEX, CAPABILITY_VECTOR_INDEX)
}

# Embeddings go when the model changes, in slices, so no stale vectors mix with new ones.
CLEAR_EMBEDDINGS_BATCH = """
MATCH (n) WHERE n.embedding IS NOT NULL
WITH n LIMIT $limit
REMOVE n.embedding, n.embedding_hash
RETURN count(*) AS cleared
"""

COUNT_EMBEDDINGS = "MATCH (n) WHERE n.embedding IS NOT NULL RETURN count(n) AS n"

AWAIT_INDEXES = "CALL db.awaitIndexes($seconds)"

AWAIT_FULLTEXT_REFRESH = "CALL db.index.fulltext.awaitEventuallyConsistentIndexRefresh()"

GET_META = "MATCH (m:ParaatMeta {key: $key}) RETURN properties(m) AS meta"

SET_META = """
MERGE (m:ParaatMeta {key: $key})
SET m += $props, m.updated_at = datetime()
"""

# --------------------------------------------------------------------------- taxonomy

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

# --------------------------------------------------------------------------- seed entities

# Generic upsert for the seed's reference entities; one constant per label because labels
# cannot be parameters.
UPSERT_ENTITY: dict[str, str] = {
    label: f"""
UNWIND $rows AS row
MERGE (n:{label} {{id: row.id}})
SET n += row.props
"""
    for label in ("Municipality", "Cluster", "Ecosystem", "KnowledgeInstitution",
                  "MilitaryFacility", "Organisation")
}

# Edges from the seed's reference entities, replaced on every load so a removed link goes.
LINK_ENTITY: dict[tuple[str, str, str], str] = {
    (src, rel, dst): f"""
UNWIND $rows AS row
MATCH (s:{src} {{id: row.id}})
OPTIONAL MATCH (s)-[old:{rel}]->(:{dst})
DELETE old
WITH DISTINCT s, row
UNWIND row.targets AS t
MATCH (d:{dst} {{id: t}})
MERGE (s)-[:{rel}]->(d)
"""
    for src, rel, dst in (
        ("Cluster", "RELEVANT_TO", "NLDArea"),
        ("Cluster", "HAS_CAPABILITY", "Capability"),
        ("Ecosystem", "LOCATED_IN", "Municipality"),
        ("Ecosystem", "PART_OF", "Ecosystem"),
        ("Ecosystem", "RELEVANT_TO", "NLDArea"),
        ("Ecosystem", "HAS_CAPABILITY", "Capability"),
        ("Ecosystem", "MEMBER_OF", "Cluster"),
        ("KnowledgeInstitution", "LOCATED_IN", "Municipality"),
        ("KnowledgeInstitution", "PART_OF", "KnowledgeInstitution"),
        ("KnowledgeInstitution", "HAS_CAPABILITY", "Capability"),
        ("KnowledgeInstitution", "KNOWLEDGE_PARTNER", "Ecosystem"),
        ("MilitaryFacility", "LOCATED_IN", "Municipality"),
        ("Organisation", "LOCATED_IN", "Municipality"),
    )
}

# --------------------------------------------------------------------------- companies

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
CREATE (c:Company)
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

# --------------------------------------------------------------------------- matching

# Filters are parameters; a null filter matches everything. They run inside the same query
# as the ranking, so a filtered search ranks all companies that pass, not a truncated list.
_COMPANY_FILTER = """
  ($municipalities IS NULL OR EXISTS {
      MATCH (c)-[:LOCATED_IN]->(m:Municipality) WHERE m.id IN $municipalities })
  AND ($clusters IS NULL OR EXISTS {
      MATCH (c)-[:MEMBER_OF]->(k:Cluster) WHERE k.id IN $clusters })
  AND ($nld_areas IS NULL OR EXISTS {
      MATCH (c)-[:HAS_CAPABILITY]->(:Capability)-[:IN_AREA]->(a:NLDArea)
      WHERE a.id IN $nld_areas }
      OR EXISTS { MATCH (c)-[:MEMBER_OF]->(:Cluster)-[:RELEVANT_TO]->(a:NLDArea)
      WHERE a.id IN $nld_areas })
  AND ($capabilities IS NULL OR EXISTS {
      MATCH (c)-[:HAS_CAPABILITY]->(:Capability)-[:BROADER*0..3]->(k:Capability)
      WHERE k.id IN $capabilities })
  AND ($min_employees IS NULL OR c.employees >= $min_employees)
  AND ($max_employees IS NULL OR c.employees <= $max_employees)
"""

MATCH_COUNT_COMPANIES = "MATCH (c:Company) RETURN count(c) AS n"

# Dense, approximate: the vector index, over-fetched so filters still leave enough.
MATCH_DENSE_INDEX = """
CALL db.index.vector.queryNodes('company_embedding', $k, $vector) YIELD node AS c, score
WHERE """ + _COMPANY_FILTER + """
RETURN c.kvk_number AS kvk, vector.similarity.cosine(c.embedding, $vector) AS score
ORDER BY score DESC LIMIT $limit
"""

# Dense, exact: every company that passes the filters (used when filters are selective).
MATCH_DENSE_EXACT = """
MATCH (c:Company) WHERE c.embedding IS NOT NULL AND """ + _COMPANY_FILTER + """
WITH c, vector.similarity.cosine(c.embedding, $vector) AS score
ORDER BY score DESC LIMIT $limit
RETURN c.kvk_number AS kvk, score
"""

COUNT_FILTERED_COMPANIES = """
MATCH (c:Company) WHERE """ + _COMPANY_FILTER + """
RETURN count(c) AS n
"""

# Lexical: both Lucene indexes (Dutch and English analyzers); the query string is escaped
# Lucene syntax built by matching.lexical, passed as a parameter.
MATCH_LEXICAL = """
CALL () {
  CALL db.index.fulltext.queryNodes('company_text', $lucene, {limit: $k})
  YIELD node, score RETURN node, score
  UNION ALL
  CALL db.index.fulltext.queryNodes('company_text_en', $lucene, {limit: $k})
  YIELD node, score RETURN node, score
}
WITH node AS c, max(score) AS score
WHERE """ + _COMPANY_FILTER + """
RETURN c.kvk_number AS kvk, score
ORDER BY score DESC LIMIT $limit
"""

# Concepts near the question's embedding (the ontology bridge beyond exact labels).
MATCH_CONCEPTS_BY_VECTOR = """
CALL db.index.vector.queryNodes('capability_embedding', $k, $vector) YIELD node, score
RETURN node.id AS id, score
"""

# Graph: companies holding a question concept (declared or inferred, weighted by confidence),
# a narrower concept (more specific), a broader one (less specific), or belonging to a cluster
# that serves the concept's NLD area. Every path is returned so the explanation shows it.
MATCH_GRAPH = """
UNWIND $concepts AS q
MATCH (k:Capability {id: q.id})
CALL (k, q) {
  MATCH (c:Company)-[r:HAS_CAPABILITY]->(k)
  RETURN c, 'direct' AS via, k.id AS held, r.source AS how, r.confidence AS conf,
         q.weight * coalesce(r.confidence, 1.0) * $w_direct AS s
  UNION
  MATCH (c:Company)-[r:HAS_CAPABILITY]->(n:Capability)-[:BROADER*1..2]->(k)
  RETURN c, 'narrower' AS via, n.id AS held, r.source AS how, r.confidence AS conf,
         q.weight * coalesce(r.confidence, 1.0) * $w_narrower AS s
  UNION
  MATCH (c:Company)-[r:HAS_CAPABILITY]->(p:Capability)<-[:BROADER]-(k)
  WHERE EXISTS { (p)<-[:BROADER]-(:Capability) }
  RETURN c, 'broader' AS via, p.id AS held, r.source AS how, r.confidence AS conf,
         q.weight * coalesce(r.confidence, 1.0) * $w_broader AS s
  UNION
  MATCH (c:Company)-[:MEMBER_OF]->(cl:Cluster)-[:RELEVANT_TO]->(a:NLDArea)<-[:IN_AREA]-(k)
  RETURN c, 'cluster' AS via, cl.id AS held, a.id AS how, null AS conf,
         q.weight * $w_cluster AS s
}
WITH c, q, via, held, how, conf, s WHERE """ + _COMPANY_FILTER + """
RETURN c.kvk_number AS kvk, q.id AS concept, via, held, how, conf, s
"""

# Everything the explanation and the fusion need about the candidate pool, in one round trip.
MATCH_CANDIDATES = """
UNWIND $kvks AS kvk
MATCH (c:Company {kvk_number: kvk})
OPTIONAL MATCH (c)-[:LOCATED_IN]->(m:Municipality)
RETURN c.kvk_number AS kvk, c.name AS name, c.description AS description,
       c.description_en AS description_en, c.website AS website, c.employees AS employees,
       m.id AS municipality, m.name AS municipality_name, c.kvk_status AS kvk_status,
       c.synthetic AS synthetic, c.last_verified AS last_verified, c.source AS source,
       CASE WHEN c.embedding IS NULL THEN null
            ELSE vector.similarity.cosine(c.embedding, $vector) END AS dense
"""

CREATE_DEMAND_QUESTION = """
CREATE (d:DemandQuestion {id: $id, question: $question, lang: $lang, created_at: datetime(),
                          filters: $filters, owner: $owner, top_k: $top_k})
WITH d
CALL (d) {
  UNWIND $hits AS h
  MATCH (c:Company {kvk_number: h.kvk})
  CREATE (d)-[:MATCHED {rank: h.rank, score: h.score}]->(c)
}
CALL (d) {
  UNWIND $concepts AS cid
  MATCH (k:Capability {id: cid})
  CREATE (d)-[:ABOUT]->(k)
}
RETURN d.id AS id
"""


# --- RDF export/import (ingest/rdf.py) ----------------------------------------------------

# Node properties per label for the export; vectors are nulled here so they never travel
# (ingest/rdf.py decides which of the other properties have an RDF form).
RDF_EXPORT_NODES: dict[str, str] = {
    "Capability": "MATCH (k:Capability) RETURN k {.*, embedding: null} AS props",
    "NLDArea": "MATCH (a:NLDArea) RETURN a {.*, embedding: null} AS props",
    "Company": "MATCH (c:Company) RETURN c {.*, embedding: null} AS props",
    **{label: f"MATCH (n:{label}) RETURN n {{.*}} AS props"
       for label in ("Municipality", "Cluster", "Ecosystem", "KnowledgeInstitution",
                     "MilitaryFacility", "Organisation")},
}

# Every edge of the model between exported labels ($labels), with HAS_CAPABILITY's properties.
RDF_EXPORT_LINKS = """
MATCH (a)-[r:LOCATED_IN|MEMBER_OF|PART_OF|RELEVANT_TO|HAS_CAPABILITY|KNOWLEDGE_PARTNER|BROADER
             |IN_AREA]->(b)
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
SET c += row.props
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
"""
