"""Issue 21 end to end against a real Neo4j through a real uvicorn server: introductions,
scouting and prospects, the agenda, supply gaps and the KPIs, each endpoint per role (allowed
and refused), and the KPI figures checked against counts this test computes from the graph
with its own Cypher.

Demand questions, registrations and loket items are written with Cypher here (they are
other endpoints' results and need the encoder to make through the API); everything issue 21
adds goes through the API."""

from __future__ import annotations

import csv
import io
import json
import statistics
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from neo4j import Driver

from app.api.main import create_app
from core.settings import ApiSettings, MonitorSettings, Settings
from graph.schema import apply_schema, clear_graph
from ingest.seed import load_seed
from tests.conftest import TEST_EMBEDDING, Neo4jTarget, neo4j_settings, serve_app
from tests.integration.api_helpers import SECRET, assert_problem, auth

pytestmark = pytest.mark.integration

THRESHOLD = 0.8
MIN_GOOD = 2
MISSING = "0" * 32
ROLES = ("bizdev", "scout", "admin", "policy", "company")


@pytest.fixture(scope="module")
def graph(session_driver: Driver) -> Driver:
    clear_graph(session_driver)
    apply_schema(session_driver, TEST_EMBEDDING)
    load_seed(session_driver)
    return session_driver


