"""Monitoring and scouting (issue 21): introductions, scouting statuses, the agenda's asks,
supply gaps and the KPIs (graph/repositories/{introductions,agenda,kpis}.py).

Supply kinds and their keys follow the shared contract: Company(kvk_number), Site(id),
Facility(id), KnowledgeInstitution(id), Programme(id). Labels cannot be parameters, so a
statement that names a kind is one constant per kind.
"""

from __future__ import annotations

from graph.queries.demand import DEMAND_AREAS

# API kind name -> (label, key property)
SUPPLY_KINDS: dict[str, tuple[str, str]] = {
    "company": ("Company", "kvk_number"),
    "site": ("Site", "id"),
    "facility": ("Facility", "id"),
    "institution": ("KnowledgeInstitution", "id"),
    "programme": ("Programme", "id"),
}

# ------------------------------------------------------------------------ introductions

# The supplier's name, or no row when it does not exist.
SUPPLY_NAME: dict[str, str] = {
    kind: f"MATCH (s:{label} {{{key}: $key}}) RETURN s.name AS name LIMIT 1"
    for kind, (label, key) in SUPPLY_KINDS.items()
}

# One introduction, linked to its supplier and (optionally) the demand question it answers.
INTRODUCTION_CREATE: dict[str, str] = {
    kind: f"""
MATCH (s:{label} {{{key}: $key}})
OPTIONAL MATCH (d:DemandQuestion {{id: $question_id}})
CREATE (i:Introduction {{id: $id, supply_kind: $kind, supply_key: $key, supply_name: s.name,
                        question_id: $question_id, defence_unit: $defence_unit,
                        status: 'voorgesteld', note: $note, created_by: $actor,
                        created_at: datetime(), updated_at: datetime(),
                        voorgesteld_at: datetime($at), log: [$log]}})
CREATE (i)-[:INTRODUCES]->(s)
FOREACH (_ IN CASE WHEN d IS NULL THEN [] ELSE [1] END | CREATE (i)-[:FOR_QUESTION]->(d))
RETURN i.id AS id
"""
    for kind, (label, key) in SUPPLY_KINDS.items()
}

DEMAND_QUESTION_EXISTS = "MATCH (d:DemandQuestion {id: $id}) RETURN d.id AS id"

_INTRODUCTION_FIELDS = """
RETURN i.id AS id, i.supply_kind AS supply_kind, i.supply_key AS supply_key,
       i.supply_name AS supply_name, i.question_id AS question_id,
       i.defence_unit AS defence_unit, i.status AS status, i.note AS note,
       i.created_by AS created_by, toString(i.created_at) AS created_at,
       toString(i.updated_at) AS updated_at,
       toString(i.voorgesteld_at) AS voorgesteld_at, toString(i.geaccepteerd_at) AS geaccepteerd_at,
       toString(i.gesprek_at) AS gesprek_at, toString(i.vervolg_at) AS vervolg_at,
       toString(i.afgewezen_at) AS afgewezen_at, coalesce(i.log, []) AS log
"""

INTRODUCTION_GET = "MATCH (i:Introduction {id: $id})" + _INTRODUCTION_FIELDS

_INTRODUCTION_FILTER = """
MATCH (i:Introduction)
WHERE ($status IS NULL OR i.status = $status)
  AND ($kind IS NULL OR i.supply_kind = $kind)
  AND ($key IS NULL OR i.supply_key = $key)
  AND ($question_id IS NULL OR i.question_id = $question_id)
"""

INTRODUCTION_COUNT = _INTRODUCTION_FILTER + "RETURN count(i) AS total"

INTRODUCTION_LIST = _INTRODUCTION_FILTER + """
WITH i ORDER BY i.created_at DESC, i.id SKIP $offset LIMIT $limit
""" + _INTRODUCTION_FIELDS + """
ORDER BY created_at DESC, id
"""

# Takes the write lock before the status is read, so two concurrent steps serialise.
INTRODUCTION_LOCK = """
MATCH (i:Introduction {id: $id})
SET i.updated_at = datetime()
RETURN i.status AS status, i.note AS note
"""

# A step: the status, its date ($at), the note when one is given, one more log entry.
# $stamp names the property of the new status' date (one of the five `<status>_at`).
INTRODUCTION_STEP: dict[str, str] = {
    status: f"""
MATCH (i:Introduction {{id: $id}}) WHERE i.status IN $from
SET i.status = '{status}', i.{status}_at = datetime($at),
    i.note = coalesce($note, i.note), i.log = coalesce(i.log, []) + [$log],
    i.updated_at = datetime()
RETURN i.id AS id
"""
    for status in ("geaccepteerd", "gesprek", "vervolg", "afgewezen")
}

INTRODUCTION_NOTE = """
MATCH (i:Introduction {id: $id})
SET i.note = $note, i.log = coalesce(i.log, []) + [$log], i.updated_at = datetime()
RETURN i.id AS id
"""

