"""`paraat bench load`: a bounded HTTP load test of the real API on loopback.

A private Neo4j is filled with synthetic companies (their vectors *derived* from a few hundred
real template embeddings, as in app/bench/matching.py, and labelled so in the JSON), the API runs
as a real `uvicorn` subprocess (`python -m app.cli serve api`) with its rate limiter switched
off (`PARAAT_API_RATE_LIMIT_PER_MINUTE=0`, or every client would see 429 after 120 requests),
and an httpx async loop sends a fixed number of requests under a time limit at 1, 8 and 32
concurrent clients. Every figure comes with the single-client run of the same session as a
baseline, because absolute times on a shared 2-core machine are noisy.

A last phase (issue 17) sends `/match` with filter combinations the server has not seen and
then the same requests again, and times the filtered queries directly in Neo4j in their
current shape (one `$filters` map) against the shape they had before (one parameter per
filter, which Neo4j planned anew for every new combination): the same-run baseline.

Traffic goes only to 127.0.0.1, and every loop is bounded in count and in time.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import itertools
import logging
import os
import pkgutil
import random
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from neo4j import Driver

import graph.queries
from app.bench.common import (
    DERIVED_LABEL,
    QUESTIONS,
    bench_server,
    environment,
    fresh_graph,
    percentile,
    process_memory,
    write_derived_vectors,
)
from app.services.users import UserCreate, create_user
from app.services.wiring import encoder_for
from core.errors import ParaatError
from core.settings import MatchSettings, Settings
from graph.queries import matching as matching_q
from graph.repositories.admin import AdminRepository
from graph.repositories.bench import BenchRepository
from graph.repositories.users import UsersRepository
from graph.server import ManagedNeo4j, free_port
from ingest.companies import RunContext, write_companies
from ingest.ontology_loader import load_ontology
from ingest.synthetic import KVK_BASE, generate
from matching import lexical
from matching.encoders.base import Encoder
from matching.encoders.cache import EmbeddingCache
from matching.filters import vocabulary
from matching.models import MatchFilters
from ontology.taxonomy import Taxonomy, load_taxonomy

log = logging.getLogger(__name__)

CONCURRENCY = (1, 8, 32)


# --------------------------------------------------------------------------- API subprocess


@dataclass
class ApiProcess:
    url: str
    proc: subprocess.Popen[bytes]
    token: str
    log_path: Path

    @property
    def pid(self) -> int:
        return self.proc.pid


@contextlib.contextmanager
def serve_api_process(env: dict[str, str], log_path: Path, timeout: float = 180.0
                      ) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`paraat serve api` (so with its proxy-header and rate-limit settings from `env`) on a
    free loopback port, output to `log_path`; yields (url, process) once /health answers 200,
    and stops it (SIGTERM, then SIGKILL) on exit."""
    port = free_port()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "api",
                                 "--host", "127.0.0.1", "--port", str(port)],
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=env, cwd=Path(__file__).resolve().parent.parent)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise ParaatError(f"the API exited with code {proc.returncode} while starting "
                                  f"(log: {log_path})")
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise ParaatError(f"the API did not answer on {url} within {timeout:.0f} s")
            time.sleep(0.3)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


