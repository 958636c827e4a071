"""What every repository shares: the one-round-trip read, batching, the count-then-page read,
the admin's read-only Cypher, and the `Repository` base that holds the injected driver.

Repositories (`graph/repositories/<area>.py`) are the only code that calls the driver: routes,
services, the CLI, ingest and matching call their methods, never `execute_query` or a session.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, LiteralString, TypeVar, cast

from neo4j import READ_ACCESS, Driver, ManagedTransaction, Record, unit_of_work
from neo4j import exceptions as neo4j_exc

from core.errors import ParaatError
from graph.errors import ReadOnlyViolation
from graph.queries import admin as admin_q

log = logging.getLogger(__name__)

T = TypeVar("T")


def batched(rows: Sequence[Any] | Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def read(driver: Driver, query: LiteralString, database: str | None = None,
         **params: Any) -> list[Record]:
    """A read in one auto-commit transaction: RUN and PULL travel together, so it costs one
    round trip where `execute_query` needs a second for the commit (measured on loopback at
    100k companies: the dense query at k = 10, p50 23 -> 14 ms). Errors the driver marks
    retryable go once through `execute_query`, which retries them."""
    try:
        with driver.session(database=database, default_access_mode=READ_ACCESS) as session:
            return list(session.run(query, params))
    except (neo4j_exc.Neo4jError, neo4j_exc.DriverError) as e:
        if not e.is_retryable():
            raise
        log.info("retrying a read after %s", type(e).__name__)
        records, _, _ = driver.execute_query(query, params, database_=database, routing_="r")
        return records


def run_read_only(driver: Driver, query: str, *, database: str | None = None,
                  timeout: float = 60.0) -> tuple[list[str], list[dict[str, Any]]]:
    """Run an admin's ad-hoc query in a READ transaction: the server refuses any write.

    This is the one place that runs Cypher text not from `graph.queries`; it exists for admins
    on the command line and is never reachable from the API.
    """
    @unit_of_work(timeout=timeout)
    def work(tx: Any) -> tuple[list[str], list[dict[str, Any]]]:
        result = tx.run(cast(LiteralString, query))
        keys = list(result.keys())
        return keys, [r.data() for r in result]

    try:
        with driver.session(database=database, default_access_mode=READ_ACCESS) as session:
            return cast(tuple[list[str], list[dict[str, Any]]], session.execute_read(work))
    except neo4j_exc.ClientError as e:
        # Neo.ClientError.Statement.AccessMode: a write inside a READ transaction.
        if (e.code or "").endswith(("AccessMode", "ForbiddenDueToTransactionType")):
            raise ReadOnlyViolation(
                f"Refused: this is a read-only entry point ({e.message})") from e
        raise ParaatError(f"Query failed: {e.message}") from e


class Repository:
    """Base of the area repositories: the injected driver and the database they use."""

    def __init__(self, driver: Driver, database: str | None = None) -> None:
        self.driver = driver
        self.database = database

    def _read(self, query: LiteralString, **params: Any) -> list[Record]:
        return read(self.driver, query, self.database, **params)

    def _first(self, query: LiteralString, **params: Any) -> dict[str, Any] | None:
        """The first row of a read as a dict, None when nothing matched."""
        rows = self._read(query, **params)
        return dict(rows[0]) if rows else None

    def _write(self, query: LiteralString, **params: Any) -> list[Record]:
        records, _, _ = self.driver.execute_query(query, params, database_=self.database)
        return list(records)

    def _page(self, count_query: LiteralString, list_query: LiteralString,
              params: dict[str, Any] | None, limit: int, offset: int) -> tuple[int, list[Record]]:
        """`total` counts what the filters match, not what one page holds."""
        total, _, _ = self.driver.execute_query(count_query, params, routing_="r",
                                                database_=self.database)
        rows, _, _ = self.driver.execute_query(list_query, params, limit=limit, offset=offset,
                                               routing_="r", database_=self.database)
        return int(total[0]["total"]), list(rows)

    def execute_write(self, work: Callable[[ManagedTransaction], T]) -> T:
        """Run `work` in one managed write transaction (retried by the driver on transient
        errors): the area repositories' `*_in(tx, …)` steps and the audit event go in it
        together, so either all of them happen or none."""
        with self.driver.session(database=self.database) as session:
            return session.execute_write(work)


class GraphRepository(Repository):
    """Counts and housekeeping that every part needs."""

    def count_nodes(self) -> int:
        return int(self._read(admin_q.COUNT_NODES)[0]["n"])

    def count_by_label(self) -> dict[str, int]:
        return {r["label"]: int(r["n"]) for r in self._read(admin_q.COUNT_BY_LABEL)}
