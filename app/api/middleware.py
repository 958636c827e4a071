"""Input safety in front of every route: a body-size cap and a per-caller rate limit.

Both are plain ASGI middleware so they act before FastAPI parses anything. The rate limiter is
in memory, per process: enough for one API process; several replicas would need a shared store.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

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


class RateLimit:
    """At most `per_minute` requests in any 60 s per caller: the bearer token (hashed, never
    kept in clear) or, without one, the client address. Over it the answer is 429 with
    Retry-After. A sliding window, so there is no burst of twice the limit at a minute edge."""

    MAX_KEYS = 10_000
    WINDOW = 60.0

    def __init__(self, app: ASGIApp, per_minute: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.per_minute = per_minute
        self.clock = clock
        self.seen: dict[str, deque[float]] = {}

    def _key(self, scope: Scope) -> str:
        for name, value in scope.get("headers") or []:
            if name == b"authorization":
                return "t:" + hashlib.sha256(value).hexdigest()[:32]
        client: Any = scope.get("client")
        return "ip:" + (client[0] if client else "unknown")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.per_minute <= 0 \
                or scope.get("path") in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        now = self.clock()
        horizon = now - self.WINDOW
        if len(self.seen) > self.MAX_KEYS:  # forget idle callers so memory stays bounded
            self.seen = {k: v for k, v in self.seen.items() if v and v[-1] > horizon}
        stamps = self.seen.setdefault(self._key(scope), deque())
        while stamps and stamps[0] <= horizon:
            stamps.popleft()
        if len(stamps) >= self.per_minute:
            retry = max(1, int(stamps[0] - horizon + 0.999))
            await _send_problem(send, scope, 429,
                                f"More than {self.per_minute} requests per minute; "
                                f"retry in {retry} s.", headers={"Retry-After": str(retry)})
            return
        stamps.append(now)
        await self.app(scope, receive, send)
