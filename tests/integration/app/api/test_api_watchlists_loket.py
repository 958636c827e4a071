"""Watchlists and the loket, against the real graph: they run the matcher, so they use the
session's real encoder (shared through `app.state.encoder`, loaded once) and are marked slow
(split from the former test_api_lists.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from app.api.routes.watchlists import new_hits
from ingest.companies import CompanyRecord, RunContext, write_companies
from matching.encoders.base import Encoder
from matching.encoders.cache import EmbeddingCache
from matching.models import Hit, MatchResult
from ontology.taxonomy import load_taxonomy
from tests.integration.api_helpers import INJECTION, assert_problem, auth
from tests.integration.app.api import lists_helpers as lh

pytestmark = pytest.mark.integration


WATCH_Q = "Wij zoeken drone-detectie met radar voor bewaking van kazernes"


def _new_company(driver: Driver, encoder: Encoder, cache: EmbeddingCache, kvk: str) -> None:
    record = CompanyRecord(
        kvk_number=kvk, name="Radarwacht Drenthe", municipality="assen",
        description="Radarwacht Drenthe bouwt radarsystemen voor drone-detectie en "
                    "bewaking van kazernes, vliegvelden en andere militaire objecten.",
        capabilities=["counter-drone", "radar"], source="test")
    write_companies(driver, [record], load_taxonomy(), RunContext(source="test"),
                    encoder=encoder, cache=cache)


@pytest.mark.slow
def test_watchlist_finds_new_and_updated_suppliers(mclient: TestClient, embedded: Driver,
                                                   encoder: Encoder,
                                                   cache: EmbeddingCache) -> None:
    me = auth(embedded, "bizdev")
    r = mclient.post("/watchlists", headers=me,
                     json={"name": "Drone-detectie", "question": WATCH_Q, "top_k": 5})
    assert r.status_code == 201, r.text
    wl = r.json()
    wid = wl["id"]
    assert len(wl["seen"]) == 5 and wl["last_seen_at"] and wl["filters"]["nld_areas"] is None

    r = mclient.get(f"/watchlists/{wid}/new", headers=me)
    assert r.status_code == 200, r.text
    assert r.json()["items"] == [] and r.json()["current"] == wl["seen"]

    _new_company(embedded, encoder, cache, "90000001")
    r = mclient.get(f"/watchlists/{wid}/new", headers=me)
    body = r.json()
    assert "90000001" in body["current"][:3], body["current"]
    reasons = {h["kvk_number"]: h["reason"] for h in body["items"]}
    assert reasons.pop("90000001") == "new"
    # old suppliers are never news: at most they moved into the top k (scores renormalise
    # when a company joins), and that is labelled as such
    assert set(reasons.values()) <= {"moved_in"}
    assert set(reasons) <= set(body["current"]) - set(wl["seen"])
    assert body["marked_seen"] is False and body["last_seen_at"] == wl["last_seen_at"]

    # looking again without marking shows it again; marking stores the new seen set
    assert "90000001" in {h["kvk_number"] for h in
                          mclient.get(f"/watchlists/{wid}/new", headers=me).json()["items"]}
    marked = mclient.get(f"/watchlists/{wid}/new", headers=me,
                         params={"mark_seen": "true"}).json()
    assert marked["marked_seen"] and marked["last_seen_at"] > wl["last_seen_at"]
    assert mclient.get(f"/watchlists/{wid}", headers=me).json()["seen"] == marked["current"]
    assert mclient.get(f"/watchlists/{wid}/new", headers=me).json()["items"] == []

    # a seen supplier whose profile is verified afterwards counts as updated
    old = next(k for k in marked["current"] if k != "90000001")
    embedded.execute_query("MATCH (c:Company {kvk_number: $k}) SET c.last_verified = "
                           "datetime() + duration('PT1S')", k=old)
    again = mclient.get(f"/watchlists/{wid}/new", headers=me).json()
    assert [(h["kvk_number"], h["reason"]) for h in again["items"]] == [(old, "updated")]
    assert lh.audit_actions(embedded, wid) == ["watchlist.create", "watchlist.mark_seen"]


def test_new_hits_reasons() -> None:
    since = datetime(2026, 6, 1, tzinfo=UTC)
    hits = [Hit(rank=i, id=k, kvk_number=k, name=k, score=1 - i / 10, explanation={})
            for i, k in enumerate(["10000001", "10000002", "10000003", "10000004"], start=1)]
    result = MatchResult(question="q", lang="nl", mode="hybrid", concepts=[], hits=hits,
                         timings_ms={})
    times: dict[str, list[str | None]] = {
        "10000001": [None, None, "2026-05-01T00:00:00Z"],  # seen, unchanged
        "10000002": [None, "2026-06-02T10:00:00.123456789Z", "2026-05-01T00:00:00Z"],  # seen
        "10000003": [None, None, "2026-06-03T00:00:00+02:00"],  # registered after
        "10000004": [None, None, "2026-01-01T00:00:00Z"],  # unseen, unchanged
    }
    got = new_hits(result, {"10000001", "10000002"}, since, times)
    assert [(h.kvk_number, h.reason) for h in got] == [
        ("10000002", "updated"), ("10000003", "new"), ("10000004", "moved_in")]
    assert got[0].changed_at == "2026-06-02T10:00:00.123456+00:00"


@pytest.mark.slow
def test_watchlist_reads_roles_and_errors(mclient: TestClient, embedded: Driver) -> None:
    me, other = auth(embedded, "scout"), auth(embedded, "bizdev")
    company = auth(embedded, "company", "99000001")
    r = mclient.post("/watchlists", headers=me, json={
        "name": "Composiet", "question": "composiet pantserplaten", "top_k": 3,
        "filters": {"nld_areas": ["slimme-materialen"]}})
    assert r.status_code == 201, r.text
    wid = r.json()["id"]
    got = mclient.get(f"/watchlists/{wid}", headers=me).json()
    assert got["filters"]["nld_areas"] == ["slimme-materialen"] and got["top_k"] == 3
    listed = mclient.get("/watchlists", headers=me).json()
    assert wid in {w["id"] for w in listed["items"]} and listed["total"] >= 1
    assert wid not in {w["id"] for w in mclient.get("/watchlists", headers=other).json()["items"]}

    assert_problem(mclient.get(f"/watchlists/{wid}", headers=other), 404)
    assert_problem(mclient.get(f"/watchlists/{wid}/new", headers=other), 404)
    assert_problem(mclient.get(f"/watchlists/{lh.MISSING}", headers=me), 404)
    assert_problem(mclient.get(f"/watchlists/{lh.MISSING}/new", headers=me), 404)
    for method, url in (("post", "/watchlists"), ("get", "/watchlists"),
                        ("get", f"/watchlists/{wid}"), ("get", f"/watchlists/{wid}/new")):
        kw: dict[str, Any] = {"json": {"name": "x", "question": "radar"}} \
            if method == "post" else {}
        assert_problem(mclient.request(method, url, **kw), 401)
        assert_problem(mclient.request(method, url, headers=company, **kw), 403)

    lh.assert_invalid(mclient.post("/watchlists", headers=me, json={"name": "x"}), "question")
    lh.assert_invalid(mclient.post("/watchlists", headers=me,
                                json={"name": "x", "question": "12345 !!"}), "question")
    lh.assert_invalid(mclient.post("/watchlists", headers=me,
                                json={"name": "x", "question": "radar", "top_k": 0}), "top_k")
    lh.assert_invalid(mclient.post("/watchlists", headers=me, json={
        "name": "x", "question": "radar", "filters": {"colour": ["red"]}}), "filters.colour")
    lh.assert_invalid(mclient.get(f"/watchlists/{wid}/new", headers=me,
                               params={"mark_seen": "misschien"}), "mark_seen")


@pytest.mark.slow
@pytest.mark.parametrize("role", ["bizdev", "scout", "admin"])
def test_nobody_but_the_owner_sees_a_watchlist(mclient: TestClient, embedded: Driver,
                                               role: str) -> None:
    me, them = auth(embedded, "scout"), auth(embedded, role)
    r = mclient.post("/watchlists", headers=me, json={"name": "geheim", "question": "radar",
                                                      "top_k": 3})
    assert r.status_code == 201, r.text
    wid = r.json()["id"]
    for path in (f"/watchlists/{wid}", f"/watchlists/{wid}/new"):
        theirs = assert_problem(mclient.get(path, headers=them), 404)
        missing = assert_problem(mclient.get(path.replace(wid, lh.MISSING), headers=them), 404)
        assert theirs["detail"].replace(wid, lh.MISSING) == missing["detail"]
    assert wid not in {w["id"] for w in mclient.get("/watchlists", headers=them).json()["items"]}
    assert mclient.get(f"/watchlists/{wid}", headers=me).status_code == 200


@pytest.mark.slow
def test_watchlist_stores_injection_verbatim(mclient: TestClient, embedded: Driver) -> None:
    me = auth(embedded, "bizdev")
    before = lh.labels(embedded)
    # a filter value nobody has is refused (422 naming it), nothing is written (issue 17)
    r = mclient.post("/watchlists", headers=me, json={
        "name": INJECTION, "question": f"radar {INJECTION}",
        "filters": {"clusters": [INJECTION]}})
    assert r.status_code == 422 and repr(INJECTION) in r.json()["detail"]
    assert lh.grew(before, lh.labels(embedded)) == {}
    r = mclient.post("/watchlists", headers=me, json={
        "name": INJECTION, "question": f"radar {INJECTION}"})
    assert r.status_code == 201, r.text
    got = mclient.get(f"/watchlists/{r.json()['id']}", headers=me).json()
    assert got["name"] == INJECTION and got["question"] == f"radar {INJECTION}"
    assert got["filters"]["clusters"] is None
    assert lh.grew(before, lh.labels(embedded)) == {"Watchlist": 1, "AuditEvent": 1}


# --------------------------------------------------------------------------- loket


@pytest.mark.slow
def test_loket_reverse_matches_areas_clusters_partners_and_demand(
        mclient: TestClient, embedded: Driver) -> None:
    # a past demand question about the same material
    r = mclient.post("/match", headers=auth(embedded, "bizdev"),
                     json={"question": "Wij zoeken composiet pantserplaten voor voertuigen",
                           "top_k": 3})
    assert r.status_code == 200, r.text
    qid = r.json()["demand_question_id"]

    company = auth(embedded, "company", "99000002")
    r = mclient.post("/loket", headers=company,
                     json={"kind": "aanbod", "title": "Nieuw composiet", "text": lh.COMPOSITE})
    assert r.status_code == 201, r.text
    item = r.json()
    assert item["status"] == "new" and item["kvk_number"] == "99000002"
    assert item["kind"] == "aanbod" and item["lang"] == "nl" and item["notes"] == []
    m = item["matches"]
    assert "composite-materials" in {c["id"] for c in m["concepts"]}
    assert m["nld_areas"][0]["id"] == "slimme-materialen"
    clusters = [c["id"] for c in m["clusters"]]
    assert "cluster-composieten" in clusters[:2], clusters
    assert all(c["via"] for c in m["clusters"])
    assert m["knowledge_partners"], m
    # the company learns the themes of that demand; bizdev sees the question itself
    assert m["demand_questions"] == [] and "composite-materials" in {
        t["id"] for t in m["demand_themes"]}
    seen = mclient.get(f"/loket/{item['id']}", headers=auth(embedded, "bizdev")).json()
    assert qid in {d["id"] for d in seen["matches"]["demand_questions"]}
    dq = next(d for d in seen["matches"]["demand_questions"] if d["id"] == qid)
    assert "composite-materials" in dq["shared_concepts"]
    assert "slimme-materialen" in dq["nld_areas"]

    # the stored question carries language, concepts and NLD areas for the charts
    past = mclient.get("/demand-questions", headers=auth(embedded, "scout")).json()
    stored = next(q for q in past["items"] if q["id"] == qid)
    assert stored["language"] == "nl" and "slimme-materialen" in stored["nld_areas"]
    assert "composite-materials" in {c["id"] for c in stored["concepts"]}

    assert mclient.get(f"/loket/{item['id']}", headers=company).json()["matches"] == m
    assert lh.audit_actions(embedded, item["id"]) == ["loket.submit"]


SECRET_QUESTION = "Wij zoeken composiet pantserplaten voor de grensbewaking bij Ter Apel"


def _loket_answers(mclient: TestClient, embedded: Driver, role: str, kvk: str
                   ) -> list[dict[str, Any]]:
    """What `role` is shown of one company's loket item, after another user asked
    SECRET_QUESTION: the answer to its POST (company, admin), GET /loket and GET /loket/{id}."""
    r = mclient.post("/match", headers=auth(embedded, "bizdev"),
                     json={"question": SECRET_QUESTION, "top_k": 3})
    assert r.status_code == 200, r.text
    company = auth(embedded, "company", kvk)
    who = company if role == "company" else auth(embedded, role)
    body = {"kind": "aanbod", "title": "Nieuw composiet", "text": lh.COMPOSITE}
    answers = []
    if role == "bizdev":  # bizdev does not submit; it reads the company's item
        r = mclient.post("/loket", headers=company, json=body)
    else:
        r = mclient.post("/loket", headers=who,
                         json=body if role == "company" else {**body, "kvk_number": kvk})
        answers.append(r.json())
    assert r.status_code == 201, r.text
    iid = r.json()["id"]
    listed = mclient.get("/loket", headers=who, params={"limit": 200}).json()["items"]
    answers.append(next(i for i in listed if i["id"] == iid))
    answers.append(mclient.get(f"/loket/{iid}", headers=who).json())
    return answers


@pytest.mark.slow
@pytest.mark.parametrize("role,kvk", [("company", "99000007"), ("admin", "99000008"),
                                      ("bizdev", "99000009")])
def test_loket_shows_the_words_of_demand_only_to_who_may_read_demand(
        mclient: TestClient, embedded: Driver, role: str, kvk: str) -> None:
    """A company learns the themes and NLD areas of past demand that fit its item, never the
    questions other users asked (docs/security.md §2); bizdev and admin see the questions."""
    answers = _loket_answers(mclient, embedded, role, kvk)
    assert len(answers) == (2 if role == "bizdev" else 3)
    for item in answers:
        m = item["matches"]
        assert "composite-materials" in {t["id"] for t in m["demand_themes"]}, m
        assert all(t["label_nl"] and t["label_en"] for t in m["demand_themes"])
        assert "slimme-materialen" in {a["id"] for a in m["demand_areas"]}, m
        words = json.dumps(item, ensure_ascii=False)
        if role == "company":
            assert m["demand_questions"] == []
            assert "grensbewaking" not in words and "Ter Apel" not in words
        else:
            assert SECRET_QUESTION in {d["question"] for d in m["demand_questions"]}


@pytest.mark.slow
def test_loket_visibility_and_triage(mclient: TestClient, embedded: Driver) -> None:
    mine, theirs = auth(embedded, "company", "99000003"), auth(embedded, "company", "99000004")
    bizdev, admin = auth(embedded, "bizdev"), auth(embedded, "admin")
    iid = mclient.post("/loket", headers=mine, json={
        "kind": "vraag", "title": "Certificering", "text": "Hoe word ik leverancier van "
                                                           "Defensie voor actieve kool?"}
    ).json()["id"]
    other = mclient.post("/loket", headers=admin, json={
        "kind": "idee", "title": "Sensoren", "text": "Een sensornetwerk voor kazernes",
        "kvk_number": "99000004"})
    assert other.status_code == 201 and other.json()["kvk_number"] == "99000004"
    oid = other.json()["id"]

    own = mclient.get("/loket", headers=mine).json()
    assert [i["id"] for i in own["items"]] == [iid] and own["total"] == 1
    assert_problem(mclient.get(f"/loket/{oid}", headers=mine), 404)
    everything = {i["id"] for i in mclient.get("/loket", headers=bizdev,
                                               params={"limit": 200}).json()["items"]}
    assert {iid, oid} <= everything
    assert [i["id"] for i in mclient.get("/loket", headers=theirs).json()["items"]] == [oid]

    url = f"/loket/{iid}/triage"
    assert_problem(mclient.post(url, headers=bizdev, json={"status": "afgesloten"}), 409)
    r = mclient.post(url, headers=bizdev, json={"status": "in_behandeling",
                                                "note": "Opgepakt door BD"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "in_behandeling"
    assert_problem(mclient.post(url, headers=bizdev, json={"status": "in_behandeling"}), 409)
    r = mclient.post(url, headers=admin, json={"status": "doorverwezen",
                                               "note": "Naar DMO verwezen"})
    assert r.json()["status"] == "doorverwezen"
    body = assert_problem(mclient.post(url, headers=bizdev, json={"status": "afgesloten"}), 409)
    assert "doorverwezen" in body["detail"]

    # the company sees its status and the notes, with author role and time
    seen = mclient.get(f"/loket/{iid}", headers=mine).json()
    assert seen["status"] == "doorverwezen"
    assert [(n["from_status"], n["status"], n["note"], n["author_role"])
            for n in seen["notes"]] == [("new", "in_behandeling", "Opgepakt door BD", "bizdev"),
                                        ("in_behandeling", "doorverwezen", "Naar DMO verwezen",
                                         "admin")]
    assert all(datetime.fromisoformat(n["at"]) > datetime.now(UTC) - timedelta(minutes=5)
               for n in seen["notes"])
    filtered = mclient.get("/loket", headers=bizdev, params={"status": "doorverwezen"}).json()
    assert iid in {i["id"] for i in filtered["items"]}
    assert all(i["status"] == "doorverwezen" for i in filtered["items"])
    assert lh.audit_actions(embedded, iid) == ["loket.submit", "loket.triage", "loket.triage"]


@pytest.mark.slow
def test_loket_roles_and_errors(mclient: TestClient, embedded: Driver) -> None:
    company = auth(embedded, "company", "99000005")
    bizdev, scout = auth(embedded, "bizdev"), auth(embedded, "scout")
    ok = {"kind": "idee", "title": "Drones", "text": "Drones voor inspectie van dijken"}
    iid = mclient.post("/loket", headers=company, json=ok).json()["id"]

    assert_problem(mclient.post("/loket", json=ok), 401)
    assert_problem(mclient.get("/loket"), 401)
    assert_problem(mclient.get(f"/loket/{iid}"), 401)
    assert_problem(mclient.post(f"/loket/{iid}/triage", json={"status": "in_behandeling"}), 401)
    assert_problem(mclient.post("/loket", headers=bizdev, json=ok), 403)
    assert_problem(mclient.get("/loket", headers=scout), 403)
    assert_problem(mclient.post("/loket", headers=company, json={**ok, "kvk_number": "99000001"}),
                   403)
    assert_problem(mclient.post(f"/loket/{iid}/triage", headers=company,
                                json={"status": "in_behandeling"}), 403)

    assert_problem(mclient.get(f"/loket/{lh.MISSING}", headers=bizdev), 404)
    assert_problem(mclient.post(f"/loket/{lh.MISSING}/triage", headers=bizdev,
                                json={"status": "in_behandeling"}), 404)

    lh.assert_invalid(mclient.post("/loket", headers=company, json={**ok, "kind": "klacht"}),
                   "kind")
    lh.assert_invalid(mclient.post("/loket", headers=company, json={"kind": "idee"}),
                   "title", "text")
    lh.assert_invalid(mclient.post("/loket", headers=company, json={**ok, "text": "x" * 6001}),
                   "text")
    lh.assert_invalid(mclient.post("/loket", headers=company, json={**ok, "title": "a\x00b"}),
                   "title")
    lh.assert_invalid(mclient.post(f"/loket/{iid}/triage", headers=bizdev,
                                json={"status": "new"}), "status")
    lh.assert_invalid(mclient.post(f"/loket/{iid}/triage", headers=bizdev,
                                json={"status": "afgesloten", "note": "n" * 2001}), "note")
    assert mclient.get(f"/loket/{iid}", headers=bizdev).json()["status"] == "new"


@pytest.mark.slow
def test_loket_stores_injection_verbatim(mclient: TestClient, embedded: Driver) -> None:
    company, bizdev = auth(embedded, "company", "99000006"), auth(embedded, "bizdev")
    before = lh.labels(embedded)
    r = mclient.post("/loket", headers=company, json={
        "kind": "vraag", "title": INJECTION, "text": f"aluminium {INJECTION}"})
    assert r.status_code == 201, r.text
    iid = r.json()["id"]
    r = mclient.post(f"/loket/{iid}/triage", headers=bizdev,
                     json={"status": "in_behandeling", "note": INJECTION})
    assert r.status_code == 200, r.text
    got = mclient.get(f"/loket/{iid}", headers=company).json()
    assert got["title"] == INJECTION and got["text"] == f"aluminium {INJECTION}"
    assert got["notes"][0]["note"] == INJECTION
    # Each desk the item was routed to is told by mail (issue 20): one outbox mail per desk.
    assert lh.grew(before, lh.labels(embedded)) == {"LoketItem": 1, "AuditEvent": 2,
                                              "OutboxMail": len(got["routed_to"])}
    records, _, _ = embedded.execute_query(
        "MATCH (a:AuditEvent {entity_id: $id, action: 'loket.triage'}) RETURN a.after AS after",
        id=iid)
    assert json.loads(records[0]["after"])["note"] == INJECTION
