"""Backups of the managed Neo4j with Neo4j's own `neo4j-admin database dump|load`.

The admin tool is `org.neo4j.cli.AdminTool` from the same Maven jars the server runs
(`neo4j-command-line`), so a dump is always in the format of the server that reads it back.
Neo4j Community cannot dump or load a database that is online, and it has no
`STOP DATABASE`: a backup therefore stops the managed server, dumps, and starts it again
(a few seconds of downtime; the CLI says so). A restore stops the server, replaces the
database with `load --overwrite-destination` and starts the server again.

A server named by `NEO4J_URI` (Aura, a cluster, Desktop) is not Paraat's to stop: for those
`paraat backup` refuses with one clear line and points at that server's own backup tooling
(Aura snapshots, `neo4j-admin database backup` in Enterprise). See docs/security.md.

`graph_snapshot` gives a canonical, sorted view of the whole graph (nodes by labels and
properties, relationships by type, properties and end nodes), used to prove that a restore,
or a re-run after a crash, yields the same graph.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from neo4j import Driver, ManagedTransaction

from core.errors import ParaatError
from graph.queries import admin as admin_q
from graph.server import JVM_FLAGS, ManagedNeo4j, check_java, jars_installed

log = logging.getLogger(__name__)

ADMIN_CLASS = "org.neo4j.cli.AdminTool"
ADMIN_HEAP = "512m"
DUMP_SUFFIX = ".dump"


class BackupError(ParaatError):
    """A backup or restore could not be made; the message says why."""


@dataclass
class BackupResult:
    path: Path
    bytes: int
    seconds: float
    sha256: str
    database: str
    restarted: bool  # the server was running, was stopped for the dump and started again
    downtime_seconds: float = 0.0  # stop + dump + start
    dump_seconds: float = 0.0  # neo4j-admin alone (JVM start included)

    def as_dict(self) -> dict[str, Any]:
        d = self.__dict__.copy()
        d["path"] = str(self.path)
        return d


@dataclass
class RestoreResult:
    path: Path
    database: str
    seconds: float
    restarted: bool
    info: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        d = self.__dict__.copy()
        d["path"] = str(self.path)
        return d


# --------------------------------------------------------------------------- admin tool


def admin_command(server: ManagedNeo4j, java: str, args: list[str]) -> list[str]:
    # C1 only: the admin tool is a short-lived JVM, start-up dominates.
    return [java, f"-Xmx{ADMIN_HEAP}", "-XX:TieredStopAtLevel=1", *JVM_FLAGS,
            "-cp", f"{server.lib_dir}/*", ADMIN_CLASS, *args]


def run_admin(server: ManagedNeo4j, args: list[str], *, timeout: float = 600.0
              ) -> subprocess.CompletedProcess[str]:
    """Run `neo4j-admin ARGS` against this home's config; raise BackupError on failure."""
    java = check_java(server.java_home)
    if not jars_installed(server.lib_dir):
        raise BackupError(f"Neo4j jars are not installed in {server.lib_dir}: run `make setup`.")
    if not (server.conf_dir / "neo4j.conf").exists():
        raise BackupError(f"{server.home} holds no Neo4j yet (no conf/neo4j.conf): start it "
                          "once with `paraat neo4j start`.")
    env = {**os.environ, "NEO4J_HOME": str(server.home), "NEO4J_CONF": str(server.conf_dir)}
    proc = subprocess.run(admin_command(server, java, args), capture_output=True, text=True,
                          env=env, timeout=timeout, cwd=server.home)
    if proc.returncode != 0:
        lines = [ln.strip() for ln in (proc.stderr + "\n" + proc.stdout).splitlines()
                 if ln.strip() and not ln.startswith(("\tat ", "at "))]
        detail = next((ln for ln in lines if "rror" in ln or "ailed" in ln),
                      lines[-1] if lines else f"exit code {proc.returncode}")
        raise BackupError(f"neo4j-admin {' '.join(args[:2])} failed: {detail}")
    return proc


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@contextlib.contextmanager
def _offline(server: ManagedNeo4j, start_timeout: float) -> Any:
    """Stop the server if it runs; start it again afterwards (also after a failure)."""
    state = server.adopt_running()  # keeps the running server's ports for the restart
    was_running = state is not None
    if was_running:
        log.info("stopping Neo4j in %s for neo4j-admin", server.home)
        server.stop()
    try:
        yield was_running
    finally:
        if was_running:
            server.start(timeout=start_timeout)


