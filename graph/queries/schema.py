"""Constraints, indexes and the schema's own facts (graph/schema.py); the index names the
matcher and the importers refer to. Schema statements (DDL) cannot take parameters for names,
so they are constants too; the only number formatted into DDL is the vector dimension, which
graph.schema checks is an int. graph/schema.py keys its "schema is complete" check on this
file's text."""

from __future__ import annotations

SHOW_CONSTRAINTS = "SHOW CONSTRAINTS YIELD name, labelsOrTypes, properties, type RETURN *"

SHOW_INDEXES = """
SHOW INDEXES YIELD name, type, labelsOrTypes, properties, options, state
RETURN name, type, labelsOrTypes, properties, options, state
"""

# Deletes in slices so a big graph never needs one huge transaction.
DELETE_ALL_BATCH = """
MATCH (n) WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS deleted
"""

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
    ("OutboxMail", "id"),
    ("SignupRequest", "id"),
    ("SignupKvk", "kvk_number"),
    ("Desk", "id"),
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
    "CREATE INDEX outbox_status IF NOT EXISTS FOR (m:OutboxMail) ON (m.status)",
    "CREATE INDEX signup_code_hash IF NOT EXISTS FOR (s:SignupRequest) ON (s.code_hash)",
    "CREATE INDEX signup_email IF NOT EXISTS FOR (s:SignupRequest) ON (s.email)",
    "CREATE INDEX loket_confirm_hash IF NOT EXISTS FOR (l:LoketItem) ON (l.confirm_hash)",
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
