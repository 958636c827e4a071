"""Ingest pipelines against the real Neo4j: seed counts, ugly registries, crashes, re-runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from neo4j import Driver
from openpyxl import Workbook

from ingest.errors import IngestError
from ingest.registry import import_registry
from ingest.seed import ENTITY_FILES, LOAD_ORDER, company_records, load_seed, read_seed_csv
from ingest.synthetic import generate
from ontology.taxonomy import load_taxonomy
from ontology.validation import validate_companies
from tests.conftest import Neo4jTarget

VOLATILE = {"imported_at", "import_run", "embedding", "embedding_hash", "file_hash"}


def snapshot(driver: Driver) -> tuple[list[Any], list[Any]]:
    """Nodes and relationships without run-specific provenance, in a stable order."""
    nodes, _, _ = driver.execute_query(
        "MATCH (n) WHERE NOT n:ImportRun AND NOT n:ParaatMeta "
        "RETURN labels(n) AS l, properties(n) AS p")
    rels, _, _ = driver.execute_query(
        "MATCH (a)-[r]->(b) WHERE NOT a:ImportRun "
        "RETURN coalesce(a.id, a.kvk_number) AS a, type(r) AS t, properties(r) AS p, "
        "coalesce(b.id, b.kvk_number) AS b")
    n = sorted(repr((sorted(r["l"]), sorted((k, v) for k, v in r["p"].items()
                                            if k not in VOLATILE))) for r in nodes)
    e = sorted(repr((r["a"], r["t"], sorted(r["p"].items()), r["b"])) for r in rels)
    return n, e


def count(driver: Driver, query: str) -> int:
    rows, _, _ = driver.execute_query(query)
    return int(rows[0][0])


# --------------------------------------------------------------------------- seed


def test_seed_counts_match_the_data_files_and_rerun_changes_nothing(driver: Driver) -> None:
    load_seed(driver)
    tax = load_taxonomy()
    for name in LOAD_ORDER:
        label = ENTITY_FILES[name][0]
        assert count(driver, f"MATCH (n:{label}) RETURN count(n)") == len(read_seed_csv(name)), name
    companies = read_seed_csv("companies.csv")
    assert count(driver, "MATCH (c:Company) RETURN count(c)") == len(companies) == 12
    assert count(driver, "MATCH (c:Capability) RETURN count(c)") == len(tax.capabilities)
    assert count(driver, "MATCH (a:NLDArea) RETURN count(a)") == 5
    # every company has a capability and a municipality; every cluster its NLD areas
    assert count(driver, "MATCH (c:Company) WHERE NOT (c)-[:HAS_CAPABILITY]->() "
                         "RETURN count(c)") == 0
    assert count(driver, "MATCH (c:Company) WHERE NOT (c)-[:LOCATED_IN]->(:Municipality) "
                         "RETURN count(c)") == 0
    assert count(driver, "MATCH (k:Cluster) WHERE NOT (k)-[:RELEVANT_TO]->(:NLDArea) "
                         "RETURN count(k)") == 0
    declared = sum(len([c for c in v.split("|") if c]) for v in companies["capabilities"])
    assert count(driver, "MATCH (:Company)-[r:HAS_CAPABILITY {source: 'declared'}]->() "
                         "RETURN count(r)") == declared
    # provenance on every company
    assert count(driver, "MATCH (c:Company) WHERE c.source IS NULL OR c.imported_at IS NULL "
                         "RETURN count(c)") == 0

    before = snapshot(driver)
    summary = load_seed(driver)
    assert summary["companies_created"] == 0 and summary["companies_updated"] == 0
    assert snapshot(driver) == before


def test_seed_companies_conform_to_the_shacl_shapes() -> None:
    records = company_records(read_seed_csv("companies.csv"))
    problems = validate_companies([r.model_dump() for r in records])
    assert all(not v for v in problems.values()), problems


# --------------------------------------------------------------------------- registries

UGLY_CSV = (
    "KvK-nummer;Bedrijfsnaam;Omschrijving;Gemeente;Website;Medewerkers\n"
    '11111111;Pantserwerk Drenthe B.V.;"Wij maken kogelwerende platen van aramide\n'
    'en keramiek voor voertuigen; geleverd aan de krijgsmacht.";Emmen;pantserwerk.nl;12\n'
    "2222222;Te Kort BV;Deze rij heeft een KvK-nummer van zeven cijfers en moet weg.;Assen;;\n"
    "33333333;;Deze rij heeft geen naam maar wel een beschrijving die lang genoeg is.;Assen;;\n"
    "44444444;Coöperatie Zuivel Eelde;Zuivelproducten en kaas uit eigen regio, ook voor "
    "grootkeukens en kazernes.;Tynaarlo;;abc\n"
    "55555555;Warmtebeeld Systemen;Wij ontwikkelen warmtebeeldcamera's en nachtzicht voor "
    "bewaking en defensie.;Coevorden;https://warmtebeeld.example;40\n"
    "11111111;Pantserwerk Drenthe;Wij maken kogelwerende platen van aramide en keramiek "
    "voor voertuigen en schepen.;Emmen;;14\n"
    "66666666;Pantserwerk Drente;Ballistische bescherming en pantserplaten voor voertuigen, "
    "schepen en gebouwen.;Emmen;;9\n"
)


@pytest.fixture
def ugly_csv(tmp_path: Path) -> Path:
    path = tmp_path / "export.csv"
    path.write_bytes(UGLY_CSV.encode("cp1252"))
    return path


def test_ugly_cp1252_csv_rejects_bad_rows_keeps_good_and_reruns_clean(
        driver: Driver, ugly_csv: Path, tmp_path: Path) -> None:
    load_seed(driver)
    s = import_registry(driver, ugly_csv, report_dir=tmp_path / "reports")
    assert s.encoding == "cp1252" and s.delimiter == ";"
    rejected = {(r.row, r.field) for r in s.rejections}
    assert (4, "kvk_number") in rejected  # line numbers as in the file (quoted newline)
    assert (5, "name") in rejected
    assert (6, "employees") in rejected
    assert s.merged_duplicates == 1
    assert s.created == 3  # 11111111 (merged), 55555555, 66666666
    names = {r["kvk"]: r["name"] for r in driver.execute_query(
        "MATCH (c:Company) WHERE c.kvk_number IN ['11111111', '55555555', '66666666', "
        "'44444444'] RETURN c.kvk_number AS kvk, c.name AS name").records}
    assert names == {"11111111": "Pantserwerk Drenthe", "55555555": "Warmtebeeld Systemen",
                     "66666666": "Pantserwerk Drente"}
    # near-identical names in the same municipality with another KvK are flagged, not merged
    assert any({f.kvk_number, f.other_kvk} == {"66666666", "11111111"} for f in s.flags)
    report = (tmp_path / "reports" / "export-report.csv").read_text(encoding="utf-8-sig")
    assert "kvk_number" in report and "possible_duplicate" in report
    # capabilities inferred from the description, marked as such, with a confidence
    caps = {r["id"]: (r["src"], r["conf"]) for r in driver.execute_query(
        "MATCH (:Company {kvk_number: '55555555'})-[r:HAS_CAPABILITY]->(k) "
        "RETURN k.id AS id, r.source AS src, r.confidence AS conf").records}
    assert caps["thermal-imaging"][0] == "inferred" and 0 < caps["thermal-imaging"][1] < 1
    assert "night-vision" in caps

    before = snapshot(driver)
    again = import_registry(driver, ugly_csv)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert snapshot(driver) == before


def test_dry_run_writes_nothing(driver: Driver, ugly_csv: Path) -> None:
    n = count(driver, "MATCH (n) RETURN count(n)")
    s = import_registry(None, ugly_csv, dry_run=True)
    assert s.valid == 3 and s.rejected == 3
    assert count(driver, "MATCH (n) RETURN count(n)") == n


def test_xlsx_with_header_offset_and_mapping(driver: Driver, tmp_path: Path) -> None:
    load_seed(driver)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Bedrijvenoverzicht regio Drenthe"])
    ws.append(["Export 2026-11-01"])
    ws.append([])
    ws.append(["Nummer KvK", "Naam", "Activiteiten", "Gemeente", "Aantal medewerkers"])
    ws.append([12121212, "Drentse Dronebouw", "Wij bouwen drones (UAV) voor inspectie en "
               "surveillance, ook voor defensie.", "Assen", 25])
    ws.append(["13131313", "Zonder Beschrijving", None, "Assen", 3])
    path = tmp_path / "export.xlsx"
    wb.save(path)
    mapping = tmp_path / "map.yaml"
    mapping.write_text("Nummer KvK: kvk_number\nActiviteiten: description\n")
    s = import_registry(driver, path, mapping=mapping)
    assert s.created == 1
    assert [(r.row, r.field) for r in s.rejections] == [(6, "description")]
    rows, _, _ = driver.execute_query(
        "MATCH (c:Company {kvk_number: '12121212'})-[:LOCATED_IN]->(m) "
        "RETURN c.employees AS e, m.id AS m")
    assert rows[0]["e"] == 25 and rows[0]["m"] == "assen"


def test_unusable_files_are_refused_with_one_clear_line(driver: Driver, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(os.urandom(4096) + b"\x00")
    no_kvk = tmp_path / "wrong.csv"
    no_kvk.write_text("naam;omschrijving\nA;B\n")
    fake_xlsx = tmp_path / "fake.xlsx"
    fake_xlsx.write_bytes(b"PK\x03\x04 not really a zip")
    n = count(driver, "MATCH (n) RETURN count(n)")
    with pytest.raises(IngestError, match="binary"):
        import_registry(driver, garbage)
    with pytest.raises(IngestError, match="kvk_number"):
        import_registry(driver, no_kvk)
    with pytest.raises(IngestError, match="not a valid XLSX"):
        import_registry(driver, fake_xlsx)
    assert count(driver, "MATCH (n) RETURN count(n)") == n


# --------------------------------------------------------------------------- crash safety


def _registry_file(path: Path, n: int) -> Path:
    tax = load_taxonomy()
    rows = [{"kvk_number": r.kvk_number, "name": r.name, "description": r.description,
             "municipality": r.municipality, "employees": r.employees}
            for r in generate(n, tax, seed=11)]
    pd.DataFrame(rows).to_csv(path, sep=";", index=False, encoding="cp1252")
    return path


def test_crash_mid_import_then_rerun_equals_a_clean_run(
        driver: Driver, neo4j_target: Neo4jTarget, tmp_path: Path) -> None:
    load_seed(driver)
    path = _registry_file(tmp_path / "big.csv", 600)
    env = {**os.environ, "NEO4J_URI": neo4j_target.uri,
           "NEO4J_PASSWORD": neo4j_target.password, "PARAAT_DATA_DIR": str(tmp_path)}
    cmd = [sys.executable, "-m", "app.cli", "ingest", "companies", str(path),
           "--batch-size", "25"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    written = 0
    while time.monotonic() < deadline and proc.poll() is None:
        written = count(driver, "MATCH (c:Company) WHERE c.kvk_number STARTS WITH '6' "
                                "RETURN count(c)")
        if written >= 50:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = count(driver, "MATCH (c:Company) WHERE c.kvk_number STARTS WITH '6' "
                            "RETURN count(c)")
    assert 0 < partial < 600, f"the kill did not land mid-import ({partial} written)"
    assert partial % 25 == 0, "a batch was half-written"

    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    assert rerun.returncode == 0, rerun.stderr
    crashed_then_rerun = snapshot(driver)

    # the same import on a clean graph
    from graph.schema import clear_graph

    clear_graph(driver)
    load_seed(driver)
    clean = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    assert clean.returncode == 0, clean.stderr
    assert snapshot(driver) == crashed_then_rerun
    assert count(driver, "MATCH (c:Company) WITH c.kvk_number AS k, count(*) AS n "
                         "WHERE n > 1 RETURN count(k)") == 0


def test_synthetic_companies_are_marked(driver: Driver) -> None:
    from ingest.companies import RunContext, write_companies
    from ingest.synthetic import SYNTHETIC_SOURCE

    load_seed(driver)
    tax = load_taxonomy()
    stats = write_companies(driver, generate(300, tax, seed=3), tax,
                            RunContext(source=SYNTHETIC_SOURCE.format(seed=3)))
    assert stats.created == 300
    assert count(driver, "MATCH (c:Company {synthetic: true}) "
                         "WHERE c.source CONTAINS 'synthetisch' AND c.kvk_number STARTS WITH '6' "
                         "RETURN count(c)") == 300
    assert count(driver, "MATCH (c:Company {synthetic: true}) WHERE NOT (c)-[:LOCATED_IN]->() "
                         "RETURN count(c)") == 0
    # same seed, same companies
    again = list(generate(5, tax, seed=3))
    assert [r.name for r in again] == [r.name for r in generate(5, tax, seed=3)]
