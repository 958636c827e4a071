"""Every UI page renders against the real API on a graph with 10k synthetic companies, and on
an empty graph: no exception, no "unexpected error" message, no error box."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from neo4j import Driver
from streamlit.testing.v1 import AppTest

from app.api.main import create_app
from app.services.users import UserCreate, create_user
from app.ui.i18n import t
from core.settings import ApiSettings, Settings
from graph.repositories.users import UsersRepository
from graph.schema import apply_schema, clear_graph
from ingest.companies import RunContext, write_companies
from ingest.seed import load_seed
from ingest.synthetic import generate
from ontology.taxonomy import load_taxonomy
from tests.conftest import TEST_EMBEDDING, Neo4jTarget, neo4j_settings, serve_app

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SECRET = "ui-scale-secret"
PAGES = ("home", "clusters", "search", "register", "loket", "patterns", "admin")


def _page_script(page: str) -> None:
    from app.ui.shell import run_page

    run_page(page)


@pytest.fixture(scope="module")
def api(session_driver: Driver, neo4j_target: Neo4jTarget) -> Iterator[str]:
    s = Settings(neo4j=neo4j_settings(neo4j_target),
                 api=ApiSettings(secret=SECRET, rate_limit_per_minute=0))
    app = create_app(s, session_driver)
    with serve_app(app) as url:
        yield url


def render_all(driver: Driver, url: str) -> None:
    user, token = create_user(UsersRepository(driver),
                              UserCreate(name="Beheerder", role="admin"), SECRET)
    for key in PAGES:
        at = AppTest.from_function(_page_script, args=(key,), default_timeout=180)
        at.session_state["api_url"] = url
        at.session_state["lang"] = "nl"
        at.session_state["token"] = token
        at.session_state["user"] = user.model_dump()
        at.run()
        assert not at.exception, (key, [e.value for e in at.exception])
        shown: list[Any] = [e.value for e in (*at.error, *at.warning, *at.markdown)]
        assert t("err.unexpected", "nl") not in "\n".join(map(str, shown)), key
        assert not at.error, (key, [e.value for e in at.error])


def test_pages_render_with_10k_companies(session_driver: Driver, api: str) -> None:
    clear_graph(session_driver)
    apply_schema(session_driver, TEST_EMBEDDING)
    load_seed(session_driver)
    tax = load_taxonomy()
    stats = write_companies(session_driver, generate(10_000, tax, seed=7), tax,
                            RunContext(source="synthetic"))
    assert stats.created == 10_000
    render_all(session_driver, api)


def test_pages_render_with_an_empty_graph(session_driver: Driver, api: str) -> None:
    clear_graph(session_driver)
    apply_schema(session_driver, TEST_EMBEDDING)
    render_all(session_driver, api)
