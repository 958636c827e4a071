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
