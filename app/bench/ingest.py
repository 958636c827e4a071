"""`paraat bench ingest`: graph write rate per size and mode, against row-at-a-time MERGE
measured in the same run, and the embedding rate."""

from __future__ import annotations

import json
import logging
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from neo4j import Driver

from app.bench.common import bench_server, environment, fresh_graph
from app.bench.encoders import measure_throughput
from app.services.wiring import encoder_for
from core.settings import Settings
from graph.repositories.companies import CompanyRepository
from ingest.companies import (
    PreparedBatch,
    RunContext,
    WriteStats,
    prepare,
    prepare_batches,
    with_fulltext_indexes,
    write_companies,
    write_searchable,
)
from ingest.synthetic import generate
from ontology.taxonomy import load_taxonomy

log = logging.getLogger(__name__)

INGEST_MODES = (("incremental", 1), ("incremental", 2), ("bulk", 1), ("bulk", 2))


def bench_ingest(settings: Settings, sizes: list[int], *, baseline_rows: int = 1000,
                 embed_sample: int = 200, batch_size: int = 5000, repeats: int = 2,
                 warmup_companies: int = 50_000, heap: str = "2g", pagecache: str = "2g",
                 home: Path | None = None, log_: Callable[[str], None] = print
                 ) -> dict[str, Any]:
    """Graph write rate per size: rows are prepared once (timed apart), then written on a
    freshly started server (cold: the JVM still compiles the write path), again until the
    server has written `warmup_companies` (warm-up, rates kept), then in every mode
    (full-text kept up to date or built after, 1 or 2 writers), `repeats` times
    interleaved, each into an empty graph."""
    tax = load_taxonomy()
    encoder = encoder_for(settings)
    out: dict[str, Any] = {"benchmark": "ingest", "environment": environment(encoder),
                           "server": {"heap": heap, "pagecache": pagecache,
                                      "fresh per size": True},
                           "batch_size": batch_size, "repeats": repeats,
                           "warmup_companies": warmup_companies, "sizes": []}
    base_rate = 0.0
    for n in sizes:
        records = list(generate(n, tax, seed=1))
        with bench_server(settings, heap=heap, pagecache=pagecache, home=home) as (driver, _):
            fresh_graph(driver, tax, encoder.dimension, encoder.name)
            t0 = time.perf_counter()
            batches = list(prepare_batches(driver, records, tax, batch_size=batch_size))
            prepare_s = time.perf_counter() - t0

            def run(mode: str, writers: int, *, _b: list[PreparedBatch] = batches,
                    _n: int = n, _driver: Driver = driver) -> dict[str, Any]:
                fresh_graph(_driver, tax, encoder.dimension, encoder.name)
                stats = WriteStats()
                with_fulltext_indexes(_driver, mode == "bulk", lambda: write_searchable(
                    _driver, _b, RunContext(source="bench"), writers=writers, stats=stats))
                if stats.created != _n:
                    raise RuntimeError(f"bench wrote {stats.created} of {_n} companies")
                return {"graph_write_s": round(stats.write_seconds, 2),
                        "graph_write_companies_per_s": round(_n / stats.write_seconds, 1),
                        "fulltext_index_s (refresh or bulk build)": round(
                            stats.index_seconds, 2),
                        "write_plus_index_companies_per_s": round(
                            _n / (stats.write_seconds + stats.index_seconds), 1)}

            cold = run("bulk", 2)
            log_(json.dumps({"companies": n, "cold": cold}))
            # Warm-up: the JVM keeps compiling the write path for the first ~50k companies
            # after a start; a running service has long done that. Every pass is kept.
            warmup: list[float] = []
            while n * (1 + len(warmup)) < warmup_companies:
                warmup.append(run("bulk", 2)["graph_write_companies_per_s"])
            size: dict[str, Any] = {
                "companies": n,
                "prepare_s (inference, texts, hashes; python, once)": round(prepare_s, 2),
                "prepare_companies_per_s": round(n / prepare_s, 1),
                "cold (first write after the server started: bulk, 2 writers)": cold,
                "warm-up passes after it (bulk, 2 writers), companies/s": warmup,
                "runs": []}
            for rep in range(repeats):
                for mode, writers in INGEST_MODES:
                    entry = {"mode": mode, "writers": writers, "repeat": rep, **run(mode, writers)}
                    size["runs"].append(entry)
                    log_(json.dumps({"companies": n, **entry}))
            size["median_companies_per_s"] = {
                f"{mode}, {w} writer{'s' if w > 1 else ''}": round(statistics.median(
                    r["graph_write_companies_per_s"] for r in size["runs"]
                    if r["mode"] == mode and r["writers"] == w), 1)
                for mode, w in INGEST_MODES}
            med = size["median_companies_per_s"]
            size["ratios"] = {
                "2 vs 1 writer (bulk)": round(med["bulk, 2 writers"] / med["bulk, 1 writer"], 2),
                "2 vs 1 writer (incremental)": round(
                    med["incremental, 2 writers"] / med["incremental, 1 writer"], 2),
                "bulk vs incremental (2 writers)": round(
                    med["bulk, 2 writers"] / med["incremental, 2 writers"], 2)}
            # The pipeline as an import runs it: prepare overlapped with the writes.
            fresh_graph(driver, tax, encoder.dimension, encoder.name)
            t0 = time.perf_counter()
            write_companies(driver, records, tax, RunContext(source="bench"),
                            batch_size=batch_size)
            size["end_to_end_companies_per_s (write_companies: prepare + write)"] = round(
                n / (time.perf_counter() - t0), 1)
            if n == sizes[-1]:
                # Baseline: one MERGE per company per transaction, as naive code would write.
                fresh_graph(driver, tax, encoder.dimension, encoder.name)
                rows = [prepare(r, tax) for r in generate(baseline_rows, tax, seed=99)]
                t0 = time.perf_counter()
                ctx = RunContext(source="bench-baseline")
                CompanyRepository(driver).upsert_one_by_one(rows, {
                    "now": ctx.now, "run_id": ctx.run_id, "file_hash": None,
                    "source": ctx.source})
                base_rate = baseline_rows / (time.perf_counter() - t0)
        out["sizes"].append(size)
        log_(json.dumps({k: v for k, v in size.items() if k != "runs"}))
    out["baseline_row_at_a_time_companies_per_s (warm server)"] = round(base_rate, 1)
    for size in out["sizes"]:
        size["ratio_vs_row_at_a_time (bulk, 2 writers)"] = round(
            size["median_companies_per_s"]["bulk, 2 writers"] / base_rate, 1)
    texts = [r.description for r in generate(embed_sample, tax, seed=5)]
    emb_rate = measure_throughput(encoder, texts, seconds_budget=20)
    out["embedding_sentences_per_s"] = round(emb_rate, 1)
    out["embedding_hours_for"] = {str(n): round(n / emb_rate / 3600, 2) for n in sizes}
    out["target_graph_write_companies_per_s"] = 5000
    return out
