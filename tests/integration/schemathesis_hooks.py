"""Schemathesis hooks for the suite's run (tests/integration/app/api/test_api_fuzz.py):
only where the schema cannot state a rule the server documents.
Loaded through SCHEMATHESIS_HOOKS."""

from __future__ import annotations

from typing import Any

import schemathesis

from app.api.models import _instant


@schemathesis.hook("map_case").apply_to(path="/demand-questions")
def since_not_after_until(context: Any, case: Any) -> Any:
    """`since` after `until` is a 422 by design (an empty window is a mistake, not a result),
    and OpenAPI has no rule across two query parameters: a generated pair is put in order."""
    query = case.query
    if not isinstance(query, dict) or not isinstance(query.get("since"), str) \
            or not isinstance(query.get("until"), str):
        return case
    try:
        since, until = _instant(query["since"]), _instant(query["until"])
    except ValueError:
        return case  # an invalid time is refused on its own
    if since > until:
        query["since"], query["until"] = query["until"], query["since"]
    return case


@schemathesis.hook("map_case").apply_to(path="/gaps")
def gaps_since_not_after_until(context: Any, case: Any) -> Any:
    """The same rule for `GET /gaps` (issue 21)."""
    return since_not_after_until(context, case)
