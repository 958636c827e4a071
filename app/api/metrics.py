"""Prometheus metrics: requests by route template and status, and their latency.

Each app has its own registry (tests build many apps in one process). Labels use the route
template (`/companies/{kvk}`), never the raw path, so a scan of ids cannot blow up the series.
"""

from __future__ import annotations

import time

from fastapi import FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from app.api.deps import OptionalUser
from app.api.problems import ApiProblem, problem_responses


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("paraat_http_requests", "HTTP requests handled",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram(
            "paraat_http_request_seconds", "Time to answer a request", ["method", "route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry)
        self.matches = Counter("paraat_match_questions", "Demand questions matched",
                               registry=self.registry)


def _route_of(request: Request) -> str:
    """The matched route's template; the router records it in the (shared) scope."""
    route = request.scope.get("route")
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(path) if path else "unmatched"


def install_metrics(app: FastAPI, public: bool) -> Metrics:
    metrics = Metrics()
    app.state.metrics = metrics

    class _Middleware(BaseHTTPMiddleware):
        async def dispatch(self, request: Request, call_next: RequestResponseEndpoint
                           ) -> Response:
            t0 = time.perf_counter()
            status = 500
            try:
                response = await call_next(request)
                status = response.status_code
                return response
            finally:
                route = _route_of(request)
                metrics.requests.labels(request.method, route, str(status)).inc()
                metrics.latency.labels(request.method, route).observe(time.perf_counter() - t0)
                if route == "/match" and status == 200:
                    metrics.matches.inc()

    app.add_middleware(_Middleware)

    @app.get("/metrics", tags=["meta"], response_class=Response,
             responses={200: {"content": {"text/plain": {}}},
                        **(problem_responses() if public else problem_responses(401))})
    def get_metrics(user: OptionalUser) -> Response:
        """Prometheus text format."""
        if not public and user is None:
            raise ApiProblem(401, "Metrics need a token on this server.",
                             headers={"WWW-Authenticate": "Bearer"})
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return metrics
