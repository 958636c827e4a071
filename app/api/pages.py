"""Paged lists: the query parameters every list endpoint shares and the count-then-page read
behind them, so `total` always counts what the filters match, not what one page holds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Query
from neo4j import Driver, Record

Limit = Annotated[int, Query(ge=1, le=200, description="Page size (1..200).")]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


def _dicts(rows: list[Record]) -> list[Any]:
    return [dict(r) for r in rows]


def read_page(driver: Driver, count_query: str, list_query: str,
              params: dict[str, Any] | None, limit: int, offset: int,
              items: Callable[[list[Record]], list[Any]] = _dicts) -> dict[str, Any]:
    """Both reads go to a reader (`routing_="r"`); `items` turns the page's rows into the
    response items."""
    total, _, _ = driver.execute_query(count_query, params, routing_="r")
    rows, _, _ = driver.execute_query(list_query, params, limit=limit, offset=offset,
                                      routing_="r")
    return {"items": items(list(rows)), "total": total[0]["total"], "limit": limit,
            "offset": offset}
