"""Clusters and NLD areas as the API lists and shows them (app/api/routes/groups.py)."""

from __future__ import annotations

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
