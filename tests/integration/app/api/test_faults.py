"""Faults against a real managed Neo4j of the tests' own (`scratch_server`), so it can be
stopped and killed: the API fails fast with 503 and recovers by itself, a `kill -9` mid-ingest
followed by a re-run gives exactly the graph of a clean run, and a read-only or full data
folder is one clear line on start."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from app.api.main import create_app
from core.settings import ApiSettings, Neo4jSettings, Settings
from graph.backup import graph_snapshot
from graph.errors import DataDirError
from graph.schema import apply_schema, clear_graph
from graph.server import ManagedNeo4j, free_port
from ingest.errors import IngestError
from ingest.registry import import_registry
from ingest.synthetic import generate
from ontology.taxonomy import load_taxonomy
from tests.conftest import TEST_EMBEDDING, unavailable
from tests.integration.conftest import ScratchNeo4j

# What legitimately differs between two runs of the same import: run ids and times.
VOLATILE_PROPS = frozenset({"imported_at", "import_run", "created_at", "updated_at",
                            "file_hash", "last_verified"})
RUN_LABELS = frozenset({"ImportRun", "ParaatMeta"})


# --------------------------------------------------------------------------- API vs a dead Neo4j


def test_neo4j_stopped_api_fails_fast_with_503_and_recovers(scratch_server: ScratchNeo4j
                                                            ) -> None:
    scratch_server.ensure_running()
    s = Settings(neo4j=Neo4jSettings(uri=scratch_server.uri, password=scratch_server.password,
                                    connection_timeout=2.0, retry_timeout=2.0),
                 api=ApiSettings(rate_limit_per_minute=0))
    with scratch_server.test_driver() as d:
        clear_graph(d)
        apply_schema(d, TEST_EMBEDDING)
    with TestClient(create_app(s), raise_server_exceptions=False) as client:
        assert client.get("/health").status_code == 200
        assert client.get("/companies").status_code == 200

        scratch_server.stop()
        for path in ("/companies", "/companies/12345678", "/clusters"):
            t0 = time.perf_counter()
            r = client.get(path)
            took = time.perf_counter() - t0
            print(f"\n{path} with Neo4j stopped: {r.status_code} in {took:.2f} s")
            assert r.status_code == 503, (path, r.text)
            assert r.headers["content-type"].startswith("application/problem+json")
            body = r.json()
            assert body["status"] == 503 and "not reachable" in body["detail"]
            assert r.headers.get("retry-after") == "5"
            # retry window (2 s) + connection timeout (2 s) + slack: never the driver's 30 s
            assert took < 8.0, f"{path} took {took:.1f} s"
        t0 = time.perf_counter()
        health = client.get("/health")
        print(f"/health with Neo4j stopped: {health.status_code} in "
              f"{time.perf_counter() - t0:.2f} s")
        assert health.status_code == 503 and health.json()["status"] == "unavailable"
        assert time.perf_counter() - t0 < 8.0

        scratch_server.start(timeout=240)  # same home, same port
        # the same app and driver, no restart: service resumes by itself
        deadline = time.monotonic() + 30
        codes = []
        while time.monotonic() < deadline:
            codes.append(client.get("/companies").status_code)
            if codes[-1] == 200:
                break
            time.sleep(0.5)
        assert codes[-1] == 200, codes
        assert client.get("/health").json()["status"] == "ok"


# --------------------------------------------------------------------------- kill -9 mid-ingest


def _registry_file(path: Path, n: int) -> Path:
    tax = load_taxonomy()
    rows = [{"kvk_number": r.kvk_number, "name": r.name, "description": r.description,
             "municipality": r.municipality, "employees": r.employees}
            for r in generate(n, tax, seed=23)]
    pd.DataFrame(rows).to_csv(path, sep=";", index=False, encoding="utf-8")
    return path


def test_neo4j_killed_mid_ingest_then_rerun_equals_a_clean_run(
        scratch_server: ScratchNeo4j, driver: Driver, tmp_path: Path) -> None:
    path = _registry_file(tmp_path / "registry.csv", 400)
    tax = load_taxonomy()

    # the reference: a clean run on the session server
    import_registry(driver, path, taxonomy=tax, batch_size=25)
    clean = graph_snapshot(driver, ignore_labels=RUN_LABELS, ignore_props=VOLATILE_PROPS)
    assert clean.counts()[0] > 400

    scratch_server.ensure_running()
    with scratch_server.test_driver() as d:
        clear_graph(d)
        apply_schema(d, TEST_EMBEDDING)
    killed_at: list[int] = []

    def kill_after_100(done: int, total: int) -> None:
        if done >= 100 and not killed_at:
            killed_at.append(done)
            scratch_server.kill()  # SIGKILL: no checkpoint, like a power cut

    with scratch_server.test_driver(retry_s=1.0) as d, \
            pytest.raises(IngestError, match="went away during the import") as exc:
        import_registry(d, path, taxonomy=tax, batch_size=25, progress=kill_after_100)
    assert killed_at == [100] and "run the same import again" in str(exc.value)
    assert not scratch_server.is_running()

    scratch_server.start(timeout=240)  # recovery from the transaction log
    with scratch_server.test_driver() as d:
        rows, _, _ = d.execute_query("MATCH (c:Company) RETURN count(c) AS n")
        partial = rows[0]["n"]
        assert partial % 25 == 0 and 100 <= partial < 400, partial  # whole batches only
        again = import_registry(d, path, taxonomy=tax, batch_size=25)
        assert again.created == 400 - partial
        rerun = graph_snapshot(d, ignore_labels=RUN_LABELS, ignore_props=VOLATILE_PROPS)
        dupes, _, _ = d.execute_query(
            "MATCH (c:Company) WITH c.kvk_number AS k, count(*) AS n WHERE n > 1 "
            "RETURN count(k) AS dupes")
    assert dupes[0]["dupes"] == 0
    assert rerun.counts() == clean.counts()
    assert rerun == clean


# --------------------------------------------------------------------------- data folder faults


@contextlib.contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A real tiny filesystem (root only); outside CI a non-root run skips."""
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        unavailable("mounting a tmpfs for the disk-full/read-only tests needs root")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs",
                        str(where)], capture_output=True, text=True)
    if r.returncode != 0:
        unavailable(f"cannot mount a tmpfs here: {r.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _cli_start(home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    return subprocess.run([sys.executable, "-m", "app.cli", "neo4j", "start", "--home",
                           str(home), "--bolt-port", str(free_port()), "--http-port", "0"],
                          capture_output=True, text=True, env=env, timeout=120)


