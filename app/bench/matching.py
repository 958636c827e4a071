"""`paraat bench matching`: query latency p50/p95 against a brute-force numpy baseline over the
same vectors, and the encoder's speed. Vectors are derived (labelled so): real template
embeddings plus noise, so latency can be measured at sizes that would take hours to embed."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from app.bench.common import QUESTIONS, bench_server, environment, fresh_graph, percentile
from app.bench.encoders import measure_throughput
from app.services.wiring import encoder_for
from core.settings import Settings
from graph.repositories.admin import AdminRepository
from graph.repositories.companies import CompanyRepository
from graph.repositories.matching import MatchingRepository
from ingest.companies import RunContext, write_companies
from ingest.synthetic import generate
from matching.encoders.base import Encoder
from matching.hubs import forget
from matching.matcher import Matcher
from matching.models import MatchFilters, MatchRequest
from ontology.taxonomy import Taxonomy, load_taxonomy

log = logging.getLogger(__name__)


def derived_vectors(encoder: Encoder, tax: Taxonomy, n: int, templates: int = 300,
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


def _order(i: int) -> tuple[str, str]:
    """Which arm goes first for the i-th question: alternating, so neither is always
    second (warmer caches) or first."""
    return ("on", "off") if i % 2 == 0 else ("off", "on")


def _ratio(a: list[float], b: list[float], q: float) -> float:
    """The q-th percentile of `a` over that of `b` (unrounded percentiles)."""
    return round(float(np.percentile(a, q)) / float(np.percentile(b, q)), 3)


def _stage_stats(stages: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    return {k: {"p50": percentile(v, 50), "p95": percentile(v, 95), "samples": len(v)}
            for k, v in stages.items()}


def _on_off(name: str, on: list[float], off: list[float]) -> dict[str, float]:
    """`name`'s p50 and p95 without and with the hub penalty, and their ratios on / off."""
    return {f"{name}_off_p50_ms": percentile(off, 50), f"{name}_off_p95_ms": percentile(off, 95),
            f"{name}_on_p50_ms": percentile(on, 50), f"{name}_on_p95_ms": percentile(on, 95),
            f"ratio_{name}_on_off_p50": _ratio(on, off, 50),
            f"ratio_{name}_on_off_p95": _ratio(on, off, 95)}


def fill_question_bank(repo: MatchingRepository, encoder: Encoder, n: int, sigma: float = 0.05,
                       seed: int = 3) -> dict[str, Any]:
    """The hub penalty's bank as a production graph has it once `n` questions were stored:
    `n` derived question vectors (the bench questions' embeddings plus noise, unit length)
    besides the concepts, so its cost per node (a product with every bank row) is the
    production one, not that of the concepts alone."""
    if n <= 0:
        repo.replace_bank_questions([])
        return {"questions": 0, "concepts": len(repo.concept_vectors())}
    rng = np.random.default_rng(seed)
    base = encoder.encode_queries(QUESTIONS)
    v = base[rng.integers(0, len(base), size=n)] + rng.normal(
        0, sigma, size=(n, base.shape[1])).astype(np.float32)
    v = v / np.linalg.norm(v, axis=1, keepdims=True)
    repo.replace_bank_questions([
        {"id": f"bench-bank-{i}", "question": f"bench bank question {i}", "lang": "en",
         "embedding": row.astype(float).tolist()} for i, row in enumerate(v)])
    return {"questions": n, "concepts": len(repo.concept_vectors()),
            "questions_are": f"derived: the bench questions' embeddings + noise (sigma {sigma})"}


def _timed_match(m: Matcher, q: str) -> tuple[float, float]:
    """(total ms, dense stage ms) of one hybrid match."""
    t = time.perf_counter()
    res = m.match(MatchRequest(question=q, top_k=10))
    # the stage is the retrieval and, since the eval reports both signals, its own timing of
    # the hub penalty
    return ((time.perf_counter() - t) * 1000,
            res.timings_ms["dense"] + res.timings_ms.get("hub_penalty", 0.0))


