"""Bad input against the real Neo4j: every hostile file, body or name is refused with one
clear line (or, for injection strings, stored as plain data) and the graph is unchanged."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from app.api.main import create_app
from app.services.users import UserCreate, create_user
from core.errors import ParaatError
from core.settings import ApiSettings, Settings
from graph.backup import count_nodes_rels, graph_snapshot
from graph.queries import matching as matching_q
from graph.repositories.users import UsersRepository
from ingest.errors import IngestError
from ingest.rdf.import_ import import_rdf
from ingest.registry import import_registry
from matching.encoders.registry import get_encoder
from tests.conftest import TEST_EMBEDDING, Neo4jTarget, neo4j_settings
from tests.integration.api_helpers import seed_without_embeddings

SECRET = "bad-input-secret"
HEADER = "kvk_number;name;description;municipality;website\n"
GOOD_ROW = "12345678;Goed Bedrijf;Wij maken sensoren voor drones en voertuigen.;Assen;\n"


@pytest.fixture(scope="module")
def seeded(session_driver: Driver) -> Driver:
    return seed_without_embeddings(session_driver)


def paraat(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=300)


# --------------------------------------------------------------------------- registry files


def _xlsx_bomb(path: Path) -> None:
    """A real XLSX container whose sheet inflates 1000:1 (100 MiB of XML from ~100 KiB)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("xl/worksheets/sheet1.xml", "w") as f:
            chunk = b"<c>0</c>" * 131072  # 1 MiB
            for _ in range(100):
                f.write(chunk)


