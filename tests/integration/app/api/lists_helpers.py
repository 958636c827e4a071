"""What the list tests share besides their fixtures (conftest.py): ids, texts and checks."""

from __future__ import annotations

from typing import Any

from neo4j import Driver

from graph.queries import admin as admin_q
from tests.integration.api_helpers import assert_problem

MISSING = "0" * 32  # a well-formed id nobody has
# TestClient answers with httpx's or httpx2's Response, depending on what is installed.
Response = Any
COMPOSITE = "Wij hebben een nieuw composiet voor lichtgewicht pantser"


def assert_invalid(r: Response, *fields: str) -> None:
    body = assert_problem(r, 422)
    got = {e["field"] for e in body["errors"]}
    for f in fields:
        assert f in got, (f, body["errors"])
    assert all(e["message"] for e in body["errors"])


def labels(driver: Driver) -> dict[str, int]:
    records, _, _ = driver.execute_query(admin_q.COUNT_BY_LABEL)
    return {r["label"]: int(r["n"]) for r in records}


def grew(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    keys = set(before) | set(after)
    return {k: after.get(k, 0) - before.get(k, 0) for k in keys
            if after.get(k, 0) != before.get(k, 0)}


def audit_actions(driver: Driver, entity_id: str) -> list[str]:
    records, _, _ = driver.execute_query(
        "MATCH (a:AuditEvent {entity_id: $id}) RETURN a.action AS action ORDER BY a.at",
        id=entity_id)
    return [r["action"] for r in records]
