"""The FastAPI service against the real graph (seed data, no encoder): reads, auth, errors and
input safety. `POST /match` with a real encoder is in test_api_match.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from typer.testing import CliRunner

from app.api.main import create_app
from app.services.users import UserCreate, create_user, hash_token, revoke_user
from core.errors import ConfigError
from core.settings import ApiSettings, Neo4jSettings, Settings
from graph.queries import admin as admin_q
from graph.queries import users as users_q
from graph.repositories.users import UsersRepository
from ingest.seed import SEED_SOURCE
from tests.conftest import Neo4jTarget, neo4j_settings
from tests.integration.api_helpers import (
    INJECTION,
    SECRET,
    assert_problem,
    bearer,
    seed_without_embeddings,
    token_for,
)


@pytest.fixture(scope="module")
def seeded(session_driver: Driver) -> Driver:
    """One seeded graph for the module: these tests only read it (and add users)."""
    return seed_without_embeddings(session_driver)


def settings(target: Neo4jTarget, **api: Any) -> Settings:
    """The test server, with these ApiSettings fields besides the secret."""
    return Settings(neo4j=neo4j_settings(target), api=ApiSettings(secret=SECRET, **api))


@pytest.fixture
def client(seeded: Driver, neo4j_target: Neo4jTarget) -> Iterator[TestClient]:
    with TestClient(create_app(settings(neo4j_target), seeded)) as c:
        yield c








def node_count(driver: Driver) -> int:
    records, _, _ = driver.execute_query(admin_q.COUNT_NODES)
    return int(records[0]["n"])


# --------------------------------------------------------------------------- settings


def test_production_refuses_the_default_secret(neo4j_target: Neo4jTarget) -> None:
    s = Settings(neo4j=Neo4jSettings(uri=neo4j_target.uri, password="x"), mode="production")
    with pytest.raises(ConfigError, match="PARAAT_API_SECRET"):
        create_app(s)
    create_app(Settings(neo4j=Neo4jSettings(uri=neo4j_target.uri, password="x"), mode="production",
                        api=ApiSettings(secret=SECRET)))  # a real secret is accepted


# --------------------------------------------------------------------------- companies


def test_companies_list_filters_and_pages(client: TestClient) -> None:
    r = client.get("/companies")
    assert r.status_code == 200
    body = r.json()
    assert body["total"] >= 12 and body["limit"] == 50 and body["offset"] == 0
    names = [c["name"] for c in body["items"]]
    assert names == sorted(names) and "Teijin Aramid" in names

    page = client.get("/companies", params={"limit": 2, "offset": 1}).json()
    assert [c["kvk_number"] for c in page["items"]] == \
        [c["kvk_number"] for c in body["items"][1:3]]
    assert page["total"] == body["total"]

    emmen = client.get("/companies", params={"municipality": "emmen"}).json()
    assert emmen["total"] >= 1 and all(c["municipality"] == "emmen" for c in emmen["items"])

    q = client.get("/companies", params={"q": "teijin"}).json()
    assert [c["kvk_number"] for c in q["items"]] == ["99000001"]

    aramid = client.get("/companies", params={"capability": "aramid-fibres"}).json()
    assert "99000001" in {c["kvk_number"] for c in aramid["items"]}


@pytest.mark.parametrize("params,field", [
    ({"limit": 0}, "limit"), ({"limit": 201}, "limit"), ({"offset": -1}, "offset"),
    ({"municipality": "Emmen; DROP"}, "municipality"), ({"q": "x" * 101}, "q"),
])
def test_companies_list_rejects_bad_params(client: TestClient, params: dict[str, Any],
                                           field: str) -> None:
    body = assert_problem(client.get("/companies", params=params), 422)
    assert [e["field"] for e in body["errors"]] == [field]
    assert field in body["detail"]


def test_company_profile(client: TestClient, seeded: Driver) -> None:
    r = client.get("/companies/99000001")
    assert r.status_code == 200, r.text
    c = r.json()
    assert c["name"] == "Teijin Aramid" and c["municipality"]["id"] == "emmen"
    declared = {x["id"] for x in c["declared_capabilities"]}
    assert "aramid-fibres" in declared
    assert all(x["source"] == "declared" for x in c["declared_capabilities"])
    assert all(x["source"] == "inferred" and 0 <= x["confidence"] <= 1
               for x in c["inferred_capabilities"])
    assert not declared & {x["id"] for x in c["inferred_capabilities"]}
    assert c["clusters"] and all(k["id"] and k["name"] for k in c["clusters"])
    vias = {v.split(":")[0] for a in c["nld_areas"] for v in a["via"]}
    assert {"capability", "cluster"} <= vias
    assert "slimme-materialen" in {a["id"] for a in c["nld_areas"]}
    prov = c["provenance"]
    assert prov["source"].startswith(SEED_SOURCE) and prov["imported_at"]
    assert prov["last_verified"] is None and prov["stale"] is True
    assert "embedding" not in r.text and "record_hash" not in r.text

    seeded.execute_query("MATCH (c:Company {kvk_number: '99000001'}) "
                         "SET c.last_verified = datetime()")
    try:
        prov = client.get("/companies/99000001").json()["provenance"]
        assert prov["last_verified"] and prov["stale"] is False
    finally:
        seeded.execute_query("MATCH (c:Company {kvk_number: '99000001'}) "
                             "REMOVE c.last_verified")


def test_company_not_found_and_bad_kvk(client: TestClient) -> None:
    body = assert_problem(client.get("/companies/12345678"), 404)
    assert "12345678" in body["detail"] and body["instance"] == "/companies/12345678"
    body = assert_problem(client.get("/companies/1234abcd"), 422)
    assert body["errors"][0]["field"] == "kvk"
    assert_problem(client.get("/companies/123456789"), 422)
    assert_problem(client.get("/no-such-route"), 404)


# --------------------------------------------------------------------------- clusters & co


def test_clusters(client: TestClient) -> None:
    page = client.get("/clusters", params={"limit": 200}).json()
    ids = {k["id"] for k in page["items"]}
    assert "cluster-groene-chemie" in ids and page["total"] == len(page["items"])
    k = client.get("/clusters/cluster-groene-chemie").json()
    assert k["name"] == "Cluster Groene Chemie"
    assert "99000001" in {m["kvk_number"] for m in k["members"]}
    assert {a["id"] for a in k["nld_areas"]} >= {"slimme-materialen", "sensoren"}
    assert "getec-park" in {e["id"] for e in k["ecosystems"]}
    assert "aramid-fibres" in {c["id"] for c in k["capabilities"]}
    assert_problem(client.get("/clusters/no-such-cluster"), 404)
    assert_problem(client.get("/clusters/Not_A_Slug!"), 422)
    assert_problem(client.get("/clusters", params={"limit": 500}), 422)


def test_nld_areas_and_taxonomy(client: TestClient) -> None:
    areas = client.get("/nld-areas").json()
    assert {a["id"] for a in areas} == {"intelligente-systemen", "sensoren", "slimme-materialen",
                                        "ruimtevaarttechnologie", "quantumtechnologie"}
    assert all(a["name_nl"] and a["name_en"] for a in areas)
    assert sum(a["companies"] for a in areas) > 0 and all(a["capabilities"] for a in areas)

    tax = client.get("/taxonomy/capabilities").json()
    assert len(tax["nld_areas"]) == 5 and tax["capabilities"]

    def walk(nodes: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for n in nodes:
            yield n
            yield from walk(n["narrower"])

    flat = list(walk(tax["capabilities"]))
    assert all(n["label_nl"] and n["label_en"] for n in flat)
    assert any(n["narrower"] for n in tax["capabilities"])
    assert "aramid-fibres" in {n["id"] for n in flat}


def test_neighbourhood(client: TestClient, seeded: Driver) -> None:
    one = client.get("/graph/neighbourhood/99000001").json()
    assert one["center"] == "99000001" and one["depth"] == 1
    ids = {n["id"] for n in one["nodes"]}
    assert {"emmen", "aramid-fibres"} <= ids
    assert all(n["depth"] <= 1 for n in one["nodes"])
    assert {"source": "99000001", "target": "emmen", "type": "LOCATED_IN"} in one["edges"]
    assert all(e["source"] in ids and e["target"] in ids for e in one["edges"])

    token_for(seeded, "scout")  # a User node exists; it must never show up
    two = client.get("/graph/neighbourhood/99000001", params={"depth": 2}).json()
    assert len(two["nodes"]) > len(one["nodes"]) and len(two["nodes"]) <= 200
    assert "User" not in {n["label"] for n in two["nodes"]}
    small = client.get("/graph/neighbourhood/emmen", params={"depth": 2, "limit": 5}).json()
    assert len(small["nodes"]) == 5 and small["truncated"] is True
    cluster = client.get("/graph/neighbourhood/cluster-groene-chemie").json()
    assert cluster["nodes"][0]["label"] == "Cluster"

    assert_problem(client.get("/graph/neighbourhood/no-such-node"), 404)
    assert_problem(client.get("/graph/neighbourhood/99000001", params={"depth": 3}), 422)
    assert_problem(client.get("/graph/neighbourhood/%27%20%7D)%20DETACH"), 422)


# --------------------------------------------------------------------------- auth


def test_tokens_are_stored_hashed(seeded: Driver) -> None:
    token = token_for(seeded, "bizdev")
    records, _, _ = seeded.execute_query("MATCH (n) RETURN properties(n) AS p")
    assert all(token not in str(r["p"]) for r in records)
    records, _, _ = seeded.execute_query("MATCH (u:User) RETURN u.token_hash AS h")
    assert records and all(len(r["h"]) == 64 for r in records)


def test_reading_without_anonymous_access(seeded: Driver, neo4j_target: Neo4jTarget) -> None:
    s = settings(neo4j_target, allow_anonymous_read=False)
    token = token_for(seeded, "company", "99000001")
    with TestClient(create_app(s, seeded)) as c:
        for path in ("/companies", "/companies/99000001", "/clusters", "/nld-areas",
                     "/taxonomy/capabilities", "/graph/neighbourhood/emmen"):
            r = c.get(path)
            assert_problem(r, 401)
            assert r.headers["www-authenticate"] == "Bearer"
            assert c.get(path, headers=bearer(token)).status_code == 200, path
        assert c.get("/health").status_code == 200


def test_bad_and_revoked_tokens_are_401(client: TestClient, seeded: Driver) -> None:
    assert_problem(client.get("/companies", headers=bearer("pa_not-a-token")), 401)
    assert_problem(client.get("/companies", headers={"Authorization": "Basic abc"}), 401)
    _, token = create_user(UsersRepository(seeded), UserCreate(name="leaver", role="scout"), SECRET)
    assert client.get("/companies", headers=bearer(token)).status_code == 200
    user_id = seeded.execute_query(users_q.API_USER_BY_TOKEN_HASH,
                                   token_hash=hash_token(token, SECRET)).records[0]["id"]
    revoke_user(UsersRepository(seeded), user_id)
    assert_problem(client.get("/companies", headers=bearer(token)), 401)
    assert_problem(client.post("/match", json={"question": "drones"}, headers=bearer(token)),
                   401)


def test_match_needs_a_matchmaker_role_and_a_valid_body(client: TestClient,
                                                        seeded: Driver) -> None:
    assert_problem(client.post("/match", json={"question": "drones"}), 401)
    company = token_for(seeded, "company", "99000002")
    body = assert_problem(client.post("/match", json={"question": "drones"},
                                      headers=bearer(company)), 403)
    assert "company" in body["detail"]
    bizdev = bearer(token_for(seeded, "bizdev"))
    body = assert_problem(client.post("/match", json={"question": "", "top_k": 0},
                                      headers=bizdev), 422)
    assert {e["field"] for e in body["errors"]} == {"question", "top_k"}
    body = assert_problem(client.post("/match", json={"question": "radar",
                                                      "filters": {"colour": "red"}},
                                      headers=bizdev), 422)
    assert body["errors"][0]["field"] == "filters.colour"
    assert_problem(client.post("/match", content=b"{not json", headers={
        **bizdev, "Content-Type": "application/json"}), 422)


def test_cli_users_add_list_revoke(neo4j_env: dict[str, str], seeded: Driver,
                                   neo4j_target: Neo4jTarget,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from app.cli import app as cli
    from core.settings import get_settings

    monkeypatch.setenv("PARAAT_API_SECRET", SECRET)
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        added = runner.invoke(cli, ["users", "add", "Ada Scout", "--role", "scout"])
        assert added.exit_code == 0, added.output
        token = added.stdout.strip().splitlines()[-1]
        assert token.startswith("pa_")
        listed = runner.invoke(cli, ["users", "list", "--json"])
        assert listed.exit_code == 0 and token not in listed.stdout
        users = json.loads(listed.stdout)
        ada = next(u for u in users if u["name"] == "Ada Scout")
        assert "token_hash" not in ada and ada["revoked"] is False

        with TestClient(create_app(settings(neo4j_target), seeded)) as c:
            assert c.get("/companies", headers=bearer(token)).status_code == 200
            assert runner.invoke(cli, ["users", "revoke", ada["id"]]).exit_code == 0
            assert_problem(c.get("/companies", headers=bearer(token)), 401)
        # User changes from the command line are audited too, with the CLI as actor.
        events, _, _ = seeded.execute_query(
            "MATCH (a:AuditEvent {entity: 'user', entity_id: $id}) "
            "RETURN a.action AS action, a.actor_id AS actor ORDER BY a.at", id=ada["id"])
        assert [(e["action"], e["actor"]) for e in events] == [
            ("user.create", "cli"), ("user.revoke", "cli")]

        bad = runner.invoke(cli, ["users", "add", "Acme", "--role", "company"])
        assert bad.exit_code == 1 and "KvK" in bad.output
        bad = runner.invoke(cli, ["users", "add", "X", "--role", "emperor"])
        assert bad.exit_code == 1
        assert runner.invoke(cli, ["users", "revoke", "nobody"]).exit_code == 1
    finally:
        get_settings.cache_clear()


# --------------------------------------------------------------------------- input safety


def test_cypher_injection_is_data(client: TestClient, seeded: Driver) -> None:
    before = node_count(seeded)
    r = client.get("/companies", params={"q": INJECTION})
    assert r.status_code == 200 and r.json()["total"] == 0
    assert client.get("/companies", params={"q": INJECTION.replace("'", '"')}).status_code \
        == 200
    assert client.get(f"/companies/{INJECTION}").status_code == 422
    assert client.get("/graph/neighbourhood/x", params={"depth": INJECTION}).status_code == 422
    assert node_count(seeded) == before


def test_oversized_body_is_413(seeded: Driver, neo4j_target: Neo4jTarget) -> None:
    s = settings(neo4j_target, max_body_bytes=1000)
    with TestClient(create_app(s, seeded)) as c:
        body = assert_problem(c.post("/match", content=b"x" * 1001,
                                     headers={"Content-Type": "application/json"}), 413)
        assert "1000" in body["detail"]

        def chunks() -> Iterator[bytes]:  # streamed: no Content-Length to trust
            for _ in range(10):
                yield b"y" * 200

        assert_problem(c.post("/match", content=chunks(),
                              headers={"Content-Type": "application/json"}), 413)
        # under the cap the body reaches the app (here: 401, no token)
        assert_problem(c.post("/match", json={"question": "drones"}), 401)


def test_rate_limit_is_429_per_caller(seeded: Driver, neo4j_target: Neo4jTarget) -> None:
    s = settings(neo4j_target, rate_limit_per_minute=3)
    token = token_for(seeded, "scout")
    with TestClient(create_app(s, seeded)) as c:
        for _ in range(3):
            assert c.get("/nld-areas").status_code == 200
        r = c.get("/nld-areas")
        body = assert_problem(r, 429)
        assert int(r.headers["retry-after"]) >= 1 and "3" in body["detail"]
        assert c.get("/health").status_code == 200  # probes are not limited
        for _ in range(3):  # a token has its own budget
            assert c.get("/nld-areas", headers=bearer(token)).status_code == 200
        assert_problem(c.get("/nld-areas", headers=bearer(token)), 429)


def test_cors_is_off_by_default(client: TestClient) -> None:
    r = client.get("/nld-areas", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers


def test_openapi_documents_every_route_and_the_bearer_scheme(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/companies", "/companies/{kvk}", "/clusters", "/clusters/{cluster_id}",
            "/nld-areas", "/taxonomy/capabilities", "/graph/neighbourhood/{node_id}",
            "/match", "/health"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def _operations(spec: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(m.upper(), p): op for p, item in spec["paths"].items() for m, op in item.items()}


def _valid(spec: dict[str, Any], schema: str, value: Any) -> bool:
    import jsonschema_rs  # what schemathesis validates with (ECMA regexes, \p{L})

    root = {"$ref": f"#/components/schemas/{schema}", "components": spec["components"]}
    return bool(jsonschema_rs.validator_for(root).is_valid(value))


def test_openapi_declares_the_problems_each_operation_returns(
        seeded: Driver, neo4j_target: Neo4jTarget) -> None:
    """Issue 17: errors are declared per operation as problem+json with the Problem schema."""
    app = create_app(settings(neo4j_target, rate_limit_per_minute=120), seeded)
    with TestClient(app) as c:
        spec = c.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert {"type", "title", "status", "detail", "instance", "errors"} <= set(
        schemas["Problem"]["properties"])
    assert "HTTPValidationError" not in schemas
    ops = _operations(spec)
    for (method, path), op in ops.items():
        for status, response in op["responses"].items():
            if status[0] == "4" or (status[0] == "5" and path != "/health"):
                assert response["content"] == {"application/problem+json": {
                    "schema": {"$ref": "#/components/schemas/Problem"}}}, (method, path, status)
        if path not in ("/health", "/openapi.json"):
            assert "429" in op["responses"], (method, path)
        for parameter in op.get("parameters", []):  # absent or text on the wire, never null
            assert {"type": "null"} not in parameter["schema"].get("anyOf", []), parameter
    expected = {("POST", "/match"): {"400", "401", "403", "409", "413", "422", "503"},
                ("GET", "/companies/{kvk}"): {"401", "404", "422"},
                ("PATCH", "/companies/{kvk}"): {"401", "403", "404", "409", "413", "422"},
                ("GET", "/registrations"): {"401", "403", "422"},  # scouts: 403
                ("POST", "/loket"): {"401", "403", "404", "409", "422"},
                ("DELETE", "/users/{user_id}"): {"401", "403", "404"},
                ("GET", "/me"): {"401"}}
    for key, statuses in expected.items():
        assert statuses <= set(ops[key]["responses"]), (key, sorted(ops[key]["responses"]))
    assert "422" not in ops[("GET", "/me")]["responses"]  # no parameters, nothing to refuse
    assert ops[("GET", "/me")]["responses"]["401"]["headers"]["WWW-Authenticate"]["required"]
    # reading needs no token here; writing does
    assert {} in ops[("GET", "/companies")]["security"]
    assert ops[("POST", "/match")]["security"] == [{"HTTPBearer": []}]


def test_openapi_states_the_rules_the_server_enforces(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()

    def match(question: str) -> bool:
        return _valid(spec, "MatchRequest", {"question": question})

    assert match("drones") and match("ßü 12") and not match("0") and not match("a1b2 - ?")
    loket = {"kind": "idee", "text": "een idee voor Defensie"}
    assert _valid(spec, "LoketCreate", {**loket, "title": "Titel"})
    for bad in ("Tit\x1bel", "", " \t", "Titel\x0b"):
        assert not _valid(spec, "LoketCreate", {**loket, "title": bad}), bad
    assert not _valid(spec, "LoketCreate", {**loket, "title": "x", "text": "12 34"})
    user = {"name": "Jan", "role": "company"}
    assert _valid(spec, "UserCreate", {**user, "kvk_number": "12345678"})
    assert not _valid(spec, "UserCreate", user)  # a company user needs its KvK number
    assert not _valid(spec, "UserCreate", {**user, "role": "admin", "kvk_number": "12345678"})
    assert _valid(spec, "UserCreate", {**user, "role": "admin"})
    registration = {"kvk_number": "12345678", "name": "Bedrijf",
                    "description": "Wij maken sensoren voor drones.", "capabilities": ["radar"]}
    assert _valid(spec, "RegistrationCreate", registration)
    for change in ({"capabilities": []}, {"capabilities": ["no-such-capability"]},
                   {"description": "te kort"}, {"website": "www.example.nl"},
                   {"municipality": "É"}, {"employees": 10_000_001}):
        assert not _valid(spec, "RegistrationCreate", {**registration, **change}), change
    assert not _valid(spec, "RegistrationCreate", {"kvk_number": "12345678"})
    assert not _valid(spec, "CompanyUpdate", {"capabilities": None})
    upload = _operations(spec)[("POST", "/imports")]["requestBody"]["content"]
    assert "text/csv" in upload["multipart/form-data"]["encoding"]["file"]["contentType"]
    since = next(p for p in _operations(spec)[("GET", "/demand-questions")]["parameters"]
                 if p["name"] == "since")["schema"]
    import jsonschema_rs

    times = jsonschema_rs.validator_for(since)
    assert times.is_valid("2026-01-31T09:00:00+18:00") and times.is_valid("2024-02-29")
    assert not times.is_valid("2026-01-31T09:00:00+22:00")
    assert not times.is_valid("2025-02-29") and not times.is_valid("1700000000")


def test_a_405_names_every_method_of_the_path(client: TestClient) -> None:
    """Starlette named only the first matching route's methods; and GET /registrations/preview
    reached GET /registrations/{reg_id} and was a 422 about the id, not a 405."""
    r = client.options("/companies/12345678")
    assert_problem(r, 405)
    assert r.headers["allow"] == "DELETE, GET, PATCH"
    r = client.get("/registrations/preview")
    assert_problem(r, 405)
    assert r.headers["allow"] == "POST"
    # /loket/confirm (POST) beside /loket/{item_id} (GET): schemathesis found "GET, POST"
    for method in ("GET", "OPTIONS", "DELETE"):
        r = client.request(method, "/loket/confirm")
        assert_problem(r, 405)
        assert r.headers["allow"] == "POST", method


# --------------------------------------------------------------------------- metrics


def test_private_metrics_take_a_valid_token(seeded: Driver, neo4j_target: Neo4jTarget) -> None:
    """With `api_metrics_public` off, a valid token reads /metrics; none or a wrong one is a
    401 (before the fix a valid token got 401 too: the route read a user only routes with the
    auth dependency set)."""
    with TestClient(create_app(settings(neo4j_target, metrics_public=False), seeded)) as c:
        assert_problem(c.get("/metrics"), 401)
        assert_problem(c.get("/metrics", headers=bearer("pa_wrong")), 401)
        r = c.get("/metrics", headers=bearer(token_for(seeded, "scout")))
        assert r.status_code == 200, r.text
        assert "paraat_http_requests" in r.text
