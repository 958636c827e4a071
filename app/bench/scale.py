"""`paraat bench scale`: ingest rate, index build time, match latency and memory at size.

For each size a *fresh* private Neo4j (its own home under PARAAT_DATA_DIR, a free port) is
filled the way a national bulk load would be:

1. schema without the company search indexes, ontology with real capability embeddings;
2. N synthetic companies through the normal import path (`write_companies`: prepare in
   Python, CREATE batches) - the graph write rate and the Python prepare rate, separately;
3. N vectors *derived* from 300 real template embeddings plus noise (labelled in the JSON:
   embedding 1M texts on 2 cores would take days), written with the import's own query;
4. the full-text indexes built once after the companies (bulk mode of write_companies) and
   the vector index after the vectors, each timed until `db.awaitIndexes` returns
   (population 100 %);
5. match latency: in process (Matcher, 10 questions x 3) and through the real API subprocess
   (POST /match at 1 and 8 clients, bounded), with the JVM's and the API's resident memory.

Absolute times on the shared 2-core machine are noisy: compare sizes by their ratios (each
JSON records the machine's load average), and the API levels against their own 1-client level.
"""

from __future__ import annotations

import logging
import os
import shutil
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from app.bench.common import (
    DERIVED_LABEL,
    QUESTIONS,
    bench_server,
    dir_size_mib,
    environment,
    process_memory,
    write_derived_vectors,
)
from app.bench.load import api_subprocess, load_levels, match_scenario, run_load
from app.services.wiring import encoder_for
from core.settings import Settings
from graph.queries import schema as schema_q
from graph.repositories.admin import AdminRepository
from graph.schema import EmbeddingSpec, apply_schema
from ingest.companies import RunContext, write_companies
from ingest.ontology_loader import load_ontology
from ingest.synthetic import generate
from matching.encoders.cache import EmbeddingCache
from matching.matcher import Matcher
from matching.models import MatchRequest
from ontology.taxonomy import load_taxonomy

log = logging.getLogger(__name__)


def _timed(driver: Any, statements: tuple[str, ...] | list[str]) -> float:
    t0 = time.perf_counter()
    admin = AdminRepository(driver)
    admin.run_statements(statements)
    admin.await_indexes(7200)
    return round(time.perf_counter() - t0, 1)


def bench_scale(settings: Settings, n: int, *, heap: str = "2g", pagecache: str = "2g",
                batch_size: int = 10_000, repeats: int = 3, api_match_requests: int = 40,
                keep_store: bool = False, log_: Callable[[str], None] = print
                ) -> dict[str, Any]:
    tax = load_taxonomy()
    encoder = encoder_for(settings)
    out: dict[str, Any] = {
        "benchmark": "scale", "environment": environment(encoder), "companies": n,
        "vectors": DERIVED_LABEL, "neo4j_memory_settings": {
            "heap_initial_and_max": heap, "pagecache": pagecache,
            "set_in": "graph/server.py ManagedNeo4j.write_config "
                      "(server.memory.heap.*, server.memory.pagecache.size)"},
        "mode": "bulk: company vector and full-text indexes created after the data",
    }
    home = settings.data_dir / f"bench-scale-{n}"
    shutil.rmtree(home, ignore_errors=True)
    with bench_server(settings, heap=heap, pagecache=pagecache, home=home) as (driver, server):
        neo_pid = int((server._read_state() or {})["pid"])
        # 1. schema without the company search indexes (they are built on the full graph).
        AdminRepository(driver).run_statements((*schema_q.CONSTRAINTS,
                                                *schema_q.PROPERTY_INDEXES))
        cache = EmbeddingCache(settings.cache_dir / "embeddings")
        load_ontology(driver, tax, encoder=encoder, cache=cache)
        # 2. companies through the import path.
        t0 = time.perf_counter()
        # bulk=True: the full-text indexes are built once after the data (index_seconds).
        stats = write_companies(driver, generate(n, tax, seed=1), tax,
                                RunContext(source="bench-scale"), batch_size=batch_size,
                                bulk=True)
        total = time.perf_counter() - t0
        out["ingest"] = {
            "batch_size": batch_size,
            "graph_write_s": round(stats.write_seconds, 1),
            "graph_write_companies_per_s": round(n / stats.write_seconds, 1),
            "generate_and_prepare_s (python)": round(
                total - stats.write_seconds - stats.index_seconds, 1),
            "end_to_end_companies_per_s": round(n / total, 1),
            "created": stats.created,
        }
        log_(f"{n}: ingest {out['ingest']}")
        out["neo4j_memory_after_ingest"] = process_memory(neo_pid)
        # 3. derived vectors.
        vec_s = write_derived_vectors(driver, encoder, tax, n, batch=5000, cache=cache)
        out["vectors_write_s"] = round(vec_s, 1)
        out["vectors_write_per_s"] = round(n / vec_s, 1)
        log_(f"{n}: vectors written in {vec_s:.0f} s")
        # 4. indexes on the full graph, each until population reaches 100 %.
        vector_stmt = schema_q.VECTOR_INDEX_TEMPLATE.format(
            name=schema_q.COMPANY_VECTOR_INDEX, label="Company", dim=int(encoder.dimension))
        out["index_build_s"] = {
            "company_text + company_text_en (full-text, 2 Lucene; built after the companies)":
                round(stats.index_seconds, 1),
            "company_embedding (vector, HNSW; built after the vectors)":
                _timed(driver, [vector_stmt])}
        log_(f"{n}: indexes {out['index_build_s']}")
        # apply_schema now finds everything in place and records the model (as the app does).
        apply_schema(driver, EmbeddingSpec(encoder.name, encoder.dimension))
        out["time_to_searchable_graph_s"] = round(
            total + vec_s + out["index_build_s"][
                "company_embedding (vector, HNSW; built after the vectors)"], 1)
        out["neo4j_memory_after_indexes"] = process_memory(neo_pid)
        out["store_on_disk_mib"] = dir_size_mib(server.data_dir)
        # 5a. in-process matching, as app/bench/matching.py does, with its numpy baseline.
        matcher = Matcher(driver, encoder, tax, settings.match)
        matcher.match(MatchRequest(question=QUESTIONS[0]))
        lat: list[float] = []
        for _ in range(repeats):
            for q in QUESTIONS:
                t = time.perf_counter()
                matcher.match(MatchRequest(question=q, top_k=10))
                lat.append((time.perf_counter() - t) * 1000)
        out["match_in_process"] = {
            "queries": len(lat), "p50_ms": round(statistics.median(lat), 1),
            "p95_ms": round(float(np.percentile(lat, 95)), 1),
            "mode": "dense index" if n >= settings.match.exact_dense_below else "dense exact"}
        log_(f"{n}: match in process {out['match_in_process']}")
        # 5b. through the API.
        with api_subprocess(server, driver, home / "api") as api:
            run_load(api.url, api.token, match_scenario(), 1, 3, 300)  # loads the encoder
            levels = load_levels(api, match_scenario(), (1, 8),
                                 lambda c: api_match_requests, 300, log_)
            out["match_api"] = levels
            out["api_memory"] = process_memory(api.pid)
        out["neo4j_memory_end"] = process_memory(neo_pid)
        out["api_errors"] = sum(e["errors"] for e in levels)
        out["machine_loadavg_1m_end"] = round(os.getloadavg()[0], 1)
    if not keep_store:
        shutil.rmtree(home, ignore_errors=True)
    return out
