"""Filters by the names users see (issue 17, item 8) and one query plan for every filter
combination (item 12), on the real Neo4j with the seed data and the real encoder."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from app.api.main import create_app
from core.settings import ApiSettings, EncoderSettings, MatchSettings, Settings
from graph.queries import admin as admin_q
from graph.schema import EmbeddingSpec, apply_schema
from ingest.companies import CompanyRecord, RunContext, write_companies
from ingest.seed import load_seed
from matching.encoders.base import Encoder
from matching.encoders.cache import EmbeddingCache
from matching.encoders.registry import DEFAULT_MODEL
from matching.hubs import forget
from matching.matcher import Matcher
from matching.models import MatchFilters, MatchRequest
from ontology.taxonomy import load_taxonomy
from tests.conftest import Neo4jTarget, neo4j_settings
from tests.integration.api_helpers import SECRET, assert_problem, auth

pytestmark = pytest.mark.slow

# A company in a municipality whose name has a space, so "De Wolden" has something to find.
WOLDEN = CompanyRecord(kvk_number="70000101", name="Woldense Vezeltechniek",
                       description="Wij weven aramide vezels tot kogelwerende panelen.",
                       municipality="de-wolden")


@pytest.fixture(scope="module")
def graph(session_driver: Driver, encoder: Encoder, cache: EmbeddingCache) -> Driver:
    from graph.schema import clear_graph

    clear_graph(session_driver)
    apply_schema(session_driver, EmbeddingSpec(encoder.name, encoder.dimension))
    tax = load_taxonomy()
    load_seed(session_driver, encoder=encoder, taxonomy=tax, cache=cache)
    write_companies(session_driver, [WOLDEN], tax, RunContext(source="test"),
                    encoder=encoder, cache=cache)
    return session_driver


@pytest.fixture(scope="module")
def client(graph: Driver, neo4j_target: Neo4jTarget) -> Iterator[TestClient]:
    s = Settings(neo4j=neo4j_settings(neo4j_target),
                 encoder=EncoderSettings(model=DEFAULT_MODEL), api=ApiSettings(secret=SECRET))
    with TestClient(create_app(s, graph)) as c:
        yield c


@pytest.fixture(scope="module")
def bizdev(graph: Driver) -> dict[str, str]:
    return auth(graph, "bizdev")


def kvks(r: Any) -> list[str]:
    assert r.status_code == 200, r.text
    return [h["kvk_number"] for h in r.json()["hits"]]


# --------------------------------------------------------------------------- item 8: API


@pytest.mark.parametrize("kind,id_,forms", [
    ("municipalities", "emmen", ["Emmen", "EMMEN", "émmen", " emmen "]),
    ("municipalities", "de-wolden", ["De Wolden", "de wolden", "DE-WOLDEN", "DeWolden"]),
    ("nld_areas", "slimme-materialen", ["Slimme materialen", "Smart materials",
                                        "slimme-materialen ", "SMART-MATERIALS"]),
    ("clusters", "cluster-groene-chemie", ["Cluster Groene Chemie", "cluster groene chemie"]),
    ("capabilities", "aramid-fibres", ["Aramidevezels", "Aramid fibres", "aramid-fibres",
                                       "ARAMIDEVEZELS"]),
])
def test_match_filter_by_label_returns_what_the_id_returns(
        client: TestClient, bizdev: dict[str, str], kind: str, id_: str,
        forms: list[str]) -> None:
    question = "aramide vezels"
    by_id = kvks(client.post("/match", headers=bizdev, json={
        "question": question, "filters": {kind: [id_]}}))
    assert by_id, f"{kind}={id_} should find suppliers of aramid"
    for form in forms:
        assert kvks(client.post("/match", headers=bizdev, json={
            "question": question, "filters": {kind: [form]}})) == by_id, form


def test_match_stores_the_resolved_ids(client: TestClient, bizdev: dict[str, str],
                                       graph: Driver) -> None:
    r = client.post("/match", headers=bizdev, json={
        "question": "aramide vezels", "filters": {"municipalities": ["Emmen", "De Wolden"],
                                                  "nld_areas": ["Sensors"]}})
    assert r.status_code == 200, r.text
    rows, _, _ = graph.execute_query(
        "MATCH (d:DemandQuestion {id: $id}) RETURN d.filters AS f",
        id=r.json()["demand_question_id"])
    stored = json.loads(rows[0]["f"])
    assert stored["municipalities"] == ["emmen", "de-wolden"]
    assert stored["nld_areas"] == ["sensoren"]


@pytest.mark.parametrize("filters,bad,close", [
    ({"municipalities": ["Emen"]}, "'Emen'", "Emmen (emmen)"),
    ({"municipalities": ["emmen", "Atlantis"]}, "'Atlantis'", "(assen)"),
    ({"nld_areas": ["sensorz"]}, "'sensorz'", "(sensoren)"),
    ({"clusters": ["Groene Chemi"]}, "'Groene Chemi'", "(cluster-groene-chemie)"),
    ({"capabilities": ["nachtzich"]}, "'nachtzich'", "(night-vision)"),
])
def test_match_unknown_filter_is_422_naming_close_choices(
        client: TestClient, bizdev: dict[str, str], graph: Driver, filters: dict[str, Any],
        bad: str, close: str) -> None:
    before = _count_questions(graph)
    body = assert_problem(client.post("/match", headers=bizdev, json={
        "question": "aramide vezels", "filters": filters}), 422)
    assert bad in body["detail"] and close in body["detail"], body["detail"]
    assert "\n" not in body["detail"]
    assert _count_questions(graph) == before  # nothing matched, nothing stored


def _count_questions(driver: Driver) -> int:
    rows, _, _ = driver.execute_query("MATCH (d:DemandQuestion) RETURN count(d) AS n")
    return int(rows[0]["n"])


def test_watchlist_filters_by_name_saved_as_ids_unknown_is_422(
        client: TestClient, bizdev: dict[str, str]) -> None:
    r = client.post("/watchlists", headers=bizdev, json={
        "name": "Vezels", "question": "aramide vezels",
        "filters": {"municipalities": ["Emmen"], "capabilities": ["Aramidevezels"]}})
    assert r.status_code == 201, r.text
    wl = r.json()
    assert wl["filters"]["municipalities"] == ["emmen"]
    assert wl["filters"]["capabilities"] == ["aramid-fibres"]
    assert "99000001" in wl["seen"]  # Teijin Aramid, Emmen
    assert client.get(f"/watchlists/{wl['id']}/new", headers=bizdev).status_code == 200
    body = assert_problem(client.post("/watchlists", headers=bizdev, json={
        "name": "x", "question": "radar", "filters": {"clusters": ["Sensor cluster X"]}}), 422)
    assert "'Sensor cluster X'" in body["detail"]
    assert "(cluster-sensortechnologie)" in body["detail"]


def test_companies_list_filters_by_name(client: TestClient) -> None:
    def listed(**params: str) -> list[str]:
        r = client.get("/companies", params=params)
        assert r.status_code == 200, r.text
        return [c["kvk_number"] for c in r.json()["items"]]

    assert listed(municipality="de-wolden") == ["70000101"]
    assert listed(municipality="De Wolden") == listed(municipality="DE-WOLDEN") == ["70000101"]
    emmen = listed(municipality="emmen")
    assert "99000001" in emmen and listed(municipality="Emmen") == emmen
    nv = listed(capability="night-vision")
    assert nv and listed(capability="Nachtzicht") == nv == listed(capability="night vision")
    for params, close in (({"municipality": "Atlantis"}, None),
                          ({"municipality": "Emen"}, "Emmen (emmen)"),
                          ({"capability": "nachtzich"}, "(night-vision)")):
        body = assert_problem(client.get("/companies", params=params), 422)
        assert repr(next(iter(params.values()))) in body["detail"]
        assert close is None or close in body["detail"], body["detail"]


# --------------------------------------------------------------------------- item 8: CLI


def _paraat(target: Neo4jTarget, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEO4J_URI": target.uri, "NEO4J_USER": "neo4j",
           "NEO4J_PASSWORD": target.password}
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True,
                          text=True, env=env, timeout=600)


def test_cli_match_filter_by_name(graph: Driver, neo4j_target: Neo4jTarget) -> None:
    r = _paraat(neo4j_target, "match", "aramide vezels", "--municipality", "Emmen",
                "--municipality", "De Wolden", "--json", "--no-store")
    assert r.returncode == 0, r.stderr
    hits = json.loads(r.stdout)
    assert hits and {h["municipality"] for h in hits} <= {"Emmen", "De Wolden"}
    assert {"99000001", "70000101"} <= {h["kvk_number"] for h in hits}


def test_cli_match_unknown_filter_exits_2_naming_close_choices(
        graph: Driver, neo4j_target: Neo4jTarget) -> None:
    r = _paraat(neo4j_target, "match", "aramide vezels", "--municipality", "Emen",
                "--nld-area", "Sensors", "--json", "--no-store")
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert r.stdout == ""
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, r.stderr
    assert "'Emen'" in lines[0] and "Emmen (emmen)" in lines[0]
    assert "Sensors" not in lines[0]  # the valid filter is not reported


# --------------------------------------------------------------------------- item 12


def _cached_plans(driver: Driver) -> int:
    """Clears Neo4j's query caches and returns how many entries they held."""
    rows, _, _ = driver.execute_query(admin_q.CLEAR_QUERY_CACHES)
    found = re.search(r"(\d+)", str(rows[0]["value"]))
    return int(found.group(1)) if found else 0