@contextlib.contextmanager
def api_subprocess(server: ManagedNeo4j, driver: Driver, work_dir: Path,
                   timeout: float = 180.0) -> Iterator[ApiProcess]:
    """`paraat serve api` against `server`, rate limiter off, with a fresh bizdev token."""
    secret = secrets.token_urlsafe(32)
    _, token = create_user(UsersRepository(driver),
                           UserCreate(name="bench-load", role="bizdev"), secret)
    env = {**os.environ,
           "NEO4J_URI": server.uri, "NEO4J_USER": "neo4j", "NEO4J_PASSWORD": server.password,
           "PARAAT_API_SECRET": secret, "PARAAT_MODE": "local",
           "PARAAT_API_RATE_LIMIT_PER_MINUTE": "0",  # the limiter would 429 a load test
           "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    log_path = work_dir / "api.log"
    with serve_api_process(env, log_path, timeout) as (url, proc):
        yield ApiProcess(url, proc, token, log_path)


# --------------------------------------------------------------------------- load generator


@dataclass
class Scenario:
    """One endpoint: how to build the i-th request."""

    name: str
    make: Callable[[int], tuple[str, str, dict[str, Any] | None]]  # method, path, json


def match_scenario(questions: Sequence[str] = QUESTIONS) -> Scenario:
    def make(i: int) -> tuple[str, str, dict[str, Any] | None]:
        return "POST", "/match", {"question": questions[i % len(questions)], "top_k": 10}
    return Scenario("POST /match", make)


def company_scenario(n_companies: int, seed: int = 0) -> Scenario:
    rng = random.Random(seed)
    kvks = [str(KVK_BASE + rng.randrange(n_companies)) for _ in range(4096)]

    def make(i: int) -> tuple[str, str, dict[str, Any] | None]:
        return "GET", f"/companies/{kvks[i % len(kvks)]}", None
    return Scenario("GET /companies/{kvk}", make)


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    sent: int = 0
    wall_s: float = 0.0
    stopped_by: str = "count"
    samples: list[str] = field(default_factory=list)  # the first few transport errors
    by_index: dict[int, float] = field(default_factory=dict)  # request i -> ms (successes)


async def _run_load(base_url: str, token: str, scenario: Scenario, concurrency: int,
                    requests: int, time_limit: float, timeout: float) -> LoadResult:
    res = LoadResult()
    next_i = 0
    headers = {"Authorization": f"Bearer {token}"}
    # keepalive_expiry below uvicorn's 5 s keep-alive timeout: otherwise the client may
    # reuse a connection the server is closing at that moment (a ReadError that is an
    # artefact of the load generator, not an API failure).
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency,
                          keepalive_expiry=2.0)
    async with httpx.AsyncClient(base_url=base_url, headers=headers, limits=limits,
                                 timeout=timeout) as client:
        start = time.perf_counter()
        deadline = start + time_limit

        async def worker() -> None:
            nonlocal next_i
            while next_i < requests:
                if time.perf_counter() >= deadline:
                    res.stopped_by = "time_limit"
                    return
                i = next_i
                next_i += 1
                method, path, body = scenario.make(i)
                t = time.perf_counter()
                try:
                    r = await client.request(method, path, json=body)
                    ok = 200 <= r.status_code < 300
                    key = str(r.status_code)
                except httpx.HTTPError as e:
                    ok, key = False, type(e).__name__
                    if len(res.samples) < 5:
                        res.samples.append(f"{method} {path}: {type(e).__name__}: {e!r} "
                                           f"after {time.perf_counter() - t:.2f} s")
                res.sent += 1
                if ok:
                    res.latencies_ms.append((time.perf_counter() - t) * 1000)
                    res.by_index[i] = res.latencies_ms[-1]
                else:
                    res.errors[key] = res.errors.get(key, 0) + 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        res.wall_s = time.perf_counter() - start
    return res


def run_load(base_url: str, token: str, scenario: Scenario, concurrency: int, requests: int,
             time_limit: float, timeout: float = 120.0) -> LoadResult:
    """At most `requests` requests from `concurrency` clients, stopping at `time_limit` s."""
    return asyncio.run(_run_load(base_url, token, scenario, concurrency, requests, time_limit,
                                 timeout))


def summarize(res: LoadResult) -> dict[str, Any]:
    lat = np.asarray(res.latencies_ms) if res.latencies_ms else np.asarray([float("nan")])
    n_err = sum(res.errors.values())
    return {
        "requests": res.sent, "ok": len(res.latencies_ms), "errors": n_err,
        "error_rate": round(n_err / res.sent, 4) if res.sent else None,
        "errors_by_kind": res.errors, "error_samples": res.samples,
        "stopped_by": res.stopped_by,
        "wall_s": round(res.wall_s, 2),
        "throughput_rps": round(len(res.latencies_ms) / res.wall_s, 2) if res.wall_s else None,
        "p50_ms": round(float(np.percentile(lat, 50)), 1),
        "p95_ms": round(float(np.percentile(lat, 95)), 1),
        "p99_ms": round(float(np.percentile(lat, 99)), 1),
        "max_ms": round(float(np.max(lat)), 1),
    }