def _cold_cache(driver: Any, on: Matcher, off: Matcher, repeats: int) -> dict[str, Any]:
    """The penalty's per-process cache (matching.hubs.HubPenalties) cold and warm, per
    question: right after the penalties were dropped (the bank is built in the call and no
    node's penalty is known), with the bank built but no node's penalty known (a question
    whose candidates were never scored since the bank's last rebuild: their embeddings in a
    second round trip and their neighbourhoods computed), then warm; the matcher without the
    penalty on the same question alongside."""
    rows: dict[str, list[tuple[float, float]]] = {
        "bank_and_nodes_cold": [], "nodes_cold": [], "warm": [], "off": []}
    build: list[float] = []
    for _ in range(repeats):
        for q in QUESTIONS:
            forget(driver)
            rows["bank_and_nodes_cold"].append(_timed_match(on, q))
            forget(driver)
            t = time.perf_counter()
            on.hub_penalties().bank()
            build.append((time.perf_counter() - t) * 1000)
            rows["nodes_cold"].append(_timed_match(on, q))
            rows["warm"].append(_timed_match(on, q))
            rows["off"].append(_timed_match(off, q))
    out: dict[str, Any] = {"samples": len(rows["off"]),
                           "bank_build_p50_ms": percentile(build, 50)}
    for k, v in rows.items():
        total, dense = [t for t, _ in v], [d for _, d in v]
        out[k] = {"hybrid_p50_ms": percentile(total, 50), "hybrid_p95_ms": percentile(total, 95),
                  "dense_p50_ms": percentile(dense, 50), "dense_p95_ms": percentile(dense, 95)}
    return out


