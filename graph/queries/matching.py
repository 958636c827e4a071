"""The matcher's retrieval (dense, lexical, graph), its candidates' explanations and the
stored demand question (matching/matcher.py, matching/filters.py, `paraat bench`)."""

from __future__ import annotations

from typing import Any, LiteralString

# Filters are parameters; a null filter matches everything. They run inside the same query
# as the ranking, so a filtered search ranks all companies that pass, not a truncated list.
# They travel as ONE map parameter, $filters (matching.matcher.MatchFilters.params): Neo4j
# keys its plan cache on the query text and the types of the parameters, and a null, an
# empty list, a list of strings or an int each count as another type, so one parameter per
# filter made every new combination of filters a new plan (measured: 0.4-5.9 s to plan
# MATCH_GRAPH on a busy 2-core machine). A map is one type whatever it holds: one plan per
# query serves every combination (tests/integration/test_filter_plans.py).
# `c` is any supply node (:Supply: companies, sites, facilities, institutions, programmes);
# $filters.kinds holds node labels (matching.constraints.KINDS). A company has no area or
# access, so those filters leave only the kinds that have them.
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
  AND ($filters.kinds IS NULL OR any(l IN labels(c) WHERE l IN $filters.kinds))
  AND ($filters.min_area_ha IS NULL OR c.area_ha >= $filters.min_area_ha)
  AND ($filters.access IS NULL OR any(a IN coalesce(c.access, []) WHERE a IN $filters.access))
"""

# Trusted profiles (issue 20): claims held (unexpired; verified with verified_only) and
# defence experience; a field a company hid from everyone but admins filters on nothing for
# other searchers ($filters.reveal_hidden). Only the queries of a search that sets one of
# these carry it (`with_trust`): the common queries keep their text and so their single plan.
# Claims and defence experience are a company's: a search that filters on them ranks companies.
_TRUST_FILTER = """
  AND c:Company
  AND ($filters.compliance IS NULL OR (
      ($filters.reveal_hidden OR NOT 'compliance' IN coalesce(c.visibility_hidden, []))
      AND COUNT { MATCH (c)-[:HAS_CLAIM]->(cl:ComplianceClaim)
                  WHERE cl.kind IN $filters.compliance
                    AND (cl.expires_on IS NULL OR cl.expires_on >= date())
                    AND (NOT $filters.verified_only OR cl.state = 'verified') }
          = size($filters.compliance)))
  AND (NOT $filters.verified_only OR $filters.compliance IS NOT NULL OR (
      ($filters.reveal_hidden OR NOT 'compliance' IN coalesce(c.visibility_hidden, []))
      AND EXISTS { MATCH (c)-[:HAS_CLAIM]->(cl:ComplianceClaim {state: 'verified'})
                   WHERE cl.expires_on IS NULL OR cl.expires_on >= date() }))
  AND ($filters.defence_experience IS NULL OR
      CASE WHEN NOT $filters.reveal_hidden
                AND 'defence_experience' IN coalesce(c.visibility_hidden, []) THEN 'unknown'
           ELSE coalesce(c.defence_experience, 'unknown') END IN $filters.defence_experience)
"""

MATCH_COUNT_COMPANIES = "MATCH (c:Supply) RETURN count(c) AS n"

# The municipalities and clusters a filter may name (ids and names), for matching.filters:
# imports add municipalities, so they come from the graph, not the seed files.
FILTER_CHOICES = """
CALL () { MATCH (m:Municipality) RETURN collect(m {.id, .name}) AS municipalities }
CALL () { MATCH (k:Cluster) RETURN collect(k {.id, .name}) AS clusters }
RETURN municipalities, clusters
"""

# The supply that is not a company (sites, facilities, institutions, programmes): a few dozen
# nodes, ranked by exact cosine inside the same query as the companies' vector index (one
# round trip, no query per kind, no second HNSW index over the companies' vectors).
_OTHER_SUPPLY = "(c:Site|Facility|KnowledgeInstitution|Programme)"
# A supply node's label beside :Supply (matching.constraints.LABEL_KIND gives its kind).
_LABEL = "CASE WHEN c:Company THEN 'Company' ELSE [l IN labels(c) WHERE l <> 'Supply'][0] END"

# Both dense queries end alike: the exact cosine of the other supply (about fifty nodes, no
# index needed), merged with the companies' branch, and one row shape for either.
_OTHER_SUPPLY_DENSE = """  UNION ALL
  MATCH """ + _OTHER_SUPPLY + """ WHERE c.embedding IS NOT NULL AND """ + _COMPANY_FILTER + """
  WITH c, vector.similarity.cosine(c.embedding, $vector) AS score
  ORDER BY score DESC LIMIT $limit
  RETURN c, score
}
RETURN coalesce(c.kvk_number, c.id) AS kvk, score, """ + _LABEL + """ AS label,
       c.embedding_hash AS ehash