def load_levels(api: ApiProcess, scenario: Scenario, levels: Sequence[int],
                requests: Callable[[int], int], time_limit: float,
                log_: Callable[[str], None]) -> list[dict[str, Any]]:
    """The scenario at each concurrency level; ratios against the first (1 client) level."""
    out: list[dict[str, Any]] = []
    for c in levels:
        res = run_load(api.url, api.token, scenario, c, requests(c), time_limit)
        entry = {"endpoint": scenario.name, "concurrency": c, **summarize(res),
                 "api_memory_after": process_memory(api.pid),
                 # the shared machine's load during the level: how noisy the figure is
                 "machine_loadavg_1m": round(os.getloadavg()[0], 1)}
        if out:
            base = out[0]
            if base["throughput_rps"] and entry["throughput_rps"]:
                entry["throughput_ratio_vs_1_client"] = round(
                    entry["throughput_rps"] / base["throughput_rps"], 2)
            if base["p95_ms"]:
                entry["p95_ratio_vs_1_client"] = round(entry["p95_ms"] / base["p95_ms"], 2)
        out.append(entry)
        log_(f"{scenario.name} c={c}: {entry['throughput_rps']} req/s, "
             f"p50/p95/p99 {entry['p50_ms']}/{entry['p95_ms']}/{entry['p99_ms']} ms, "
             f"errors {entry['errors']}/{entry['requests']}")
    return out


# --------------------------------------------------------------------------- graph setup


def fill_graph(driver: Driver, encoder: Encoder, tax: Taxonomy, n: int,
               batch_size: int = 5000, cache: EmbeddingCache | None = None) -> dict[str, Any]:
    """Schema, ontology (with real capability embeddings), n synthetic companies and their
    derived vectors, indexes awaited."""
    fresh_graph(driver, tax, encoder.dimension, encoder.name)
    load_ontology(driver, tax, encoder=encoder, cache=cache)
    stats = write_companies(driver, generate(n, tax, seed=1), tax,
                            RunContext(source="bench-load"), batch_size=batch_size)
    vec_s = write_derived_vectors(driver, encoder, tax, n, cache=cache)
    t0 = time.perf_counter()
    AdminRepository(driver).await_indexes(3600)
    return {"companies": n, "graph_write_s": round(stats.write_seconds, 2),
            "vectors_write_s": round(vec_s, 2),
            "await_indexes_s": round(time.perf_counter() - t0, 2)}


# --------------------------------------------------------------------------- new filters

FIRST_FILTER_RUNS = 24  # twice > Neo4j's expression recompilation limit (10 runs)
FILTER_FIELDS = ("municipalities", "clusters", "nld_areas", "capabilities", "min_employees",
                 "max_employees")


def filter_combinations(choices: Mapping[str, Sequence[str]], n: int, seed: int = 0
                        ) -> list[dict[str, Any]]:
    """Up to `n` filter sets, each with another set of filter fields: the fields set decided
    the parameter types of the filtered queries before `$filters`, so each set was a new plan
    then. Lists hold 1-2 valid ids from `choices` (a field without any is left out); the
    employee bounds come from fixed steps."""
    rng = random.Random(seed)
    fields = [f for f in FILTER_FIELDS if f.endswith("_employees") or choices.get(f)]
    subsets = [s for r in range(1, len(fields) + 1) for s in itertools.combinations(fields, r)]
    rng.shuffle(subsets)
    out: list[dict[str, Any]] = []
    for subset in subsets[:n]:
        f: dict[str, Any] = {}
        for name in subset:
            if name == "min_employees":
                f[name] = rng.choice((0, 5, 10, 50))
            elif name == "max_employees":
                f[name] = rng.choice((100, 1000, 100_000))
            else:
                pool = list(choices[name])
                f[name] = rng.sample(pool, min(len(pool), rng.randint(1, 2)))
        out.append(f)
    return out


def clear_plans(driver: Driver) -> int:
    """Empties Neo4j's query caches; returns how many plans they held."""
    message = AdminRepository(driver).clear_query_caches()
    found = re.search(r"\d+", message)
    return int(found.group()) if found else 0


def restart_query_stats(driver: Driver) -> None:
    AdminRepository(driver).restart_query_stats()


def compile_times(driver: Driver) -> dict[str, dict[str, float]]:
    """Per query (by its name in graph.queries) since `restart_query_stats`: how often it ran,
    and the milliseconds Neo4j spent compiling it in all and at most once."""
    areas = [importlib.import_module(f"graph.queries.{m.name}")
             for m in pkgutil.iter_modules(graph.queries.__path__)]
    names = {v.strip(): k for a in areas for k, v in vars(a).items() if isinstance(v, str)}
    names.update({v.strip(): f"FILTERED_MATCH_QUERIES_PER_PARAMETER[{k}]"
                  for k, v in matching_q.FILTERED_MATCH_QUERIES_PER_PARAMETER.items()})
    out: dict[str, dict[str, float]] = {}
    for r in AdminRepository(driver).query_stats():
        summary = r["summary"] or {}
        n = int(summary.get("invocationCount") or 0)
        comp = summary.get("compileTimeInUs") or {}
        name = names.get(str(r["query"]).strip(), "other")
        entry = out.setdefault(name, {"runs": 0, "compile_ms_total": 0.0, "compile_ms_max": 0.0})
        entry["runs"] += n
        entry["compile_ms_total"] = round(
            entry["compile_ms_total"] + float(comp.get("avg") or 0) * n / 1000, 1)
        entry["compile_ms_max"] = max(entry["compile_ms_max"],
                                      round(float(comp.get("max") or 0) / 1000, 1))
    return dict(sorted(out.items(), key=lambda kv: -kv[1]["compile_ms_total"]))


