"""`paraat backup create|restore`: Neo4j's own dump/load (graph/backup.py). Community cannot
dump an online database, so the managed server is stopped for the dump and started again; a
NEO4J_URI server is refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from app.cli.common import HomeOpt, fail, settings_with
from core.errors import ParaatError

group = typer.Typer(no_args_is_help=True,
                    help="Backups of the managed Neo4j (neo4j-admin dump/load).")


def register(root: typer.Typer) -> None:
    root.add_typer(group, name="backup")


def _backup_server(home: Path | None) -> Any:
    from graph.backup import BackupError
    from graph.connection import managed_server

    s = settings_with(home)
    if s.neo4j.uri:
        raise BackupError(
            f"NEO4J_URI is set ({s.neo4j.uri}): Paraat only backs up the Neo4j it manages. "
            "Use that server's own backups (Aura snapshots, neo4j-admin on that host).")
    server = managed_server(s)
    previous = server.configured_ports()
    if previous:
        server.bolt_port, server.http_port = previous
    return s, server


@group.command("create")
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
        raise fail(e) from e
    if as_json:
        typer.echo(json.dumps(result.as_dict()))
        return
    typer.echo(str(result.path))
    typer.echo(f"{result.bytes} bytes in {result.seconds} s (Neo4j offline "
               f"{result.downtime_seconds} s{', restarted' if result.restarted else ''}); "
               f"sha256 {result.sha256}", err=True)


@group.command("restore")
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
        raise fail(e) from e
    typer.echo(f"restored {result.database} from {result.path} in {result.seconds} s")
