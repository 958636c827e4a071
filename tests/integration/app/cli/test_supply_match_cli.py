"""`paraat match --kind/--min-area/--access` (issue 19) against the real Neo4j with the seed."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from neo4j import Driver

from matching.encoders.base import Encoder
from tests.conftest import Neo4jTarget, seed_graph

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def graph(session_driver: Driver, encoder: Encoder) -> Driver:
    return seed_graph(session_driver, encoder)


def paraat(target: Neo4jTarget, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEO4J_URI": target.uri, "NEO4J_USER": "neo4j",
           "NEO4J_PASSWORD": target.password}
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True,
                          text=True, env=env, timeout=600)


def test_kind_filter_and_kinds_in_the_json(graph: Driver, neo4j_target: Neo4jTarget) -> None:
    r = paraat(neo4j_target, "match", "opleiding voor reservisten", "--kind", "programme",
               "--kind", "institution", "--json", "--no-store")
    assert r.returncode == 0, r.stderr
    hits = json.loads(r.stdout)
    assert hits and {h["kind"] for h in hits} <= {"programme", "institution"}
    assert hits[0]["kind"] == "programme" and hits[0]["id"] and hits[0]["kvk_number"] is None


def test_text_output_names_the_kind_and_the_constraints(graph: Driver,
                                                        neo4j_target: Neo4jTarget) -> None:
    r = paraat(neo4j_target, "match", "100 hectare bij de A37", "--top", "3", "--no-store")
    assert r.returncode == 0, r.stderr
    first = r.stdout.splitlines()[0]
    assert first.startswith(" 1.") and "[locatie" in first, r.stdout
    assert "100 ha" in r.stdout


def test_area_and_access_options(graph: Driver, neo4j_target: Neo4jTarget) -> None:
    r = paraat(neo4j_target, "match", "terrein", "--min-area", "50", "--access", "snelweg",
               "--json", "--no-store")
    assert r.returncode == 0, r.stderr
    hits = json.loads(r.stdout)
    assert [h["id"] for h in hits] == ["rundedal"]  # the one site with a known area
    assert hits[0]["attributes"]["area_ha"] >= 50 and "road" in hits[0]["attributes"]["access"]


@pytest.mark.parametrize("args,named", [
    (("--kind", "spaceship"), "company, site, facility, institution, programme"),
    (("--access", "teleport"), "road, rail, water, air"),
])
def test_unknown_kind_or_access_exits_2_in_one_line(
        graph: Driver, neo4j_target: Neo4jTarget, args: tuple[str, ...], named: str) -> None:
    r = paraat(neo4j_target, "match", "radar", *args, "--json", "--no-store")
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert r.stdout == ""
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and named in lines[0], r.stderr
