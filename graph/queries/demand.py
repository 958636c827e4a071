"""Stored demand questions: their NLD areas, and the past ones for the "vraagpatronen" charts
(app/api/routes/demand.py)."""

from __future__ import annotations

# NLD areas of a stored question: as stored, else derived from its concepts.
DEMAND_AREAS = """coalesce(d.nld_areas, COLLECT {
    MATCH (d)-[:ABOUT]->(:Capability)-[:BROADER*0..5]->(:Capability)-[:IN_AREA]->(a:NLDArea)
    RETURN DISTINCT a.id })"""

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
       """ + DEMAND_AREAS + """ AS nld_areas,
       COUNT { (d)-[:MATCHED]->(:Company) } AS hits
ORDER BY created_at DESC, id
"""
