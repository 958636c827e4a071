"""What every `paraat bench` shares: a private Neo4j, the machine's description, a fresh graph,
percentiles, the JSON file, and the derived vectors and process figures of the large runs.

Absolute times on shared 2-core machines are noisy, so every figure comes with a ratio to a
baseline run alongside it: row-at-a-time MERGE for graph writes, brute-force numpy cosine for
retrieval. Benchmarks run on a private, throw-away Neo4j so they never touch real data.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import platform
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from neo4j import Driver, GraphDatabase

from core.settings import Settings
from graph.repositories.companies import CompanyRepository
from graph.schema import EmbeddingSpec, apply_schema, clear_graph
from graph.server import NEO4J_VERSION, ManagedNeo4j, free_port, install_jars, neo4j_lib_dir
from ingest.ontology_loader import load_ontology
from ingest.synthetic import KVK_BASE, generate
from matching.encoders.base import Encoder
from matching.encoders.cache import EmbeddingCache, encode_passages_cached
from ontology.taxonomy import Taxonomy

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

DERIVED_LABEL = ("derived: 300 real template embeddings + Gaussian noise (sigma 0.02, unit "
                 "length), randomly assigned to companies - the recipe of app/bench/matching.py "
                 "derived_vectors; latency is realistic, ranking quality is not measured")


@contextmanager
def bench_server(settings: Settings, heap: str = "2g", pagecache: str = "1g",
                 home: Path | None = None) -> Iterator[tuple[Driver, ManagedNeo4j]]:
    """A private Neo4j (default home CACHE_DIR/bench-neo4j) on a free port, stopped after."""
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


def environment(encoder: Encoder | None = None) -> dict[str, Any]:
    """Where a figure was measured: versions, cores, encoder, time (UTC)."""
    return {"neo4j": NEO4J_VERSION, "python": platform.python_version(),
            "cpus": os.cpu_count(), "encoder": encoder.name if encoder else None,
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def fresh_graph(driver: Driver, tax: Taxonomy, dim: int, model: str,
                encoder: Encoder | None = None) -> None:
    """An empty graph with the ontology; with an encoder the concepts get their embeddings
    too, so matching exercises the embedding concept bridge as it does in production."""
    clear_graph(driver)
    apply_schema(driver, EmbeddingSpec(model, dim))
    load_ontology(driver, tax, encoder=encoder)


def percentile(xs: list[float], q: float) -> float:
    """The q-th percentile of `xs`, rounded to 0.01 (milliseconds in every benchmark)."""
    return round(float(np.percentile(xs, q)), 2)


def write_json(result: dict[str, Any], out_dir: Path, name: str) -> Path:
    """`out_dir/name.json`, the file `paraat bench` prints the path of."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.json"
    path.write_text(json.dumps(result, indent=2))
    return path


def process_memory(pid: int) -> dict[str, float | None]:
    """Resident memory of a process in MiB: now (VmRSS) and peak (VmHWM).

    psutil when installed (RSS only), else /proc/PID/status (Linux)."""
    out: dict[str, float | None] = {"rss_mib": None, "peak_rss_mib": None}
    try:
        import psutil

        out["rss_mib"] = round(psutil.Process(pid).memory_info().rss / 2**20, 1)
    except ImportError:
        pass
    except Exception as e:  # the process may be gone; report None, not a crash
        log.warning("psutil could not read pid %s: %s", pid, e)
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                mib = round(int(value.split()[0]) / 1024, 1)  # kB
                if key == "VmHWM":
                    out["peak_rss_mib"] = mib
                elif out["rss_mib"] is None:
                    out["rss_mib"] = mib
    return out


def dir_size_mib(path: Path) -> float:
    total = 0
    for p in path.rglob("*"):
        with contextlib.suppress(OSError):
            if p.is_file():
                total += p.stat().st_size
    return round(total / 2**20, 1)


def derived_vector_batches(encoder: Encoder, tax: Taxonomy, n: int, batch: int,
                           templates: int = 300, seed: int = 0,
                           cache: EmbeddingCache | None = None) -> Iterator[np.ndarray]:
    """The recipe of app/bench/matching.py `derived_vectors` (real template embeddings + noise,
    unit length), streamed batch by batch so 1M vectors never sit in memory at once."""
    rng = np.random.default_rng(seed)
    texts = [r.description for r in generate(templates, tax, seed=seed + 1)]
    # The templates are the same texts every run: the embedding cache spares re-encoding.
    base = encode_passages_cached(encoder, texts, cache)
    for i in range(0, n, batch):
        m = min(batch, n - i)
        v = base[rng.integers(0, len(base), size=m)] + rng.normal(
            0, 0.02, size=(m, base.shape[1])).astype(np.float32)
        yield (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def write_derived_vectors(driver: Driver, encoder: Encoder, tax: Taxonomy, n: int,
                          batch: int = 5000, seed: int = 0,
                          cache: EmbeddingCache | None = None) -> float:
    """Derived vectors for the synthetic companies KVK_BASE..KVK_BASE+n, written with the
    import's own query (SET_COMPANY_EMBEDDINGS); returns the seconds it took."""
    t0 = time.perf_counter()
    companies = CompanyRepository(driver)
    i = 0
    for vecs in derived_vector_batches(encoder, tax, n, batch, seed=seed, cache=cache):
        for j in range(0, len(vecs), batch):
            block = vecs[j:j + batch]
            companies.set_embeddings([
                {"kvk_number": str(KVK_BASE + i + k), "embedding": v.tolist(),
                 "hash": "bench-derived"} for k, v in enumerate(block)])
            i += len(block)
    return time.perf_counter() - t0
