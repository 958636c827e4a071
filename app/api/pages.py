"""Paged lists: the query parameters every list endpoint shares and the answer they give, so
`total` always counts what the filters match, not what one page holds (the repositories'
count-then-page read)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Query
from neo4j import Record

Limit = Annotated[int, Query(ge=1, le=200, description="Page size (1..200).")]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


def _dicts(rows: list[Record]) -> list[Any]:
    return [dict(r) for r in rows]


def page(read: tuple[int, list[Record]], limit: int, offset: int,
         items: Callable[[list[Record]], list[Any]] = _dicts) -> dict[str, Any]:
    """`read` is a repository's (total, rows); `items` turns the rows into the answer's items."""
    total, rows = read
    return {"items": items(rows), "total": total, "limit": limit, "offset": offset}
