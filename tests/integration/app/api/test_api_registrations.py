"""The registration workflow, profile changes, erasure, users, audit, export, metrics and
imports, against the real graph and the real encoder (approval embeds the profile)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from neo4j import Driver
from rdflib import Graph

from app.api.main import create_app
from core.settings import ApiSettings, Settings
from graph.schema import EmbeddingSpec, apply_schema, clear_graph
from ingest.seed import load_seed
from matching.encoders.base import Encoder
from tests.conftest import Neo4jTarget, neo4j_settings, serve_app
from tests.integration.api_helpers import INJECTION, SECRET, assert_problem, auth

pytestmark = [pytest.mark.integration, pytest.mark.slow]

NEW_KVK = "12345678"
TEIJIN = "99000001"


def profile(**kw: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kvk_number": NEW_KVK, "name": "Veenkoloniale Pantsertechniek B.V.",
        "description": "Wij ontwikkelen lichtgewicht ballistische bepantsering van composiet "
                       "voor militaire voertuigen.",
        "municipality": "Emmen", "website": "https://pantser.example.nl", "employees": 25,
        "capabilities": ["ballistic-protection"],
        "compliance": {"ncage_code": "ABC12", "iso9001": True, "aqap2110": False,
                       "security_status": "ABDO"},
    }
    body.update(kw)
    return body


@pytest.fixture(scope="module")
def graph(session_driver: Driver, encoder: Encoder) -> Driver:
    clear_graph(session_driver)
    apply_schema(session_driver, EmbeddingSpec(encoder.name, encoder.dimension))
    load_seed(session_driver)
    return session_driver


def settings(target: Neo4jTarget, **kw: Any) -> Settings:
    return Settings(neo4j=neo4j_settings(target),
                    api=ApiSettings(secret=SECRET, rate_limit_per_minute=0), **kw)


def fresh_app(graph: Driver, target: Neo4jTarget, encoder: Encoder) -> FastAPI:
    """An API over the seed graph without what earlier tests added (companies outside the
    seed's 99… numbers, registrations, audit, idempotency keys)."""
    graph.execute_query("MATCH (n) WHERE n:Registration OR n:AuditEvent OR n:IdempotencyKey "
                        "DETACH DELETE n")
    graph.execute_query("MATCH (c:Company) WHERE NOT c.kvk_number STARTS WITH '99' "
                        "DETACH DELETE c")
    app = create_app(settings(target), graph)
    app.state.encoder = encoder
    return app


@pytest.fixture
def client(graph: Driver, neo4j_target: Neo4jTarget, encoder: Encoder) -> Iterator[TestClient]:
    with TestClient(fresh_app(graph, neo4j_target, encoder)) as c:
        yield c


def count(driver: Driver, query: str) -> int:
    records, _, _ = driver.execute_query(query)
    return int(records[0][0])


# --------------------------------------------------------------------------- registrations


def test_company_registers_and_a_bizdev_approves(client: TestClient, graph: Driver) -> None:
    company = auth(graph, "company", NEW_KVK)
    r = client.post("/registrations", json=profile(), headers=company)
    assert r.status_code == 201, r.text
    reg = r.json()
    assert reg["status"] == "pending" and reg["kind"] == "new"
    assert {c["field"] for c in reg["diff"]} >= {"name", "capabilities", "compliance.ncage_code"}
    # Not in the graph until approved; the company sees its registration.
    assert client.get(f"/companies/{NEW_KVK}").status_code == 404
    mine = client.get("/registrations", headers=company).json()
    assert [x["id"] for x in mine["items"]] == [reg["id"]]

    assert assert_problem(client.post(f"/registrations/{reg['id']}/approve", headers=company),
                   403)["detail"]
    bizdev = auth(graph, "bizdev")
    r = client.post(f"/registrations/{reg['id']}/approve", headers=bizdev,
                    json={"note": "gecontroleerd"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "approved" and r.json()["decision_note"] == "gecontroleerd"
    assert_problem(client.post(f"/registrations/{reg['id']}/approve", headers=bizdev), 409)

    p = client.get(f"/companies/{NEW_KVK}").json()
    assert p["verified"] is True and p["provenance"]["stale"] is False
    assert p["provenance"]["last_verified"]
    assert p["compliance"] == {"self_declared": True, "ncage_code": "ABC12", "iso9001": True,
                               "aqap2110": False, "security_status": "ABDO",
                               "export_control_notes": None}
    assert [c["id"] for c in p["declared_capabilities"]] == ["ballistic-protection"]
    assert p["municipality"]["id"] == "emmen"
    records, _, _ = graph.execute_query(
        "MATCH (c:Company {kvk_number: $k}) RETURN c.embedding IS NOT NULL AS e", k=NEW_KVK)
    assert records[0]["e"], "approval must embed the profile so search finds it"


def test_registration_access_rules(client: TestClient, graph: Driver) -> None:
    assert_problem(client.post("/registrations", json=profile()), 401)
    assert_problem(client.post("/registrations", json=profile(), headers=auth(graph, "scout")), 403)
    other = auth(graph, "company", "87654321")
    assert "own KvK" in assert_problem(client.post("/registrations", json=profile(), headers=other),
                                403)["detail"]
    reg = client.post("/registrations", json=profile(),
                      headers=auth(graph, "company", NEW_KVK)).json()
    assert_problem(client.get(f"/registrations/{reg['id']}", headers=other), 403)
    assert_problem(client.get(f"/registrations/{reg['id']}"), 401)
    assert client.get(f"/registrations/{reg['id']}",
                      headers=auth(graph, "bizdev")).json()["id"] == reg["id"]
    assert_problem(client.get("/registrations/" + "0" * 32, headers=auth(graph, "admin")), 404)
    assert_problem(client.get("/registrations", headers=auth(graph, "scout")), 403)
    assert_problem(client.post("/registrations/" + "0" * 32 + "/approve",
                        headers=auth(graph, "admin")), 404)


def test_nobody_approves_their_own_submission(client: TestClient, graph: Driver) -> None:
    bizdev = auth(graph, "bizdev")
    reg = client.post("/registrations", json=profile(), headers=bizdev).json()
    assert "own submission" in assert_problem(
        client.post(f"/registrations/{reg['id']}/approve", headers=bizdev), 403)["detail"]


def test_invalid_registrations_get_field_messages(client: TestClient, graph: Driver) -> None:
    company = auth(graph, "company", NEW_KVK)
    body = assert_problem(
        client.post("/registrations", json=profile(employees=-3), headers=company), 422)
    assert body["errors"][0]["field"] == "employees"
    # Content rules come from the ontology's SHACL shapes, in Dutch and English.
    body = assert_problem(client.post("/registrations", json=profile(
        kvk_number="1234", website="geen-url", capabilities=["warp-drive"], name=""),
        headers=company), 422)
    fields = {e["field"] for e in body["errors"]}
    assert {"kvk_number", "website", "capabilities", "name"} <= fields
    assert all(e["message_nl"] and e["message_en"] for e in body["errors"])
    assert_problem(client.post("/registrations", json=profile(unknown="x"), headers=company), 422)
    assert_problem(client.post("/registrations", json=profile(name="A\x00B"), headers=company), 422)
    assert_problem(client.post("/registrations", json=profile(description="x" * 7000),
                        headers=company), 422)
    assert count(graph, "MATCH (r:Registration) RETURN count(r)") == 0


def test_hostile_text_is_stored_verbatim(client: TestClient, graph: Driver) -> None:
    company = auth(graph, "company", NEW_KVK)
    before = count(graph, "MATCH (n) RETURN count(n)")
    name = f"{INJECTION} <script>alert(1)</script> Ω\u202e\u200b"
    r = client.post("/registrations", headers=company, json=profile(
        name=name, description=f"{INJECTION} composiet pantser voor voertuigen"))
    assert r.status_code == 201, r.text
    # one registration and one audit event, nothing deleted
    assert count(graph, "MATCH (n) RETURN count(n)") == before + 2
    stored = client.get(f"/registrations/{r.json()['id']}", headers=company).json()
    assert stored["profile"]["name"] == name.strip()


def test_company_changes_are_pending_until_approved(client: TestClient, graph: Driver) -> None:
    teijin = auth(graph, "company", TEIJIN)
    old = client.get(f"/companies/{TEIJIN}").json()
    r = client.patch(f"/companies/{TEIJIN}", headers=teijin,
                     json={"employees": 777, "compliance": {"aqap2110": True}})
    assert r.status_code == 202, r.text
    change = r.json()
    assert change["kind"] == "change" and change["status"] == "pending"
    assert {d["field"] for d in change["diff"]} == {"employees", "compliance.aqap2110"}
    public = client.get(f"/companies/{TEIJIN}").json()
    assert public["employees"] == old["employees"] and public["pending_changes"] is None
    own = client.get(f"/companies/{TEIJIN}", headers=teijin).json()
    assert [p["id"] for p in own["pending_changes"]] == [change["id"]]
    assert own["pending_changes"][0]["diff"] == change["diff"]
    assert own["verified"] is False  # imported from the agenda, never verified
    # A new company's registration next to it: each listed diff is against its own profile.
    client.post("/registrations", json=profile(), headers=auth(graph, "company", NEW_KVK))
    listed = {x["kvk_number"]: x for x in client.get(
        "/registrations", headers=auth(graph, "bizdev"), params={"status": "pending"}
    ).json()["items"]}
    assert listed[TEIJIN]["diff"] == change["diff"]
    assert {d["field"] for d in listed[NEW_KVK]["diff"]} >= {"name", "capabilities"}
    assert all(d["before"] is None for d in listed[NEW_KVK]["diff"])

    assert_problem(client.patch(f"/companies/{TEIJIN}", json={"employees": 1},
                         headers=auth(graph, "company", "99000002")), 403)
    assert_problem(client.patch(f"/companies/{TEIJIN}", json={"employees": 1},
                         headers=auth(graph, "bizdev")), 403)
    assert_problem(client.patch(f"/companies/{TEIJIN}", json={"employees": 1}), 401)
    assert_problem(client.patch("/companies/11111111", json={"employees": 1},
                         headers=auth(graph, "admin")), 404)
    assert_problem(client.patch(f"/companies/{TEIJIN}", json={"employees": "veel"}, headers=teijin),
            422)

    r = client.post(f"/registrations/{change['id']}/approve", headers=auth(graph, "admin"))
    assert r.status_code == 200, r.text
    now = client.get(f"/companies/{TEIJIN}").json()
    assert now["employees"] == 777 and now["verified"] is True
    assert now["compliance"]["aqap2110"] is True
    assert now["name"] == old["name"]  # untouched fields stay


def test_admin_edits_apply_at_once_and_reject_needs_a_reason(client: TestClient,
                                                             graph: Driver) -> None:
    admin = auth(graph, "admin")
    r = client.patch(f"/companies/{TEIJIN}", headers=admin, json={"website": "https://t.example"})
    assert r.status_code == 200 and r.json()["status"] == "approved", r.text
    assert client.get(f"/companies/{TEIJIN}").json()["website"] == "https://t.example"

    reg = client.post("/registrations", json=profile(),
                      headers=auth(graph, "company", NEW_KVK)).json()
    bizdev = auth(graph, "bizdev")
    assert_problem(client.post(f"/registrations/{reg['id']}/reject", headers=bizdev, json={}), 422)
    r = client.post(f"/registrations/{reg['id']}/reject", headers=bizdev,
                    json={"reason": "KvK-nummer onbekend"})
    assert r.json()["status"] == "rejected", r.text
    assert_problem(client.post(f"/registrations/{reg['id']}/approve", headers=admin), 409)
    assert client.get(f"/companies/{NEW_KVK}").status_code == 404


def test_idempotency_keys(client: TestClient, graph: Driver) -> None:
    company = auth(graph, "company", NEW_KVK)
    h = {**company, "Idempotency-Key": "reg-0001-abcdef"}
    first = client.post("/registrations", json=profile(), headers=h)
    again = client.post("/registrations", json=profile(), headers=h)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.headers.get("Idempotent-Replay") == "true"
    assert count(graph, "MATCH (r:Registration) RETURN count(r)") == 1
    assert_problem(client.post("/registrations", json=profile(employees=3), headers=h), 409)


# --------------------------------------------------------------------------- erasure, audit


def test_erasure_removes_the_company_and_scrubs_the_audit(client: TestClient,
                                                          graph: Driver) -> None:
    company, admin = auth(graph, "company", NEW_KVK), auth(graph, "admin")
    reg = client.post("/registrations", json=profile(), headers=company).json()
    client.post(f"/registrations/{reg['id']}/approve", headers=admin)
    item = client.post("/loket", headers=company, json={
        "kind": "aanbod", "title": "Pantserplaten van Jansen", "text": "Wij bieden composiet "
        "pantserplaten aan; bel Piet Jansen op 06-12345678."})
    assert item.status_code == 201, item.text
    assert client.post(f"/loket/{item.json()['id']}/triage", headers=admin, json={
        "status": "in_behandeling", "note": "Piet Jansen gebeld"}).status_code == 200
    assert_problem(client.delete(f"/companies/{NEW_KVK}", headers=auth(graph, "bizdev")), 403)
    assert_problem(client.delete(f"/companies/{NEW_KVK}"), 401)
    assert client.delete(f"/companies/{NEW_KVK}", headers=admin).status_code == 204
    assert_problem(client.get(f"/companies/{NEW_KVK}"), 404)
    assert_problem(client.delete(f"/companies/{NEW_KVK}", headers=admin), 404)
    assert count(graph, f"MATCH (r:Registration {{kvk_number: '{NEW_KVK}'}}) RETURN count(r)") == 0
    events = client.get("/audit", headers=admin, params={"limit": 200}).json()["items"]
    mine = [e for e in events if NEW_KVK in (e["entity_id"], (e["after"] or {}).get("kvk_number"))
            or e["entity"] == "registration"]
    assert any(e["action"] == "company.erase" for e in mine)
    assert "Pantsertechniek" not in json.dumps(events)
    assert "Jansen" not in json.dumps(events)
    assert count(graph, f"MATCH (l:LoketItem {{kvk_number: '{NEW_KVK}'}}) RETURN count(l)") == 0


def test_audit_records_every_write(client: TestClient, graph: Driver) -> None:
    admin = auth(graph, "admin")
    reg = client.post("/registrations", json=profile(),
                      headers=auth(graph, "company", NEW_KVK)).json()
    client.post(f"/registrations/{reg['id']}/approve", headers=admin)
    client.patch(f"/companies/{NEW_KVK}", headers=admin, json={"employees": 30})
    page = client.get("/audit", headers=admin).json()
    actions = [e["action"] for e in page["items"]]
    assert {"registration.submit", "registration.approve", "company.create",
            "company.update"} <= set(actions)
    update = next(e for e in page["items"] if e["action"] == "company.update")
    assert update["before"]["employees"] == 25 and update["after"]["employees"] == 30
    assert update["actor_role"] == "admin"
    only = client.get("/audit", headers=admin, params={"entity": "company"}).json()
    assert {e["entity"] for e in only["items"]} == {"company"}
    assert_problem(client.get("/audit", headers=auth(graph, "bizdev")), 403)
    assert_problem(client.get("/audit"), 401)
    assert_problem(client.get("/audit", headers=admin, params={"limit": 0}), 422)


# --------------------------------------------------------------------------- users, me, export


def test_users_and_me(client: TestClient, graph: Driver) -> None:
    admin = auth(graph, "admin")
    r = client.post("/users", headers=admin, json={"name": "Scout Anna", "role": "scout"})
    assert r.status_code == 201, r.text
    token = r.json()["token"]
    me = client.get("/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["role"] == "scout" and me["name"] == "Scout Anna"
    assert any(u["id"] == me["id"] for u in client.get("/users", headers=admin).json())
    assert_problem(client.post("/users", headers=admin, json={"name": "x", "role": "company"}), 422)
    assert_problem(client.get("/users", headers={"Authorization": f"Bearer {token}"}), 403)
    assert_problem(client.get("/me"), 401)
    assert client.delete(f"/users/{me['id']}", headers=admin).status_code == 204
    assert_problem(client.get("/me", headers={"Authorization": f"Bearer {token}"}), 401)
    assert_problem(client.delete("/users/" + "0" * 16, headers=admin), 404)
    actions = {e["action"] for e in client.get("/audit", headers=admin).json()["items"]}
    assert {"user.create", "user.revoke"} <= actions


def test_rdf_export(client: TestClient, graph: Driver) -> None:
    r = client.get("/export/rdf", headers=auth(graph, "bizdev"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    assert len(g) > 500
    r = client.get("/export/rdf", params={"format": "json-ld"}, headers=auth(graph, "admin"))
    assert len(Graph().parse(data=r.text, format="json-ld")) == len(g)
    assert_problem(client.get("/export/rdf", headers=auth(graph, "scout")), 403)
    assert_problem(client.get("/export/rdf"), 401)
    assert_problem(client.get("/export/rdf", params={"format": "xml"},
                       headers=auth(graph, "admin")), 422)


def test_metrics_count_requests_by_route(client: TestClient) -> None:
    client.get(f"/companies/{TEIJIN}")
    client.get("/companies/11111111")
    text = client.get("/metrics").text
    assert 'paraat_http_requests_total{method="GET",route="/companies/{kvk}",status="200"}' \
        in text
    assert 'status="404"' in text and "paraat_http_request_seconds_bucket" in text
    assert "11111111" not in text


# --------------------------------------------------------------------------- imports


def test_registry_import_through_the_api(client: TestClient, graph: Driver) -> None:
    admin = auth(graph, "admin")
    csv = ("kvk_number;name;description;municipality\n"
           "55500001;Hondsrug Sensoren;Radar en sensoren voor dronedetectie;Emmen\n"
           ";Zonder nummer;Iets;Assen\n").encode("cp1252")
    r = client.post("/imports", headers=admin, files={"file": ("../../etc/reg.csv", csv)})
    assert r.status_code == 202, r.text
    job = r.json()
    for _ in range(300):
        job = client.get(f"/imports/{job['id']}", headers=admin).json()
        if job["status"] != "running":
            break
        time.sleep(0.1)
    assert job["status"] == "done", job
    assert job["file"] == "reg.csv"
    assert job["summary"]["created"] == 1 and job["summary"]["rejected"] == 1
    assert job["rejections"][0]["field"] == "kvk_number" and job["rejections"][0]["row"] == 3
    assert client.get("/companies/55500001").json()["name"] == "Hondsrug Sensoren"
    assert_problem(client.post("/imports", headers=admin, files={"file": ("x.exe", b"MZ")}), 422)
    assert_problem(client.post("/imports", headers=auth(graph, "bizdev"),
                        files={"file": ("r.csv", csv)}), 403)
    assert_problem(client.get("/imports/" + "0" * 32, headers=admin), 404)


# --------------------------------------------------------------------------- concurrency


@pytest.fixture
def server(graph: Driver, neo4j_target: Neo4jTarget, encoder: Encoder) -> Iterator[str]:
    """A real uvicorn server (threads, real sockets) for the concurrency test."""
    with serve_app(fresh_app(graph, neo4j_target, encoder)) as url:
        yield url


def test_parallel_registrations_and_approvals_stay_consistent(server: str,
                                                              graph: Driver) -> None:
    kvks = [f"777000{i:02d}" for i in range(20)]
    reviewers = [auth(graph, "bizdev"), auth(graph, "admin")]

    def register(kvk: str) -> str:
        r = httpx.post(f"{server}/registrations", timeout=60, headers=auth(graph, "company", kvk),
                       json=profile(kvk_number=kvk, name=f"Bedrijf {kvk}"))
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    with ThreadPoolExecutor(20) as pool:
        ids = list(pool.map(register, kvks))
        # Every registration is approved by two reviewers at the same moment.
        jobs = [(rid, who) for rid in ids for who in reviewers]
        codes = list(pool.map(lambda j: httpx.post(
            f"{server}/registrations/{j[0]}/approve", headers=j[1], timeout=120).status_code,
            jobs))
    assert sorted(codes) == [200] * 20 + [409] * 20
    assert count(graph, "MATCH (c:Company) WHERE c.kvk_number STARTS WITH '777' "
                        "RETURN count(c)") == 20
    assert count(graph, "MATCH (c:Company) WHERE c.kvk_number STARTS WITH '777' "
                        "AND c.last_verified IS NOT NULL RETURN count(c)") == 20
    assert count(graph, "MATCH (r:Registration {status: 'approved'}) RETURN count(r)") == 20
    assert count(graph, "MATCH (a:AuditEvent {action: 'registration.approve'}) "
                        "RETURN count(a)") == 20
    assert count(graph, "MATCH (c:Company) WITH c.kvk_number AS k, count(*) AS n "
                        "WHERE n > 1 RETURN count(k)") == 0
    assert count(graph, "MATCH (c:Company)-[r:LOCATED_IN]->() WITH c, count(r) AS n "
                        "WHERE n > 1 RETURN count(c)") == 0


@pytest.mark.parametrize("role", ["company", "bizdev", "admin"])
def test_preview_shows_the_themes_and_areas_of_matching_demand_never_its_words(
        client: TestClient, graph: Driver, role: str) -> None:
    """The registration form's preview tells who registers which themes (capability concepts)
    and NLD areas Defence asked about that fit the profile; the questions themselves, their
    time and who asked are for bizdev, scout and admin (`GET /demand-questions`) only."""
    graph.execute_query(
        "MERGE (d:DemandQuestion {id: 'dq-preview'}) "
        "SET d.question = 'Wij zoeken lichtgewicht ballistische bescherming voor Ter Apel', "
        "d.lang = 'nl', d.created_at = datetime(), d.owner = 'someone' "
        "WITH d MATCH (k:Capability {id: 'ballistic-protection'}) MERGE (d)-[:ABOUT]->(k)")
    who = auth(graph, "company", NEW_KVK) if role == "company" else auth(graph, role)
    r = client.post("/registrations/preview", headers=who, json={
        "description": "Wij maken ballistische bescherming van composiet",
        "capabilities": ["ballistic-protection"]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert {"id": "ballistic-protection", "label_nl": "Ballistische bescherming",
            "label_en": "Ballistic protection"} in body["demand_themes"], body
    assert "slimme-materialen" in {a["id"] for a in body["demand_areas"]}
    assert all(a["name_nl"] and a["name_en"] for a in body["demand_areas"])
    words = json.dumps(body, ensure_ascii=False)
    assert "Ter Apel" not in words and "lichtgewicht" not in words and "owner" not in words
    assert "demand_questions" not in body and "dq-preview" not in words
    r = client.post("/registrations/preview", headers=who,
                    json={"description": "Wij bakken brood en banket voor de regio"})
    assert r.json()["demand_themes"] == [] and r.json()["demand_areas"] == []


def test_preview_roles_and_errors(client: TestClient, graph: Driver) -> None:
    company = auth(graph, "company", NEW_KVK)
    assert_problem(client.post("/registrations/preview", json={"description": "x"}), 401)
    assert_problem(client.post("/registrations/preview", headers=auth(graph, "scout"),
                               json={"description": "x"}), 403)
    assert_problem(client.post("/registrations/preview", headers=company,
                               json={"description": ""}), 422)
