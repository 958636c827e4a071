"""The rate limiter's bookkeeping with a controlled clock (the attacks themselves run against
a real server in tests/integration/app/api/test_api_rate_limit.py): its token cache
expires, a failed token lookup never becomes a 500, and memory stays bounded
however many callers come."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from app.api.middleware import RateLimit, bearer_token


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _ok(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


def call(limiter: RateLimit, auth: str | None = None, client: str = "10.0.0.1"
         ) -> tuple[int, dict[str, str], Any]:
    headers = [(b"authorization", auth.encode("latin-1"))] if auth is not None else []
    scope = {"type": "http", "path": "/nld-areas", "headers": headers, "client": (client, 1)}
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(limiter(scope, receive, send))
    start = sent[0]
    hdrs = {k.decode(): v.decode() for k, v in start["headers"]}
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return start["status"], hdrs, json.loads(body) if body else None


@pytest.mark.parametrize("header,token", [
    ("Bearer abc", "abc"), ("bearer abc", "abc"), ("BEARER   abc", "abc"),
    ("Basic abc", None), ("Bearer", None), ("Bearer ", None), ("", None),
])
def test_bearer_token_reads_the_header_as_httpbearer_does(header: str, token: str | None
                                                          ) -> None:
    assert bearer_token(header) == token


def test_token_owners_are_cached_for_a_while_then_looked_up_again() -> None:
    clock, lookups = Clock(), []

    def resolve(token: str) -> str | None:
        lookups.append(token)
        return "user-1" if token == "good" else None

    limiter = RateLimit(_ok, per_minute=100, failures_per_minute=100, resolve=resolve,
                        clock=clock)
    for spelling in ("Bearer good", "bearer good", "BEARER good"):
        assert call(limiter, spelling)[0] == 200
    assert lookups == ["good"]
    assert list(limiter.seen) == ["u:user-1"] and len(limiter.seen["u:user-1"]) == 3
    clock.now += RateLimit.OWNER_TTL + 1
    assert call(limiter, "Bearer good")[0] == 200
    assert lookups == ["good", "good"]
    assert call(limiter, "Bearer wrong")[0] == 200  # the app answers 401 itself
    assert "f:10.0.0.1" in limiter.seen


def test_a_failed_lookup_is_no_server_error() -> None:
    def resolve(token: str) -> str | None:
        raise ConnectionError("neo4j is down")

    limiter = RateLimit(_ok, per_minute=2, failures_per_minute=1, resolve=resolve,
                        clock=Clock())
    assert [call(limiter, "Bearer t")[0] for _ in range(3)] == [200, 200, 429]
    assert limiter.owners == {}  # an outage is not remembered as "no such token"
    status, headers, body = call(limiter, "Bearer t")
    assert status == 429 and headers["content-type"] == "application/problem+json"
    assert int(headers["retry-after"]) >= 1 and body["status"] == 429


def test_memory_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RateLimit, "MAX_KEYS", 50)
    clock = Clock()
    limiter = RateLimit(_ok, per_minute=5, failures_per_minute=5,
                        resolve=lambda token: None, clock=clock)
    for i in range(400):
        call(limiter, client=f"10.1.{i // 250}.{i % 250}")
        call(limiter, f"Bearer wrong-{i}", client=f"10.2.{i // 250}.{i % 250}")
        clock.now += 0.01
    assert len(limiter.seen) <= 50 and len(limiter.owners) <= 50
    # the newest callers are still counted
    assert "a:10.1.1.149" in limiter.seen and "f:10.2.1.149" in limiter.seen
