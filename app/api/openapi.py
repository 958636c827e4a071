"""The OpenAPI document, completed with what FastAPI does not write by itself (issue 17).

Each operation declares the errors it can return, as `application/problem+json` with the
`Problem` schema: read from what the route depends on (a token: 401; a role: 403; a path id:
404; a body: 400 and 413; parameters: 422; an `Idempotency-Key`: 409; the graph: 503; the
rate limit: 429), plus what a route declares itself with `problem_responses(...)`. Reading
without a token, where the settings allow it, is declared as optional security. A query or
header parameter is absent or a string, never JSON null, so the `null` FastAPI writes for
optional parameters is left out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from app.api.deps import current_user, get_driver, optional_user
from app.api.middleware import UNLIMITED_PATHS
from app.api.problems import PROBLEM_JSON, TITLES, Problem
from core.settings import Settings

log = logging.getLogger(__name__)

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"description": "Bearer", "required": True,
                               "schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "Seconds until a request is allowed again.",
                          "required": True, "schema": {"type": "integer", "minimum": 1}}},
}


def install_openapi(app: FastAPI, settings: Settings) -> None:
    """Build the document once, on its first request."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app, settings)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def build_openapi(app: FastAPI, settings: Settings) -> dict[str, Any]:
    schema = get_openapi(title=app.title, version=app.version, description=app.description,
                         routes=app.routes)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(problem.pop("$defs", {}))
    components["Problem"] = problem
    # Routes of included routers come wrapped in their context (prefix, router dependencies).
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods or ():
            operation = schema["paths"][route.path_format].get(method.lower())
            if operation is None:
                continue
            _declare_problems(operation, error_statuses(route, settings, operation))
            _optional_parameters(operation)
            _optional_form_fields(operation, components)
            if settings.api.allow_anonymous_read and _reads_anonymously(route):
                operation["security"] = [{"HTTPBearer": []}, {}]
    for name in ("HTTPValidationError", "ValidationError"):  # replaced by Problem
        components.pop(name, None)
    return schema


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def _calls(route: Any) -> set[Callable[..., Any]]:
    return {d.call for d in _dependants(route.dependant) if d.call is not None}


def _needs_role(call: Callable[..., Any]) -> bool:
    return getattr(call, "__qualname__", "").startswith("require_roles.")


def _reads_anonymously(route: Any) -> bool:
    calls = _calls(route)
    return optional_user in calls and current_user not in calls


def error_statuses(route: Any, settings: Settings, operation: dict[str, Any]) -> set[int]:
    """The 4xx/5xx statuses this route can answer with."""
    calls = _calls(route)
    deps = list(_dependants(route.dependant))
    statuses = {int(code) for code in route.responses if str(code)[0] in "45"}
    if optional_user in calls or current_user in calls:
        statuses.add(401)  # a bad or revoked token, even where reading needs none
    if any(_needs_role(c) for c in calls):
        statuses.add(403)
    if any(d.path_params for d in deps):
        statuses.add(404)
    if route.body_field is not None:
        statuses |= {400, 413}  # unreadable body; over the size limit
    if "422" in operation.get("responses", {}):
        statuses.add(422)
    if any(p.alias.lower() == "idempotency-key" for d in deps for p in d.header_params):
        statuses.add(409)  # the key was used for another request
    if get_driver in calls:
        statuses.add(503)  # Neo4j does not answer
    if settings.api.rate_limit_per_minute > 0 and route.path_format not in UNLIMITED_PATHS:
        statuses.add(429)
    return statuses


def _declare_problems(operation: dict[str, Any], statuses: set[int]) -> None:
    responses = operation.setdefault("responses", {})
    for status in sorted(statuses):
        entry = responses.setdefault(str(status), {})
        if entry.get("content") and status != 422:
            continue  # a route's own answer (e.g. /health's 503 body)
        if not entry.get("description") or entry["description"] == "Validation Error":
            entry["description"] = TITLES.get(status, "Error")
        entry["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF}}
        if status in _HEADERS:
            entry["headers"] = _HEADERS[status]


def _not_null(schema: dict[str, Any]) -> None:
    """`anyOf: [X, null]` -> X, in place."""
    options = schema.get("anyOf")
    if not options or {"type": "null"} not in options:
        return
    rest = [o for o in options if o != {"type": "null"}]
    schema.pop("anyOf")
    if schema.get("default", 0) is None:
        schema.pop("default")
    if len(rest) == 1:
        schema.update({k: v for k, v in rest[0].items() if k not in schema})
    else:
        schema["anyOf"] = rest


def _optional_parameters(operation: dict[str, Any]) -> None:
    """Query, path and header parameters are absent or text on the wire, never null."""
    for parameter in operation.get("parameters", []):
        _not_null(parameter.get("schema", {}))


def _optional_form_fields(operation: dict[str, Any], components: dict[str, Any]) -> None:
    """The same for the fields of a form (a multipart part is absent or sent)."""
    for media, content in operation.get("requestBody", {}).get("content", {}).items():
        ref = content.get("schema", {}).get("$ref", "")
        if media.startswith(("multipart/", "application/x-www-form-urlencoded")) and ref:
            for field in components[ref.rsplit("/", 1)[1]].get("properties", {}).values():
                _not_null(field)