def test_read_only_data_folder_is_one_clear_line_on_start(tmp_path: Path, lib_dir: Path
                                                          ) -> None:
    with tmpfs(tmp_path / "mnt", "8m") as mnt:
        home = mnt / "neo4j"
        for sub in ("conf", "data", "logs", "run", "import", "plugins"):
            (home / sub).mkdir(parents=True)
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        server = ManagedNeo4j(home, lib_dir, bolt_port=free_port(), http_port=0)
        with pytest.raises(DataDirError, match=r"data folder .* is not writable: it is "
                                               r"read-only\."):
            server.start(timeout=30)
        assert not server.is_running()
        r = _cli_start(home)
    assert r.returncode == 1
    assert r.stderr.strip().count("\n") == 0 and "is not writable: it is read-only" in r.stderr
    assert "Traceback" not in r.stderr


def test_full_disk_is_one_clear_line_on_start(tmp_path: Path, lib_dir: Path) -> None:
    with tmpfs(tmp_path / "mnt", "1m") as mnt:
        home = mnt / "neo4j"
        for sub in ("conf", "data", "logs", "run", "import", "plugins"):
            (home / sub).mkdir(parents=True)
        with contextlib.suppress(OSError), open(mnt / "filler", "wb") as f:
            while True:  # fill the 1 MiB filesystem to the last block
                f.write(b"\0" * 4096)
                f.flush()
        server = ManagedNeo4j(home, lib_dir, bolt_port=free_port(), http_port=0)
        with pytest.raises(DataDirError, match=r"is not writable: the disk is full\."):
            server.start(timeout=30)
        assert not server.is_running()
        r = _cli_start(home)
        assert r.returncode == 1
        assert r.stderr.strip().count("\n") == 0 and "the disk is full" in r.stderr

