"""The managed Neo4j as users meet it: through `paraat neo4j …` and its error messages."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from neo4j import Driver, GraphDatabase

from core.settings import Neo4jSettings, Settings
from graph.errors import Neo4jAuthError, PortInUseError, ServerStartTimeout
from graph.server import ManagedNeo4j, free_port, server_components
from tests.conftest import Neo4jTarget


def paraat(*args: str, env: dict[str, str] | None = None, timeout: float = 300
           ) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True,
                          text=True, env={**base, **(env or {})}, timeout=timeout)


def test_server_reports_neo4j_5_26_community(session_driver: Driver) -> None:
    version, edition = server_components(session_driver)
    assert version.startswith("5.26."), version
    assert edition == "community"


def test_start_status_stop_restart_keeps_data_and_two_homes(tmp_path: Path, lib_dir: Path
                                                            ) -> None:
    home_a, home_b = tmp_path / "a", tmp_path / "b"
    port_a, port_b, http_a = free_port(), free_port(), free_port()
    env = {"PARAAT_DATA_DIR": str(tmp_path / "data")}
    try:
        started = paraat("neo4j", "start", "--home", str(home_a), "--bolt-port", str(port_a),
                         "--http-port", str(http_a), env=env)
        assert started.returncode == 0, started.stderr
        assert started.stdout.strip() == f"bolt://127.0.0.1:{port_a}"
        # Neo4j Browser (from Maven Central too) on loopback for scouts who know Cypher
        browser = httpx.get(f"http://127.0.0.1:{http_a}/browser/", timeout=10)
        assert browser.status_code == 200 and "Neo4j Browser" in browser.text

        status = paraat("neo4j", "status", "--home", str(home_a), "--json", env=env)
        assert status.returncode == 0, status.stderr
        st = json.loads(status.stdout)
        assert st["running"] and st["version"].startswith("5.26.") and st["edition"] == "community"

        # password generated on first start, kept private
        pw_file = home_a / "password"
        assert pw_file.stat().st_mode & 0o777 == 0o600
        password = pw_file.read_text().strip()
        with GraphDatabase.driver(f"bolt://127.0.0.1:{port_a}", auth=("neo4j", password)) as d:
            d.execute_query("CREATE (:Probe {v: 42})")

        # a second home on another port, side by side
        second = paraat("neo4j", "start", "--home", str(home_b), "--bolt-port", str(port_b),
                        "--http-port", "0", env=env)
        assert second.returncode == 0, second.stderr
        assert paraat("neo4j", "status", "--home", str(home_a), env=env).returncode == 0
        assert paraat("neo4j", "status", "--home", str(home_b), env=env).returncode == 0
        assert (home_b / "password").read_text() != pw_file.read_text()

        # listens on loopback only
        conf = (home_a / "conf" / "neo4j.conf").read_text()
        assert "server.default_listen_address=127.0.0.1" in conf

        stopped = paraat("neo4j", "stop", "--home", str(home_a), env=env)
        assert stopped.returncode == 0 and "stopped" in stopped.stdout
        down = paraat("neo4j", "status", "--home", str(home_a), env=env)
        assert down.returncode == 3 and "not running" in down.stdout

        again = paraat("neo4j", "start", "--home", str(home_a), env=env)
        assert again.returncode == 0, again.stderr
        # without --bolt-port a restart keeps the home's port, so its URI stays the same
        uri = again.stdout.strip()
        assert uri == f"bolt://127.0.0.1:{port_a}"
        with GraphDatabase.driver(uri, auth=("neo4j", password)) as d:
            rows, _, _ = d.execute_query("MATCH (p:Probe) RETURN p.v AS v")
        assert [r["v"] for r in rows] == [42]
    finally:
        paraat("neo4j", "stop", "--home", str(home_a), env=env)
        paraat("neo4j", "stop", "--home", str(home_b), env=env)


def test_port_taken_is_one_clear_line(tmp_path: Path, lib_dir: Path) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        with pytest.raises(PortInUseError, match=f"Port {port} on 127.0.0.1"):
            ManagedNeo4j(tmp_path / "h", lib_dir, bolt_port=port).start()
        r = paraat("neo4j", "start", "--home", str(tmp_path / "h"), "--bolt-port", str(port),
                   "--http-port", "0")
    assert r.returncode == 1
    assert r.stderr.strip().count("\n") == 0 and f"Port {port}" in r.stderr
    assert "--bolt-port / PARAAT_NEO4J_BOLT_PORT" in r.stderr
    assert "--http-port" not in r.stderr and "HTTP_PORT" not in r.stderr


def test_http_port_taken_names_the_http_option(tmp_path: Path, lib_dir: Path) -> None:
    # The Bolt port is free, the HTTP one is held by a real listening socket: the message
    # must send the user to the option that fixes it, not to --bolt-port.
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        r = paraat("neo4j", "start", "--home", str(tmp_path / "h"), "--bolt-port",
                   str(free_port()), "--http-port", str(port))
    assert r.returncode == 1, r.stdout
    line = r.stderr.strip()
    assert line.count("\n") == 0 and "Traceback" not in line, line
    assert f"Port {port} on 127.0.0.1 (HTTP) is already in use" in line
    assert "--http-port / PARAAT_NEO4J_HTTP_PORT" in line
    assert "--bolt-port" not in line and "BOLT_PORT" not in line


def test_java_missing_from_path(tmp_path: Path, lib_dir: Path) -> None:
    env = {"PATH": str(tmp_path), "JAVA_HOME": ""}
    r = paraat("neo4j", "start", "--home", str(tmp_path / "h"), "--bolt-port",
               str(free_port()), env=env)
    assert r.returncode == 1
    assert "Java not found" in r.stderr and "Traceback" not in r.stderr


def test_java_too_old(tmp_path: Path, lib_dir: Path) -> None:
    fake = tmp_path / "bin"
    fake.mkdir()
    java = fake / "java"
    java.write_text('#!/bin/sh\necho \'openjdk version "11.0.22" 2024-01-16\' >&2\n')
    java.chmod(0o755)
    env = {"PATH": f"{fake}:/usr/bin:/bin", "JAVA_HOME": ""}
    r = paraat("neo4j", "start", "--home", str(tmp_path / "h"), "--bolt-port",
               str(free_port()), env=env)
    assert r.returncode == 1
    assert "Java 11 is too old" in r.stderr


def test_wrong_password(neo4j_target: Neo4jTarget) -> None:
    from graph.connection import get_driver

    s = Settings(neo4j=Neo4jSettings(uri=neo4j_target.uri, password="definitely-wrong"))
    with pytest.raises(Neo4jAuthError, match="refused the password"):
        get_driver(s)
    r = paraat("neo4j", "status", env={"NEO4J_URI": neo4j_target.uri,
                                       "NEO4J_PASSWORD": "definitely-wrong"})
    assert r.returncode == 1 and "refused the password" in r.stderr
    assert "Traceback" not in r.stderr


def test_start_timeout_shows_log_tail(tmp_path: Path, lib_dir: Path) -> None:
    server = ManagedNeo4j(tmp_path / "slow", lib_dir, bolt_port=free_port())
    with pytest.raises(ServerStartTimeout) as exc:
        server.start(timeout=0.5)
    assert "did not answer" in str(exc.value) and "Last log lines" in str(exc.value)
    assert not server.is_running()


def test_with_neo4j_uri_nothing_is_started(neo4j_target: Neo4jTarget, tmp_path: Path) -> None:
    env = {"NEO4J_URI": neo4j_target.uri, "NEO4J_PASSWORD": neo4j_target.password,
           "PARAAT_DATA_DIR": str(tmp_path)}
    r = paraat("neo4j", "start", env=env)
    assert r.returncode == 0 and "nothing started" in r.stdout
    assert not (tmp_path / "neo4j").exists()
    st = paraat("neo4j", "status", "--json", env=env)
    assert json.loads(st.stdout)["version"].startswith("5.26.")


def test_cypher_is_read_only(driver: Driver, neo4j_target: Neo4jTarget) -> None:
    env = {"NEO4J_URI": neo4j_target.uri, "NEO4J_PASSWORD": neo4j_target.password}
    driver.execute_query("CREATE (:Probe {name: 'x'})")
    r = paraat("neo4j", "cypher", "MATCH (p:Probe) RETURN p.name AS name", "--json", env=env)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == [{"name": "x"}]

    w = paraat("neo4j", "cypher", "CREATE (:Probe {name: 'evil'})", env=env)
    assert w.returncode == 1 and "read-only" in w.stderr
    rows, _, _ = driver.execute_query("MATCH (p:Probe) RETURN count(p) AS n")
    assert rows[0]["n"] == 1
