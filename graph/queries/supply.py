"""Supply nodes beside companies (issue 19): sites, facilities, knowledge institutions and
programmes. Their writes go through graph/queries/seed.py (shared with the RDF import); these
are the derived text fields, the embeddings and the reads the ranking and the API use."""

from __future__ import annotations

#: API/CLI kind name -> node label (docs: "Shared data contract" in the helpers' rules).
KIND_LABELS: dict[str, str] = {
    "company": "Company",
    "site": "Site",
    "facility": "Facility",
    "institution": "KnowledgeInstitution",
    "programme": "Programme",
}

# What the derived fields are computed from; the capability ids are the declared ones.
SUPPLY_TEXT_SOURCES = """
MATCH (n:Supply) WHERE NOT n:Company
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Supply'][0] AS label, n.name AS name,
       n.description_nl AS description_nl, n.description_en AS description_en,
       n.concept_terms AS concept_terms, n.embedding_hash AS embedding_hash,
       [(n)-[:HAS_CAPABILITY]->(k:Capability) | k.id] AS capabilities
ORDER BY id
"""

SET_SUPPLY_CONCEPT_TERMS = """
UNWIND $rows AS row
MATCH (n:Supply {id: row.id}) WHERE NOT n:Company
SET n.concept_terms = row.concept_terms
"""

SET_SUPPLY_EMBEDDINGS = """
UNWIND $rows AS row
MATCH (n:Supply {id: row.id}) WHERE NOT n:Company
CALL db.create.setNodeVectorProperty(n, 'embedding', row.embedding)
SET n.embedding_hash = row.hash
"""

COUNT_SUPPLY_BY_KIND = """
MATCH (n:Supply)
WITH [l IN labels(n) WHERE l <> 'Supply'][0] AS label, n
RETURN label, count(n) AS n
"""

# Ids of supply nodes whose id collides with one of $ids under another label.
SUPPLY_IDS_ELSEWHERE = """
UNWIND $rows AS row
MATCH (n:Supply {id: row.id}) WHERE NOT row.label IN labels(n)
RETURN row.id AS id, [l IN labels(n) WHERE l <> 'Supply'][0] AS label
"""

# One supply node (not a company) with what a result card and the explorer show.
GET_SUPPLY = """
MATCH (n:Supply {id: $id}) WHERE NOT n:Company
RETURN [l IN labels(n) WHERE l <> 'Supply'][0] AS label, n {.*, embedding: null} AS props,
       [(n)-[:HAS_CAPABILITY]->(k:Capability) | k.id] AS capabilities,
       [(n)-[:MEMBER_OF]->(c:Cluster) | c.id] AS clusters,
       [(n)-[:LOCATED_IN]->(m:Municipality) | m.id][0] AS municipality,
       [(n)-[:LOCATED_AT|PART_OF]->(s:Site) | s.id] AS sites,
       [(n)-[:PROVIDED_BY|OPERATED_BY|PART_OF|KNOWLEDGE_PARTNER]->(i:KnowledgeInstitution)
        | i.id] AS institutions
"""

# Brute-force cosine over the (few) non-company supply nodes of $labels: no vector index needed.
SUPPLY_DENSE = """
MATCH (n:Supply) WHERE NOT n:Company AND n.embedding IS NOT NULL
  AND any(l IN labels(n) WHERE l IN $labels)
WITH n, vector.similarity.cosine(n.embedding, $vector) AS score
ORDER BY score DESC LIMIT $limit
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Supply'][0] AS label, score
"""

SUPPLY_FULLTEXT = """
CALL db.index.fulltext.queryNodes($index, $text, {limit: $limit}) YIELD node, score
WHERE any(l IN labels(node) WHERE l IN $labels)
RETURN node.id AS id, [l IN labels(node) WHERE l <> 'Supply'][0] AS label, score
"""