def _filtered_scenario(name: str, combos: Sequence[dict[str, Any]],
                       questions: Sequence[str] = QUESTIONS) -> Scenario:
    def make(i: int) -> tuple[str, str, dict[str, Any] | None]:
        return "POST", "/match", {"question": questions[i % len(questions)], "top_k": 10,
                                  "filters": combos[i % len(combos)]}
    return Scenario(name, make)


def new_and_repeated(n: int, gap: int) -> list[tuple[str, int]]:
    """The order of one pass: combination k the first time ("new"), interleaved with the
    repeat of combination k - gap ("repeated"), so both kinds run under the same load and a
    repeat follows its first run by `gap` requests (twice the clients: it has finished)."""
    order: list[tuple[str, int]] = []
    for k in range(n + gap):
        if k < n:
            order.append(("new", k))
        if 0 <= k - gap < n:
            order.append(("repeated", k - gap))
    return order


def _latencies(ms: Sequence[float]) -> dict[str, Any]:
    lat = list(ms) or [float("nan")]
    return {"ok": len(ms), "p50_ms": percentile(lat, 50), "p95_ms": percentile(lat, 95),
            "max_ms": round(max(lat), 1)}


def new_filter_latency(api: ApiProcess, driver: Driver, combos: Sequence[dict[str, Any]],
                       clients: int, time_limit: float, log_: Callable[[str], None]
                       ) -> dict[str, Any]:
    """`/match` with filter combinations the server has not seen (its plan cache emptied
    first), interleaved with repeats of the same requests: first-time latency apart from
    repeated, measured under the same load."""
    # Unfiltered requests at the same concurrency first: the API's threads and the driver's
    # connections exist before, so what follows holds the filters' own cost only. After the
    # caches are emptied, one unfiltered request plans again what every request shares (token
    # lookup, candidates, the stored question).
    run_load(api.url, api.token, match_scenario(), clients, clients, time_limit)
    clear_plans(driver)
    run_load(api.url, api.token, match_scenario(), 1, 1, time_limit)
    # The first filtered request plans the filtered queries (once per server), and Neo4j
    # compiles each plan again on its 11th run (expression recompilation, once per plan):
    # first-time costs of the server, not of a filter combination. They happen here, on a
    # combination with every field (selective: the exact dense scan, and no hits: the
    # empty-graph check) and one that keeps every company (the vector index above
    # `exact_dense_below`, the candidates), with a question that names concepts (so the
    # graph query runs), sent FIRST_FILTER_RUNS times, and are reported apart.
    every: dict[str, Any] = {}
    for c in combos:
        for name, value in c.items():
            every.setdefault(name, value)
    warm = [every, {"min_employees": 0}]
    once = run_load(api.url, api.token,
                    _filtered_scenario("first filter", warm, QUESTIONS[:1]), 1,
                    FIRST_FILTER_RUNS, time_limit)
    fresh = [c for c in combos if set(c) not in [set(w) for w in warm]]  # new to the server
    order = new_and_repeated(len(fresh), 2 * clients)

    def make(i: int) -> tuple[str, str, dict[str, Any] | None]:
        k = order[i][1]
        return "POST", "/match", {"question": QUESTIONS[k % len(QUESTIONS)], "top_k": 10,
                                  "filters": fresh[k]}

    restart_query_stats(driver)
    res = run_load(api.url, api.token, Scenario("new and repeated filters", make), clients,
                   len(order), time_limit)
    kinds = {kind: [ms for i, ms in res.by_index.items() if order[i][0] == kind]
             for kind in ("new", "repeated")}
    out: dict[str, Any] = {
        "endpoint": "POST /match", "clients": clients, "combinations": len(fresh),
        "first_filtered_request_ms": round(once.latencies_ms[0], 1) if once.latencies_ms
        else None,
        "first_filter_runs": {**summarize(once), "note": (
            f"{FIRST_FILTER_RUNS} requests with two filter combinations (every filter; one "
            "that keeps every company) after the plan cache was emptied: the first plans the "
            "filtered queries, the 11th run of each compiles it again (Neo4j's expression "
            "recompilation); both once per server")},
        "pass": {**summarize(res), "note": (
            "each combination the first time, interleaved with the repeat of the one sent "
            f"{2 * clients} requests earlier (same question, same filters)")},
        "new_combination": _latencies(kinds["new"]),
        "repeated": _latencies(kinds["repeated"]),
        "neo4j_compile_ms": compile_times(driver),
        "plans_cached_after": clear_plans(driver),
        "machine_loadavg_1m": round(os.getloadavg()[0], 1)}
    for q in ("p50_ms", "p95_ms", "max_ms"):
        if kinds["repeated"] and kinds["new"]:
            out[f"{q[:-3]}_ratio_new_vs_repeated"] = round(
                out["new_combination"][q] / out["repeated"][q], 2)
    log_(f"new filter combinations c={clients}: p50/p95/max "
         f"{out['new_combination']['p50_ms']}/{out['new_combination']['p95_ms']}/"
         f"{out['new_combination']['max_ms']} ms; repeated {out['repeated']['p50_ms']}/"
         f"{out['repeated']['p95_ms']}/{out['repeated']['max_ms']} ms")
    return out


