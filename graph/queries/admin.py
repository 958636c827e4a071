"""Server facts, whole-graph counts and snapshots (graph/server.py, graph/backup.py,
the fault tests) and Neo4j's query caches and statistics (`paraat bench load`)."""

from __future__ import annotations

DBMS_COMPONENTS = """
CALL dbms.components() YIELD name, versions, edition
RETURN name, versions[0] AS version, edition
"""

CHANGE_INITIAL_PASSWORD = "ALTER CURRENT USER SET PASSWORD FROM $old TO $new"

COUNT_NODES = "MATCH (n) RETURN count(n) AS n"

COUNT_BY_LABEL = """
MATCH (n) UNWIND labels(n) AS label
RETURN label, count(*) AS n ORDER BY label
"""

# Empties Neo4j's query (plan) caches; its message says how many entries they held, which the
# tests and `paraat bench load` use to see whether new filter combinations were re-planned.
CLEAR_QUERY_CACHES = "CALL db.clearQueryCaches() YIELD value RETURN value"

# Neo4j's own record of the queries it ran, with the time it spent compiling each (a plan
# taken from the cache compiles in ~1-3 ms): `paraat bench load` shows with it which queries
# were planned again during a phase. Stop, clear and start, then read.
QUERY_STATS_RESTART: tuple[str, ...] = (
    "CALL db.stats.stop('QUERIES')", "CALL db.stats.clear('QUERIES')",
    "CALL db.stats.collect('QUERIES')")

QUERY_STATS = """
CALL db.stats.retrieve('QUERIES') YIELD data
RETURN data.query AS query, data.invocationSummary AS summary
"""

# (graph/backup.py: backups, restore checks, fault tests). Read-only, whole graph.

SNAPSHOT_NODES = """
MATCH (n)
RETURN elementId(n) AS eid, labels(n) AS labels, properties(n) AS props
"""

SNAPSHOT_RELS = """
MATCH (a)-[r]->(b)
RETURN elementId(a) AS a, type(r) AS type, properties(r) AS props, elementId(b) AS b
"""

COUNT_NODES_AND_RELS = """
CALL () { MATCH (n) RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS rels }
RETURN nodes, rels
"""
