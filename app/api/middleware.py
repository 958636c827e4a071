"""Input safety in front of every route: a body-size cap and a per-caller rate limit.

Both are plain ASGI middleware so they act before FastAPI parses anything. The rate limiter is
in memory, per process: enough for one API process; several replicas would need a shared store.
The client address it limits by is the TCP peer, or the X-Forwarded-For client when the peer
is a trusted proxy (`api_trusted_proxies`, see `main.proxy_options`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from fastapi.security.utils import get_authorization_scheme_param
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.problems import PROBLEM_JSON, problem_body

log = logging.getLogger(__name__)

# Probes and the docs are never limited.
UNLIMITED_PATHS = frozenset({"/health", "/docs", "/redoc", "/openapi.json",
                             "/docs/oauth2-redirect"})


async def _send_problem(send: Send, scope: Scope, status: int, detail: str,
                        headers: dict[str, str] | None = None) -> None:
    body = json.dumps(problem_body(status, detail, instance=scope.get("path"))).encode()
    raw = [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class BodySizeLimit:
    """Refuses bodies over `max_bytes` with 413, whether announced by Content-Length or
    streamed chunked; an accepted body is buffered (it is small) and replayed to the app."""

    def __init__(self, app: ASGIApp, max_bytes: int,
                 per_path: dict[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.per_path = per_path or {}  # e.g. registry uploads may be larger than JSON

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.per_path.get(scope.get("path", ""), self.max_bytes)
        too_big = f"The request body exceeds {max_bytes} bytes."
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None:
            try:
                announced = int(length)
            except ValueError:
                await _send_problem(send, scope, 400, "Invalid Content-Length.")
                return
            if announced > max_bytes:
                await _send_problem(send, scope, 413, too_big)
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > max_bytes:
                await _send_problem(send, scope, 413, too_big)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def bearer_token(header: str) -> str | None:
    """The token of an `Authorization` value read exactly as the auth dependency's HTTPBearer
    reads it (scheme case-insensitive, token stripped); None when it is no bearer token."""
    scheme, token = get_authorization_scheme_param(header)
    return token if scheme.lower() == "bearer" and token else None


class RateLimit:
    """At most `per_minute` requests in any 60 s per caller, and at most `failures_per_minute`
    failed authentications per client address; over either the answer is 429 problem+json
    with Retry-After. Sliding windows, so there is no burst of twice the limit at a minute
    edge. `per_minute=0` switches both off; `failures_per_minute=0` only the second.

    The caller is *who* the token belongs to, not the header's text: keying on the header let
    `bearer`, `BEARER`, ... each start a fresh budget, and let every wrong token pass
    unthrottled. So the token is read as the auth dependency reads it and `resolve`d to its
    user with the same lookup (`users.user_for_token`); all of one user's requests share one
    budget. Unknown tokens and malformed headers count against the client *address*, which
    keeps a flood of guesses in check without locking out valid users behind the same address
    (the UI calls from one). Requests without a token have a per-address budget.

    This is a middleware rather than a check inside the auth dependency because it must act
    before FastAPI parses anything and on every route, including unknown paths and routes
    that never ask who calls. Its lookup is cached per token for `OWNER_TTL` s (tokens kept
    only as SHA-256), so a flood with one token costs no database reads; a flood of distinct
    wrong tokens costs one indexed read each (not refusing unknown tokens unread keeps a valid
    user behind the same address served), but none of them reaches a route. The dependency
    still does its own, uncached lookup, so a revoked token is refused at once. If the lookup
    fails (Neo4j down) the request is keyed on the token's hash and the app answers itself.

    In memory, per process (N API processes allow N times the limit), bounded by `MAX_KEYS`
    callers and cached tokens: idle entries go first, then the oldest.
    """

    MAX_KEYS = 10_000
    WINDOW = 60.0
    OWNER_TTL = 30.0

    def __init__(self, app: ASGIApp, per_minute: int, failures_per_minute: int = 0,
                 resolve: Callable[[str], str | None] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.per_minute = per_minute
        self.failures_per_minute = failures_per_minute
        self.resolve = resolve
        self.clock = clock
        self.seen: dict[str, deque[float]] = {}
        self.owners: dict[str, tuple[float, str | None]] = {}  # sha256 -> (until, user id)

    async def _owner(self, token: str, digest: str, now: float) -> tuple[bool, str | None]:
        """(looked up, user id or None); (False, None) when the lookup failed."""
        cached = self.owners.get(digest)
        if cached is not None and cached[0] > now:
            return True, cached[1]
        assert self.resolve is not None
        try:
            owner = await run_in_threadpool(self.resolve, token)
        except Exception as e:  # the app reports the outage itself (503); never a 500 here
            log.warning("rate limit: token lookup failed (%s)", type(e).__name__)
            return False, None
        if len(self.owners) >= self.MAX_KEYS:
            self.owners = {k: v for k, v in self.owners.items() if v[0] > now}
            while len(self.owners) >= self.MAX_KEYS:
                del self.owners[next(iter(self.owners))]
        self.owners[digest] = (now + self.OWNER_TTL, owner)
        return True, owner

    async def _key(self, scope: Scope, now: float) -> tuple[str, int]:
        """The window this request counts in, and its budget."""
        client: Any = scope.get("client")
        address = client[0] if client else "unknown"
        header = next((v for k, v in scope.get("headers") or [] if k == b"authorization"),
                      None)
        if header is None:
            return "a:" + address, self.per_minute
        token = bearer_token(header.decode("latin-1"))
        if token is None:
            return "f:" + address, self.failures_per_minute
        digest = hashlib.sha256(token.encode()).hexdigest()
        if self.resolve is None:
            return "t:" + digest, self.per_minute
        found, owner = await self._owner(token, digest, now)
        if not found:
            return "t:" + digest, self.per_minute
        if owner is None:
            return "f:" + address, self.failures_per_minute
        return "u:" + owner, self.per_minute

    def _stamps(self, key: str, horizon: float) -> deque[float]:
        if key not in self.seen and len(self.seen) >= self.MAX_KEYS:
            # forget idle callers first, then the longest known, so memory stays bounded
            self.seen = {k: v for k, v in self.seen.items() if v and v[-1] > horizon}
            while len(self.seen) >= self.MAX_KEYS:
                del self.seen[next(iter(self.seen))]
        stamps = self.seen.setdefault(key, deque())
        while stamps and stamps[0] <= horizon:
            stamps.popleft()
        return stamps

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.per_minute <= 0 \
                or scope.get("path") in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        now = self.clock()
        key, budget = await self._key(scope, now)
        if budget <= 0:  # failed authentications are not limited
            await self.app(scope, receive, send)
            return
        horizon = now - self.WINDOW
        stamps = self._stamps(key, horizon)
        if len(stamps) >= budget:
            retry = max(1, int(stamps[0] - horizon + 0.999))
            what = "failed authentications per minute from this address" \
                if key.startswith("f:") else "requests per minute"
            await _send_problem(send, scope, 429, f"More than {budget} {what}; "
                                                  f"retry in {retry} s.",
                                headers={"Retry-After": str(retry)})
            return
        stamps.append(now)
        await self.app(scope, receive, send)
