"""The seed's reference entities and their links (ingest/seed.py, RDF import)."""

from __future__ import annotations

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
