"""The rate limiter against a real uvicorn server on the real graph (issue 17, items 3 and 4):
the attacks that used to reset or dodge the limit, each replayed over real sockets.

- one user's budget is shared however the `Authorization` scheme is spelled;
- a flood of wrong tokens from one address is throttled (429), while a valid user and the
  anonymous budget of that address are not;
- `X-Forwarded-For` is honoured only from a configured trusted proxy, in `serve_app` and in
  `paraat serve api` (which `paraat up` and `paraat bench load` start).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from neo4j import Driver

from app.api.main import create_app
from app.bench.load import serve_api_process
from core.settings import ApiSettings, Settings
from tests.conftest import Neo4jTarget, neo4j_settings, serve_app
from tests.integration.api_helpers import SECRET, assert_problem, token_for

LIMIT = 5
READ = "/nld-areas"  # a cheap read that anonymous callers may make


def _settings(target: Neo4jTarget, **kw: Any) -> Settings:
    return Settings(neo4j=neo4j_settings(target),
                    api=ApiSettings(secret=SECRET, rate_limit_per_minute=LIMIT, **kw))


@contextmanager
def _served(driver: Driver, target: Neo4jTarget, **kw: Any) -> Iterator[httpx.Client]:
    with serve_app(create_app(_settings(target, **kw), driver)) as url, \
            httpx.Client(base_url=url, timeout=30) as client:
        yield client


def _assert_429(r: httpx.Response) -> None:
    assert_problem(r, 429)
    assert int(r.headers["retry-after"]) >= 1


def test_one_user_has_one_budget_whatever_the_scheme_spelling(
        driver: Driver, neo4j_target: Neo4jTarget) -> None:
    token = token_for(driver, "scout")
    other = token_for(driver, "bizdev")
    with _served(driver, neo4j_target) as c:
        for _ in range(LIMIT):
            assert c.get(READ, headers={"Authorization": f"Bearer {token}"}).status_code == 200
        _assert_429(c.get(READ, headers={"Authorization": f"Bearer {token}"}))
        # the same token, spelled otherwise, used to get a fresh budget each time
        for scheme in ("bearer", "BEARER", "BeArEr", "bEARER"):
            _assert_429(c.get(READ, headers={"Authorization": f"{scheme} {token}"}))
        _assert_429(c.get(READ, headers={"Authorization": f"Bearer   {token}"}))
        # another user, and the anonymous budget of the same address, are not affected
        assert c.get(READ, headers={"Authorization": f"bearer {other}"}).status_code == 200
        for _ in range(LIMIT):
            assert c.get(READ).status_code == 200
        _assert_429(c.get(READ))
        assert c.get("/health").status_code == 200  # probes are never limited


def test_a_flood_of_wrong_tokens_from_one_address_is_throttled(
        driver: Driver, neo4j_target: Neo4jTarget) -> None:
    token = token_for(driver, "scout")
    failures = 10
    with _served(driver, neo4j_target, auth_failures_per_minute=failures) as c:
        statuses = []
        for i in range(300):
            r = c.get(READ, headers={"Authorization": f"Bearer pa_wrong-{i:04d}"})
            statuses.append(r.status_code)
            if r.status_code == 429:
                _assert_429(r)
                assert "authentication" in r.json()["detail"]
        assert statuses.count(401) == failures, statuses[:40]
        assert statuses[failures:] == [429] * (300 - failures)
        # malformed headers are failed authentications too
        _assert_429(c.get(READ, headers={"Authorization": "Basic abc"}))
        _assert_429(c.get(READ, headers={"Authorization": "Bearer"}))
        # a valid user from the same address is served, and so is an anonymous reader
        assert c.get(READ, headers={"Authorization": f"Bearer {token}"}).status_code == 200
        assert c.get(READ).status_code == 200


def test_the_failure_limit_can_be_switched_off(driver: Driver,
                                               neo4j_target: Neo4jTarget) -> None:
    assert 0 < ApiSettings().auth_failures_per_minute < 300  # on by default
    with _served(driver, neo4j_target, auth_failures_per_minute=0) as c:
        for i in range(LIMIT * 3):
            r = c.get(READ, headers={"Authorization": f"Bearer pa_wrong-{i}"})
            assert_problem(r, 401)


# --------------------------------------------------------------------------- X-Forwarded-For


def _forged(c: httpx.Client, n: int) -> list[int]:
    return [c.get(READ, headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
            for i in range(1, n + 1)]


def test_forged_forwarded_for_is_ignored_by_default(driver: Driver,
                                                    neo4j_target: Neo4jTarget) -> None:
    with _served(driver, neo4j_target) as c:
        assert _forged(c, LIMIT + 3) == [200] * LIMIT + [429] * 3
    assert ApiSettings().trusted_proxies == []  # the default trusts no proxy


def test_forwarded_for_is_honoured_from_a_configured_proxy(
        driver: Driver, neo4j_target: Neo4jTarget) -> None:
    with _served(driver, neo4j_target, trusted_proxies=["127.0.0.1"]) as c:
        # each forwarded client has its own budget ...
        assert _forged(c, LIMIT + 3) == [200] * (LIMIT + 3)
        # ... and one forwarded client is limited as itself
        one = {"X-Forwarded-For": "198.51.100.7"}
        assert [c.get(READ, headers=one).status_code for _ in range(LIMIT + 1)] \
            == [200] * LIMIT + [429]


@pytest.mark.slow
def test_paraat_serve_api_trusts_only_configured_proxies(neo4j_env: dict[str, str],
                                                         tmp_path: Path) -> None:
    """`paraat up` and `paraat bench load` start the API this way too."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PARAAT_") and k != "FORWARDED_ALLOW_IPS"}
    env.update(neo4j_env, PARAAT_API_SECRET=SECRET, PARAAT_MODE="local",
               PARAAT_API_RATE_LIMIT_PER_MINUTE=str(LIMIT), HF_HUB_OFFLINE="1",
               # uvicorn's own variable must not widen the trust either
               FORWARDED_ALLOW_IPS="*")
    log = tmp_path / "api.log"
    with serve_api_process(env, log) as (url, _), httpx.Client(base_url=url, timeout=30) as c:
        assert _forged(c, LIMIT + 2) == [200] * LIMIT + [429] * 2
    env.update(PARAAT_API_TRUSTED_PROXIES="127.0.0.1,::1")
    with serve_api_process(env, log) as (url, _), httpx.Client(base_url=url, timeout=30) as c:
        assert _forged(c, LIMIT + 2) == [200] * (LIMIT + 2)
