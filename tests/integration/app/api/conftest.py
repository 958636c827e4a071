"""Fixtures of the API tests in this package: the app over the plain seed (`plain`, `client`:
shortlists, demand questions) or over the embedded seed (`embedded`, `mclient`: watchlists and
the loket, which run the matcher with the session's encoder)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from app.api.main import create_app
from core.settings import ApiSettings, EncoderSettings, Settings
from matching.encoders.base import Encoder
from matching.encoders.cache import EmbeddingCache
from matching.encoders.registry import DEFAULT_MODEL
from tests.conftest import Neo4jTarget, neo4j_settings, seed_graph
from tests.integration.api_helpers import SECRET, seed_without_embeddings


def _settings(target: Neo4jTarget) -> Settings:
    return Settings(neo4j=neo4j_settings(target), encoder=EncoderSettings(model=DEFAULT_MODEL),
                    api=ApiSettings(secret=SECRET))


@pytest.fixture(scope="module")
def plain(session_driver: Driver) -> Driver:
    """The seed without embeddings: enough for shortlists and stored demand questions."""
    return seed_without_embeddings(session_driver)


@pytest.fixture(scope="module")
def embedded(session_driver: Driver, encoder: Encoder, cache: EmbeddingCache) -> Driver:
    """The seed with embeddings, for everything that runs the matcher."""
    return seed_graph(session_driver, encoder, cache)


@pytest.fixture
def client(plain: Driver, neo4j_target: Neo4jTarget) -> Iterator[TestClient]:
    with TestClient(create_app(_settings(neo4j_target), plain)) as c:
        yield c


@pytest.fixture
def mclient(embedded: Driver, encoder: Encoder, neo4j_target: Neo4jTarget
            ) -> Iterator[TestClient]:
    app = create_app(_settings(neo4j_target), embedded)
    app.state.encoder = encoder  # the session's model, not a second copy
    with TestClient(app) as c:
        yield c
