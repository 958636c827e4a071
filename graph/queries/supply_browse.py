"""Supply nodes for browsing (app/api/routes/supply.py): nodes found by name for the explorer's
start, and sites with their attributes for the map. The matcher's own queries are in
graph/queries/matching.py; writing supply is ingest's (h19-data)."""

from __future__ import annotations

# Nodes whose name (or id / KvK number) holds the folded search text, public labels only, best
# first: exact name, then names starting with it, then the rest; $labels are the public labels.
FIND_NODES = """
MATCH (n) WHERE any(l IN labels(n) WHERE l IN $labels)
  AND (toLower(coalesce(n.name, n.label_nl, '')) CONTAINS $q
       OR toLower(coalesce(n.label_en, '')) CONTAINS $q
       OR toLower(coalesce(n.kvk_number, n.id, '')) = $q)
WITH n, toLower(coalesce(n.name, n.label_nl, n.id)) AS name
RETURN labels(n) AS labels, coalesce(n.kvk_number, n.id) AS id,
       coalesce(n.name, n.label_nl, n.id) AS name,
       CASE WHEN name = $q THEN 0 WHEN name STARTS WITH $q THEN 1 ELSE 2 END AS rank
ORDER BY rank, size(name), name
LIMIT $limit
"""

# Supply nodes of the given labels with the attributes a card or the map shows.
LIST_SUPPLY = """
MATCH (n:Supply) WHERE any(l IN labels(n) WHERE l IN $labels)
OPTIONAL MATCH (n)-[:LOCATED_IN]->(m:Municipality)
WITH n, head(collect(m)) AS m
RETURN labels(n) AS labels, coalesce(n.kvk_number, n.id) AS id, n.name AS name,
       coalesce(n.description, n.description_nl) AS description,
       n.description_en AS description_en, n.source AS source,
       m.id AS municipality, m.name AS municipality_name,
       n {.area_ha, .access, .co_use, .status, .zoning, .utilities, .lat, .lon, .level,
          .kind, .operator, .units, providers: [(n)-[:PROVIDED_BY]->(p) | p.name],
          clusters: [(n)-[:MEMBER_OF]->(k:Cluster) | k.name]} AS attributes
ORDER BY name
LIMIT $limit
"""
