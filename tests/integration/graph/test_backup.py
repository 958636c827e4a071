"""`paraat backup create|restore` (neo4j-admin dump/load from the same Maven jars) against a
managed Neo4j of its own: a backup taken before a destructive change brings back the same
graph, nodes, relationships, properties and indexes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from graph.backup import BackupError, graph_snapshot, restore_backup
from graph.schema import apply_schema, clear_graph
from ingest.seed import load_seed
from tests.conftest import TEST_EMBEDDING
from tests.integration.conftest import ScratchNeo4j


def paraat(*args: str, env: dict[str, str], timeout: float = 600
           ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True,
                          text=True, env=env, timeout=timeout)


def _indexes(server: ScratchNeo4j) -> list[str]:
    with server.test_driver() as d:
        rows, _, _ = d.execute_query("SHOW INDEXES YIELD name RETURN name ORDER BY name")
    return [r["name"] for r in rows]


def test_backup_then_destructive_change_then_restore_gives_the_same_graph(
        scratch_server: ScratchNeo4j, tmp_path: Path) -> None:
    scratch_server.ensure_running()
    with scratch_server.test_driver() as d:
        clear_graph(d)
        apply_schema(d, TEST_EMBEDDING)
        load_seed(d)
        before = graph_snapshot(d)
    indexes = _indexes(scratch_server)
    n_nodes, n_rels = before.counts()
    assert n_nodes > 100 and n_rels > 100, before.counts()

    out = tmp_path / "backups"
    made = paraat("backup", "create", "--out", str(out), "--json", env=scratch_server.env())
    assert made.returncode == 0, made.stderr
    assert "cannot dump a running database: stopping Neo4j" in made.stderr
    result = json.loads(made.stdout)
    dump = Path(result["path"])
    assert dump.parent == out.resolve() and dump.suffix == ".dump" and dump.stat().st_size > 0
    assert dump.stat().st_mode & 0o777 == 0o600
    assert result["restarted"] is True and scratch_server.is_running()
    assert len(result["sha256"]) == 64
    print(f"\nbackup: {n_nodes} nodes / {n_rels} rels -> {result['bytes']} bytes in "
          f"{result['seconds']} s (Neo4j offline {result['downtime_seconds']} s, of which "
          f"neo4j-admin dump {result['dump_seconds']} s)")

    # the destructive change: every company gone
    with scratch_server.test_driver() as d:
        d.execute_query("MATCH (c:Company) DETACH DELETE c")
        damaged = graph_snapshot(d)
    assert damaged != before and damaged.counts()[0] < n_nodes

    restored = paraat("backup", "restore", str(dump), "--yes", env=scratch_server.env())
    assert restored.returncode == 0, restored.stderr
    assert "restored neo4j" in restored.stdout
    print(restored.stdout.strip())
    assert scratch_server.is_running()
    with scratch_server.test_driver() as d:
        after = graph_snapshot(d)
    assert after.counts() == (n_nodes, n_rels)
    assert after == before
    assert _indexes(scratch_server) == indexes


def test_a_broken_dump_is_refused_and_the_server_keeps_running(
        scratch_server: ScratchNeo4j, tmp_path: Path) -> None:
    scratch_server.ensure_running()
    bad = tmp_path / "not-a-dump.dump"
    bad.write_bytes(os.urandom(4096))
    with pytest.raises(BackupError, match="neo4j-admin database load failed"):
        restore_backup(scratch_server, bad)
    assert scratch_server.is_running()  # checked with `load --info` before stopping anything
    empty = tmp_path / "empty.dump"
    empty.touch()
    r = paraat("backup", "restore", str(empty), "--yes", env=scratch_server.env())
    assert r.returncode == 1 and "is empty, not a Neo4j dump" in r.stderr
    assert r.stderr.strip().count("\n") == 0


def test_backup_refuses_a_server_it_does_not_manage(tmp_path: Path) -> None:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")},
           "NEO4J_URI": "neo4j+s://example.databases.neo4j.io", "NEO4J_PASSWORD": "x",
           "PARAAT_DATA_DIR": str(tmp_path)}
    r = paraat("backup", "create", "--out", str(tmp_path / "b"), env=env, timeout=120)
    assert r.returncode == 1
    assert "only backs up the Neo4j it manages" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "b").exists()