"""

# Dense, approximate: the companies' vector index, over-fetched so filters still leave enough,
# merged with the exact cosine of the other supply.
MATCH_DENSE_INDEX = """
CALL () {
  CALL db.index.vector.queryNodes('company_embedding', $k, $vector) YIELD node AS c, score
  WITH c WHERE """ + _COMPANY_FILTER + """
  WITH c, vector.similarity.cosine(c.embedding, $vector) AS score
  ORDER BY score DESC LIMIT $limit
  RETURN c, score
""" + _OTHER_SUPPLY_DENSE

# The vector index alone, top k by its own (quantized) scores: `paraat bench matching` times
# it against a brute-force scan in numpy.
VECTOR_INDEX_TOP = """
CALL db.index.vector.queryNodes('company_embedding', $k, $vector) YIELD node, score
RETURN node.kvk_number AS kvk, score
"""

# Dense, exact: every company that passes the filters (used when filters are selective).
MATCH_DENSE_EXACT = """
CALL () {
  MATCH (c:Company) WHERE c.embedding IS NOT NULL AND """ + _COMPANY_FILTER + """
  WITH c, vector.similarity.cosine(c.embedding, $vector) AS score
  ORDER BY score DESC LIMIT $limit
  RETURN c, score
""" + _OTHER_SUPPLY_DENSE

COUNT_FILTERED_COMPANIES = """
MATCH (c:Supply) WHERE """ + _COMPANY_FILTER + """
RETURN count(c) AS n
"""

# Lexical: both Lucene indexes (Dutch and English analyzers); the query string is escaped
# Lucene syntax built by matching.lexical, passed in a map ($question.lucene): Neo4j's plan
# cache also keys on the size of a string or list parameter (in steps: 1, 2-9, 10-99...), so
# a longer question or one more concept made a new plan; values inside a map do not count.
MATCH_LEXICAL = """
CALL () {
  CALL () {
    CALL db.index.fulltext.queryNodes('company_text', $question.lucene, {limit: $k})
    YIELD node, score RETURN node, score
    UNION ALL
    CALL db.index.fulltext.queryNodes('company_text_en', $question.lucene, {limit: $k})
    YIELD node, score RETURN node, score
  }
  WITH node AS c, max(score) AS score
  WHERE """ + _COMPANY_FILTER + """
  RETURN c, score ORDER BY score DESC LIMIT $limit
  UNION ALL
  CALL () {
    CALL db.index.fulltext.queryNodes('supply_text', $question.lucene, {limit: $k})
    YIELD node, score RETURN node, score
    UNION ALL
    CALL db.index.fulltext.queryNodes('supply_text_en', $question.lucene, {limit: $k})
    YIELD node, score RETURN node, score
  }
  WITH node AS c, max(score) AS score
  WHERE """ + _COMPANY_FILTER + """
  RETURN c, score ORDER BY score DESC LIMIT $limit
}
RETURN coalesce(c.kvk_number, c.id) AS kvk, score, """ + _LABEL + """ AS label
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
  MATCH (c:Supply)-[r:HAS_CAPABILITY]->(k)
  WHERE """ + _COMPANY_FILTER + """
  RETURN c, 'direct' AS via, k.id AS held, r.source AS how, r.confidence AS conf,
         q.weight * coalesce(r.confidence, 1.0) * $w_direct AS s
  ORDER BY s DESC LIMIT $per_path
  UNION
  MATCH (c:Supply)-[r:HAS_CAPABILITY]->(n:Capability)-[:BROADER*1..2]->(k)
  WHERE """ + _COMPANY_FILTER + """
  RETURN c, 'narrower' AS via, n.id AS held, r.source AS how, r.confidence AS conf,
         q.weight * coalesce(r.confidence, 1.0) * $w_narrower AS s
  ORDER BY s DESC LIMIT $per_path
  UNION
  MATCH (c:Supply)-[r:HAS_CAPABILITY]->(p:Capability)<-[:BROADER]-(k)
  WHERE EXISTS { (p)<-[:BROADER]-(:Capability) } AND """ + _COMPANY_FILTER + """
  RETURN c, 'broader' AS via, p.id AS held, r.source AS how, r.confidence AS conf,
         q.weight * coalesce(r.confidence, 1.0) * $w_broader AS s
  ORDER BY s DESC LIMIT $per_path
  UNION
  MATCH (c:Supply)-[:MEMBER_OF]->(cl:Cluster)-[:RELEVANT_TO]->(a:NLDArea)<-[:IN_AREA]-(k)
  WHERE """ + _COMPANY_FILTER + """
  RETURN c, 'cluster' AS via, cl.id AS held, a.id AS how, null AS conf,
         q.weight * $w_cluster AS s
  ORDER BY s DESC LIMIT $per_path
}
RETURN coalesce(c.kvk_number, c.id) AS kvk, """ + _LABEL + """ AS label,
       collect({concept: q.id, via: via, held: held, how: how, conf: conf, s: s}) AS paths
"""

# The same three queries without the filter clause: Cypher does not reliably short-circuit
# `$x IS NULL OR EXISTS {...}`, and the unfiltered search is the common, latency-bound case.
_NO_FILTER = "true"

MATCH_DENSE_INDEX_ALL = MATCH_DENSE_INDEX.replace(_COMPANY_FILTER, _NO_FILTER)

MATCH_LEXICAL_ALL = MATCH_LEXICAL.replace(_COMPANY_FILTER, _NO_FILTER)

MATCH_GRAPH_ALL = MATCH_GRAPH.replace(_COMPANY_FILTER, _NO_FILTER)

_TRUSTED: dict[str, LiteralString] = {
    q: q.replace(_COMPANY_FILTER, _COMPANY_FILTER + _TRUST_FILTER)
    for q in (MATCH_LEXICAL, MATCH_GRAPH, COUNT_FILTERED_COMPANIES, MATCH_DENSE_EXACT,
              MATCH_DENSE_INDEX)}


def with_trust(query: LiteralString, filters: dict[str, Any]) -> LiteralString:
    """`query` (a filtered one) with the trust filter when the search sets one."""
    if filters.get("compliance") or filters.get("verified_only") \
            or filters.get("defence_experience"):
        return _TRUSTED[query]
    return query


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

# A supply node by its key (a company's KvK number, any other node's id), for each `kvk`.
_NODE_BY_KEY = """
CALL (kvk) {
  MATCH (c:Company {kvk_number: kvk}) RETURN c
  UNION
  MATCH (c:Supply {id: kvk}) RETURN c
}
"""

# What the explanation of a shortlisted candidate shows (texts, metadata, its exact cosine);
# the KvK numbers in a map ($shortlist.kvks), so top 1, 5 or 50 is one plan.
MATCH_CANDIDATES = """
UNWIND $shortlist.kvks AS kvk""" + _NODE_BY_KEY + """WITH kvk, head(collect(c)) AS c
OPTIONAL MATCH (c)-[:LOCATED_IN]->(m:Municipality)
WITH kvk, c, head(collect(m)) AS m
RETURN kvk, labels(c) AS labels, c.id AS id, c.kvk_number AS kvk_number, c.name AS name,
       coalesce(c.description, c.description_nl) AS description,
       c.description_en AS description_en, c.website AS website, c.employees AS employees,
       m.id AS municipality, m.name AS municipality_name, c.kvk_status AS kvk_status,
       c.synthetic AS synthetic, c.last_verified AS last_verified, c.source AS source,
       CASE WHEN c:Company THEN {} ELSE c {.area_ha, .access, .co_use, .status, .zoning,
          .utilities, .lat, .lon, .level, .kind, .operator, .units,
          providers: [(c)-[:PROVIDED_BY]->(p) | p.name],
          clusters: [(c)-[:MEMBER_OF]->(k:Cluster) | k.name]} END AS attributes,
       CASE WHEN c.embedding IS NULL THEN null
            ELSE vector.similarity.cosine(c.embedding, $vector) END AS dense
"""

# Dense cosine of candidates outside the vector pool. The ranking does not need it (below the
# pool's floor the dense score is 0); `paraat eval` does, to rank dense-only on every candidate.
MATCH_CANDIDATE_COSINES = """
UNWIND $kvks AS kvk""" + _NODE_BY_KEY + """WITH kvk, c WHERE c.embedding IS NOT NULL
RETURN kvk, vector.similarity.cosine(c.embedding, $vector) AS dense, c.embedding_hash AS ehash
"""

# The embeddings of supply nodes by key, for the dense signal's hub penalty (matching/hubs.py):
# asked once per node and process, the penalty is kept.
# The keys in a map (`$shortlist.kvks`), as MATCH_CANDIDATES: a list's size steps would plan
# the query again for each (tests/integration/matching/test_filters_by_name.py counts plans).
MATCH_SUPPLY_EMBEDDINGS = """
UNWIND $shortlist.kvks AS kvk""" + _NODE_BY_KEY + """WITH kvk, c WHERE c.embedding IS NOT NULL
RETURN kvk, c.embedding AS embedding
"""

# The hub penalty's bank of past questions: the newest stored demand questions' embeddings of
# the current model (its dimension; `Matcher.store` writes them).
MATCH_QUESTION_BANK = """
MATCH (d:DemandQuestion) WHERE d.embedding IS NOT NULL AND size(d.embedding) = $dimension
RETURN d.embedding AS embedding ORDER BY d.created_at DESC LIMIT $limit
"""

# `paraat eval` on its throw-away graph: the questions of the other folds as the hub
# penalty's bank of past questions (matching.evaluate.retrieve_all), then gone again.
CREATE_BANK_QUESTIONS = """
UNWIND $questions AS q
CREATE (:DemandQuestion {id: q.id, question: q.question, lang: q.lang, created_at: datetime(),
                         embedding: q.embedding, eval_bank: true})
"""

DELETE_BANK_QUESTIONS = "MATCH (d:DemandQuestion {eval_bank: true}) DETACH DELETE d"

# One map parameter, $q, for the same reason as $filters: an empty list of hits, concepts or
# areas is another parameter type than a full one, so each mix was planned anew (measured
# under load: up to 1.1 s per plan, 8.4 s of planning over 24 new filter combinations).
CREATE_DEMAND_QUESTION = """
CREATE (d:DemandQuestion {id: $q.id, question: $q.question, lang: $q.lang,
                          created_at: datetime(), filters: $q.filters, owner: $q.owner,
                          top_k: $q.top_k, nld_areas: $q.nld_areas,
                          embedding: $q.embedding})
WITH d
CALL (d) {
  UNWIND $q.hits AS h
  CALL (h) {
    MATCH (c:Company {kvk_number: h.kvk}) RETURN c
    UNION
    MATCH (c:Supply {id: h.kvk}) RETURN c
  }
  WITH h, head(collect(c)) AS c
  CREATE (d)-[:MATCHED {rank: h.rank, score: h.score, kind: h.kind, cosine: h.cosine}]->(c)
}
CALL (d) {
  UNWIND $q.concepts AS cid
  MATCH (k:Capability {id: cid})
  CREATE (d)-[:ABOUT]->(k)
}
RETURN d.id AS id
"""

# The area and access of candidates that have them (sites, facilities), for a question that
# states an area or an access mode (matching.constraints); companies have neither.
MATCH_SUPPLY_ATTRIBUTES = """
UNWIND $shortlist.kvks AS kvk
MATCH (c:Supply {id: kvk})
WHERE c.area_ha IS NOT NULL OR c.access IS NOT NULL
RETURN kvk, c.area_ha AS area_ha, c.access AS access
"""
