"""`POST /match` end to end: real graph, real multilingual encoder, stored DemandQuestion."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from app.api.main import create_app
from app.services.users import UserCreate, create_user
from core.settings import ApiSettings, EncoderSettings, Settings
from graph.queries import admin as admin_q
from graph.queries import companies as companies_q
from graph.repositories.users import UsersRepository
from graph.schema import EmbeddingSpec, apply_schema
from ingest.seed import load_seed
from matching.encoders.base import Encoder
from matching.encoders.cache import EmbeddingCache
from matching.encoders.registry import DEFAULT_MODEL
from ontology.taxonomy import load_taxonomy
from tests.conftest import Neo4jTarget, neo4j_settings

INJECTION = "' }) DETACH DELETE n //"
SECRET = "test-secret-for-the-api"


@pytest.fixture
def graph(driver: Driver, encoder: Encoder, cache: EmbeddingCache) -> Driver:
    apply_schema(driver, EmbeddingSpec(encoder.name, encoder.dimension))
    load_seed(driver, encoder=encoder, taxonomy=load_taxonomy(), cache=cache)
    return driver


def app_settings(target: Neo4jTarget) -> Settings:
    return Settings(neo4j=neo4j_settings(target),
                    encoder=EncoderSettings(model=DEFAULT_MODEL), api=ApiSettings(secret=SECRET))


@pytest.fixture
def client(graph: Driver, neo4j_target: Neo4jTarget) -> Iterator[TestClient]:
    with TestClient(create_app(app_settings(neo4j_target), graph)) as c:
        yield c


def login(driver: Driver, role: str = "bizdev") -> tuple[str, dict[str, str]]:
    user, token = create_user(UsersRepository(driver),
                              UserCreate(name="Bizdev Defensie", role=role),  # type: ignore[arg-type]
                              SECRET)
    return user.id, {"Authorization": f"Bearer {token}"}


def count(driver: Driver, query: str = admin_q.COUNT_NODES) -> int:
    records, _, _ = driver.execute_query(query)
    return int(records[0]["n"])


def test_match_ranks_explains_and_stores_the_question(client: TestClient, graph: Driver) -> None:
    user_id, auth = login(graph, "scout")
    r = client.post("/match", headers=auth, json={
        "question": "Wij zoeken nachtzichtapparatuur voor voertuigbemanningen", "top_k": 5})
    assert r.status_code == 200, r.text
    res = r.json()
    kvks = [h["kvk_number"] for h in res["hits"]]
    assert "99000008" in kvks[:3]  # Exosens-Photonis: image intensifiers
    hit = res["hits"][kvks.index("99000008")]
    assert {"concepts", "graph_paths", "scores"} <= set(hit["explanation"])
    qid = res["demand_question_id"]
    records, _, _ = graph.execute_query(
        "MATCH (d:DemandQuestion {id: $id})-[m:MATCHED]->(:Supply) "
        "RETURN d.owner AS owner, count(m) AS n", id=qid)
    assert records[0]["owner"] == user_id and records[0]["n"] == len(kvks)

    # the stored question is private: the explorer never shows it
    near = client.get(f"/graph/neighbourhood/{kvks[0]}").json()
    assert "DemandQuestion" not in {n["label"] for n in near["nodes"]}


def test_match_treats_injection_as_data(client: TestClient, graph: Driver) -> None:
    _, auth = login(graph)
    companies, nodes = count(graph, companies_q.COUNT_COMPANIES), count(graph)
    r = client.post("/match", headers=auth,
                    json={"question": f"drones detecteren {INJECTION}", "top_k": 3})
    assert r.status_code == 200, r.text
    # a filter value nobody has is a 422 naming it, never a silent empty list (issue 17)
    r = client.post("/match", headers=auth, json={
        "question": "radar", "filters": {"municipalities": [INJECTION], "clusters": [INJECTION]}})
    assert r.status_code == 422 and r.json()["detail"].count(repr(INJECTION)) == 2
    assert count(graph, companies_q.COUNT_COMPANIES) == companies
    assert count(graph) == nodes + 1  # exactly the one stored DemandQuestion


def test_match_on_an_empty_graph_is_409(driver: Driver, neo4j_target: Neo4jTarget) -> None:
    _, auth = login(driver, "admin")
    with TestClient(create_app(app_settings(neo4j_target), driver)) as c:
        r = c.post("/match", headers=auth, json={"question": "drones"})
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    assert "paraat ingest seed" in r.json()["detail"]
