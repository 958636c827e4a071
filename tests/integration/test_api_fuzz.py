"""Schemathesis fuzzes every operation of the OpenAPI schema against a real uvicorn server on
the real graph (seed data, real encoder) with an admin token: whatever it sends, the API must
answer without a 5xx. The number of examples per operation is bounded to keep CI short."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from neo4j import Driver

from app.api.main import create_app
from app.api.users import UserCreate, create_user
from graph.schema import EmbeddingSpec, apply_schema, clear_graph
from graph.settings import Settings
from ingest.seed import load_seed
from matching.encoder import EmbeddingCache, Encoder
from ontology.taxonomy import load_taxonomy

from ..conftest import Neo4jTarget, serve_app

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SECRET = "fuzz-secret"
EXAMPLES = 12


@pytest.fixture(scope="module")
def fuzz_server(session_driver: Driver, neo4j_target: Neo4jTarget, encoder: Encoder,
                cache: EmbeddingCache) -> Iterator[tuple[str, str]]:
    clear_graph(session_driver)
    apply_schema(session_driver, EmbeddingSpec(encoder.name, encoder.dimension))
    load_seed(session_driver, encoder=encoder, taxonomy=load_taxonomy(), cache=cache)
    _, token = create_user(session_driver, UserCreate(name="fuzzer", role="admin"), SECRET)
    app = create_app(Settings(NEO4J_URI=neo4j_target.uri, NEO4J_PASSWORD=neo4j_target.password,
                              api_secret=SECRET, api_rate_limit_per_minute=0), session_driver)
    app.state.encoder = encoder
    with serve_app(app) as url:
        yield url, token


def _content_type(response: Any) -> str:
    value = response.headers.get("content-type") or ""
    return str(value[0] if isinstance(value, list) and value else value)


def test_no_operation_answers_with_a_server_error(fuzz_server: tuple[str, str]) -> None:
    """Every operation gets EXAMPLES generated requests (valid and edge-case data)."""
    url, token = fuzz_server
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    failures: list[str] = []
    calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            nonlocal calls
            calls += 1
            response = case.call(base_url=url, headers={"Authorization": f"Bearer {token}"},
                                 timeout=120)
            where = f"{case.method} {case.formatted_path}"
            if response.status_code >= 500:
                failures.append(f"{where} -> {response.status_code}: {response.text[:300]}")
            elif response.status_code >= 400 and not _content_type(response).startswith(
                    "application/problem+json"):
                failures.append(f"{where} -> {response.status_code} without problem+json")

        run()
    assert calls >= 100, calls
    assert not failures, "\n".join(failures[:20])
