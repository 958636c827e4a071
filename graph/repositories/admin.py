"""Index housekeeping and server statistics: awaiting, dropping and re-creating indexes (bulk
loads), counts for reports, and Neo4j's query caches and statistics (the plan benchmarks)."""

from __future__ import annotations

from collections.abc import Iterable

from neo4j import Record

from graph.queries import admin as admin_q
from graph.queries import bulk as bulk_q
from graph.queries import schema as schema_q
from graph.repositories.base import Repository


class AdminRepository(Repository):
    """Statements run through `execute_query` (retried by the driver), like the schema's."""

    def run_statements(self, statements: Iterable[str]) -> None:
        """Schema statements from `graph.queries.schema` (constraints, indexes), in order."""
        for stmt in statements:
            self._write(stmt)

    def await_indexes(self, seconds: int) -> None:
        self._write(schema_q.AWAIT_INDEXES, seconds=seconds)

    def await_fulltext_refresh(self) -> None:
        """Until the eventually consistent full-text indexes show every committed write."""
        self._write(schema_q.AWAIT_FULLTEXT_REFRESH)

    def fulltext_indexes_present(self, names: list[str]) -> int:
        return len(self._write(bulk_q.COMPANY_FULLTEXT_INDEXES_PRESENT, names=names))

    def create_fulltext_indexes(self) -> None:
        self.run_statements(schema_q.FULLTEXT_INDEXES)

    def drop_fulltext_indexes(self) -> None:
        self.run_statements(bulk_q.DROP_FULLTEXT_INDEXES)

    def count_embeddings(self) -> int:
        return int(self._write(schema_q.COUNT_EMBEDDINGS)[0]["n"])

    def clear_query_caches(self) -> str:
        """Neo4j's message, which says how many plans the caches held."""
        return str(self._read(admin_q.CLEAR_QUERY_CACHES)[0]["value"])

    def restart_query_stats(self) -> None:
        self.run_statements(admin_q.QUERY_STATS_RESTART)

    def query_stats(self) -> list[Record]:
        return self._read(admin_q.QUERY_STATS)
