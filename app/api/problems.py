"""RFC 9457 problem details: every error the API returns has the same shape and no traceback.

One handler maps Paraat's own errors (core.errors and each layer's subclasses) to a status;
request validation lists the offending fields; anything unexpected is logged here and answered
with a bare 500.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from neo4j import exceptions as neo4j_exc
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from core.errors import ConflictError, ForbiddenError, NotFoundError, ParaatError, ValidationError
from graph.errors import Neo4jAuthError, Neo4jUnavailableError

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://w3id.org/paraat/problems/"

TITLES = {
    400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
    405: "Method not allowed", 409: "Conflict", 410: "Gone", 413: "Content too large",
    422: "Unprocessable content", 429: "Too many requests", 500: "Internal server error",
    503: "Service unavailable",
}


class FieldProblem(BaseModel):
    """One offending field. Request validation names where it was (`in`) and the kind of error
    (`type`); the SHACL shapes of a profile give the message in Dutch and English."""

    model_config = ConfigDict(populate_by_name=True)

    field: str = Field(description="Dotted path of the field, e.g. `filters.min_employees`.")
    message: str
    in_: str | None = Field(default=None, alias="in",
                            description="path, query, header or body")
    type: str | None = None
    message_nl: str | None = None
    message_en: str | None = None


class Problem(BaseModel):
    """RFC 9457 problem details: the body of every error this API returns
    (`application/problem+json`). More members may follow (RFC 9457 extensions)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(default="about:blank", json_schema_extra={"format": "uri-reference"},
                      description="What kind of problem; about:blank when the status says it.")
    title: str = Field(description="The status in words, e.g. Not found.")
    status: int = Field(ge=400, le=599)
    detail: str = Field(description="What went wrong with this request.")
    instance: str | None = Field(default=None, description="The path that was requested.")
    errors: list[FieldProblem] | None = Field(
        default=None, description="Per field, for invalid requests (422).")


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """For a route's `responses=`: the errors it raises beyond those its dependencies and
    parameters imply (app/api/openapi.py adds those and the Problem body to all)."""
    return {status: {"description": TITLES.get(status, "Error")} for status in statuses}


def problem_body(status: int, detail: str, *, instance: str | None = None,
                 type_: str | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": TYPE_BASE + type_ if type_ else "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return body


def problem(status: int, detail: str, *, instance: str | None = None,
            headers: dict[str, str] | None = None, type_: str | None = None,
            **extra: Any) -> JSONResponse:
    return JSONResponse(problem_body(status, detail, instance=instance, type_=type_, **extra),
                        status_code=status, media_type=PROBLEM_JSON, headers=headers)


class ApiProblem(Exception):
    """Raised by dependencies and routes for 401/403/404…; rendered as problem+json."""

    def __init__(self, status: int, detail: str, *, type_: str | None = None,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.type_ = type_
        self.headers = headers
        self.extra = extra  # more problem members, e.g. `errors` for field messages


def status_for(e: ParaatError) -> int:
    """The HTTP status of one of Paraat's own errors."""
    if isinstance(e, NotFoundError):
        return 404
    if isinstance(e, ValidationError):
        return 422
    if isinstance(e, ConflictError):  # matching's MatchError among them
        return 409
    if isinstance(e, ForbiddenError):
        return 403
    if isinstance(e, Neo4jUnavailableError | Neo4jAuthError):
        return 503
    return 500


def _field_errors(e: RequestValidationError) -> list[dict[str, Any]]:
    # The offending input is left out on purpose: it may be huge or hold a secret.
    out = []
    for err in e.errors():
        loc = [str(x) for x in err.get("loc", ())]
        out.append({"field": ".".join(loc[1:]) or ".".join(loc), "in": loc[0] if loc else "",
                    "message": str(err.get("msg", "")), "type": str(err.get("type", ""))})
    return out


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method served at `path`, for a 405's Allow header: Starlette names only those of
    the first route whose path matched, though GET, PATCH and DELETE may be three routes."""
    index: list[tuple[re.Pattern[str], set[str]]] | None = getattr(app.state, "allow_index",
                                                                    None)
    if index is None:
        index = app.state.allow_index = [
            (compile_path(r.path)[0], set(r.methods)) for r in iter_route_contexts(app.routes)
            if r.path and r.methods]
    return sorted({m for pattern, methods in index if pattern.match(path) for m in methods})


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiProblem)
    async def _api_problem(request: Request, e: ApiProblem) -> JSONResponse:
        return problem(e.status, e.detail, instance=request.url.path, headers=e.headers,
                       type_=e.type_, **e.extra)

    @app.exception_handler(ParaatError)
    async def _paraat(request: Request, e: ParaatError) -> JSONResponse:
        status = status_for(e)
        if status >= 500:
            log.error("%s on %s: %s", type(e).__name__, request.url.path, e)
        detail = str(e) if status < 500 or status == 503 else "Internal error."
        return problem(status, detail, instance=request.url.path,
                       type_=type(e).__name__)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, e: RequestValidationError) -> JSONResponse:
        errors = _field_errors(e)
        detail = "; ".join(f"{x['field']}: {x['message']}" for x in errors[:10])
        return problem(422, detail or "Invalid request.", instance=request.url.path,
                       type_="validation", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, e: StarletteHTTPException) -> JSONResponse:
        headers = dict(e.headers) if e.headers else {}
        if e.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request.app, request.scope["path"]))
        return problem(e.status_code, str(e.detail), instance=request.url.path,
                       headers=headers or None)

    @app.exception_handler(neo4j_exc.ServiceUnavailable)
    @app.exception_handler(neo4j_exc.SessionExpired)
    async def _neo4j_down(request: Request, e: Exception) -> JSONResponse:
        log.warning("Neo4j unavailable on %s: %s", request.url.path, e)
        return problem(503, "The graph database is not reachable; try again shortly.",
                       instance=request.url.path, type_="Neo4jUnavailableError",
                       headers={"Retry-After": "5"})

    @app.exception_handler(Exception)
    async def _bug(request: Request, e: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return problem(500, "Internal error.", instance=request.url.path)
