"""Fixtures for tests that stop, kill, back up or restore Neo4j (issue 8).

`scratch_server` is a second managed Neo4j in its own temporary home on free ports, shared by
the backup and fault tests so they can take it down without touching the session server
that every other integration test uses. Each user calls `scratch_server.ensure_running()`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import Driver, GraphDatabase

from graph.server import ManagedNeo4j, free_port


class ScratchNeo4j(ManagedNeo4j):
    def ensure_running(self) -> None:
        if not self.is_running():
            self.start(timeout=240)

    def test_driver(self, retry_s: float = 2.0) -> Driver:
        return GraphDatabase.driver(self.uri, auth=(self.user, self.password),
                                    connection_timeout=3, max_transaction_retry_time=retry_s,
                                    notifications_min_severity="OFF")

    def env(self) -> dict[str, str]:
        """Environment for a `paraat` subprocess that manages this home (no NEO4J_URI)."""
        base = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
        return {**base, "PARAAT_NEO4J_HOME": str(self.home)}


@pytest.fixture(scope="session")
def scratch_server(tmp_path_factory: pytest.TempPathFactory, lib_dir: Path
                   ) -> Iterator[ScratchNeo4j]:
    # Always a managed server, also when NEO4J_URI names the session one: these tests stop
    # and kill it.
    home = tmp_path_factory.mktemp("neo4j-scratch")
    server = ScratchNeo4j(home, lib_dir, bolt_port=free_port(), http_port=0,
                          heap="512m", pagecache="64m")
    server.start(timeout=240)
    try:
        yield server
    finally:
        server.stop()
