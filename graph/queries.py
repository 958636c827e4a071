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
    ("IdempotencyKey", "id"),
    ("ParaatMeta", "key"),
)

CONSTRAINTS: tuple[str, ...] = tuple(
    f"CREATE CONSTRAINT {label.lower()}_{prop}_unique IF NOT EXISTS "
    f"FOR (n:{label}) REQUIRE n.{prop} IS UNIQUE"
    for label, prop in NODE_KEYS
)

# Lookups that are not node keys but must not scan (a token check on every API request).
PROPERTY_INDEXES: tuple[str, ...] = (
    "CREATE INDEX user_token_hash IF NOT EXISTS FOR (u:User) ON (u.token_hash)",
    "CREATE INDEX audit_entity IF NOT EXISTS FOR (a:AuditEvent) ON (a.entity, a.entity_id)",
    "CREATE INDEX audit_at IF NOT EXISTS FOR (a:AuditEvent) ON (a.at)",
    "CREATE INDEX audit_kvk IF NOT EXISTS FOR (a:AuditEvent) ON (a.kvk_number)",
    "CREATE INDEX registration_kvk IF NOT EXISTS FOR (r:Registration) ON (r.kvk_number)",
    "CREATE INDEX registration_status IF NOT EXISTS FOR (r:Registration) ON (r.status)",
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

# Empties Neo4j's query (plan) caches; its message says how many entries they held, which the
# tests and `paraat bench load` use to see whether new filter combinations were re-planned.
CLEAR_QUERY_CACHES = "CALL db.clearQueryCaches() YIELD value RETURN value"

# Neo4j's own record of the queries it ran, with the time it spent compiling each (a plan
# taken from the cache compiles in ~1-3 ms): `paraat bench load` shows with it which queries
# were planned again during a phase. Stop, clear and start, then read.
QUERY_STATS_RESTART: tuple[str, ...] = (
    "CALL db.stats.stop('QUERIES')", "CALL db.stats.clear('QUERIES')",
    "CALL db.stats.collect('QUERIES')")
QUERY_STATS = """
CALL db.stats.retrieve('QUERIES') YIELD data
RETURN data.query AS query, data.invocationSummary AS summary
"""

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
# They travel as ONE map parameter, $filters (matching.matcher.MatchFilters.params): Neo4j
# keys its plan cache on the query text and the types of the parameters, and a null, an
# empty list, a list of strings or an int each count as another type, so one parameter per
# filter made every new combination of filters a new plan (measured: 0.4-5.9 s to plan
# MATCH_GRAPH on a busy 2-core machine). A map is one type whatever it holds: one plan per
# query serves every combination (tests/integration/test_filter_plans.py).
_COMPANY_FILTER = """
  ($filters.municipalities IS NULL OR EXISTS {
      MATCH (c)-[:LOCATED_IN]->(m:Municipality) WHERE m.id IN $filters.municipalities })
  AND ($filters.clusters IS NULL OR EXISTS {
      MATCH (c)-[:MEMBER_OF]->(k:Cluster) WHERE k.id IN $filters.clusters })
  AND ($filters.nld_areas IS NULL OR EXISTS {
      MATCH (c)-[:HAS_CAPABILITY]->(:Capability)-[:IN_AREA]->(a:NLDArea)
      WHERE a.id IN $filters.nld_areas }
      OR EXISTS { MATCH (c)-[:MEMBER_OF]->(:Cluster)-[:RELEVANT_TO]->(a:NLDArea)
      WHERE a.id IN $filters.nld_areas })
  AND ($filters.capabilities IS NULL OR EXISTS {
      MATCH (c)-[:HAS_CAPABILITY]->(:Capability)-[:BROADER*0..3]->(k:Capability)
      WHERE k.id IN $filters.capabilities })
  AND ($filters.min_employees IS NULL OR c.employees >= $filters.min_employees)
  AND ($filters.max_employees IS NULL OR c.employees <= $filters.max_employees)
"""

MATCH_COUNT_COMPANIES = "MATCH (c:Company) RETURN count(c) AS n"

# The municipalities and clusters a filter may name (ids and names), for matching.filters:
# imports add municipalities, so they come from the graph, not the seed files.
FILTER_CHOICES = """
CALL () { MATCH (m:Municipality) RETURN collect(m {.id, .name}) AS municipalities }
CALL () { MATCH (k:Cluster) RETURN collect(k {.id, .name}) AS clusters }
RETURN municipalities, clusters
"""

# Dense, approximate: the vector index, over-fetched so filters still leave enough.
MATCH_DENSE_INDEX = """
CALL db.index.vector.queryNodes('company_embedding', $k, $vector) YIELD node AS c, score
WHERE """ + _COMPANY_FILTER + """
RETURN c.kvk_number AS kvk, vector.similarity.cosine(c.embedding, $vector) AS score
ORDER BY score DESC LIMIT $limit
"""

# The vector index alone, top k by its own (quantized) scores: `paraat bench matching` times
# it against a brute-force scan in numpy.
VECTOR_INDEX_TOP = """
CALL db.index.vector.queryNodes('company_embedding', $k, $vector) YIELD node, score
RETURN node.kvk_number AS kvk, score
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
# Lucene syntax built by matching.lexical, passed in a map ($question.lucene): Neo4j's plan
# cache also keys on the size of a string or list parameter (in steps: 1, 2-9, 10-99...), so
# a longer question or one more concept made a new plan; values inside a map do not count.
MATCH_LEXICAL = """
CALL () {
  CALL db.index.fulltext.queryNodes('company_text', $question.lucene, {limit: $k})
  YIELD node, score RETURN node, score
  UNION ALL
  CALL db.index.fulltext.queryNodes('company_text_en', $question.lucene, {limit: $k})
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

# All concept embeddings at once (~100 rows): the matcher keeps them in memory per model and
# ranks concepts for a question with one matrix product instead of a round trip per query.
MATCH_CONCEPT_VECTORS = """
MATCH (k:Capability) WHERE k.embedding IS NOT NULL
RETURN k.id AS id, k.embedding AS embedding ORDER BY id
"""

# Graph: companies holding a question concept (declared or inferred, weighted by confidence),
# a narrower concept (more specific), a broader one (less specific), or belonging to a cluster
# that serves the concept's NLD area. Every path is returned so the explanation shows it.
# Filters apply inside each path before its best $per_path are kept, so a broad concept held
# by thousands of companies stays cheap without dropping filtered matches. One row per company.
# The concepts come in a map ($question.concepts), so their number does not make a new plan.
MATCH_GRAPH = """
UNWIND $question.concepts AS q
MATCH (k:Capability {id: q.id})
CALL (k, q) {
  MATCH (c:Company)-[r:HAS_CAPABILITY]->(k)
  WHERE """ + _COMPANY_FILTER + """
  RETURN c, 'direct' AS via, k.id AS held, r.source AS how, r.confidence AS conf,
         q.weight * coalesce(r.confidence, 1.0) * $w_direct AS s
  ORDER BY s DESC LIMIT $per_path
  UNION
  MATCH (c:Company)-[r:HAS_CAPABILITY]->(n:Capability)-[:BROADER*1..2]->(k)
  WHERE """ + _COMPANY_FILTER + """
  RETURN c, 'narrower' AS via, n.id AS held, r.source AS how, r.confidence AS conf,
         q.weight * coalesce(r.confidence, 1.0) * $w_narrower AS s
  ORDER BY s DESC LIMIT $per_path
  UNION
  MATCH (c:Company)-[r:HAS_CAPABILITY]->(p:Capability)<-[:BROADER]-(k)
  WHERE EXISTS { (p)<-[:BROADER]-(:Capability) } AND """ + _COMPANY_FILTER + """
  RETURN c, 'broader' AS via, p.id AS held, r.source AS how, r.confidence AS conf,
         q.weight * coalesce(r.confidence, 1.0) * $w_broader AS s
  ORDER BY s DESC LIMIT $per_path
  UNION
  MATCH (c:Company)-[:MEMBER_OF]->(cl:Cluster)-[:RELEVANT_TO]->(a:NLDArea)<-[:IN_AREA]-(k)
  WHERE """ + _COMPANY_FILTER + """
  RETURN c, 'cluster' AS via, cl.id AS held, a.id AS how, null AS conf,
         q.weight * $w_cluster AS s
  ORDER BY s DESC LIMIT $per_path
}
RETURN c.kvk_number AS kvk,
       collect({concept: q.id, via: via, held: held, how: how, conf: conf, s: s}) AS paths
"""

# The same three queries without the filter clause: Cypher does not reliably short-circuit
# `$x IS NULL OR EXISTS {...}`, and the unfiltered search is the common, latency-bound case.
_NO_FILTER = "true"
MATCH_DENSE_INDEX_ALL = MATCH_DENSE_INDEX.replace(_COMPANY_FILTER, _NO_FILTER)
MATCH_LEXICAL_ALL = MATCH_LEXICAL.replace(_COMPANY_FILTER, _NO_FILTER)
MATCH_GRAPH_ALL = MATCH_GRAPH.replace(_COMPANY_FILTER, _NO_FILTER)

# The queries a filtered search runs, by name. `paraat bench load` times them on new filter
# combinations against the same queries in the shape they had before $filters (one parameter
# per filter, null when unused, and the question's values as parameters of their own: a new
# plan for every new combination), the same-run baseline.
FILTERED_MATCH_QUERIES: dict[str, str] = {
    "lexical": MATCH_LEXICAL, "graph": MATCH_GRAPH, "count": COUNT_FILTERED_COMPANIES,
    "dense_index": MATCH_DENSE_INDEX, "dense_exact": MATCH_DENSE_EXACT}
FILTERED_MATCH_QUERIES_PER_PARAMETER: dict[str, str] = {
    name: q.replace("$filters.", "$").replace("$question.", "$")
    for name, q in FILTERED_MATCH_QUERIES.items()}

# What the explanation of a shortlisted candidate shows (texts, metadata, its exact cosine);
# the KvK numbers in a map ($shortlist.kvks), so top 1, 5 or 50 is one plan.
MATCH_CANDIDATES = """
UNWIND $shortlist.kvks AS kvk
MATCH (c:Company {kvk_number: kvk})
OPTIONAL MATCH (c)-[:LOCATED_IN]->(m:Municipality)
RETURN c.kvk_number AS kvk, c.name AS name, c.description AS description,
       c.description_en AS description_en, c.website AS website, c.employees AS employees,
       m.id AS municipality, m.name AS municipality_name, c.kvk_status AS kvk_status,
       c.synthetic AS synthetic, c.last_verified AS last_verified, c.source AS source,
       CASE WHEN c.embedding IS NULL THEN null
            ELSE vector.similarity.cosine(c.embedding, $vector) END AS dense
"""

# Dense cosine of candidates outside the vector pool. The ranking does not need it (below the
# pool's floor the dense score is 0); `paraat eval` does, to rank dense-only on every candidate.
MATCH_CANDIDATE_COSINES = """
UNWIND $kvks AS kvk
MATCH (c:Company {kvk_number: kvk}) WHERE c.embedding IS NOT NULL
RETURN c.kvk_number AS kvk, vector.similarity.cosine(c.embedding, $vector) AS dense
"""

# One map parameter, $q, for the same reason as $filters: an empty list of hits, concepts or
# areas is another parameter type than a full one, so each mix was planned anew (measured
# under load: up to 1.1 s per plan, 8.4 s of planning over 24 new filter combinations).
CREATE_DEMAND_QUESTION = """
CREATE (d:DemandQuestion {id: $q.id, question: $q.question, lang: $q.lang,
                          created_at: datetime(), filters: $q.filters, owner: $q.owner,
                          top_k: $q.top_k, nld_areas: $q.nld_areas})
WITH d
CALL (d) {
  UNWIND $q.hits AS h
  MATCH (c:Company {kvk_number: h.kvk})
  CREATE (d)-[:MATCHED {rank: h.rank, score: h.score}]->(c)
}
CALL (d) {
  UNWIND $q.concepts AS cid
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


# --- API (app/api) ----------------------------------------------------------------------------

# Users: tokens are stored only as an HMAC (token_hash); lookups go by that hash.
API_CREATE_USER = """
CREATE (u:User {id: $id, name: $name, role: $role, kvk_number: $kvk_number,
                token_hash: $token_hash, created_at: datetime(), revoked: false})
RETURN u.id AS id
"""

API_USER_BY_TOKEN_HASH = """
MATCH (u:User {token_hash: $token_hash}) WHERE u.revoked = false
RETURN u.id AS id, u.name AS name, u.role AS role, u.kvk_number AS kvk_number
LIMIT 1
"""

API_LIST_USERS = """
MATCH (u:User)
RETURN u.id AS id, u.name AS name, u.role AS role, u.kvk_number AS kvk_number,
       toString(u.created_at) AS created_at, u.revoked AS revoked,
       toString(u.revoked_at) AS revoked_at
ORDER BY u.created_at, u.id
"""

API_REVOKE_USER = """
MATCH (u:User {id: $id})
SET u.revoked = true, u.revoked_at = coalesce(u.revoked_at, datetime())
RETURN u.id AS id
"""

# Companies: null filters match everything; `q` is a case-insensitive substring of the name.
_API_COMPANY_FILTER = """
  ($municipality IS NULL OR EXISTS {
      MATCH (c)-[:LOCATED_IN]->(m:Municipality) WHERE m.id = $municipality })
  AND ($capability IS NULL OR EXISTS {
      MATCH (c)-[:HAS_CAPABILITY]->(:Capability)-[:BROADER*0..3]->(k:Capability)
      WHERE k.id = $capability })
  AND ($q IS NULL OR toLower(c.name) CONTAINS toLower($q))
"""

API_COUNT_COMPANIES = """
MATCH (c:Company) WHERE """ + _API_COMPANY_FILTER + """
RETURN count(c) AS total
"""

API_LIST_COMPANIES = """
MATCH (c:Company) WHERE """ + _API_COMPANY_FILTER + """
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
  OPTIONAL MATCH (c)-[:PART_OF]->(e:Ecosystem)
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

API_COUNT_CLUSTERS = "MATCH (k:Cluster) RETURN count(k) AS total"

API_LIST_CLUSTERS = """
MATCH (k:Cluster)
WITH k ORDER BY k.name, k.id SKIP $offset LIMIT $limit
RETURN k.id AS id, k.name AS name, k.kind AS kind,
       COUNT { (k)<-[:MEMBER_OF]-(:Company) } AS members,
       COUNT { (k)<-[:MEMBER_OF]-(:Ecosystem) } AS ecosystems,
       [(k)-[:RELEVANT_TO]->(a:NLDArea) | a.id] AS nld_areas
ORDER BY name, id
"""

API_CLUSTER_DETAIL = """
MATCH (k:Cluster {id: $id})
CALL (k) {
  OPTIONAL MATCH (k)<-[:MEMBER_OF]-(c:Company)
  WITH c ORDER BY c.name
  RETURN collect(c {.kvk_number, .name}) AS members
}
CALL (k) {
  OPTIONAL MATCH (k)<-[:MEMBER_OF]-(e:Ecosystem)
  WITH e ORDER BY e.name
  RETURN collect(e {.id, .name, .kind}) AS ecosystems
}
CALL (k) {
  OPTIONAL MATCH (k)-[:RELEVANT_TO]->(a:NLDArea)
  WITH a ORDER BY a.id
  RETURN collect(a {.id, .name_nl, .name_en}) AS nld_areas
}
CALL (k) {
  OPTIONAL MATCH (k)-[:HAS_CAPABILITY]->(cap:Capability)
  WITH cap ORDER BY cap.id
  RETURN collect(cap {.id, .label_nl, .label_en}) AS capabilities
}
RETURN k {.id, .name, .kind, .description_nl, .description_en, .source} AS cluster,
       members, ecosystems, nld_areas, capabilities
"""

API_LIST_NLD_AREAS = """
MATCH (a:NLDArea)
CALL (a) {
  CALL (a) {
    MATCH (c:Company)-[:HAS_CAPABILITY]->(:Capability)-[:IN_AREA]->(a) RETURN c
    UNION
    MATCH (c:Company)-[:MEMBER_OF]->(:Cluster)-[:RELEVANT_TO]->(a) RETURN c
  }
  RETURN count(c) AS companies
}
RETURN a.id AS id, a.name_nl AS name_nl, a.name_en AS name_en,
       a.definition_nl AS definition_nl, a.definition_en AS definition_en,
       COUNT { (a)<-[:IN_AREA]-(:Capability) } AS capabilities,
       COUNT { (a)<-[:RELEVANT_TO]-(:Cluster) } AS clusters, companies
ORDER BY id
"""

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
}
RETURN elementId(n) AS eid, labels(n) AS labels, coalesce(n.kvk_number, n.id) AS id,
       coalesce(n.name, n.label_nl, n.id) AS name
LIMIT 1
"""

# One ring outward from the given nodes, capped; $labels are the public labels.
API_NEIGHBOURS = """
UNWIND $eids AS eid
MATCH (a) WHERE elementId(a) = eid
MATCH (a)-[r]-(b)
WHERE any(l IN labels(b) WHERE l IN $labels)
RETURN elementId(b) AS eid, labels(b) AS labels, coalesce(b.kvk_number, b.id) AS id,
       coalesce(b.name, b.label_nl, b.id) AS name, elementId(startNode(r)) AS source,
       elementId(endNode(r)) AS target, type(r) AS type
LIMIT $limit
"""


# --- API: audit trail and idempotency keys (app/api/audit.py, app/api/idempotency.py) ---------

# One event per write, in the writing transaction; before/after are JSON text.
AUDIT_RECORD = """
CREATE (a:AuditEvent {id: $id, at: datetime(), actor_id: $actor_id, actor_role: $actor_role,
                      action: $action, entity: $entity, entity_id: $entity_id,
                      kvk_number: $kvk_number, before: $before, after: $after})
"""

_AUDIT_FILTER = """
($entity IS NULL OR a.entity = $entity) AND ($entity_id IS NULL OR a.entity_id = $entity_id)
AND ($actor_id IS NULL OR a.actor_id = $actor_id)
"""

AUDIT_COUNT = "MATCH (a:AuditEvent) WHERE " + _AUDIT_FILTER + " RETURN count(a) AS total"

AUDIT_LIST = """
MATCH (a:AuditEvent) WHERE """ + _AUDIT_FILTER + """
RETURN a.id AS id, toString(a.at) AS at, a.actor_id AS actor_id, a.actor_role AS actor_role,
       a.action AS action, a.entity AS entity, a.entity_id AS entity_id,
       a.before AS before, a.after AS after
ORDER BY a.at DESC, a.id SKIP $offset LIMIT $limit
"""

IDEMPOTENCY_GET = """
MATCH (k:IdempotencyKey {id: $id})
RETURN k.fingerprint AS fingerprint, k.status AS status, k.body AS body
"""

# Created in the same transaction as the write it guards: the uniqueness constraint on id
# makes a concurrent retry with the same key fail instead of writing twice.
IDEMPOTENCY_SAVE = """
CREATE (:IdempotencyKey {id: $id, fingerprint: $fingerprint, status: $status, body: $body,
                         created_at: datetime()})
"""


# --------------------------------------------------------------------------- backup / snapshots
# (graph/backup.py: backups, restore checks, fault tests). Read-only, whole graph.

SNAPSHOT_NODES = """
MATCH (n)
RETURN elementId(n) AS eid, labels(n) AS labels, properties(n) AS props
"""

SNAPSHOT_RELS = """
MATCH (a)-[r]->(b)
RETURN elementId(a) AS a, type(r) AS type, properties(r) AS props, elementId(b) AS b
"""

COUNT_NODES_AND_RELS = """
CALL () { MATCH (n) RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS rels }
RETURN nodes, rels
"""


# --- API: shortlists, watchlists, loket, demand questions, audit (issue 6, lists helper) -----

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

# Loket: ideas, offers and questions from companies, with their reverse matches (JSON) and
# triage notes (a list of JSON strings); ABOUT edges to the concepts found in the text.
LOKET_CREATE = """
CREATE (l:LoketItem {id: $id, kind: $kind, title: $title, text: $text, kvk_number: $kvk,
                     submitted_by: $actor, status: 'new', lang: $lang, matches: $matches,
                     notes: [], created_at: datetime(), updated_at: datetime()})
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

LOKET_GET = "MATCH (l:LoketItem {id: $id})" + _LOKET_FIELDS

# $kvk null: every item (bizdev/admin); otherwise only that company's.
LOKET_COUNT = """
MATCH (l:LoketItem) WHERE ($kvk IS NULL OR l.kvk_number = $kvk)
  AND ($status IS NULL OR l.status = $status)
RETURN count(l) AS total
"""

LOKET_LIST = """
MATCH (l:LoketItem) WHERE ($kvk IS NULL OR l.kvk_number = $kvk)
  AND ($status IS NULL OR l.status = $status)
WITH l ORDER BY l.created_at DESC, l.id SKIP $offset LIMIT $limit
""" + _LOKET_FIELDS + """
ORDER BY created_at DESC, id
"""

# The status changes only from one of $from (checked after LOKET_LOCK_STATUS took the lock).
LOKET_TRIAGE = """
MATCH (l:LoketItem {id: $id}) WHERE l.status IN $from
WITH l, l.status AS before
SET l.status = $status, l.notes = coalesce(l.notes, []) + [$note], l.updated_at = datetime()
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

# NLD areas of a stored question: as stored, else derived from its concepts.
_DEMAND_AREAS = """coalesce(d.nld_areas, COLLECT {
    MATCH (d)-[:ABOUT]->(:Capability)-[:BROADER*0..5]->(:Capability)-[:IN_AREA]->(a:NLDArea)
    RETURN DISTINCT a.id })"""

LOKET_RELATED_DEMAND = """
MATCH (d:DemandQuestion)
WITH d, [(d)-[:ABOUT]->(k:Capability) | k.id] AS concepts, """ + _DEMAND_AREAS + """ AS areas
WHERE any(c IN concepts WHERE c IN $capabilities)
RETURN d.id AS id, d.question AS question, d.lang AS lang,
       toString(d.created_at) AS created_at, concepts, areas
ORDER BY d.created_at DESC LIMIT $limit
"""

# Past demand questions for the "vraagpatronen" charts; $since/$until are ISO strings or null.
_DEMAND_WINDOW = """
MATCH (d:DemandQuestion)
WHERE ($since IS NULL OR d.created_at >= datetime($since))
  AND ($until IS NULL OR d.created_at < datetime($until))
"""

DEMAND_QUESTIONS_COUNT = _DEMAND_WINDOW + "RETURN count(d) AS total"

DEMAND_QUESTIONS_LIST = _DEMAND_WINDOW + """
WITH d ORDER BY d.created_at DESC, d.id SKIP $offset LIMIT $limit
RETURN d.id AS id, toString(d.created_at) AS created_at, d.lang AS language,
       d.question AS text, d.top_k AS top_k,
       [(d)-[:ABOUT]->(k:Capability) | k {.id, .label_nl, .label_en}] AS concepts,
       """ + _DEMAND_AREAS + """ AS nld_areas,
       COUNT { (d)-[:MATCHED]->(:Company) } AS hits
ORDER BY created_at DESC, id
"""

# --- end of the lists helper's section ------------------------------------------------------


# --- API: registrations, profile changes, erasure (app/api/routes/registrations.py) ----------

REGISTRATION_CREATE = """
CREATE (r:Registration {id: $id, kvk_number: $kvk, kind: $kind, status: 'pending',
                        profile: $profile, submitted_by: $user_id, submitted_role: $role,
                        submitted_at: datetime()})
"""

_REGISTRATION_FIELDS = """
r.id AS id, r.kvk_number AS kvk_number, r.kind AS kind, r.status AS status,
r.profile AS profile, r.submitted_by AS submitted_by, toString(r.submitted_at) AS submitted_at,
r.decided_by AS decided_by, toString(r.decided_at) AS decided_at,
r.decision_note AS decision_note
"""

REGISTRATION_GET = "MATCH (r:Registration {id: $id}) RETURN " + _REGISTRATION_FIELDS

_REGISTRATION_FILTER = """
($status IS NULL OR r.status = $status) AND ($kvk IS NULL OR r.kvk_number = $kvk)
"""

REGISTRATION_COUNT = ("MATCH (r:Registration) WHERE " + _REGISTRATION_FILTER
                      + " RETURN count(r) AS total")

REGISTRATION_LIST = """
MATCH (r:Registration) WHERE """ + _REGISTRATION_FILTER + """
WITH r ORDER BY r.submitted_at DESC, r.id SKIP $offset LIMIT $limit
RETURN """ + _REGISTRATION_FIELDS

# Taking the write lock first (SET) and reading the status after it is Neo4j's documented way
# to avoid lost updates: two concurrent approvals of one registration serialise here and the
# second one sees the first one's decision.
REGISTRATION_LOCK = """
MATCH (r:Registration {id: $id})
SET r.locked_at = datetime()
RETURN r.status AS status, r.submitted_by AS submitted_by
"""

REGISTRATION_DECIDE = """
MATCH (r:Registration {id: $id})
SET r.status = $status, r.decided_by = $user_id, r.decided_at = datetime(),
    r.decision_note = $note
REMOVE r.locked_at
"""

# The fields a company maintains, as the registration form holds them (declared capabilities
# only: inferred ones are the importer's guesses, not the company's statement).
# One row per existing company of $kvks (a list: a page of registrations loads in one read).
COMPANY_PROFILE_FIELDS = """
UNWIND $kvks AS kvk
MATCH (c:Company {kvk_number: kvk})
OPTIONAL MATCH (c)-[:LOCATED_IN]->(m:Municipality)
WITH c, head(collect(m.id)) AS municipality
RETURN c.kvk_number AS kvk,
       c {.name, .description, .description_en, .website, .employees, .sbi_code,
          .ncage_code, .iso9001, .aqap2110, .security_status, .export_control_notes} AS props,
       municipality, toString(c.last_verified) AS last_verified,
       [(c)-[r:HAS_CAPABILITY]->(k:Capability) WHERE r.source = 'declared' | k.id]
         AS capabilities
"""

# Runs inside the approval's transaction, after the company row was written.
COMPANY_MARK_VERIFIED = """
MATCH (c:Company {kvk_number: $kvk})
SET c += $compliance,
    c.compliance_self_declared = true,
    c.last_verified = datetime(),
    c.verified_by = $user_id,
    c.registration = $registration_id,
    c.updated_at = datetime()
"""

PENDING_REGISTRATIONS_FOR = """
MATCH (r:Registration {kvk_number: $kvk, status: 'pending'})
RETURN """ + _REGISTRATION_FIELDS + """
ORDER BY submitted_at
"""

# GDPR erasure: the company, its registrations and the personal data in its audit history;
# the audit keeps that an erasure happened, by whom and when.
COMPANY_ERASE = """
MATCH (c:Company {kvk_number: $kvk})
OPTIONAL MATCH (r:Registration {kvk_number: $kvk})
WITH c, collect(r) AS regs
FOREACH (r IN regs | DETACH DELETE r)
WITH c
OPTIONAL MATCH (l:LoketItem {kvk_number: $kvk})
WITH c, c.name AS name, collect(l) AS items
WITH c, name, items, [l IN items | l.id] AS loket_ids
FOREACH (l IN items | DETACH DELETE l)
DETACH DELETE c
RETURN name, loket_ids
"""

AUDIT_ERASE_PERSONAL_DATA = """
MATCH (a:AuditEvent)
WHERE (a.kvk_number = $kvk OR (a.entity = 'loket' AND a.entity_id IN $loket_ids))
  AND a.action <> 'company.erase'
SET a.before = CASE WHEN a.before IS NULL THEN null ELSE $erased END,
    a.after = CASE WHEN a.after IS NULL THEN null ELSE $erased END
RETURN count(a) AS scrubbed
"""


# --- bulk load (ingest/companies.py write_companies; scale benchmarks, issue 4/8) -------------

# A bulk load into a graph without companies builds the two company full-text indexes once,
# after the data, instead of updating Lucene on every batch (which competes with the writes
# for the same 2 cores). The indexes are re-created from FULLTEXT_INDEXES afterwards.
DROP_FULLTEXT_INDEXES: tuple[str, ...] = tuple(
    f"DROP INDEX {name} IF EXISTS" for name in (COMPANY_FULLTEXT_INDEX, COMPANY_FULLTEXT_INDEX_EN)
)

ANY_COMPANY = "MATCH (c:Company) RETURN c.kvk_number AS kvk LIMIT 1"

COMPANY_FULLTEXT_INDEXES_PRESENT = """
SHOW FULLTEXT INDEXES YIELD name WHERE name IN $names RETURN name
"""
