"""The seed's reference entities and their links (ingest/seed.py, ingest/supply.py, RDF import)."""

from __future__ import annotations

#: Node labels of the non-company supply kinds; each also carries the label `Supply`.
SUPPLY_LABELS: tuple[str, ...] = ("Site", "Facility", "KnowledgeInstitution", "Programme")

# Generic upsert for the seed's reference entities; one constant per label because labels
# cannot be parameters.
UPSERT_ENTITY: dict[str, str] = {
    label: f"""
UNWIND $rows AS row
MERGE (n:{label} {{id: row.id}})
SET n += row.props
"""
    for label in ("Municipality", "Cluster", "Ecosystem", "MilitaryFacility", "Organisation")
}
# Supply nodes: the `Supply` label on every write; a row with a content hash (the seed) only
# writes when the content changed, so a re-load leaves node and provenance (imported_at) as
# they were. A row without one (RDF import) is written as the file has it.
UPSERT_ENTITY.update({
    label: f"""
UNWIND $rows AS row
MERGE (n:{label} {{id: row.id}})
SET n:Supply
WITH n, row, n.record_hash AS old
WHERE row.record_hash IS NULL OR old IS NULL OR old <> row.record_hash
SET n += row.props
SET n.record_hash = coalesce(row.record_hash, n.record_hash),
    n.imported_at = CASE WHEN row.record_hash IS NULL THEN n.imported_at
                         ELSE datetime() END
RETURN n.id AS id, old IS NULL AS created
"""
    for label in SUPPLY_LABELS
})

# (source label, relationship, target label) of every edge the seed writes.
ENTITY_LINKS: tuple[tuple[str, str, str], ...] = (
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
    ("KnowledgeInstitution", "KNOWLEDGE_PARTNER", "KnowledgeInstitution"),
    ("KnowledgeInstitution", "MEMBER_OF", "Cluster"),
    ("MilitaryFacility", "LOCATED_IN", "Municipality"),
    ("Organisation", "LOCATED_IN", "Municipality"),
    ("Site", "LOCATED_IN", "Municipality"),
    ("Site", "PART_OF", "Site"),
    ("Site", "HAS_CAPABILITY", "Capability"),
    ("Site", "MEMBER_OF", "Cluster"),
    ("Facility", "LOCATED_IN", "Municipality"),
    ("Facility", "LOCATED_AT", "Site"),
    ("Facility", "OPERATED_BY", "KnowledgeInstitution"),
    ("Facility", "PARTNER_OF", "Organisation"),
    ("Facility", "HAS_CAPABILITY", "Capability"),
    ("Facility", "MEMBER_OF", "Cluster"),
    ("Programme", "PROVIDED_BY", "KnowledgeInstitution"),
    ("Programme", "HAS_CAPABILITY", "Capability"),
    ("Programme", "MEMBER_OF", "Cluster"),
)

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
    for src, rel, dst in ENTITY_LINKS
}