def query_shape_baseline(driver: Driver, encoder: Encoder, tax: Taxonomy, ms: MatchSettings,
                         combos: Sequence[dict[str, Any]], question: str = QUESTIONS[0],
                         time_limit: float = 600.0) -> dict[str, Any]:
    """The filtered queries of one search (lexical, graph, count, dense by index and exact),
    timed in Neo4j on each new combination, first run and again, in today's shape and in the
    shape before `$filters`, interleaved so both see the same machine load."""
    hits = tax.find_in_text(question, kinds=("capability",))
    vec = encoder.encode_queries([question])[0].astype(float).tolist()
    phrases = [lb for h in hits for lb in (h.concept.label("nl"), h.concept.label("en"))]
    # per query: its scalar parameters, and the question's values (a map today)
    scalars: dict[str, dict[str, Any]] = {
        "lexical": {"k": ms.pool * 50, "limit": ms.pool},
        "graph": {"w_direct": ms.w_direct, "w_narrower": ms.w_narrower,
                  "w_broader": ms.w_broader, "w_cluster": ms.w_cluster,
                  "per_path": ms.graph_per_path},
        "count": {}, "dense_index": {"vector": vec, "k": ms.dense_pool * 20,
                                     "limit": ms.dense_pool},
        "dense_exact": {"vector": vec, "limit": ms.dense_pool}}
    asked: dict[str, dict[str, Any]] = {
        "lexical": {"lucene": lexical.lucene_query(question, phrases)},
        "graph": {"concepts": [{"id": h.concept.id, "weight": 1.0} for h in hits]}}

    def now(name: str, f: dict[str, Any]) -> dict[str, Any]:
        return {**scalars[name], "filters": f,
                **({"question": asked[name]} if name in asked else {})}

    def before(name: str, f: dict[str, Any]) -> dict[str, Any]:
        return {**scalars[name], **f, **asked.get(name, {})}

    shapes: dict[str, tuple[dict[str, str], Callable[[str, dict[str, Any]], dict[str, Any]]]] = {
        "maps_now": (matching_q.FILTERED_MATCH_QUERIES, now),
        "per_parameter_before": (matching_q.FILTERED_MATCH_QUERIES_PER_PARAMETER, before)}
    times: dict[str, dict[str, list[float]]] = {
        s: {"first": [], "again": []} for s in shapes}
    clear_plans(driver)
    restart_query_stats(driver)
    bench = BenchRepository(driver)
    stopped_by = "count"
    deadline = time.perf_counter() + time_limit
    for f in combos:
        if time.perf_counter() > deadline:
            stopped_by = "time_limit"
            break
        full = MatchFilters(**f).query_params()
        for shape, (texts, params) in shapes.items():
            for attempt in ("first", "again"):
                t0 = time.perf_counter()
                for name, text in texts.items():
                    if name != "graph" or hits:
                        bench.run_query(text, **params(name, full))
                times[shape][attempt].append((time.perf_counter() - t0) * 1000)
    out: dict[str, Any] = {
        "question": question, "queries": list(matching_q.FILTERED_MATCH_QUERIES),
        "combinations": len(times["maps_now"]["first"]) - 1, "stopped_by": stopped_by,
        "note": "ms for all the filtered queries of one search; the first combination is "
                "reported apart (it plans today's shape once per server)",
        "neo4j_compile_ms": compile_times(driver)}
    for shape, runs in times.items():
        first, again = runs["first"][1:], runs["again"][1:]
        out[shape] = {"first_combination_ms": round(runs["first"][0], 1) if runs["first"]
                      else None,
                      **({"new_combination_p50_ms": percentile(first, 50),
                          "new_combination_p95_ms": percentile(first, 95),
                          "new_combination_max_ms": round(max(first), 1),
                          "repeated_p50_ms": percentile(again, 50),
                          "repeated_p95_ms": percentile(again, 95)} if first else {})}
    return out


