"""`paraat neo4j …`: the managed local Neo4j server (install, start, stop, status, cypher)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from app.cli.common import HomeOpt, fail, get_settings, settings_with
from core.errors import ParaatError
from graph.errors import ReadOnlyViolation

group = typer.Typer(no_args_is_help=True, help="The managed local Neo4j server.")


def register(root: typer.Typer) -> None:
    root.add_typer(group, name="neo4j")


@group.command("install")
def neo4j_install() -> None:
    """Resolve the Neo4j jars from Maven Central into the cache (once)."""
    from graph.server import NEO4J_VERSION, install_jars, neo4j_lib_dir

    s = get_settings()
    try:
        lib = install_jars(neo4j_lib_dir(s.cache_dir), java_home=s.neo4j.java_home)
    except ParaatError as e:
        raise fail(e) from e
    typer.echo(f"Neo4j {NEO4J_VERSION} jars in {lib}")


@group.command("start")
def neo4j_start(
    home: HomeOpt = None,
    bolt_port: Annotated[int | None, typer.Option("--bolt-port")] = None,
    http_port: Annotated[int | None, typer.Option(
        "--http-port", help="Neo4j Browser on loopback; 0 disables HTTP.")] = None,
) -> None:
    """Start the local Neo4j in the background and print its Bolt URI."""
    from graph.connection import managed_server
    from graph.server import install_jars

    s = settings_with(home, bolt_port, http_port)
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
        raise fail(e) from e
    typer.echo(uri)
    if server.http_port:
        typer.echo(f"Neo4j Browser: http://127.0.0.1:{server.http_port}/browser/", err=True)


@group.command("stop")
def neo4j_stop(home: HomeOpt = None) -> None:
    """Stop the local Neo4j cleanly."""
    from graph.connection import managed_server

    server = managed_server(settings_with(home))
    if server.stop():
        typer.echo(f"stopped Neo4j in {server.home}")
    else:
        typer.echo(f"Neo4j in {server.home} was not running")


@group.command("status")
def neo4j_status(home: HomeOpt = None,
                 as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Print the URI and the version and edition the server reports."""
    from graph.connection import get_driver, managed_server
    from graph.server import ServerStatus, server_components

    s = settings_with(home)
    try:
        if s.neo4j.uri:
            with get_driver(s) as driver:
                version, edition = server_components(driver)
            st = ServerStatus(True, s.neo4j.uri, None, version, edition)
        else:
            st = managed_server(s).status()
    except ParaatError as e:
        raise fail(e) from e
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


@group.command("cypher")
def neo4j_cypher(
    query: str,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    home: HomeOpt = None,
) -> None:
    """Run a read-only query and print the rows; writes are refused by the server."""
    from graph.connection import get_driver
    from graph.repositories.base import run_read_only

    try:
        with get_driver(settings_with(home)) as driver:
            keys, rows = run_read_only(driver, query)
    except ReadOnlyViolation as e:
        raise fail(e) from e
    except ParaatError as e:
        raise fail(e) from e
    rows = [_jsonable(r) for r in rows]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    typer.echo("\t".join(keys))
    for r in rows:
        typer.echo("\t".join(json.dumps(r[k], ensure_ascii=False) for k in keys))