def create_backup(server: ManagedNeo4j, out_dir: Path, *, database: str = "neo4j",
                  start_timeout: float = 180.0) -> BackupResult:
    """Dump `database` of the managed server to `out_dir/paraat-<db>-<UTC time>.dump`."""
    out_dir = Path(out_dir).resolve()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise BackupError(f"Cannot create the backup folder {out_dir}: {e.strerror}.") from e
    if not os.access(out_dir, os.W_OK):
        raise BackupError(f"The backup folder {out_dir} is not writable.")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = out_dir / f"paraat-{database}-{stamp}{DUMP_SUFFIX}"
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=".paraat-dump-", dir=out_dir) as tmp:
        t_down = time.perf_counter()
        with _offline(server, start_timeout) as was_running:
            t_dump = time.perf_counter()
            run_admin(server, ["database", "dump", database, f"--to-path={tmp}",
                               "--overwrite-destination=true"])
            dump_seconds = time.perf_counter() - t_dump
        # stop + dump + start: how long the API answered 503
        downtime = time.perf_counter() - t_down if was_running else 0.0
        produced = Path(tmp) / f"{database}{DUMP_SUFFIX}"
        if not produced.is_file():
            raise BackupError(f"neo4j-admin reported success but wrote no {produced.name}.")
        os.chmod(produced, 0o600)  # personal data and token hashes: owner only
        os.replace(produced, target)
    size = target.stat().st_size
    return BackupResult(target, size, round(time.perf_counter() - t0, 2), _sha256(target),
                        database, was_running, round(downtime, 2), round(dump_seconds, 2))


def check_dump_file(path: Path) -> Path:
    path = Path(path).expanduser().resolve()
    if not path.is_file():
        raise BackupError(f"No such backup file: {path}")
    if path.stat().st_size == 0:
        raise BackupError(f"{path} is empty, not a Neo4j dump.")
    return path


def restore_backup(server: ManagedNeo4j, path: Path, *, database: str = "neo4j",
                   start_timeout: float = 180.0) -> RestoreResult:
    """Replace `database` with the dump in `path`. The file is checked with
    `load --info` first, so a broken file never takes the running server down."""
    path = check_dump_file(path)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=".paraat-load-") as tmp:
        # load reads `<database>.dump` from a folder; a symlink avoids copying the file.
        link = Path(tmp) / f"{database}{DUMP_SUFFIX}"
        link.symlink_to(path)
        info = run_admin(server, ["database", "load", database, f"--from-path={tmp}",
                                  "--info"])
        info_lines = [ln.strip() for ln in info.stdout.splitlines() if ln.strip()]
        with _offline(server, start_timeout) as was_running:
            run_admin(server, ["database", "load", database, f"--from-path={tmp}",
                               "--overwrite-destination=true"])
    return RestoreResult(path, database, round(time.perf_counter() - t0, 2), was_running,
                         info_lines)


# --------------------------------------------------------------------------- snapshots


@dataclass
class GraphSnapshot:
    nodes: list[str]
    rels: list[str]

    def counts(self) -> tuple[int, int]:
        return len(self.nodes), len(self.rels)


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def graph_snapshot(driver: Driver, *, database: str | None = None,
                   ignore_labels: frozenset[str] = frozenset(),
                   ignore_props: frozenset[str] = frozenset()) -> GraphSnapshot:
    """The whole graph, read in one transaction, as sorted canonical strings.

    Nodes are identified by their labels and properties (not by internal ids), so two
    graphs built separately compare equal when they hold the same data. `ignore_*` leave out
    what legitimately differs between runs (import-run bookkeeping, timestamps)."""

    def read(tx: ManagedTransaction) -> tuple[list[Any], list[Any]]:
        nodes = list(tx.run(admin_q.SNAPSHOT_NODES))
        rels = list(tx.run(admin_q.SNAPSHOT_RELS))
        return nodes, rels

    with driver.session(database=database) as session:
        node_recs, rel_recs = session.execute_read(read)
    desc: dict[str, str] = {}
    for r in node_recs:
        labels = sorted(r["labels"])
        if ignore_labels.intersection(labels):
            continue
        props = {k: v for k, v in dict(r["props"]).items() if k not in ignore_props}
        desc[r["eid"]] = _canon([labels, props])
    rels = []
    for r in rel_recs:
        if r["a"] not in desc or r["b"] not in desc:
            continue
        props = {k: v for k, v in dict(r["props"]).items() if k not in ignore_props}
        rels.append(_canon([desc[r["a"]], r["type"], props, desc[r["b"]]]))
    return GraphSnapshot(sorted(desc.values()), sorted(rels))


def count_nodes_rels(driver: Driver) -> tuple[int, int]:
    records, _, _ = driver.execute_query(admin_q.COUNT_NODES_AND_RELS, routing_="r")
    return int(records[0]["nodes"]), int(records[0]["rels"])

