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
# queries both. Neo4j allows one index per label+properties, so the English index reads its
# own copy of the text (`search_text_en`). The text holds the company's description plus its
# capability labels in both languages and decompounded forms (see matching).
FULLTEXT_INDEXES: tuple[str, ...] = (
    f"CREATE FULLTEXT INDEX {COMPANY_FULLTEXT_INDEX} IF NOT EXISTS "
    "FOR (n:Company) ON EACH [n.name, n.search_text] "
    "OPTIONS {indexConfig: {`fulltext.analyzer`: 'dutch'}}",
    f"CREATE FULLTEXT INDEX {COMPANY_FULLTEXT_INDEX_EN} IF NOT EXISTS "
    "FOR (n:Company) ON EACH [n.search_text_en] "
    "OPTIONS {indexConfig: {`fulltext.analyzer`: 'english'}}",
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

GET_META = "MATCH (m:ParaatMeta {key: $key}) RETURN properties(m) AS meta"

SET_META = """
MERGE (m:ParaatMeta {key: $key})
SET m += $props, m.updated_at = datetime()
"""
