"""`make run`'s command: everything comes up, answers, and Ctrl-C stops what it started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
from fastapi.testclient import TestClient
from neo4j import Driver

from app.api.main import create_app
from core.settings import Neo4jSettings, Settings
from graph.server import free_port
from tests.conftest import Neo4jTarget, neo4j_settings


def test_health_reports_neo4j(driver: Driver, neo4j_target: Neo4jTarget) -> None:
    s = Settings(neo4j=neo4j_settings(neo4j_target))
    with TestClient(create_app(s, driver)) as client:
        r = client.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["neo4j"]["version"].startswith("5.26.")


def test_health_is_503_when_neo4j_is_unreachable() -> None:
    s = Settings(neo4j=Neo4jSettings(uri=f"bolt://127.0.0.1:{free_port()}", password="x",
                                    connection_timeout=1))
    with TestClient(create_app(s)) as client:
        r = client.get("/health")
    assert r.status_code == 503 and r.json()["neo4j"]["ok"] is False


def test_up_serves_api_and_ui_and_stops_on_ctrl_c(neo4j_target: Neo4jTarget) -> None:
    api_port, ui_port = free_port(), free_port()
    env = {**os.environ, "NEO4J_URI": neo4j_target.uri,
           "NEO4J_PASSWORD": neo4j_target.password, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "up", "--api-port", str(api_port),
         "--ui-port", str(ui_port), "--no-seed"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 240
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
            lines.append(line)
            if line.startswith("UI:"):
                break
        assert any(ln.startswith("UI:") for ln in lines), "".join(lines)
        health = httpx.get(f"http://127.0.0.1:{api_port}/health", timeout=10)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        page = httpx.get(f"http://127.0.0.1:{ui_port}/", timeout=10)
        assert page.status_code == 200 and "<html" in page.text.lower()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(60)
    assert proc.returncode == 0
    for port in (api_port, ui_port):
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
            raise AssertionError(f"port {port} still answers after Ctrl-C")
        except httpx.TransportError:
            pass