def bench_matching(settings: Settings, sizes: list[int], *, repeats: int = 10,
                   warmup: int = 3, cold_repeats: int = 2, retrieval_repeats: int = 10,
                   templates: int = 300,
                   throughput_s: float = 15.0,
                   heap: str = "2g", pagecache: str = "1g", home: Path | None = None,
                   log_: Callable[[str], None] = print) -> dict[str, Any]:
    tax = load_taxonomy()
    encoder = encoder_for(settings)
    out: dict[str, Any] = {"benchmark": "matching", "environment": environment(encoder),
                           "vectors": "derived from real template embeddings + noise "
                                      "(labelled; see app/bench/matching.py)", "sizes": []}
    texts = [r.description for r in generate(200, tax, seed=7)]
    out["encoder_sentences_per_s"] = round(measure_throughput(encoder, texts, throughput_s),
                                           1)
    t0 = time.perf_counter()
    for q in QUESTIONS:
        encoder.encode_queries([q])
    out["query_encode_ms"] = round((time.perf_counter() - t0) / len(QUESTIONS) * 1000, 1)
    with bench_server(settings, heap, pagecache, home) as (driver, _):
        for n in sizes:
            fresh_graph(driver, tax, encoder.dimension, encoder.name, encoder)
            records = list(generate(n, tax, seed=1))
            write_companies(driver, records, tax, RunContext(source="bench"), batch_size=5000)
            vecs = derived_vectors(encoder, tax, n, templates)
            kvks = [r.kvk_number for r in records]
            t0 = time.perf_counter()
            for i in range(0, n, 5000):
                CompanyRepository(driver).set_embeddings([
                    {"kvk_number": k, "embedding": vecs[j].tolist(), "hash": "bench"}
                    for j, k in enumerate(kvks[i:i + 5000], start=i)])
            AdminRepository(driver).await_indexes(3600)
            index_s = time.perf_counter() - t0
            bank_info = fill_question_bank(MatchingRepository(driver), encoder,
                                           settings.match.hub_bank_questions)
            # The matcher as configured (hub penalty on by default) and the same matcher
            # without the dense hub penalty (hub_penalty=0: the path before issue 22's
            # penalty), timed in the same run, alternating which goes first per question, so
            # machine load and caches affect both alike.
            matcher = Matcher(driver, encoder, tax, settings.match)
            off = Matcher(driver, encoder, tax,
                          settings.match.model_copy(update={"hub_penalty": 0.0}))
            # A running service is warm: the JVM compiles the query paths over the first few
            # hundred queries (RETURN 1 alone goes from ~5 to ~2 ms), so warm up first.
            for _ in range(warmup):
                for q in QUESTIONS:
                    matcher.match(MatchRequest(question=q))
                    off.match(MatchRequest(question=q))
            arms = {"on": matcher, "off": off}
            lat_by: dict[str, list[float]] = {"on": [], "off": []}
            stages_by: dict[str, dict[str, list[float]]] = {"on": {}, "off": {}}
            for rep in range(repeats):
                for i, q in enumerate(QUESTIONS):
                    for arm in _order(rep + i):
                        t = time.perf_counter()
                        res = arms[arm].match(MatchRequest(question=q, top_k=10))
                        lat_by[arm].append((time.perf_counter() - t) * 1000)
                        for stage, ms in res.timings_ms.items():
                            stages_by[arm].setdefault(stage, []).append(ms)
            lat, stages = lat_by["on"], stages_by["on"]
            # Dense retrieval in Neo4j against brute-force cosine over the same vectors in
            # numpy, interleaved per question so both see the same machine load, on the same
            # query vector, at the same k; encoding is timed on its own. Two pairs: what the
            # matcher runs (the index's top `dense_pool`, rescored with the exact cosine) and
            # the index alone (top 10, its own scores). The matcher's dense stage also without
            # the hub penalty, alternating with it.
            pool = settings.match.dense_pool
            enc_ms: list[float] = []
            base: list[float] = []
            dense_by: dict[str, list[float]] = {"on": [], "off": []}
            base10: list[float] = []
            index10: list[float] = []
            no_filters = MatchFilters().query_params()
            # The unexpanded question vectors have other candidates than the hybrid's: one
            # untimed pass so both arms are timed warm (the cold path: `_cold_cache`).
            for q in QUESTIONS:
                vec = encoder.encode_queries([q])[0].astype(float).tolist()
                for arm in ("on", "off"):
                    arms[arm].dense_scores(vec, no_filters, False)
            for rep in range(retrieval_repeats):
                for i, q in enumerate(QUESTIONS):
                    t = time.perf_counter()
                    qv = encoder.encode_queries([q])[0]
                    enc_ms.append((time.perf_counter() - t) * 1000)
                    vec = qv.astype(float).tolist()
                    base.append(_numpy_top(vecs, qv, pool))
                    for arm in _order(rep + i):
                        t = time.perf_counter()
                        arms[arm].dense_scores(vec, no_filters, False)
                        dense_by[arm].append((time.perf_counter() - t) * 1000)
                    base10.append(_numpy_top(vecs, qv, 10))
                    t = time.perf_counter()
                    matcher.repo.vector_index_top(vec, 10)
                    index10.append((time.perf_counter() - t) * 1000)
            dense = dense_by["on"]
            cold = _cold_cache(driver, matcher, off, cold_repeats)
            with_enc = [e + d for e, d in zip(enc_ms, dense, strict=True)]
            base_enc = [e + b for e, b in zip(enc_ms, base, strict=True)]

            def ratio(a: list[float], b: list[float]) -> float:
                return round(float(np.percentile(a, 95)) / float(np.percentile(b, 95)), 2)

            entry = {
                "companies": n, "write_vectors_and_index_s": round(index_s, 1),
                "warmup_passes": warmup, "hybrid_samples": len(lat),
                "retrieval_samples": len(dense),
                "hybrid_p50_ms": percentile(lat, 50), "hybrid_p95_ms": percentile(lat, 95),
                "query_encode_p50_ms": percentile(enc_ms, 50),
                "query_encode_p95_ms": percentile(enc_ms, 95),
                "dense_k": pool,
                "dense_index_p50_ms": percentile(dense, 50),
                "dense_index_p95_ms": percentile(dense, 95),
                "bruteforce_numpy_p50_ms": percentile(base, 50),
                "bruteforce_numpy_p95_ms": percentile(base, 95),
                "ratio_dense_p95_vs_bruteforce": ratio(dense, base),
                "index_top10_p50_ms": percentile(index10, 50),
                "index_top10_p95_ms": percentile(index10, 95),
                "bruteforce_numpy_top10_p50_ms": percentile(base10, 50),
                "bruteforce_numpy_top10_p95_ms": percentile(base10, 95),
                "ratio_index_top10_p95_vs_bruteforce": ratio(index10, base10),
                # The matcher's own stage timings in the hybrid runs (they overlap: lexical
                # runs during encoding, graph during the feedback encoding); `samples` < the
                # hybrid samples for a stage that runs only for some questions.
                "hybrid_stages_ms": _stage_stats(stages),
                "dense_index_with_encoding_p95_ms": percentile(with_enc, 95),
                "bruteforce_numpy_with_encoding_p95_ms": percentile(base_enc, 95),
                # Issue 22's dense hub penalty (matching/hubs.py) against the same matcher
                # without it (hub_penalty=0, the path before the penalty), same run, each
                # question timed with both in alternating order: on / off of p50 and p95.
                "hub_penalty": {
                    "settings": {"hub_penalty": settings.match.hub_penalty,
                                 "hub_k": settings.match.hub_k,
                                 "hub_one_sided": settings.match.hub_one_sided,
                                 "hub_bank_questions": settings.match.hub_bank_questions},
                    "bank": bank_info,
                    **_on_off("hybrid", lat, lat_by["off"]),
                    **_on_off("dense", dense, dense_by["off"]),
                    "hybrid_off_stages_ms": _stage_stats(stages_by["off"]),
                    "cold_cache": cold,
                },
            }
            out["sizes"].append(entry)
            log_(json.dumps(entry))
    out["target_p95_ms"] = 100
    return out