@pytest.fixture(scope="module")
def api(graph: Driver, neo4j_target: Neo4jTarget) -> Iterator[httpx.Client]:
    settings = Settings(neo4j=neo4j_settings(neo4j_target),
                        api=ApiSettings(secret=SECRET, rate_limit_per_minute=0),
                        monitor=MonitorSettings(good_match_cosine=THRESHOLD,
                                                min_good_matches=MIN_GOOD))
    with serve_app(create_app(settings, graph)) as url, \
            httpx.Client(base_url=url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def h(graph: Driver) -> dict[str, dict[str, str]]:
    heads = {r: auth(graph, r, "99000005" if r == "company" else None) for r in ROLES}
    heads["anonymous"] = {}
    return heads


def add_question(driver: Driver, cosines: list[float], *, areas: list[str],
                 concepts: list[str], when: datetime) -> str:
    """A stored demand question as `POST /match` leaves it, matched to seed companies with
    these cosines."""
    qid = uuid.uuid4().hex
    kvks = [f"990000{i:02d}" for i in range(1, len(cosines) + 1)]
    driver.execute_query("""
        CREATE (d:DemandQuestion {id: $id, question: 'geheime vraag van defensie', lang: 'nl',
                                  created_at: datetime($at), nld_areas: $areas, top_k: 10})
        WITH d
        CALL (d) {
          UNWIND range(0, size($kvks) - 1) AS i
          MATCH (c:Company {kvk_number: $kvks[i]})
          CREATE (d)-[:MATCHED {rank: i + 1, score: 1.0 - i * 0.1, cosine: $cos[i]}]->(c)
        }
        CALL (d) {
          UNWIND $concepts AS k
          MATCH (cap:Capability {id: k})
          CREATE (d)-[:ABOUT]->(cap)
        }
        """, id=qid, at=when.isoformat(), areas=areas, kvks=kvks, cos=cosines,
                         concepts=concepts)
    return qid


@pytest.fixture(scope="module")
def questions(graph: Driver) -> dict[str, str]:
    now = datetime.now(UTC)
    last_month = now - timedelta(days=40)
    return {
        "served": add_question(graph, [0.9, 0.85, 0.7], areas=["sensoren"],
                               concepts=["radar"], when=now),
        "weak": add_question(graph, [0.75, 0.6], areas=["slimme-materialen"],
                             concepts=["green-chemistry"], when=last_month),
        "thin": add_question(graph, [0.82, 0.7], areas=["sensoren"],
                             concepts=["medical-diagnostics"], when=now),
        "none": add_question(graph, [], areas=[], concepts=["food-supply-chain"], when=now),
    }


@pytest.fixture(scope="module")
def company_side(graph: Driver) -> None:
    """Registrations and loket items (with a desk, as issue 20's contract has them)."""
    graph.execute_query("""
        CREATE (:Registration {id: 'r1', kvk_number: '99000001', kind: 'new',
                               status: 'approved', submitted_at: datetime() - duration('P35D'),
                               decided_at: datetime()})
        CREATE (:Registration {id: 'r2', kvk_number: '99000002', kind: 'new',
                               status: 'pending', submitted_at: datetime()})
        CREATE (:Registration {id: 'r3', kvk_number: '99000002', kind: 'change',
                               status: 'approved', submitted_at: datetime(),
                               decided_at: datetime()})
        CREATE (desk:Desk {id: 'innovatie', name_nl: 'Innovatie', name_en: 'Innovation'})
        CREATE (l1:LoketItem {id: 'l1', status: 'in_behandeling',
                              created_at: datetime() - duration('PT10H'),
                              first_response_at: datetime() - duration('PT6H'), notes: []})
        CREATE (l2:LoketItem {id: 'l2', status: 'in_behandeling',
                              created_at: datetime() - duration('PT20H'),
                              first_response_at: datetime() - duration('PT18H'), notes: []})
        CREATE (l3:LoketItem {id: 'l3', status: 'new', created_at: datetime(), notes: []})
        CREATE (l1)-[:ROUTED_TO {reason: 'test', at: datetime()}]->(desk)
        CREATE (l2)-[:ROUTED_TO {reason: 'test', at: datetime()}]->(desk)
        """)


def introduce(api: httpx.Client, head: dict[str, str], **body: Any) -> dict[str, Any]:
    r = api.post("/introductions", headers=head, json=body)
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


# --------------------------------------------------------------------------- introductions


def test_introductions_per_role_and_funnel(api: httpx.Client, h: dict[str, dict[str, str]],
                                           graph: Driver, questions: dict[str, str]) -> None:
    body = {"supply_kind": "company", "supply_key": "99000003",
            "question_id": questions["served"], "note": "Past goed bij de radarvraag"}
    for role in ("bizdev", "scout", "admin"):
        intro = introduce(api, h[role], **body)
        assert intro["status"] == "voorgesteld" and intro["supply_name"]
        assert intro["voorgesteld_at"] and intro["log"][0]["status"] == "voorgesteld"
    assert_problem(api.post("/introductions", json=body), 401)
    for role in ("policy", "company"):
        assert_problem(api.post("/introductions", headers=h[role], json=body), 403)
        assert_problem(api.get("/introductions", headers=h[role]), 403)
        assert_problem(api.patch(f"/introductions/{intro['id']}", headers=h[role],
                                 json={"status": "geaccepteerd"}), 403)
    assert_problem(api.get("/introductions"), 401)
    for role in ("bizdev", "scout", "admin"):
        page = api.get("/introductions", headers=h[role],
                       params={"question_id": questions["served"]}).json()
        assert page["total"] == 3

    # the funnel, step by step; a skipped or backward step is a 409
    iid = intro["id"]
    assert_problem(api.patch(f"/introductions/{iid}", headers=h["scout"],
                             json={"status": "gesprek"}), 409)
    for step in ("geaccepteerd", "gesprek", "vervolg"):
        r = api.patch(f"/introductions/{iid}", headers=h["bizdev"],
                      json={"status": step, "note": f"stap {step}"})
        assert r.status_code == 200, r.text
        assert r.json()["status"] == step and r.json()[f"{step}_at"]
    assert_problem(api.patch(f"/introductions/{iid}", headers=h["bizdev"],
                             json={"status": "afgewezen"}), 409)  # vervolg is final
    got = api.get(f"/introductions/{iid}", headers=h["scout"]).json()
    assert [e["status"] for e in got["log"]] == ["voorgesteld", "geaccepteerd", "gesprek",
                                                 "vervolg"]
    # audited: one create and three steps for this introduction
    rows, _, _ = graph.execute_query(
        "MATCH (a:AuditEvent {entity: 'introduction', entity_id: $id}) "
        "RETURN a.action AS action ORDER BY a.at", id=iid)
    assert [r["action"] for r in rows] == ["introduction.create"] + ["introduction.update"] * 3

    # bad input: 4xx problems, never a 500
    assert_problem(api.patch(f"/introductions/{MISSING}", headers=h["bizdev"],
                             json={"status": "geaccepteerd"}), 404)
    assert_problem(api.patch(f"/introductions/{iid}", headers=h["bizdev"],
                             json={"status": "voorgesteld"}), 422)
    assert_problem(api.patch(f"/introductions/{iid}", headers=h["bizdev"], json={}), 422)
    assert_problem(api.post("/introductions", headers=h["bizdev"],
                            json={**body, "supply_key": "12345678"}), 404)
    assert_problem(api.post("/introductions", headers=h["bizdev"],
                            json={**body, "supply_key": "Not a key!"}), 422)
    assert_problem(api.post("/introductions", headers=h["bizdev"],
                            json={**body, "question_id": MISSING}), 404)
    assert_problem(api.post("/introductions", headers=h["bizdev"],
                            json={"supply_key": "99000003"}), 422)  # neither question nor unit
    assert_problem(api.post("/introductions", headers=h["bizdev"],
                            json={**body, "defence_unit": "  "}), 422)
    assert_problem(api.post("/introductions", headers=h["bizdev"],
                            json={**body, "supply_kind": "site", "supply_key": "nope"}), 404)


def test_introduction_of_another_supply_kind_to_a_unit(
        api: httpx.Client, h: dict[str, dict[str, str]]) -> None:
    intro = introduce(api, h["scout"], supply_kind="institution",
                      supply_key="rijksuniversiteit-groningen",
                      defence_unit="43 Gemechaniseerde Brigade")
    assert intro["supply_name"] == "Rijksuniversiteit Groningen"
    assert intro["question_id"] is None
    r = api.patch(f"/introductions/{intro['id']}", headers=h["scout"],
                  json={"status": "afgewezen", "note": "geen capaciteit"})
    assert r.json()["status"] == "afgewezen" and r.json()["afgewezen_at"]


# --------------------------------------------------------------------------- agenda


def test_agenda_read_and_status_by_role(api: httpx.Client, h: dict[str, dict[str, str]],
                                        graph: Driver) -> None:
    asks = api.get("/agenda", headers=h["policy"]).json()
    assert [sum(1 for a in asks if a["pillar"] == p) for p in (1, 2, 3)] == [6, 4, 3]
    assert all(a["status"] == "te_verkennen" and a["text_nl"] and a["summary_en"]
               for a in asks)
    rundedal = next(a for a in asks if a["id"] == "p1-3")
    assert "rundedal" in {c["id"] for c in rundedal["concerns"]}
    for role in ("bizdev", "scout", "admin"):
        assert api.get("/agenda", headers=h[role]).status_code == 200
    assert_problem(api.get("/agenda", headers=h["company"]), 403)
    assert_problem(api.get("/agenda"), 401)

    for role in ("bizdev", "scout", "company"):
        assert_problem(api.patch("/agenda/p1-3", headers=h[role],
                                 json={"status": "in_uitvoering"}), 403)
    assert_problem(api.patch("/agenda/p1-3", json={"status": "in_uitvoering"}), 401)
    r = api.patch("/agenda/p1-3", headers=h["policy"],
                  json={"status": "in_uitvoering", "note": "Verkenning met Defensie gestart"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "in_uitvoering"
    assert r.json()["log"][-1]["role"] == "policy" and r.json()["log"][-1]["at"]
    r = api.patch("/agenda/p1-3", headers=h["admin"], json={"status": "afgerond"})
    assert [e["status"] for e in r.json()["log"]] == ["in_uitvoering", "afgerond"]
    assert_problem(api.patch("/agenda/p9-1", headers=h["admin"],
                             json={"status": "afgerond"}), 422)
    assert_problem(api.patch("/agenda/p3-9", headers=h["admin"],
                             json={"status": "afgerond"}), 404)
    assert_problem(api.patch("/agenda/p1-1", headers=h["admin"],
                             json={"status": "klaar"}), 422)
    rows, _, _ = graph.execute_query(
        "MATCH (a:AuditEvent {entity: 'agenda_ask', entity_id: 'p1-3'}) "
        "RETURN a.actor_role AS role ORDER BY a.at")
    assert [r["role"] for r in rows] == ["policy", "admin"]
    # a reload of the seed keeps the status and its log
    load_seed(graph)
    again = next(a for a in api.get("/agenda", headers=h["policy"]).json() if a["id"] == "p1-3")
    assert again["status"] == "afgerond" and len(again["log"]) == 2


# --------------------------------------------------------------------------- scouting


def test_scouting_and_prospects(api: httpx.Client, h: dict[str, dict[str, str]],
                                graph: Driver, questions: dict[str, str]) -> None:
    # issue 20's field: one matched company works with Defence already, one does not
    graph.execute_query("MATCH (c:Company {kvk_number: '99000001'}) "
                        "SET c.defence_experience = 'direct'")
    graph.execute_query("MATCH (c:Company {kvk_number: '99000002'}) "
                        "SET c.defence_experience = 'none'")
    for role in ("bizdev", "scout", "admin"):
        r = api.get(f"/prospects/question/{questions['served']}", headers=h[role])
        assert r.status_code == 200, r.text
    pro = r.json()
    assert {p["kvk_number"] for p in pro} == {"99000001", "99000002", "99000003"}
    assert pro[-1]["kvk_number"] == "99000001"  # experienced last, despite the best cosine
    area = api.get("/prospects/area/sensoren", headers=h["scout"]).json()
    assert area and all(p["scouting_status"] == "niet_benaderd" for p in area)
    for role in ("policy", "company"):
        assert_problem(api.get("/prospects/area/sensoren", headers=h[role]), 403)
    assert_problem(api.get("/prospects/area/sensoren"), 401)
    assert_problem(api.get("/prospects/area/Sensoren!", headers=h["scout"]), 422)
    assert_problem(api.get("/prospects/area/geen", headers=h["scout"]), 404)
    assert_problem(api.get(f"/prospects/question/{MISSING}", headers=h["scout"]), 404)

    for step in ("benaderd", "in_gesprek"):
        r = api.patch("/scouting/99000002", headers=h["scout"], json={"status": step})
        assert r.status_code == 200 and r.json()["status"] == step
    assert_problem(api.patch("/scouting/99000002", headers=h["scout"],
                             json={"status": "benaderd"}), 409)
    assert_problem(api.patch("/scouting/99000004", headers=h["admin"],
                             json={"status": "verbonden"}), 409)
    for role in ("bizdev", "policy", "company"):
        assert_problem(api.patch("/scouting/99000002", headers=h[role],
                                 json={"status": "verbonden"}), 403)
    assert_problem(api.patch("/scouting/12345678", headers=h["scout"],
                             json={"status": "benaderd"}), 404)
    assert api.patch("/scouting/99000002", headers=h["admin"],
                     json={"status": "verbonden"}).json()["status"] == "verbonden"
    listed = api.get("/scouting", headers=h["bizdev"]).json()
    assert [i["kvk_number"] for i in listed["items"]] == ["99000002"]
    assert_problem(api.get("/scouting", headers=h["policy"]), 403)
    after = api.get(f"/prospects/question/{questions['served']}", headers=h["scout"]).json()
    assert {p["kvk_number"]: p["scouting_status"] for p in after}["99000002"] == "verbonden"
    # the company itself was not written
    rows, _, _ = graph.execute_query("MATCH (c:Company {kvk_number: '99000002'}) "
                                     "RETURN keys(c) AS k")
    assert not any("scout" in k for k in rows[0]["k"])


# --------------------------------------------------------------------------- gaps and KPIs


def independent_counts(driver: Driver) -> dict[str, Any]:
    """The KPI figures from the graph, with this test's own Cypher."""
    def one(q: str, **p: Any) -> Any:
        return driver.execute_query(q, p)[0][0]["n"]

    gap_rows = driver.execute_query("""
        MATCH (d:DemandQuestion)
        OPTIONAL MATCH (d)-[m:MATCHED]->() WHERE m.cosine >= $t
        WITH d, count(m) AS good WHERE good < $n
        RETURN d.id AS id,
               EXISTS { MATCH (i:Introduction {question_id: d.id})
                        WHERE i.status IN ['geaccepteerd', 'gesprek', 'vervolg'] } AS served
        """, t=THRESHOLD, n=MIN_GOOD)[0]
    hours = [r["h"] for r in driver.execute_query("""
        MATCH (l:LoketItem)-[:ROUTED_TO]->(:Desk {id: 'innovatie'})
        RETURN duration.inSeconds(l.created_at, l.first_response_at).seconds / 3600.0 AS h
        """)[0]]
    return {
        "registered": one("MATCH (r:Registration {kind: 'new'}) "
                          "RETURN count(DISTINCT r.kvk_number) AS n"),
        "verified": one("MATCH (r:Registration {status: 'approved'}) "
                        "RETURN count(DISTINCT r.kvk_number) AS n"),
        "asked": one("MATCH (d:DemandQuestion) RETURN count(d) AS n"),
        "answered": one("MATCH (d:DemandQuestion) WHERE EXISTS { (d)-[m:MATCHED]->() "
                        "WHERE m.cosine >= $t } RETURN count(d) AS n", t=THRESHOLD),
        "stages": {r["s"]: r["n"] for r in driver.execute_query(
            "MATCH (i:Introduction) RETURN i.status AS s, count(*) AS n")[0]},
        "gaps": len(gap_rows), "open_gaps": sum(1 for r in gap_rows if not r["served"]),
        "desk_median": statistics.median(hours), "desk_items": len(hours),
        "unrouted": one("MATCH (l:LoketItem) WHERE NOT (l)-[:ROUTED_TO]->() "
                        "RETURN count(l) AS n"),
    }


def test_gaps_and_kpis_match_the_graph(api: httpx.Client, h: dict[str, dict[str, str]],
                                       graph: Driver, questions: dict[str, str],
                                       company_side: None) -> None:
    # serve the thin question: an accepted introduction closes its gap
    intro = introduce(api, h["bizdev"], supply_key="99000004", question_id=questions["thin"])
    api.patch(f"/introductions/{intro['id']}", headers=h["bizdev"],
              json={"status": "geaccepteerd"}).raise_for_status()
    want = independent_counts(graph)

    for role in ("bizdev", "scout", "admin", "policy"):
        assert api.get("/gaps", headers=h[role]).status_code == 200
        assert api.get("/kpis", headers=h[role]).status_code == 200
    assert_problem(api.get("/gaps", headers=h["company"]), 403)
    assert_problem(api.get("/kpis", headers=h["company"]), 403)
    assert_problem(api.get("/gaps"), 401)
    assert_problem(api.get("/kpis"), 401)
    assert_problem(api.get("/kpis", headers=h["policy"], params={"format": "xml"}), 422)
    assert_problem(api.get("/gaps", headers=h["policy"],
                           params={"since": "2026-02-01", "until": "2026-01-01"}), 422)

    g = api.get("/gaps", headers=h["policy"]).json()
    assert g["gaps"] == want["gaps"] == 3  # weak, thin and the one without any match
    assert g["open_gaps"] == want["open_gaps"] == 2
    reasons = {i["id"]: i["reason"] for i in g["items"]}
    assert reasons == {questions["weak"]: "weak", questions["thin"]: "thin",
                       questions["none"]: "weak"}
    sectors = {s["id"]: s for s in g["by_sector"]}
    assert {"groene-chemie", "biomedische-technologie", "maakindustrie",
            "agrofood"} <= set(sectors)
    assert sectors["groene-chemie"]["gaps"] == 1 and sectors["agrofood"]["gaps"] == 1
    assert {a["id"]: a["gaps"] for a in g["by_nld_area"]}["sensoren"] == 1
    assert sum(m["gaps"] for m in g["by_month"]) == 3 and len(g["by_month"]) == 2
    # nothing personal and no question words for the policy role
    text = json.dumps(g) + api.get("/kpis", headers=h["policy"]).text
    assert "geheime vraag" not in text and "test bizdev" not in text

    k = api.get("/kpis", headers=h["policy"]).json()
    assert sum(m["registered"] for m in k["companies_per_month"]) == want["registered"] == 2
    assert sum(m["verified"] for m in k["companies_per_month"]) == want["verified"] == 2
    assert k["demand_asked"] == want["asked"] == 4
    assert k["demand_answered"] == want["answered"] == 2
    stages = {i["status"]: i["current"] for i in k["introductions"]}
    assert {s: n for s, n in stages.items() if n} == want["stages"]
    assert k["gaps"] == want["gaps"] and k["open_gaps"] == want["open_gaps"]
    desks = {d["desk"]: d for d in k["loket_per_desk"]}
    assert desks["innovatie"]["submissions"] == want["desk_items"] == 2
    assert desks["innovatie"]["median_hours_to_first_response"] == pytest.approx(
        want["desk_median"], abs=0.01)
    assert desks["geen-loket"]["submissions"] == want["unrouted"] == 1

    r = api.get("/kpis", headers=h["admin"], params={"format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    asked = sum(int(x["value"]) for x in rows
                if x["section"] == "demand" and x["metric"] == "asked")
    assert asked == want["asked"]
    assert {"section": "gaps", "group": "", "month": "", "metric": "open_gaps",
            "value": str(want["open_gaps"])} in rows
