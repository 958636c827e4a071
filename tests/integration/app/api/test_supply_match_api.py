"""`POST /match` over every kind of supply, `GET /supply` and `GET /graph/search` (issue 19),
on the real Neo4j with the seed and the real encoder."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from app.api.main import create_app
from core.settings import ApiSettings, EncoderSettings, Settings
from matching.encoders.base import Encoder
from matching.encoders.registry import DEFAULT_MODEL
from tests.conftest import Neo4jTarget, neo4j_settings, seed_graph
from tests.integration.api_helpers import SECRET, assert_problem, auth

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def graph(session_driver: Driver, encoder: Encoder) -> Driver:
    return seed_graph(session_driver, encoder)


@pytest.fixture(scope="module")
def client(graph: Driver, neo4j_target: Neo4jTarget) -> Iterator[TestClient]:
    s = Settings(neo4j=neo4j_settings(neo4j_target),
                 encoder=EncoderSettings(model=DEFAULT_MODEL), api=ApiSettings(secret=SECRET))
    with TestClient(create_app(s, graph)) as c:
        yield c


@pytest.fixture(scope="module")
def bizdev(graph: Driver) -> dict[str, str]:
    return auth(graph, "bizdev")


def hits(r: Any) -> list[dict[str, Any]]:
    assert r.status_code == 200, r.text
    return list(r.json()["hits"])


def test_every_hit_has_kind_id_name_score_and_explanation(client: TestClient,
                                                         bizdev: dict[str, str]) -> None:
    found = hits(client.post("/match", headers=bizdev, json={
        "question": "100 hectare bij de A37 voor grootschalige productie", "top_k": 20}))
    assert found[0]["kind"] == "site"
    kinds = {h["kind"] for h in found}
    assert {"site", "company"} <= kinds
    for h in found:
        assert {"kind", "id", "name", "score", "explanation"} <= set(h)
        assert (h["kvk_number"] == h["id"]) if h["kind"] == "company" else h["kvk_number"] is None
    assert found[0]["explanation"]["constraints"][0]["met"] is True


@pytest.mark.parametrize("kinds", [["site"], ["programme", "institution"], ["company"]])
def test_kind_filter(client: TestClient, bizdev: dict[str, str], kinds: list[str]) -> None:
    found = hits(client.post("/match", headers=bizdev, json={
        "question": "opleiding en training voor Defensie", "filters": {"kinds": kinds}}))
    assert found and {h["kind"] for h in found} <= set(kinds)


def test_area_and_access_filters(client: TestClient, bizdev: dict[str, str]) -> None:
    found = hits(client.post("/match", headers=bizdev, json={
        "question": "bedrijventerrein", "filters": {"min_area_ha": 50, "access": ["snelweg"]}}))
    assert [h["id"] for h in found] == ["rundedal"]  # the one site with a known area
    found = hits(client.post("/match", headers=bizdev, json={
        "question": "overslag van materieel", "filters": {"access": ["rail"]}}))
    assert "euroterminal-coevorden" in {h["id"] for h in found}
    assert all("rail" in h["attributes"]["access"] for h in found)


@pytest.mark.parametrize("filters,named", [
    ({"kinds": ["spaceship"]}, "company, site, facility, institution, programme"),
    ({"access": ["teleport"]}, "road, rail, water, air"),
])
def test_unknown_kind_or_access_is_a_422_naming_the_valid_ones(
        client: TestClient, bizdev: dict[str, str], filters: dict[str, Any], named: str) -> None:
    body = assert_problem(client.post("/match", headers=bizdev, json={
        "question": "radar", "filters": filters}), 422)
    assert named in body["detail"]


def test_negative_area_is_a_422(client: TestClient, bizdev: dict[str, str]) -> None:
    assert_problem(client.post("/match", headers=bizdev, json={
        "question": "terrein", "filters": {"min_area_ha": -1}}), 422)


def test_supply_lists_sites_with_their_attributes(client: TestClient,
                                                  bizdev: dict[str, str]) -> None:
    r = client.get("/supply", params={"kind": "site"}, headers=bizdev)
    assert r.status_code == 200, r.text
    sites = r.json()
    assert sites and {s["kind"] for s in sites} == {"site"}
    assert any("area_ha" in s["attributes"] and "access" in s["attributes"] for s in sites)
    assert_problem(client.get("/supply", params={"kind": "spaceship"}, headers=bizdev), 422)


def test_the_explorer_starts_from_any_node(client: TestClient, bizdev: dict[str, str]) -> None:
    r = client.get("/graph/search", params={"q": "astron"}, headers=bizdev)
    assert r.status_code == 200, r.text
    found = r.json()
    assert found and "astron" in found[0]["name"].lower()
    r = client.get(f"/graph/neighbourhood/{found[0]['id']}", headers=bizdev)
    assert r.status_code == 200, r.text
    assert r.json()["nodes"][0]["name"] == found[0]["name"]
    site = client.get("/supply", params={"kind": "site"}, headers=bizdev).json()[0]
    r = client.get(f"/graph/neighbourhood/{site['id']}", headers=bizdev)
    assert r.status_code == 200 and r.json()["nodes"][0]["label"] == "Site"
