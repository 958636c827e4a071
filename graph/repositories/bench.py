"""What only the benchmarks run: a query of `graph.queries` timed by its text (the plan
benchmark runs the filtered matcher queries in two parameter shapes)."""

from __future__ import annotations

from typing import Any

from neo4j import Record

from graph.repositories.base import Repository


class BenchRepository(Repository):

    def run_query(self, query: str, **params: Any) -> list[Record]:
        """`query` must be a constant of `graph.queries` (never text built from input)."""
        return self._read(query, **params)
