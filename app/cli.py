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
from typing import Annotated, Any

import typer

from graph.errors import ParaatError, ReadOnlyViolation
from graph.settings import NEO4J_VERSION, Settings, get_settings

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

err = typer.echo


def _fail(e: Exception) -> typer.Exit:
    typer.echo(f"paraat: {e}", err=True)
    return typer.Exit(1)


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")


def _settings(home: Path | None = None, bolt_port: int | None = None,
              http_port: int | None = None) -> Settings:
    s = get_settings()
    update: dict[str, Any] = {}
    if home is not None:
        update["neo4j_home"] = home
    if bolt_port is not None:
        update["neo4j_bolt_port"] = bolt_port
    if http_port is not None:
        update["neo4j_http_port"] = http_port
    return s.model_copy(update=update) if update else s


HomeOpt = Annotated[Path | None, typer.Option("--home", help="Neo4j home folder.")]


# --------------------------------------------------------------------------- neo4j


@neo4j_app.command("install")
def neo4j_install() -> None:
    """Resolve the Neo4j jars from Maven Central into the cache (once)."""
    from graph.server import install_jars

    s = get_settings()
    try:
        lib = install_jars(s.neo4j_lib_dir)
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
    if s.neo4j_uri:
        typer.echo(f"NEO4J_URI is set: using {s.neo4j_uri}, nothing started.")
        return
    try:
        install_jars(s.neo4j_lib_dir)
        server = managed_server(s)
        previous = server.configured_ports()
        if previous and bolt_port is None:
            server.bolt_port = previous[0]
            if http_port is None:
                server.http_port = previous[1]
        uri = server.start(timeout=s.neo4j_start_timeout)
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
        if s.neo4j_uri:
            with get_driver(s) as driver:
                version, edition = server_components(driver)
            st = ServerStatus(True, s.neo4j_uri, None, version, edition)
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
    from app.services import graph_session
    from ingest.seed import load_seed

    try:
        with graph_session() as (driver, encoder):
            summary = load_seed(driver, encoder=encoder)
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

    from app.api.main import create_app

    try:
        api = create_app()
    except ParaatError as e:
        raise _fail(e) from e
    uvicorn.run(api, host=host, port=port, log_level="info")


def _ui_command(host: str, port: int, api_url: str) -> list[str]:
    script = Path(__file__).with_name("ui") / "main.py"
    return [sys.executable, "-m", "streamlit", "run", str(script),
            "--server.address", host, "--server.port", str(port), "--server.headless", "true",
            "--browser.gatherUsageStats", "false", "--", "--api", api_url]


@serve_app.command("ui")
def serve_ui(host: str = "127.0.0.1", port: int = 8501,
             api: Annotated[str, typer.Option(help="API base URL")] = "http://127.0.0.1:8000"
             ) -> None:
    """Run the Streamlit UI (a client of the API)."""
    raise typer.Exit(subprocess.call(_ui_command(host, port, api)))


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
    from graph.connection import ensure_server, get_driver, managed_server

    s = get_settings()
    started_neo4j = False
    procs: list[subprocess.Popen[bytes]] = []
    try:
        if s.managed and not managed_server(s).is_running():
            started_neo4j = True
        uri = ensure_server(s)
        typer.echo(f"Neo4j:     {uri}")
        if seed:
            with get_driver(s) as driver:
                _seed_if_empty(driver)
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


def _seed_if_empty(driver: Any) -> None:
    from graph import queries

    records, _, _ = driver.execute_query(queries.COUNT_NODES)
    if int(records[0]["n"]) > 1:
        return
    try:
        from ingest.seed import load_seed
    except ImportError:
        typer.echo("seed loader not available yet; starting with an empty graph", err=True)
        return
    summary = load_seed(driver)
    typer.echo(f"Seed data loaded: {summary}")


if __name__ == "__main__":  # `python -m app.cli`
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    app()
