"""`paraat up` (everything: Neo4j, API and UI until Ctrl-C) and `paraat reset` (an empty
graph)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Annotated, Any

import typer

from app.cli.common import fail, get_settings
from app.cli.serve import ui_command
from core.errors import ParaatError


def register(root: typer.Typer) -> None:
    root.command("reset")(reset)
    root.command("up")(up)


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
        raise fail(e) from e
    typer.echo(f"deleted {n} nodes")


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
            from app.services.wiring import graph_session

            with graph_session(s) as (driver, encoder):
                _seed_if_empty(driver, encoder)
        api_url = f"http://127.0.0.1:{api_port}"
        procs.append(subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "api",
                                       "--port", str(api_port)]))
        _wait_http(f"{api_url}/health", 120, procs[-1], "API")
        typer.echo(f"API:       {api_url}  (docs: {api_url}/docs)")
        from app.services.mail import describe

        typer.echo(f"Mail:      {describe(s.mail)}")
        procs.append(subprocess.Popen(ui_command("127.0.0.1", ui_port, api_url)))
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
    from app.services.wiring import embedding_cache
    from graph.repositories.companies import CompanyRepository
    from ingest.seed import load_seed

    if CompanyRepository(driver).count() > 0:
        return
    typer.echo("Empty graph: loading the seed data (ontology, agenda companies)…", err=True)
    summary = load_seed(driver, encoder=encoder, cache=embedding_cache())
    typer.echo(f"Seed data loaded: {summary['Company']} companies, "
               f"{summary['capabilities']} capabilities, {summary['Cluster']} clusters")