# ------------------------------------------------------------------------ scouting

SCOUTING_LOCK = """
MATCH (c:Company {kvk_number: $kvk})
OPTIONAL MATCH (s:ScoutingStatus {kvk_number: $kvk})
SET s.locked_at = datetime()
RETURN c.name AS name, coalesce(s.status, 'niet_benaderd') AS status
"""

# The scouting status lives beside the company, not on it: scouts keep it, the company's
# profile (owned by the company and the registration flow) is never written here.
SCOUTING_SET = """
MATCH (c:Company {kvk_number: $kvk})
MERGE (s:ScoutingStatus {kvk_number: $kvk})
ON CREATE SET s.created_at = datetime(), s.log = []
SET s.status = $status, s.note = $note, s.updated_at = datetime(), s.updated_by = $actor,
    s.log = coalesce(s.log, []) + [$log]
REMOVE s.locked_at
MERGE (s)-[:SCOUTS]->(c)
RETURN s.kvk_number AS kvk_number
"""

SCOUTING_GET = """
MATCH (c:Company {kvk_number: $kvk})
OPTIONAL MATCH (s:ScoutingStatus {kvk_number: $kvk})
RETURN c.kvk_number AS kvk_number, c.name AS name, c.defence_experience AS defence_experience,
       coalesce(s.status, 'niet_benaderd') AS status, s.note AS note,
       toString(s.updated_at) AS updated_at, coalesce(s.log, []) AS log
"""

_SCOUTING_FILTER = """
MATCH (s:ScoutingStatus)-[:SCOUTS]->(c:Company)
WHERE ($status IS NULL OR s.status = $status)
"""

SCOUTING_COUNT = _SCOUTING_FILTER + "RETURN count(s) AS total"

SCOUTING_LIST = _SCOUTING_FILTER + """
WITH s, c ORDER BY s.updated_at DESC, c.kvk_number SKIP $offset LIMIT $limit
RETURN c.kvk_number AS kvk_number, c.name AS name, c.defence_experience AS defence_experience,
       s.status AS status, s.note AS note, toString(s.updated_at) AS updated_at,
       coalesce(s.log, []) AS log
ORDER BY updated_at DESC, kvk_number
"""

# Prospects: companies that match a stored demand question, or hold a capability in an NLD
# area; those without defence experience (none, or unknown = absent) first.
_PROSPECT_FIELDS = """
OPTIONAL MATCH (s:ScoutingStatus {kvk_number: c.kvk_number})
OPTIONAL MATCH (c)-[:LOCATED_IN]->(m:Municipality)
WITH c, score, s, head(collect(m.name)) AS municipality
RETURN c.kvk_number AS kvk_number, c.name AS name, municipality,
       c.defence_experience AS defence_experience,
       coalesce(s.status, 'niet_benaderd') AS scouting_status, score,
       CASE WHEN c.defence_experience IS NULL OR c.defence_experience = 'none'
            THEN 0 ELSE 1 END AS experienced
ORDER BY experienced, score DESC, kvk_number
LIMIT $limit
"""

PROSPECTS_FOR_QUESTION = """
MATCH (:DemandQuestion {id: $question_id})-[m:MATCHED]->(c:Company)
WITH c, coalesce(m.cosine, m.score) AS score
""" + _PROSPECT_FIELDS

PROSPECTS_FOR_AREA = """
MATCH (a:NLDArea {id: $area})<-[:IN_AREA]-(:Capability)<-[:BROADER*0..5]-(k:Capability)
      <-[:HAS_CAPABILITY]-(c:Company)
WITH c, count(DISTINCT k) AS n
WITH c, toFloat(n) AS score
""" + _PROSPECT_FIELDS

NLD_AREA_EXISTS = "MATCH (a:NLDArea {id: $id}) RETURN a.id AS id"

# ------------------------------------------------------------------------ agenda

# The asks from ingest/data/seed/agenda_asks.csv; the status and its log survive a reload.
AGENDA_UPSERT = """
UNWIND $rows AS row
MERGE (a:AgendaAsk {id: row.id})
ON CREATE SET a.status = 'te_verkennen', a.log = []
SET a.pillar = row.pillar, a.number = row.number, a.title_nl = row.title_nl,
    a.title_en = row.title_en, a.text_nl = row.text_nl, a.summary_en = row.summary_en,
    a.partners = row.partners, a.source = row.source
"""

