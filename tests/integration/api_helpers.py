"""What the API tests share: the test secret, tokens per role and the problem+json check."""

from __future__ import annotations

from typing import Any

from neo4j import Driver

from app.services.users import UserCreate, create_user
from graph.repositories.users import UsersRepository
from graph.schema import apply_schema, clear_graph
from ingest.seed import load_seed
from tests.conftest import TEST_EMBEDDING

SECRET = "test-secret-for-the-api"
INJECTION = "' }) DETACH DELETE n //"


def seed_without_embeddings(driver: Driver) -> Driver:
    """A clean graph with the seed and no embeddings: what the API tests that only read
    profiles, lists and stored questions need (and cheaper than the encoder)."""
    clear_graph(driver)
    apply_schema(driver, TEST_EMBEDDING)
    load_seed(driver)
    return driver


def token_for(driver: Driver, role: str, kvk: str | None = None) -> str:
    _, token = create_user(UsersRepository(driver),
                           UserCreate(name=f"test {role}", role=role,  # type: ignore[arg-type]
                                      kvk_number=kvk), SECRET)
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def auth(driver: Driver, role: str, kvk: str | None = None) -> dict[str, str]:
    """Authorization headers for a new user with this role."""
    return bearer(token_for(driver, role, kvk))


def assert_problem(r: Any, status: int) -> dict[str, Any]:
    # `r` is httpx's or httpx2's Response: TestClient uses whichever is installed.
    """An RFC 9457 problem with this status and no traceback; returns its body."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = r.json()
    assert body["status"] == status and body["title"] and "detail" in body
    assert "Traceback" not in r.text
    return body
