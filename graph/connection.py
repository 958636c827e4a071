"""Getting a `neo4j.Driver`: the configured server (`NEO4J_URI`) or the managed local one."""

from __future__ import annotations

import logging

from neo4j import Driver, GraphDatabase
from neo4j import exceptions as neo4j_exc

from core.settings import Settings, get_settings
from graph.errors import Neo4jAuthError, Neo4jServerError, Neo4jUnavailableError
from graph.server import ManagedNeo4j, install_jars, neo4j_lib_dir

log = logging.getLogger(__name__)


def managed_server(settings: Settings | None = None) -> ManagedNeo4j:
    """The managed server the settings describe (home under DATA_DIR, jars under CACHE_DIR)."""
    s = settings or get_settings()
    n = s.neo4j
    pw = n.password.get_secret_value() if n.password else None
    return ManagedNeo4j(
        s.neo4j_home, neo4j_lib_dir(s.cache_dir), bolt_port=n.bolt_port, http_port=n.http_port,
        heap=n.heap, pagecache=n.pagecache, password=pw, user=n.user, java_home=n.java_home,
    )


def ensure_server(settings: Settings | None = None, *, install: bool = True) -> str:
    """Return the URI to use, starting the managed server if no NEO4J_URI is set."""
    s = settings or get_settings()
    if s.neo4j.uri:
        return s.neo4j.uri
    server = managed_server(s)
    if install:
        install_jars(server.lib_dir, java_home=s.neo4j.java_home)
    return server.start(timeout=s.neo4j.start_timeout)


def _credentials(s: Settings) -> tuple[str, str, str]:
    if s.neo4j.uri:
        if s.neo4j.password is None:
            raise Neo4jAuthError(f"NEO4J_URI is set ({s.neo4j.uri}) but NEO4J_PASSWORD is not.")
        return s.neo4j.uri, s.neo4j.user, s.neo4j.password.get_secret_value()
    server = managed_server(s)
    if not server.is_running():
        raise Neo4jUnavailableError(
            f"The local Neo4j in {server.home} is not running: start it with "
            "`paraat neo4j start` (or set NEO4J_URI)."
        )
    server.adopt_running()
    return server.uri, s.neo4j.user, server.password


def get_driver(settings: Settings | None = None, *, verify: bool = True) -> Driver:
    """A driver for the configured Neo4j; fails with one clear line if it cannot be reached."""
    s = settings or get_settings()
    uri, user, password = _credentials(s)
    driver = GraphDatabase.driver(
        uri, auth=(user, password), connection_timeout=s.neo4j.connection_timeout,
        connection_acquisition_timeout=s.neo4j.connection_timeout * 2,
        max_transaction_retry_time=s.neo4j.retry_timeout,
        notifications_min_severity="OFF",
    )
    if verify:
        try:
            driver.verify_connectivity()
        except neo4j_exc.AuthError as e:
            driver.close()
            raise Neo4jAuthError(f"Neo4j at {uri} refused the password for user {user!r}.") from e
        except (neo4j_exc.ServiceUnavailable, OSError) as e:
            driver.close()
            raise Neo4jUnavailableError(f"No Neo4j answers at {uri}: {e}") from e
        except neo4j_exc.Neo4jError as e:
            driver.close()
            raise Neo4jServerError(f"Neo4j at {uri} failed: {e}") from e
    return driver
