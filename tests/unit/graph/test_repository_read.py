"""`graph.repositories.base.read`: one auto-commit READ; errors the driver marks retryable go once
through `execute_query` (which retries), the others reach the caller unchanged."""

from __future__ import annotations

from typing import Any

import pytest
from neo4j import READ_ACCESS
from neo4j.exceptions import CypherSyntaxError, ServiceUnavailable

from graph.repositories.base import read


class _Session:
    def __init__(self, owner: _Driver) -> None:
        self.owner = owner

    def __enter__(self) -> _Session:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def run(self, query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        self.owner.runs.append((query, params))
        if self.owner.error is not None:
            raise self.owner.error
        return [{"n": 1}]


class _Driver:
    """Records how `read` talks to a driver; the real driver is covered by every integration
    test of the matcher."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.runs: list[tuple[str, dict[str, Any]]] = []
        self.sessions: list[dict[str, Any]] = []
        self.retried: list[tuple[str, dict[str, Any], dict[str, Any]]] = []

    def session(self, **kw: Any) -> _Session:
        self.sessions.append(kw)
        return _Session(self)

    def execute_query(self, query: str, params: dict[str, Any], **kw: Any
                      ) -> tuple[list[dict[str, Any]], None, None]:
        self.retried.append((query, params, kw))
        return [{"n": 2}], None, None


def test_read_is_one_auto_commit_read() -> None:
    d = _Driver()
    assert read(d, "RETURN $x AS n", x=5) == [{"n": 1}]  # type: ignore[arg-type]
    assert d.sessions == [{"database": None, "default_access_mode": READ_ACCESS}]
    assert d.runs == [("RETURN $x AS n", {"x": 5})] and d.retried == []


def test_a_retryable_error_goes_through_execute_query() -> None:
    d = _Driver(ServiceUnavailable("connection lost"))
    assert read(d, "RETURN 1 AS n", database="neo4j") == [{"n": 2}]  # type: ignore[arg-type]
    assert d.retried == [("RETURN 1 AS n", {}, {"database_": "neo4j", "routing_": "r"})]


def test_other_errors_reach_the_caller() -> None:
    d = _Driver(CypherSyntaxError("bad"))
    with pytest.raises(CypherSyntaxError):
        read(d, "RETRN 1")  # type: ignore[arg-type]
    assert d.retried == []