COMBINATIONS = [
    MatchFilters(municipalities=["emmen"]),
    MatchFilters(nld_areas=["slimme-materialen"], min_employees=10),
    MatchFilters(clusters=["greenwise-campus"], capabilities=["aramid-fibres"]),
    MatchFilters(municipalities=["emmen", "assen"], max_employees=100_000),
    MatchFilters(capabilities=["night-vision"], nld_areas=["sensoren"],
                 clusters=["cluster-groene-chemie"], min_employees=0, max_employees=5000),
    MatchFilters(capabilities=["aramid-fibres"]),
]


# Questions with one concept or several, short or long (Neo4j's plan cache also keys on the
# size of a string or list parameter, in steps), each with other filters and a shortlist of
# another length.
QUESTIONS = [
    "nachtzicht",
    "kogelwerende aramide vezels en nachtzicht voor voertuigen",
    "Wij zoeken voor de landmacht een leverancier van kogelwerende aramide vezels, "
    "nachtzichtapparatuur en warmtebeeldcamera's, radar voor drone-detectie en keramische "
    "bepantsering voor voertuigen, met levering in Drenthe binnen zes maanden en ervaring "
    "met defensieprojecten en certificering volgens AQAP-2110.",
]


# -1: never the exact scan, 10**9: always (the filtered count decides otherwise)
@pytest.mark.parametrize("exact_dense_below", [-1, 10**9], ids=["index", "exact"])
def test_every_question_and_filter_combination_shares_one_query_plan(
        graph: Driver, encoder: Encoder, exact_dense_below: int) -> None:
    """Neo4j caches a plan per query text and parameter types (and sizes): the same number of
    searches makes as many plans with other filters, questions and shortlist lengths each time
    as with the same search again and again (before: a plan per filter combination, and per
    size step of the question's text, concepts and shortlist)."""
    matcher = Matcher(graph, encoder, load_taxonomy(),
                      MatchSettings(exact_dense_below=exact_dense_below))
    rows, _, _ = graph.execute_query("MATCH (c:Company) RETURN c.kvk_number AS kvk")
    kvks = sorted(r["kvk"] for r in rows)
    searches = [(QUESTIONS[i % len(QUESTIONS)], f, (1, 5, len(kvks))[i % 3])
                for i, f in enumerate(COMBINATIONS)]

    def plans_after(runs: list[tuple[str, MatchFilters, int]]) -> int:
        _cached_plans(graph)
        # The hub penalty fetches the embeddings of nodes it has not seen (once per process):
        # forgotten here, so both passes plan that query once.
        forget(graph)
        for question, filters, k in runs:
            sig = matcher.signals(question, filters)
            assert sig.concepts  # the graph query ran too
            assert len(matcher.candidates_for(kvks[:k], sig)) == k
        return _cached_plans(graph)

    plans_after(searches[:1])  # warm: concept vectors, driver connections
    same = plans_after(searches[:1] * len(searches))
    assert same >= 5  # lexical, graph, count, a dense query and the candidates were planned
    assert plans_after(searches) == same


def test_storing_a_question_shares_one_plan_with_or_without_hits_and_concepts(
        graph: Driver, encoder: Encoder) -> None:
    """A filter that excludes everything stores a question without hits; a question without
    concepts stores none: the same plan as a question with both (before: one per mix)."""
    matcher = Matcher(graph, encoder, load_taxonomy(), MatchSettings())
    full = MatchRequest(question="kogelwerende aramide vezels")
    no_hits = MatchRequest(question="kogelwerende aramide vezels",
                           filters=MatchFilters(municipalities=["westerveld"],
                                                kinds=["company"]))  # no company there
    plain = MatchRequest(question="een bedrijf in Emmen")
    results = [(r, matcher.match(r)) for r in (full, no_hits, plain)]
    assert results[0][1].hits and results[0][1].concepts
    assert not results[1][1].hits and not results[2][1].concepts

    def plans_after(pairs: list[tuple[MatchRequest, Any]]) -> int:
        _cached_plans(graph)
        for request, result in pairs:
            matcher.store(result, request, owner="test")
        return _cached_plans(graph)

    assert plans_after(results) == plans_after([results[0]] * len(results)) == 1