def _xlsx_garbage(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", os.urandom(2000))
        z.writestr("xl/workbook.xml", "<not-closed")


def _columns(n: int) -> str:
    return ";".join(["kvk_number", "name", "description"] + [f"c{i}" for i in range(n - 3)])


BAD_FILES: list[tuple[str, str, Callable[[Path], None], str]] = [
    ("binary garbage", "garbage.csv",
     lambda p: p.write_bytes(os.urandom(8192) + b"\x00" + os.urandom(8192)), "is binary"),
    ("UTF-16 (wrong encoding)", "utf16.csv",
     lambda p: p.write_bytes((HEADER + GOOD_ROW).encode("utf-16")), "is binary"),
    ("neither UTF-8 nor cp1252", "mixed.csv",
     lambda p: p.write_bytes(HEADER.encode() + b"12345678;Caf\xc3\xa9 \x81\x8d;x" * 10),
     "neither UTF-8 nor Windows-1252"),
    ("a million columns in the header", "wide.csv",
     lambda p: p.write_text(_columns(1_000_000) + "\n" + GOOD_ROW), "has a line longer than"),
    ("a million columns in a row", "widerow.csv",
     lambda p: p.write_text(HEADER + ";" * 999_999 + "\n"), "1000000 fields; at most 200"),
    ("250 columns", "250.csv",
     lambda p: p.write_text(_columns(250) + "\n"), "has 250 columns; at most 200"),
    ("a row of 250 fields", "250row.csv",
     lambda p: p.write_text(HEADER + GOOD_ROW + "x;" * 250 + "\n"), "251 fields; at most 200"),
    ("a field over the csv limit", "field.csv",
     lambda p: p.write_text(HEADER + '1;"' + "x" * 200_000 + '";y;z;\n'), "field larger"),
    ("empty", "empty.csv", lambda p: p.write_bytes(b""), "is empty"),
    ("no required columns", "nocols.csv",
     lambda p: p.write_text("a;b\n1;2\n"), "required column(s)"),
    ("zip bomb in XLSX", "bomb.xlsx", _xlsx_bomb, "refused as a possible zip bomb"),
    ("corrupt XLSX", "corrupt.xlsx", _xlsx_garbage, "could not be opened as XLSX"),
    ("not a zip at all", "fake.xlsx", lambda p: p.write_bytes(b"PK\x03\x04junk"),
     "not a valid XLSX"),
    ("unsupported type", "registry.exe", lambda p: p.write_bytes(b"MZ"),
     "unsupported file type"),
]


@pytest.mark.parametrize("case", BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_malformed_registry_files_are_refused_and_the_graph_is_unchanged(
        seeded: Driver, tmp_path: Path, case: tuple[str, str, Callable[[Path], None], str]
        ) -> None:
    _, name, make, expected = case
    path = tmp_path / name
    make(path)
    before = count_nodes_rels(seeded)
    t0 = time.perf_counter()
    with pytest.raises(IngestError) as info:
        import_registry(seeded, path)
    took = time.perf_counter() - t0
    msg = str(info.value)
    assert expected in msg and "\n" not in msg, msg
    assert count_nodes_rels(seeded) == before
    assert took < 20, f"refusing {name} took {took:.1f} s"


# --------------------------------------------------------------------------- 200 MB, bounded memory

MEASURE = r"""
import json, re, sys, time
from pathlib import Path

def hwm_kib():  # peak RSS of this process image (VmHWM; ru_maxrss would include the
    # forked parent's pages, since Linux keeps it across execve)
    return int(re.search(r"VmHWM:\s+(\d+)", Path("/proc/self/status").read_text()).group(1))

from ingest.errors import IngestError
from core.settings import get_settings
from ingest.readers import read_registry, stream_csv
get_settings()  # the limit comes from the settings: their import is not the file's cost
base = hwm_kib()
t0 = time.perf_counter()
out = {"base_kib": base}
if sys.argv[2] == "default":
    try:
        read_registry(Path(sys.argv[1]))
    except IngestError as e:
        out["error"] = str(e)
else:
    with stream_csv(Path(sys.argv[1]), max_bytes=int(sys.argv[2])) as s:
        n = 0
        for row in s.rows:
            n += 1
    out["rows"] = n
out["seconds"] = round(time.perf_counter() - t0, 2)
out["peak_kib"] = hwm_kib()
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def file_200mb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("big") / "registry-200mb.csv"
    desc = ("Wij ontwikkelen sensoren, drones en ballistische bescherming voor defensie. "
            * 27)[:2000]
    with open(path, "w", encoding="utf-8") as f:
        f.write(HEADER)
        i = 0
        while f.tell() < 200 * 2**20:
            f.write("".join(f"{10_000_000 + i + k};Bedrijf {i + k};{desc};Assen;\n"
                            for k in range(1000)))
            i += 1000
    yield path
    path.unlink()


def _measure(path: Path, limit: str) -> dict[str, Any]:
    r = subprocess.run([sys.executable, "-c", MEASURE, str(path), limit], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    out: dict[str, Any] = json.loads(r.stdout)
    return out


def test_a_200mb_registry_is_refused_over_the_limit_and_streams_under_it(
        seeded: Driver, file_200mb: Path) -> None:
    size_mib = file_200mb.stat().st_size / 2**20
    assert size_mib >= 200
    refused = _measure(file_200mb, "default")
    print(f"\n{size_mib:.0f} MiB over the 128 MiB default: refused in {refused['seconds']} s, "
          f"peak RSS {refused['peak_kib'] / 1024:.0f} MiB (interpreter + imports "
          f"{refused['base_kib'] / 1024:.0f} MiB)")
    assert "the limit is 128 MiB" in refused["error"]
    assert refused["seconds"] < 1.0
    assert refused["peak_kib"] - refused["base_kib"] < 16 * 1024

    streamed = _measure(file_200mb, str(512 * 2**20))
    print(f"{size_mib:.0f} MiB streamed under a raised limit: {streamed['rows']} rows in "
          f"{streamed['seconds']} s, peak RSS {streamed['peak_kib'] / 1024:.0f} MiB "
          f"(+{(streamed['peak_kib'] - streamed['base_kib']) / 1024:.0f} MiB)")
    assert streamed["rows"] > 90_000
    # Reading the file whole would need its bytes plus the decoded text (> 400 MiB);
    # streaming keeps the growth to buffers.
    assert streamed["peak_kib"] - streamed["base_kib"] < 64 * 1024

    before = count_nodes_rels(seeded)
    with pytest.raises(IngestError, match="the limit is 128 MiB"):
        import_registry(seeded, file_200mb)
    assert count_nodes_rels(seeded) == before


# --------------------------------------------------------------------------- RDF

DEEP_JSON_LD = '{"@id": "x", "http://e/p": ' + "[" * 50_000 + "]" * 50_000 + "}"
BAD_RDF: list[tuple[str, Any, str, str]] = [
    ("binary", os.urandom(4096) + b"\xff\xfe", "turtle", "not UTF-8"),
    ("turtle syntax", "@prefix pa: <https://w3id.org/paraat/ontology#> .\n<a> pa:x [ .",
     "turtle", "Cannot parse"),
    ("no triples", "# only a comment\n", "turtle", "contains no triples"),
    ("N-Triples garbage", "<a> <b> oops .\n", "nt", "Cannot parse"),
    ("JSON-LD nesting bomb", DEEP_JSON_LD, "json-ld", "Cannot parse"),
    ("JSON-LD remote context", '{"@context": "https://evil.example/ctx.jsonld", "@id": "x"}',
     "json-ld", "remote"),
]


@pytest.mark.parametrize("case", BAD_RDF, ids=[c[0] for c in BAD_RDF])
def test_malformed_rdf_is_refused_and_the_graph_is_unchanged(
        seeded: Driver, case: tuple[str, Any, str, str]) -> None:
    _, data, fmt, expected = case
    before = count_nodes_rels(seeded)
    with pytest.raises(ParaatError) as info:
        import_rdf(seeded, data, fmt)
    assert expected in str(info.value) and "\n" not in str(info.value), str(info.value)
    assert count_nodes_rels(seeded) == before


# --------------------------------------------------------------------------- API bodies


@pytest.fixture
def api(seeded: Driver, neo4j_target: Neo4jTarget) -> Iterator[tuple[TestClient, str]]:
    s = Settings(neo4j=neo4j_settings(neo4j_target),
                 api=ApiSettings(secret=SECRET, rate_limit_per_minute=0))
    app = create_app(s, seeded)
    # The body is refused before the route runs, so no model is loaded for these tests.
    app.state.encoder = object()
    _, token = create_user(UsersRepository(seeded),
                           UserCreate(name="bad-input bizdev", role="bizdev"), SECRET)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c, token


def _big_chunks(total: int) -> Iterator[bytes]:
    for _ in range(total // 65536 + 1):
        yield b" " * 65536


API_BODIES: list[tuple[str, Any, dict[str, str], int]] = [
    ("nesting bomb (200k levels)", b"[" * 200_000 + b"]" * 200_000, {}, 400),
    ("object nesting bomb", b'{"a":' * 150_000 + b"1" + b"}" * 150_000, {}, 400),
    ("huge array in a filter", json.dumps({"question": "drones", "filters": {
        "capabilities": ["x"] * 150_000}}).encode(), {}, 422),
    ("900k-character question", json.dumps({"question": "drones " * 130_000}).encode(), {},
     422),
    ("2 MB with Content-Length", b" " * 2_000_000, {}, 413),
    ("lying Content-Length", b"{}", {"Content-Length": "99999999999"}, 413),
    ("2 MB chunked, no Content-Length", "chunked", {}, 413),
]


@pytest.mark.parametrize("case", API_BODIES, ids=[c[0] for c in API_BODIES])
def test_json_bombs_and_oversized_bodies_are_refused(
        api: tuple[TestClient, str], seeded: Driver, case: tuple[str, Any, dict[str, str], int]
        ) -> None:
    client, token = api
    name, body, extra, status = case
    content = _big_chunks(2_000_000) if body == "chunked" else body
    before = count_nodes_rels(seeded)
    t0 = time.perf_counter()
    r = client.post("/match", content=content,
                    headers={"Authorization": f"Bearer {token}",
                             "Content-Type": "application/json", **extra})
    took = time.perf_counter() - t0
    assert r.status_code == status, (name, r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "Traceback" not in r.text and len(r.content) < 20_000
    if body == "chunked":
        assert "content-length" not in {k.lower() for k in r.request.headers}
    assert took < 10, f"{name} took {took:.1f} s"
    assert count_nodes_rels(seeded) == before  # no DemandQuestion stored


# --------------------------------------------------------------------------- injection

INJECTIONS = [
    "' }) MATCH (n) DETACH DELETE n //",
    '" }) MATCH (n) DETACH DELETE n //',
    "`}) DETACH DELETE n; CREATE (:Pwned) //",
    "$kvk_number } ) RETURN 1 UNION MATCH (n) DETACH DELETE n //",
    "\\u0027 OR 1=1 // {{ }} ${x} \\' ; DROP CONSTRAINT company_kvk_number_unique",
    "CALL dbms.security.createUser('x','y',false)",
]


def test_cypher_injection_in_every_free_text_field_is_stored_as_data(
        seeded: Driver, tmp_path: Path) -> None:
    before = graph_snapshot(seeded)
    n_companies = sum(1 for n in before.nodes if '"Company"' in n)
    path = tmp_path / "inject.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["kvk_number", "name", "description", "description_en", "municipality",
                    "website", "sbi_code", "activity"])
        for i, evil in enumerate(INJECTIONS):
            w.writerow([f"7700000{i}", f"Evil {i} {evil}", f"Wij maken sensoren. {evil}", evil,
                        "Assen", f"https://x{i}.example/?q={quote(evil)}", evil[:20], evil])
        # and in the municipality, which becomes a node id: slugged or rejected, never code
        w.writerow(["77000099", "Evil gemeente", "Wij maken sensoren voor drones.", "",
                    INJECTIONS[0], "", "", ""])
    summary = import_registry(seeded, path)
    assert summary.rows == len(INJECTIONS) + 1
    assert summary.created + summary.rejected == len(INJECTIONS) + 1
    assert summary.created >= len(INJECTIONS), summary.rejections
    after = graph_snapshot(seeded)
    # nothing that was there is gone or changed
    assert set(before.nodes) <= set(after.nodes)
    assert set(before.rels) <= set(after.rels)
    rows, _, _ = seeded.execute_query(
        "MATCH (c:Company) WHERE c.kvk_number STARTS WITH '7700000' "
        "RETURN c.kvk_number AS kvk, c.name AS name, c.description AS d, "
        "c.description_en AS en, c.sbi_code AS sbi, c.website AS web")
    stored = {r["kvk"]: r for r in rows}
    assert len(stored) == len(INJECTIONS)
    for i, evil in enumerate(INJECTIONS):  # verbatim, as data
        r = stored[f"7700000{i}"]
        assert (r["name"], r["d"], r["en"], r["sbi"]) == (
            f"Evil {i} {evil}", f"Wij maken sensoren. {evil}", evil, evil[:20].strip())
        assert r["web"] == f"https://x{i}.example/?q={quote(evil)}"
    counts, _, _ = seeded.execute_query("MATCH (c:Company) RETURN count(c) AS n")
    assert counts[0]["n"] == n_companies + summary.created
    pwned, _, _ = seeded.execute_query("MATCH (p:Pwned) RETURN count(p) AS n")
    assert pwned[0]["n"] == 0
    constraints, _, _ = seeded.execute_query(
        "SHOW CONSTRAINTS YIELD name WHERE name = 'company_kvk_number_unique' RETURN name")
    assert len(constraints) == 1


# --------------------------------------------------------------------------- path traversal


def test_path_traversal_in_cli_file_names_reads_nothing_it_should_not(
        seeded: Driver, tmp_path: Path, neo4j_target: Neo4jTarget) -> None:
    """The CLI is run by an admin with their own OS rights, so a path is taken as given, but
    a file that is no registry (here /etc/passwd by a ../ path) is refused in one line, and
    the report is written only inside the report folder."""
    env = {"NEO4J_URI": neo4j_target.uri, "NEO4J_PASSWORD": neo4j_target.password,
           "PARAAT_DATA_DIR": str(tmp_path / "data")}
    passwd = "../" * 12 + "etc/passwd"
    before = count_nodes_rels(seeded)
    r = paraat("ingest", "companies", passwd, "--report", str(tmp_path / "rep"), env=env)
    assert r.returncode == 1 and "required column(s)" in r.stderr
    assert r.stderr.strip().count("\n") == 0 and "root:" not in r.stderr

    ok = tmp_path / "ok.csv"
    ok.write_text(HEADER + GOOD_ROW)
    m = paraat("ingest", "companies", str(ok), "--mapping", passwd, "--dry-run", env=env)
    assert m.returncode == 1 and "Mapping file" in m.stderr and "root:" not in m.stderr
    assert count_nodes_rels(seeded) == before

    # a rejected row: the report lands in --report, named after the file's stem only
    bad = tmp_path / "..bad.csv"
    bad.write_text(HEADER + "123;X;te kort;Assen;\n")
    rep = tmp_path / "rep"
    d = paraat("ingest", "companies", str(bad), "--dry-run", "--report", str(rep), env=env)
    assert d.returncode == 0, d.stderr
    reports = list(rep.iterdir())
    assert [p.name for p in reports] == ["..bad-report.csv"]
    assert reports[0].resolve().parent == rep.resolve()


def test_path_traversal_in_uploaded_file_names_never_becomes_a_path(
        seeded: Driver, neo4j_target: Neo4jTarget, tmp_path: Path) -> None:
    s = Settings(neo4j=neo4j_settings(neo4j_target),
                 api=ApiSettings(secret=SECRET, rate_limit_per_minute=0))
    _, token = create_user(UsersRepository(seeded),
                           UserCreate(name="bad-input admin", role="admin"), SECRET)
    auth = {"Authorization": f"Bearer {token}"}
    target = Path("/tmp/paraat-traversal-probe.csv")
    target.unlink(missing_ok=True)
    with TestClient(create_app(s, seeded)) as c:
        r = c.post("/imports", headers=auth, data={"dry_run": "true"},
                   files={"file": ("../../../../tmp/paraat-traversal-probe.csv",
                                   (HEADER + GOOD_ROW).encode(), "text/csv")})
        assert r.status_code == 202, r.text
        job = r.json()
        assert job["file"] == "paraat-traversal-probe.csv"
        deadline = time.monotonic() + 60
        while job["status"] == "running" and time.monotonic() < deadline:
            time.sleep(0.2)
            job = c.get(f"/imports/{job['id']}", headers=auth).json()
        assert job["status"] == "done" and job["summary"]["valid"] == 1
        exe = c.post("/imports", headers=auth, data={"dry_run": "true"},
                     files={"file": ("..\\..\\evil.exe", b"MZ", "application/octet-stream")})
        assert exe.status_code == 422
    assert not target.exists()


# ---------------------------------------------------------------------- out of range (issue 17)


@pytest.fixture
def matching_api(seeded: Driver, neo4j_target: Neo4jTarget
                 ) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The API with a real encoder (the one the graph's index was made for), so a request the
    models let through reaches Neo4j."""
    s = Settings(neo4j=neo4j_settings(neo4j_target),
                 api=ApiSettings(secret=SECRET, rate_limit_per_minute=0))
    app = create_app(s, seeded)
    app.state.encoder = get_encoder(TEST_EMBEDDING.model)
    _, token = create_user(UsersRepository(seeded),
                           UserCreate(name="bad-input admin", role="admin"), SECRET)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c, {"Authorization": f"Bearer {token}"}


TOO_BIG = 9223372036854775808  # 2**63: the Neo4j driver cannot pack it (OverflowError)
OUT_OF_RANGE: list[tuple[str, str, dict[str, Any], str]] = [
    ("2**63 employees in a match filter", "/match",
     {"question": "drones", "filters": {"min_employees": TOO_BIG}}, "filters.min_employees"),
    ("20 digits in a watchlist filter", "/watchlists",
     {"name": "x", "question": "drones voor surveillance",
      "filters": {"max_employees": 12345678901234567890}}, "filters.max_employees"),
    ("one over the bound", "/match",
     {"question": "drones", "filters": {"max_employees": 10_000_001}}, "filters.max_employees"),
    ("true as a number", "/match",
     {"question": "drones", "filters": {"min_employees": True}}, "filters.min_employees"),
    ("a number as text", "/match", {"question": "drones", "top_k": "5"}, "top_k"),
]


@pytest.mark.parametrize("case", OUT_OF_RANGE, ids=[c[0] for c in OUT_OF_RANGE])
def test_integers_out_of_range_or_not_integers_are_a_422_not_a_500(
        matching_api: tuple[TestClient, dict[str, str]], seeded: Driver,
        case: tuple[str, str, dict[str, Any], str]) -> None:
    client, auth = matching_api
    _, path, body, field = case
    before = count_nodes_rels(seeded)
    r = client.post(path, json=body, headers=auth)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert field in [e["field"] for e in r.json()["errors"]], r.text
    assert count_nodes_rels(seeded) == before


def test_a_whole_float_is_an_integer_as_json_schema_says(
        matching_api: tuple[TestClient, dict[str, str]]) -> None:
    client, auth = matching_api
    r = client.post("/match", json={"question": "drones", "top_k": 3.0,
                                    "filters": {"max_employees": 10_000_000.0}}, headers=auth)
    assert r.status_code == 200, r.text


def test_a_registry_row_with_a_huge_employee_count_is_rejected_not_the_whole_file(
        seeded: Driver, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text("kvk_number;name;description;municipality;employees\n"
                    "12345670;Groot Bedrijf;Wij maken sensoren voor drones en voertuigen.;Assen;"
                    "123456789012345678901234\n"
                    "12345671;Klein Bedrijf;Wij maken sensoren voor drones en voertuigen.;Assen;"
                    "12\n")
    summary = import_registry(seeded, path)
    assert summary.created == 1 and summary.rejected == 1
    (rejection,) = summary.rejections
    assert rejection.field == "employees" and "10,000,000" in rejection.reason_en
    rows, _, _ = seeded.execute_query(
        "MATCH (c:Company) WHERE c.kvk_number IN ['12345670', '12345671'] "
        "RETURN c.kvk_number AS kvk, c.employees AS n")
    assert [(r["kvk"], r["n"]) for r in rows] == [("12345671", 12)]
    seeded.execute_query("MATCH (c:Company {kvk_number: '12345671'}) DETACH DELETE c")


def test_a_null_capability_list_in_a_profile_change_is_a_422_not_a_500(
        matching_api: tuple[TestClient, dict[str, str]], seeded: Driver) -> None:
    client, auth = matching_api
    before = graph_snapshot(seeded)
    r = client.patch("/companies/99000001", json={"capabilities": None}, headers=auth)
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["capabilities"]
    assert graph_snapshot(seeded) == before


# --------------------------------------------------------------------------- times (issue 17)

TIMES: list[tuple[str, str, int]] = [
    ("since", "2025-01-01T00:00:00+22:00", 422),  # Python takes it, Neo4j does not
    ("until", "2025-01-01T00:00:00-19:00", 422),
    ("since", "2025-01-01T00:00:00+18:01", 422),
    ("since", "2025-02-29", 422),  # no such day
    ("since", "1700000000", 422),  # not a time, though pydantic read it as one
    ("since", "2025-01-01T00:00:00+18:00", 200),  # Neo4j's bounds, inclusive
    ("until", "2025-01-01T00:00:00-18:00", 200),
    ("until", "9999-12-31T23:59:59.999999999-18:00", 200),
    ("since", "0001-01-01T00:00+18:00", 200),
    ("since", "2024-02-29", 200),
]


@pytest.mark.parametrize("case", TIMES, ids=[f"{c[0]}={c[1]}" for c in TIMES])
def test_times_neo4j_refuses_are_a_422_not_a_500(
        matching_api: tuple[TestClient, dict[str, str]], seeded: Driver,
        case: tuple[str, str, int]) -> None:
    client, auth = matching_api
    name, value, status = case
    # The window is only compared with stored questions, so there must be one.
    seeded.execute_query(matching_q.CREATE_DEMAND_QUESTION, q={
        "id": uuid.uuid4().hex, "question": "drones", "lang": "nl", "filters": "{}",
        "owner": "x", "top_k": 5, "concepts": [], "nld_areas": [], "hits": []})
    r = client.get("/demand-questions", params={name: value}, headers=auth)
    assert r.status_code == status, r.text
    if status == 422:
        assert r.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in r.json()["errors"]] == [name]
        assert "-18:00 to +18:00" in r.json()["detail"]


# ---------------------------------------------------------------------- text as sent (issue 17)

TEXTS: list[tuple[str, dict[str, Any], str]] = [
    # stripping used to come first, so a control character at the edge slipped through
    ("vertical tab at the end of a name", {"name": "Lijst\x0b"}, "name"),
    ("form feed at the start of a question", {"name": "x", "question": "\x0cvraag"}, "question"),
    # and the length was counted after stripping: 2001 characters as sent
    ("over the length with trailing spaces", {"name": "x", "question": "q" + "\x85" * 2000},
     "question"),
    ("a name of only spaces", {"name": "\u3000 \t"}, "name"),
]


@pytest.mark.parametrize("case", TEXTS, ids=[c[0] for c in TEXTS])
def test_text_is_checked_as_sent(api: tuple[TestClient, str], seeded: Driver,
                                 case: tuple[str, dict[str, Any], str]) -> None:
    client, token = api
    _, body, field = case
    before = count_nodes_rels(seeded)
    r = client.post("/shortlists", json=body, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == [field]
    assert count_nodes_rels(seeded) == before


def test_an_upload_without_a_suffix_is_read_by_its_media_type(
        seeded: Driver, neo4j_target: Neo4jTarget) -> None:
    """The schema says which part types /imports takes; a file named without a suffix (as
    clients that send only the bytes do) is read by that type, and the form's boolean is
    true or false only, as the schema says."""
    s = Settings(neo4j=neo4j_settings(neo4j_target),
                 api=ApiSettings(secret=SECRET, rate_limit_per_minute=0))
    _, token = create_user(UsersRepository(seeded),
                           UserCreate(name="bad-input admin", role="admin"), SECRET)
    auth = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(s, seeded)) as c:
        r = c.post("/imports", headers=auth, data={"dry_run": "true"},
                   files={"file": ("registry", (HEADER + GOOD_ROW).encode(), "text/csv")})
        assert r.status_code == 202, r.text
        assert r.json()["file"] == "registry"
        job = r.json()
        deadline = time.monotonic() + 60
        while job["status"] == "running" and time.monotonic() < deadline:
            time.sleep(0.2)
            job = c.get(f"/imports/{job['id']}", headers=auth).json()
        assert job["status"] == "done" and job["summary"]["valid"] == 1, job
        for name, media in (("registry", "application/octet-stream"), ("registry.exe", "text/csv")):
            r = c.post("/imports", headers=auth, data={"dry_run": "true"},
                       files={"file": (name, b"MZ", media)})
            assert r.status_code == 422 and "CSV or XLSX" in r.json()["detail"], r.text
        r = c.post("/imports", headers=auth, data={"dry_run": "yes"},
                   files={"file": ("r.csv", (HEADER + GOOD_ROW).encode(), "text/csv")})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "dry_run", r.text
