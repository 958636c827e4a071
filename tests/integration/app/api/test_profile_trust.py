"""Trusted profiles (issue 20, items 4-6) against the real API, Neo4j and encoder: compliance
claims and who may verify them, the match and list filters, field visibility per role in the
profile, the list, the explorer, the match explanation and the RDF export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from pydantic import SecretStr

from app.api.main import create_app
from core.settings import ApiSettings, EncoderSettings, Settings
from matching.encoders.base import Encoder
from matching.encoders.cache import EmbeddingCache
from ontology.vocab import PA
from tests.conftest import Neo4jTarget, neo4j_settings, seed_graph
from tests.integration.api_helpers import SECRET, assert_problem, auth

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TEIJIN, GKN, NORIT = "99000001", "99000002", "99000003"
PRIVATE_PHRASE = "Japanse Teijin-concern"  # only in Teijin's Dutch description
PRIVATE_PHRASE_EN = "Japanese Teijin group"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _date(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


@pytest.fixture(scope="module")
def graph(session_driver: Driver, encoder: Encoder, cache: EmbeddingCache) -> Driver:
    return seed_graph(session_driver, encoder, cache)


@pytest.fixture
def client(graph: Driver, neo4j_target: Neo4jTarget, encoder: Encoder
           ) -> Iterator[TestClient]:
    graph.execute_query("MATCH (n) WHERE n:ComplianceClaim OR n:Evidence OR n:AuditEvent "
                        "OR n:User OR n:DemandQuestion DETACH DELETE n")
    graph.execute_query("MATCH (c:Company) REMOVE c.visibility_defence, c.visibility_hidden, "
                        "c.defence_experience")
    settings = Settings(neo4j=neo4j_settings(neo4j_target),
                        encoder=EncoderSettings(model=encoder.name),
                        api=ApiSettings(secret=SecretStr(SECRET), rate_limit_per_minute=0))
    app = create_app(settings, graph)
    app.state.encoder = encoder
    with TestClient(app) as c:
        yield c


def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json() if r.content else None


# --------------------------------------------------------------------------- claims


def test_claims_states_and_who_may_verify(client: TestClient, graph: Driver) -> None:
    teijin, other = auth(graph, "company", TEIJIN), auth(graph, "company", GKN)
    scout, bizdev, admin = auth(graph, "scout"), auth(graph, "bizdev"), auth(graph, "admin")
    url = f"/companies/{TEIJIN}/compliance/iso9001"
    body = {"value": "NL-QMS-1234", "expires_on": _date(300)}

    assert_problem(client.put(url, json=body), 401)
    assert_problem(client.put(url, json=body, headers=other), 403)
    assert_problem(client.put(url, json=body, headers=scout), 403)
    claim = _ok(client.put(url, json=body, headers=teijin))
    assert claim["state"] == "self_declared" and claim["expires_on"] == body["expires_on"]
    assert claim["label_en"] == "ISO 9001" and claim["expired"] is False

    # evidence: only a document that is what it says it is
    ev = f"{url}/evidence?filename=iso-certificaat.pdf"
    assert_problem(client.put(ev, content=b"hello", headers={
        **teijin, "Content-Type": "text/plain"}), 422)
    assert_problem(client.put(ev, content=b"not a pdf", headers={
        **teijin, "Content-Type": "application/pdf"}), 422)
    assert_problem(client.put(ev, content=PDF, headers={
        **other, "Content-Type": "application/pdf"}), 403)
    claim = _ok(client.put(ev, content=PDF, headers={**teijin,
                                                    "Content-Type": "application/pdf"}))
    assert claim["state"] == "evidence_uploaded" and claim["evidence"] is True

    # only admin and bizdev verify
    for who in (teijin, other, scout):
        assert_problem(client.post(f"{url}/verify", headers=who), 403)
    bizdev_id = _ok(client.get("/me", headers=bizdev))["id"]
    claim = _ok(client.post(f"{url}/verify", json={"note": "certificaat gezien"},
                            headers=bizdev))
    assert claim["state"] == "verified" and claim["verified_by"] == bizdev_id
    assert claim["verified_at"] and claim["verify_note"] == "certificaat gezien"
    # the verifier reads the document; a scout does not
    r = client.get(f"{url}/evidence", headers=bizdev)
    assert r.status_code == 200 and r.content == PDF
    assert r.headers["content-type"] == "application/pdf"
    assert_problem(client.get(f"{url}/evidence", headers=scout), 403)

    # re-sending the same declaration keeps the verification; a new expiry drops it
    assert _ok(client.put(url, json=body, headers=teijin))["state"] == "verified"
    claim = _ok(client.put(url, json={**body, "expires_on": _date(700)}, headers=teijin))
    assert claim["state"] == "evidence_uploaded" and claim["verified_by"] is None
    assert _ok(client.post(f"{url}/verify", headers=admin))["state"] == "verified"

    # an expired claim cannot be verified (409); bad values are 422 naming what is allowed
    _ok(client.put(f"/companies/{TEIJIN}/compliance/aqap2110",
                   json={"expires_on": _date(-1)}, headers=teijin))
    detail = assert_problem(client.post(f"/companies/{TEIJIN}/compliance/aqap2110/verify",
                                        headers=bizdev), 409)["detail"]
    assert "expired" in detail
    assert_problem(client.put(f"/companies/{TEIJIN}/compliance/ncage",
                              json={"value": "abc"}, headers=teijin), 422)
    bad = assert_problem(client.put(f"/companies/{TEIJIN}/compliance/iso9002", json={},
                                    headers=teijin), 422)
    assert "iso9001" in json.dumps(bad)
    assert_problem(client.put("/companies/12345678/compliance/iso9001", json={},
                              headers=admin), 404)
    assert_problem(client.post(f"/companies/{TEIJIN}/compliance/as9100/verify",
                               headers=admin), 404)

    profile = _ok(client.get(f"/companies/{TEIJIN}"))
    states = {c["kind"]: (c["state"], c["expired"]) for c in profile["compliance_claims"]}
    assert states == {"iso9001": ("verified", False), "aqap2110": ("self_declared", True)}

    # withdrawing: the company itself, not another; every change is audited
    assert_problem(client.delete(f"/companies/{TEIJIN}/compliance/aqap2110", headers=other),
                   403)
    assert client.delete(f"/companies/{TEIJIN}/compliance/aqap2110",
                         headers=teijin).status_code == 204
    records, _, _ = graph.execute_query(
        "MATCH (a:AuditEvent {kvk_number: $k}) RETURN collect(a.action) AS actions", k=TEIJIN)
    assert {"claim.declare", "claim.evidence", "claim.verify", "claim.withdraw"} \
        <= set(records[0]["actions"])


# --------------------------------------------------------------------------- filters


def _hits(client: TestClient, headers: dict[str, str], **filters: Any) -> dict[str, Any]:
    r = client.post("/match", headers=headers, json={
        "question": "ballistische bescherming en composiet voor militaire voertuigen",
        "top_k": 12, "filters": {"kinds": ["company"], **filters}})  # sites rank too
    return {h["kvk_number"]: h for h in _ok(r)["hits"]}


def test_match_and_list_filter_on_claims_and_defence_experience(client: TestClient,
                                                                 graph: Driver) -> None:
    admin, scout = auth(graph, "admin"), auth(graph, "scout")
    put = client.put
    _ok(put(f"/companies/{TEIJIN}/compliance/iso9001", json={"expires_on": _date(200)},
            headers=admin))
    _ok(client.post(f"/companies/{TEIJIN}/compliance/iso9001/verify", headers=admin))
    _ok(put(f"/companies/{GKN}/compliance/iso9001", json={}, headers=admin))
    _ok(put(f"/companies/{GKN}/compliance/aqap2110", json={}, headers=admin))
    _ok(put(f"/companies/{NORIT}/compliance/iso9001", json={"expires_on": _date(-3)},
            headers=admin))
    # defence experience: the company itself and admin, bizdev, scout set it
    assert_problem(put(f"/companies/{TEIJIN}/defence-experience",
                       json={"defence_experience": "direct"},
                       headers=auth(graph, "company", GKN)), 403)
    _ok(put(f"/companies/{TEIJIN}/defence-experience", json={"defence_experience": "direct"},
            headers=auth(graph, "company", TEIJIN)))
    _ok(put(f"/companies/{GKN}/defence-experience", json={"defence_experience": "none"},
            headers=scout))
    bad = assert_problem(put(f"/companies/{GKN}/defence-experience",
                             json={"defence_experience": "sometimes"}, headers=scout), 422)
    assert "'indirect'" in json.dumps(bad)

    everyone = _hits(client, scout)
    assert {TEIJIN, GKN, NORIT} <= set(everyone)
    iso = _hits(client, scout, compliance=["iso9001"])
    assert TEIJIN in iso and GKN in iso and NORIT not in iso  # Norit's has expired
    assert set(_hits(client, scout, compliance=["iso9001"], verified_only=True)) == {TEIJIN}
    assert set(_hits(client, scout, verified_only=True)) == {TEIJIN}
    assert set(_hits(client, scout, compliance=["iso9001", "aqap2110"])) == {GKN}
    assert set(_hits(client, scout, defence_experience=["none"])) == {GKN}
    unknown = _hits(client, scout, defence_experience=["unknown"])
    assert unknown and not {TEIJIN, GKN} & set(unknown)
    # claims and defence experience are a company's: such a search ranks no site or programme
    r = client.post("/match", headers=scout, json={
        "question": "terrein van 100 hectare of een opleiding voor reservisten",
        "filters": {"defence_experience": ["unknown"]}})
    assert {h["kind"] for h in _ok(r)["hits"]} == {"company"}

    # the result shows the state (badges) and the defence experience
    hit = everyone[TEIJIN]
    assert hit["defence_experience"] == "direct"
    assert [(b["kind"], b["state"], b["expired"]) for b in hit["compliance"]] == [
        ("iso9001", "verified", False)]
    assert [b["state"] for b in everyone[NORIT]["compliance"]] == ["self_declared"]
    assert everyone[NORIT]["compliance"][0]["expired"] is True

    for filters, named in (({"compliance": ["iso9002"]}, "'iso9001'"),
                           ({"defence_experience": ["sometimes"]}, "'unknown'"),
                           ({"verified_only": "yes please"}, "verified_only")):
        r = client.post("/match", headers=scout, json={"question": "drones", "filters": filters})
        assert named in json.dumps(assert_problem(r, 422)), filters

    # the company list: same values, same 422
    page = _ok(client.get("/companies", params={"defence_experience": "none"}))
    assert [c["kvk_number"] for c in page["items"]] == [GKN] and page["total"] == 1
    assert page["items"][0]["defence_experience"] == "none"
    page = _ok(client.get("/companies", params=[("defence_experience", "direct"),
                                                ("defence_experience", "none")]))
    assert {c["kvk_number"] for c in page["items"]} == {TEIJIN, GKN}
    bad = assert_problem(client.get("/companies", params={"defence_experience": "x"}), 422)
    assert "'indirect'" in json.dumps(bad)


# --------------------------------------------------------------------------- visibility


def test_visibility_per_role_everywhere(client: TestClient, graph: Driver) -> None:
    teijin, other = auth(graph, "company", TEIJIN), auth(graph, "company", GKN)
    scout, bizdev, admin = auth(graph, "scout"), auth(graph, "bizdev"), auth(graph, "admin")
    _ok(client.put(f"/companies/{TEIJIN}/compliance/iso9001", json={}, headers=teijin))
    _ok(client.put(f"/companies/{TEIJIN}/defence-experience",
                   json={"defence_experience": "indirect"}, headers=teijin))
    url = f"/companies/{TEIJIN}/visibility"
    change = {"fields": {"description": "defence", "description_en": "defence",
                         "capabilities": "defence", "compliance": "defence",
                         "defence_experience": "defence", "website": "hidden"}}
    for who in (other, bizdev, scout):
        assert_problem(client.patch(url, json=change, headers=who), 403)
    assert_problem(client.patch(url, json=change), 401)
    bad = assert_problem(client.patch(url, json={"fields": {"name": "hidden"}},
                                      headers=teijin), 422)
    assert "'description'" in json.dumps(bad)
    assert "'defence'" in json.dumps(assert_problem(
        client.patch(url, json={"fields": {"website": "secret"}}, headers=teijin), 422))
    levels = _ok(client.patch(url, json=change, headers=teijin))["fields"]
    assert levels["website"] == "hidden" and levels["employees"] == "public"
    assert _ok(client.get(url, headers=admin))["fields"] == levels
    assert_problem(client.get(url, headers=scout), 403)

    def profile(headers: dict[str, str] | None) -> dict[str, Any]:
        return _ok(client.get(f"/companies/{TEIJIN}", headers=headers or {}))

    for reader in (None, other):  # anonymous and another company: public fields only
        p = profile(reader)
        assert p["name"] == "Teijin Aramid"
        assert p["description"] is None and p["description_en"] is None
        assert p["website"] is None and p["defence_experience"] is None
        assert p["declared_capabilities"] == [] and p["inferred_capabilities"] == []
        assert p["compliance_claims"] == [] and p["visibility"] is None
        assert PRIVATE_PHRASE not in json.dumps(p) and "teijinaramid" not in json.dumps(p)
        assert all(not v.startswith("capability:") for a in p["nld_areas"] for v in a["via"])
    p = profile(scout)  # defence: all but the hidden website
    assert PRIVATE_PHRASE in p["description"] and p["website"] is None
    assert p["declared_capabilities"] and p["defence_experience"] == "indirect"
    assert [c["kind"] for c in p["compliance_claims"]] == ["iso9001"]
    assert p["visibility"] is None
    for who in (admin, teijin):  # everything, and the levels
        p = profile(who)
        assert p["website"] and PRIVATE_PHRASE in p["description"]
        assert p["visibility"]["website"] == "hidden"

    # the list and its filters
    def listed(headers: dict[str, str] | None, **params: str) -> list[dict[str, Any]]:
        return _ok(client.get("/companies", params=params, headers=headers or {}))["items"]

    anon = {c["kvk_number"]: c for c in listed(None)}
    assert anon[TEIJIN]["website"] is None and anon[TEIJIN]["defence_experience"] is None
    assert anon[GKN]["website"]  # another company's public field stays
    assert TEIJIN not in {c["kvk_number"] for c in listed(None, capability="aramid-fibres")}
    assert TEIJIN in {c["kvk_number"] for c in listed(scout, capability="aramid-fibres")}
    assert listed(None, defence_experience="indirect") == []
    assert [c["kvk_number"] for c in listed(scout, defence_experience="indirect")] == [TEIJIN]

    # the explorer: no capability edges of Teijin for the anonymous reader
    def near(headers: dict[str, str] | None) -> dict[str, Any]:
        return _ok(client.get(f"/graph/neighbourhood/{TEIJIN}", headers=headers or {}))

    assert "HAS_CAPABILITY" not in {e["type"] for e in near(None)["edges"]}
    assert "HAS_CAPABILITY" in {e["type"] for e in near(scout)["edges"]}
    cap = _ok(client.get("/graph/neighbourhood/aramid-fibres"))
    assert TEIJIN not in {n["id"] for n in cap["nodes"]}

    # search: a hidden description lends no phrase or term to a scout's explanation
    _ok(client.patch(url, json={"fields": {"description": "hidden",
                                           "description_en": "hidden"}}, headers=teijin))
    question = {"question": "aramidevezels Twaron voor kogelwerende vesten, Japanse Teijin",
                "top_k": 5}
    hits = {h["kvk_number"]: h for h in _ok(client.post("/match", json=question,
                                                        headers=scout))["hits"]}
    ex = hits[TEIJIN]["explanation"]
    assert ex["phrases"] == [] and ex["lexical_terms"] == []
    assert PRIVATE_PHRASE not in json.dumps(hits[TEIJIN]) and hits[TEIJIN]["website"] is None
    assert ex["graph_paths"]  # capabilities are defence-level: a scout sees those paths
    hits = {h["kvk_number"]: h for h in _ok(client.post("/match", json=question,
                                                        headers=admin))["hits"]}
    assert any(PRIVATE_PHRASE in ph["text"] for ph in hits[TEIJIN]["explanation"]["phrases"])

    # a scout's shortlist (and its export) shows no hidden website either
    sl = _ok(client.post("/shortlists", json={"name": "kandidaten"}, headers=scout), 201)
    sl = _ok(client.post(f"/shortlists/{sl['id']}/items", json={"kvk_number": TEIJIN},
                         headers=scout), 201)
    assert sl["items"][0]["website"] is None and sl["items"][0]["name"] == "Teijin Aramid"
    r = client.get(f"/shortlists/{sl['id']}/export", params={"format": "csv"}, headers=scout)
    assert r.status_code == 200 and "teijinaramid" not in r.text

    # RDF export: public by default, defence for bizdev, all for admins only
    def rdf(headers: dict[str, str], **params: str) -> str:
        r = client.get("/export/rdf", params={"format": "nt", **params}, headers=headers)
        assert r.status_code == 200, r.text
        return r.text

    _ok(client.patch(url, json={"fields": {"description": "defence"}}, headers=teijin))
    public = rdf(bizdev)
    assert "Teijin Aramid" in public and PRIVATE_PHRASE not in public
    assert PRIVATE_PHRASE_EN not in public and "teijinaramid" not in public
    assert f"company/{TEIJIN}> <{PA.hasCapability}>" not in public
    assert f"company/{TEIJIN}> <{PA.hasCapability}>" in rdf(bizdev, level="defence")
    defence = rdf(bizdev, level="defence")
    assert PRIVATE_PHRASE in defence and "teijinaramid" not in defence
    assert_problem(client.get("/export/rdf", params={"level": "all"}, headers=bizdev), 403)
    assert_problem(client.get("/export/rdf", params={"level": "x"}, headers=admin), 422)
    assert "teijinaramid" in rdf(admin, level="all")
