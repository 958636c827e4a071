"""`paraat export rdf`: the graph with the ontology as RDF."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import fail
from core.errors import ParaatError

group = typer.Typer(no_args_is_help=True, help="Export the graph.")


def register(root: typer.Typer) -> None:
    root.add_typer(group, name="export")


@group.command("rdf")
def export_rdf_cmd(
    fmt: Annotated[str, typer.Option("--format", "-f", help="turtle, json-ld or nt")
                   ] = "turtle",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File (default: stdout)")
                   ] = None,
    level: Annotated[str, typer.Option(
        "--level", help="public (default): only the fields companies show everyone; "
        "defence: also those for bizdev, scouts and admins; all: everything")] = "public",
) -> None:
    """Export the whole graph with the ontology as RDF. Instance data gets the ontology's
    IRIs and no blank nodes; the only blank nodes are those of the ontology's own OWL axioms
    (datatype restrictions, unions, enumerations and their RDF lists). A company's field
    set to defence or hidden is left out unless `--level` includes it."""
    from app.services.wiring import graph_session
    from ingest.rdf.common import normalise_format
    from ingest.rdf.export import LEVELS, export_rdf, serialize

    try:
        name = normalise_format(fmt)
        if level not in LEVELS:
            raise ParaatError(f"Unknown --level {level!r}; use one of {', '.join(LEVELS)}.")
        with graph_session(with_encoder=False) as (driver, _):
            graph = export_rdf(driver, level)
        text = serialize(graph, name)
        if out is not None:
            try:
                out.write_text(text, encoding="utf-8")
            except OSError as e:
                raise ParaatError(f"Cannot write {out}: {e.strerror or e}") from e
    except ParaatError as e:
        raise fail(e) from e
    if out is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        typer.echo(f"{len(graph)} triples ({name}) written to {out}", err=True)
