"""Schemathesis against the API as outside testers run it (issue 17): the `schemathesis run`
command with all its checks (server errors, status codes, content types, headers and bodies
against the schema, schema-valid data accepted, schema-invalid data refused, auth enforced,
allowed methods, stateful links), for every role, generated deterministically, against a real
uvicorn server on the real graph (seed data, real encoder). It passes only when the OpenAPI
document and the server agree on every case.

No check is excluded. The one rule OpenAPI cannot state (`since` after `until` in
GET /demand-questions) is kept by a hook, tests/integration/schemathesis_hooks.py. One check is
relaxed where the schema cannot say what is valid: see FILTER_OPERATIONS.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver

from app.api.main import create_app
from app.services.users import UserCreate, create_user
from core.settings import ApiSettings, Settings
from graph.repositories.users import UsersRepository
from matching.encoders.base import Encoder
from matching.encoders.cache import EmbeddingCache
from tests.conftest import Neo4jTarget, neo4j_settings, seed_graph, serve_app

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[4]
SECRET = "fuzz-secret"
# Admin last: it erases companies and revokes users, which the other roles would then miss.
ROLES = ("anonymous", "company", "scout", "bizdev", "policy", "admin")
# Generated cases per operation in the fuzzing phase; the coverage phase (boundary values of
# every parameter) and the stateful phase add their own. ~2600 cases per role.
MAX_EXAMPLES = 5
EXCLUDED_CHECKS: dict[str, str] = {}  # check name -> why it cannot apply here; none so far
# positive_data_acceptance also accepts 422 on these operations, and only these: their filter
# values (municipality, NLD area, cluster, capability) are resolved against the graph's own data,
# by id or by name in Dutch or English, folded for case, accents, spaces and hyphens (issue 17
# item 8), and a value nobody has is a 422 naming close choices. JSON Schema cannot list that
# set, so a random string that fits the schema is rightly refused.
FILTER_OPERATIONS = (("GET", "/companies"), ("POST", "/match"), ("POST", "/watchlists"),
                     # issue 20: rules JSON Schema cannot tie to the path's claim kind (an
                     # NCAGE code is 5 letters or digits) or to a document's bytes (a PDF
                     # must start like one)
                     ("PUT", "/companies/{kvk}/compliance/{kind}"),
                     ("PUT", "/companies/{kvk}/compliance/{kind}/evidence"))
POSITIVE_STATUSES = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]  # the check's own
KNOWN_COMPANIES = 4  # path ids schemathesis may use, so cases reach real companies


@pytest.fixture(scope="module")
def fuzz_server(session_driver: Driver, neo4j_target: Neo4jTarget, encoder: Encoder,
                cache: EmbeddingCache) -> Iterator[tuple[str, dict[str, str], list[str]]]:
    seed_graph(session_driver, encoder, cache)
    rows, _, _ = session_driver.execute_query(
        "MATCH (c:Company) RETURN c.kvk_number AS kvk ORDER BY kvk LIMIT $n",
        n=KNOWN_COMPANIES)
    kvks = [r["kvk"] for r in rows]
    tokens = {}
    for role in ROLES[1:]:
        _, tokens[role] = create_user(UsersRepository(session_driver), UserCreate(
            name=f"fuzzer {role}", role=role,  # type: ignore[arg-type]
            kvk_number=kvks[0] if role == "company" else None), SECRET)
    s = Settings(neo4j=neo4j_settings(neo4j_target),
                 api=ApiSettings(secret=SECRET, rate_limit_per_minute=0))
    app = create_app(s, session_driver)
    app.state.encoder = encoder
    with serve_app(app) as url:
        yield url, tokens, kvks


def _config(path: Path, kvks: list[str]) -> Path:
    """Half of the generated KvK numbers in paths are seed companies (otherwise every GET,
    PATCH and DELETE of a company would only meet 404)."""
    text = ("[dictionaries.kvk]\nvalues = " + json.dumps(kvks) + "\n\n[parameters]\n"
            '"path.kvk" = { dictionary = "kvk", probability = 0.5 }\n')
    for method, route in FILTER_OPERATIONS:
        text += (f'\n[[operations]]\ninclude-method = "{method}"\ninclude-path = "{route}"\n'
                 "checks.positive_data_acceptance.expected-statuses = "
                 + json.dumps([*POSITIVE_STATUSES, "422"]) + "\n")
    path.write_text(text)
    return path


def _failures(output: str) -> str:
    start = output.find("FAILURES")
    return (output[start:] if start >= 0 else output)[-30_000:]


@pytest.mark.parametrize("role", ROLES)
def test_schemathesis_finds_no_failure(role: str, fuzz_server: tuple[str, dict[str, str],
                                                                     list[str]],
                                       tmp_path: Path) -> None:
    url, tokens, kvks = fuzz_server
    report = tmp_path / "report.json"
    command = [sys.executable, "-m", "schemathesis.cli",
               "--config-file", str(_config(tmp_path / "schemathesis.toml", kvks)),
               "run", f"{url}/openapi.json", "--checks", "all",
               "--generation-deterministic", "--max-examples", str(MAX_EXAMPLES),
               "--workers", "1", "--request-timeout", "120", "--no-color",
               "--output-sanitize", "false",  # test tokens; the curl lines must replay
               "--report", "json", "--report-json-path", str(report)]
    if EXCLUDED_CHECKS:
        command += ["--exclude-checks", ",".join(EXCLUDED_CHECKS)]
    if role != "anonymous":
        command += ["-H", f"Authorization: Bearer {tokens[role]}"]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.integration.schemathesis_hooks",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    run = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path,
                         timeout=900)
    assert report.exists(), run.stdout[-5000:] + run.stderr[-5000:]
    result: dict[str, Any] = json.loads(report.read_text())
    operations, cases = result["operations"], result["test_cases"]
    phases = ", ".join(f"{m[0].lower()} {float(m[1]):.0f} s" for m in re.findall(
        r"(Coverage|Fuzzing|Stateful) \(in ([0-9.]+)s\)", run.stdout))
    print(f"\nschemathesis as {role}: {operations['tested']} operations, "
          f"{cases['generated']} cases, {result['running_time']:.0f} s ({phases})")
    assert run.returncode == 0, _failures(run.stdout)
    assert operations["tested"] == operations["total"] >= 40, operations
    assert cases["generated"] >= 1000 and cases["errored"] == 0, cases
    assert all(result["phases"][p]["status"] == "success"
               for p in ("coverage", "fuzzing", "stateful")), result["phases"]
