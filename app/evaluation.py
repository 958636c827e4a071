"""`paraat eval` end to end: a throw-away Neo4j filled with the seed and the labelled registry,
then matching/evaluate.py's metrics. Here in app/ because filling the graph is ingest's work
and matching/ may not import ingest/."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from neo4j import Driver, GraphDatabase

from app.services.wiring import embedding_cache, encoder_for
from core.settings import Settings
from graph.connection import get_driver
from graph.schema import EmbeddingSpec, apply_schema, clear_graph
from graph.server import ManagedNeo4j, free_port, install_jars, neo4j_lib_dir
from ingest.companies import CompanyRecord, RunContext, write_companies
from ingest.seed import load_seed
from matching.encoders.base import Encoder
from matching.encoders.cache import EmbeddingCache
from matching.evaluate import Question, evaluate
from matching.matcher import Matcher
from ontology.taxonomy import Taxonomy, load_taxonomy

log = logging.getLogger(__name__)

#: The companies the labelled questions are judged against (beside the seed).
DEFAULT_REGISTRY = Path("matching/eval/registry.csv")


def load_registry(path: Path) -> list[CompanyRecord]:
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    recs = []
    for r in df.to_dict("records"):
        recs.append(CompanyRecord(
            kvk_number=r["kvk_number"], name=r["name"], description=r["description"],
            municipality=r.get("municipality") or None, website=r.get("website") or None,
            employees=int(r["employees"]) if r.get("employees") else None,
            sbi_code=r.get("sbi_code") or None, source=r.get("source") or path.name))
    return recs


def index_registry(driver: Driver, path: Path, taxonomy: Taxonomy, encoder: Encoder,
                   cache: EmbeddingCache | None) -> int:
    recs = load_registry(path)
    write_companies(driver, recs, taxonomy, RunContext(source=f"eval:{path.name}"),
                    encoder=encoder, cache=cache)
    return len(recs)


def run_evaluation(settings: Settings, questions: list[Question], *,
                   make_matcher: Callable[[Driver, Encoder], Matcher],
                   registry: Path | None = None, use_current_graph: bool = False,
                   tune: bool = False, progress: Callable[[int], None] | None = None,
                   log_: Callable[[str], None] = log.info,
                   run: Callable[[Matcher, list[Question]], dict[str, Any]] | None = None
                   ) -> dict[str, Any]:
    """The report of `evaluate` on a private, throw-away Neo4j with the seed and `registry`
    (evaluation never touches the user's graph), or on the configured graph as it is. `run`
    replaces the metrics with another use of the same graph (the monitor's calibration)."""
    encoder = encoder_for(settings)
    tax = load_taxonomy()
    server: ManagedNeo4j | None = None
    if use_current_graph:
        driver = get_driver(settings)
    else:
        java_home = settings.neo4j.java_home
        lib_dir = install_jars(neo4j_lib_dir(settings.cache_dir), java_home=java_home)
        home = settings.cache_dir / "eval-neo4j"
        server = ManagedNeo4j(home, lib_dir, bolt_port=free_port(), http_port=0,
                              heap="1g", pagecache="256m", java_home=java_home)
        server.start(timeout=settings.neo4j.start_timeout)
        driver = GraphDatabase.driver(server.uri, auth=("neo4j", server.password),
                                      notifications_min_severity="OFF")
        clear_graph(driver)
    try:
        apply_schema(driver, EmbeddingSpec(encoder.name, encoder.dimension))
        if not use_current_graph:
            log_("loading seed + registry into the evaluation graph…")
            load_seed(driver, encoder=encoder, taxonomy=tax, cache=embedding_cache(settings))
            index_registry(driver, registry or DEFAULT_REGISTRY, tax, encoder,
                           embedding_cache(settings))
        matcher = make_matcher(driver, encoder)
        if run is not None:
            return run(matcher, questions)
        return evaluate(matcher, questions, progress=progress, do_tune=tune)
    finally:
        driver.close()
        if server is not None:
            server.stop()