# --------------------------------------------------------------------------- the benchmark


def bench_load(settings: Settings, *, companies: int = 10_000,
               levels: Sequence[int] = CONCURRENCY, match_requests: int = 240,
               company_requests: int = 2000, time_limit: float = 90.0,
               heap: str = "2g", pagecache: str = "1g", filter_combinations_n: int = 32,
               filter_clients: int = 16,
               log_: Callable[[str], None] = print) -> dict[str, Any]:
    """Throughput, p50/p95/p99, errors and API memory at each concurrency level; latency of
    new filter combinations apart from repeated ones (`filter_combinations_n` 0: skipped)."""
    tax = load_taxonomy()
    encoder = encoder_for(settings)
    out: dict[str, Any] = {
        "benchmark": "load", "environment": environment(encoder),
        "companies": companies, "vectors": DERIVED_LABEL,
        "rate_limiter": "off for the benchmark (PARAAT_API_RATE_LIMIT_PER_MINUTE=0); "
                        "the default is 120 requests/min per caller",
        "api": "uvicorn, 1 process (python -m app.cli serve api), loopback; "
               "the load generator (httpx async) runs on the same 2 cores",
        "bounds": {"match_requests_max_per_level": match_requests,
                   "company_requests_max_per_level": company_requests,
                   "time_limit_s_per_level": time_limit},
        "note": "POST /match also stores a DemandQuestion per request (a write)",
    }
    home = settings.data_dir / "bench-load-neo4j"
    with bench_server(settings, heap=heap, pagecache=pagecache, home=home) as (driver, server):
        out["setup"] = fill_graph(driver, encoder, tax, companies,
                                  cache=EmbeddingCache(settings.cache_dir / "embeddings"))
        log_(f"graph ready: {out['setup']}")
        neo_pid = int((server._read_state() or {})["pid"])
        with api_subprocess(server, driver, home / "api") as api:
            out["api_memory_idle"] = process_memory(api.pid)
            # Warm-up: loads the encoder in the API and compiles the queries.
            run_load(api.url, api.token, match_scenario(), 1, 5, 120)
            run_load(api.url, api.token, company_scenario(companies), 1, 20, 60)
            out["api_memory_after_warmup"] = process_memory(api.pid)
            out["match"] = load_levels(
                api, match_scenario(), levels,
                lambda c: max(match_requests // 4, min(match_requests, 8 * c)),
                time_limit, log_)
            out["company"] = load_levels(
                api, company_scenario(companies), levels,
                lambda c: company_requests, time_limit, log_)
            if filter_combinations_n > 0:
                # valid ids of every filter (what the graph and the taxonomy hold); the query
                # shapes get other combinations (seed) than the API, so both meet new ones
                choices: dict[str, list[str]] = {
                    str(k): [c.id for c in v.choices]
                    for k, v in vocabulary(driver, tax).items()}
                out["new_filters"] = new_filter_latency(
                    api, driver, filter_combinations(choices, filter_combinations_n),
                    filter_clients, time_limit, log_)
                out["new_filters_query_shapes"] = query_shape_baseline(
                    driver, encoder, tax, settings.match,
                    filter_combinations(choices, filter_combinations_n + 1, seed=1),
                    time_limit=time_limit * 4)
                log_(f"query shapes: {out['new_filters_query_shapes']}")
            out["api_memory_end"] = process_memory(api.pid)
        out["neo4j"] = {"heap": heap, "pagecache": pagecache, **process_memory(neo_pid)}
    all_levels = out["match"] + out["company"]
    if "new_filters" in out:
        nf = out["new_filters"]
        all_levels += [nf["first_filter_runs"], nf["pass"]]
    out["total_requests"] = sum(e["requests"] for e in all_levels)
    out["total_errors"] = sum(e["errors"] for e in all_levels)
    out["target_errors"] = 0
    return out