# Links to whatever exists among the named ids (sites and programmes may not be loaded);
# replaced on every load, so a removed link goes.
AGENDA_LINK = """
UNWIND $rows AS row
MATCH (a:AgendaAsk {id: row.id})
OPTIONAL MATCH (a)-[old:CONCERNS]->()
DELETE old
WITH DISTINCT a, row
UNWIND row.concerns AS t
CALL (t) {
  OPTIONAL MATCH (n:Supply {id: t}) RETURN n
  UNION OPTIONAL MATCH (n:Cluster {id: t}) RETURN n
  UNION OPTIONAL MATCH (n:Ecosystem {id: t}) RETURN n
  UNION OPTIONAL MATCH (n:KnowledgeInstitution {id: t}) RETURN n
  UNION OPTIONAL MATCH (n:MilitaryFacility {id: t}) RETURN n
  UNION OPTIONAL MATCH (n:Organisation {id: t}) RETURN n
  UNION OPTIONAL MATCH (n:Site {id: t}) RETURN n
  UNION OPTIONAL MATCH (n:Facility {id: t}) RETURN n
  UNION OPTIONAL MATCH (n:Programme {id: t}) RETURN n
}
WITH a, n WHERE n IS NOT NULL
MERGE (a)-[:CONCERNS]->(n)
"""

AGENDA_LIST = """
MATCH (a:AgendaAsk)
RETURN a.id AS id, a.pillar AS pillar, a.number AS number, a.title_nl AS title_nl,
       a.title_en AS title_en, a.text_nl AS text_nl, a.summary_en AS summary_en,
       coalesce(a.partners, []) AS partners, a.status AS status,
       toString(a.updated_at) AS updated_at, coalesce(a.log, []) AS log,
       [(a)-[:CONCERNS]->(n) | {id: n.id, name: n.name,
         label: head([l IN labels(n) WHERE l <> 'Supply'])}] AS concerns
ORDER BY pillar, number
"""

AGENDA_LOCK = """
MATCH (a:AgendaAsk {id: $id})
SET a.locked_at = datetime()
RETURN a.status AS status
"""

AGENDA_SET_STATUS = """
MATCH (a:AgendaAsk {id: $id})
SET a.status = $status, a.updated_at = datetime(), a.log = coalesce(a.log, []) + [$log]
REMOVE a.locked_at
RETURN a.id AS id
"""

# ------------------------------------------------------------------------ gaps and KPIs

# Every stored demand question with what the gap analysis needs: month, NLD areas,
# capabilities, and the quality of each match (the dense cosine stored on MATCHED; questions
# stored before it was recorded fall back to nothing: they have no assessable match).
DEMAND_QUALITY = """
MATCH (d:DemandQuestion)
WHERE ($since IS NULL OR d.created_at >= datetime($since))
  AND ($until IS NULL OR d.created_at < datetime($until))
RETURN d.id AS id, toString(d.created_at) AS created_at, """ + DEMAND_AREAS + """ AS areas,
       [(d)-[:ABOUT]->(k:Capability) | k.id] AS capabilities,
       [(d)-[m:MATCHED]->() WHERE m.cosine IS NOT NULL | m.cosine] AS qualities,
       COUNT { (d)-[:MATCHED]->() } AS matched,
       EXISTS { MATCH (i:Introduction) WHERE i.question_id = d.id
                AND NOT i.status IN ['voorgesteld', 'afgewezen'] } AS served
ORDER BY d.created_at
"""

REGISTRATIONS_PER_MONTH = """
MATCH (r:Registration {kind: 'new'}) WHERE r.submitted_at IS NOT NULL
RETURN substring(toString(r.submitted_at), 0, 7) AS month, count(DISTINCT r.kvk_number) AS n
ORDER BY month
"""

VERIFIED_PER_MONTH = """
MATCH (r:Registration {status: 'approved'}) WHERE r.decided_at IS NOT NULL
RETURN substring(toString(r.decided_at), 0, 7) AS month, count(DISTINCT r.kvk_number) AS n
ORDER BY month
"""

# Loket items with their desk (the contract's ROUTED_TO; none yet: no desk) and the time of
# the first response: `first_response_at`, else the first triage note's time (read in Python).
LOKET_RESPONSES = """
MATCH (l:LoketItem)
OPTIONAL MATCH (l)-[:ROUTED_TO]->(desk:Desk)
WITH l, head(collect(desk)) AS desk
RETURN l.id AS id, toString(l.created_at) AS created_at,
       toString(l.first_response_at) AS first_response_at,
       coalesce(l.notes, []) AS notes, desk.id AS desk_id, desk.name_nl AS desk_name_nl,
       desk.name_en AS desk_name_en
"""

INTRODUCTIONS_PER_STAGE = """
MATCH (i:Introduction)
RETURN i.status AS status, count(i) AS n,
       count(i.geaccepteerd_at) AS reached_geaccepteerd, count(i.gesprek_at) AS reached_gesprek,
       count(i.vervolg_at) AS reached_vervolg
"""

INTRODUCTIONS_PER_MONTH = """
MATCH (i:Introduction)
RETURN substring(toString(i.voorgesteld_at), 0, 7) AS month, count(i) AS n ORDER BY month
"""
