"""`paraat ingest …`: the ontology, the seed, company registries, synthetic companies and
RDF into the graph."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from app.cli.common import fail, get_settings
from core.errors import ParaatError

group = typer.Typer(no_args_is_help=True, help="Load data into the graph.")


def register(root: typer.Typer) -> None:
    root.add_typer(group, name="ingest")


@group.command("ontology")
def ingest_ontology() -> None:
    """Write the taxonomy (capabilities, NLD areas) into Neo4j."""
    from app.services.wiring import graph_session
    from ingest.ontology_loader import load_ontology

    try:
        with graph_session() as (driver, encoder):
            summary = load_ontology(driver, encoder=encoder)
    except ParaatError as e:
        raise fail(e) from e
    typer.echo(json.dumps(summary))


@group.command("seed")
def ingest_seed() -> None:
    """Load everything the Drenthe agenda names (ontology first); safe to repeat."""
    from app.services.wiring import embedding_cache, graph_session
    from ingest.seed import load_seed

    try:
        with graph_session() as (driver, encoder):
            summary = load_seed(driver, encoder=encoder, cache=embedding_cache())
    except ParaatError as e:
        raise fail(e) from e
    typer.echo(json.dumps(summary))


@group.command("companies")
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

    from app.services.wiring import embedding_cache, graph_session
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
        raise fail(e) from e
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


@group.command("synthetic")
def ingest_synthetic(
    companies: Annotated[int, typer.Option("--companies", min=1, max=2_000_000)],
    seed: Annotated[int, typer.Option("--seed")] = 42,
    embed: Annotated[bool, typer.Option(help="Compute embeddings (slow on CPU; cached)")
                     ] = True,
    batch_size: Annotated[int, typer.Option(min=1, max=20_000)] = 2000,
) -> None:
    """Generate fictional Drentse companies (marked synthetic) for benchmarks."""
    from tqdm import tqdm

    from app.services.wiring import embedding_cache, graph_session
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
        raise fail(e) from e
    typer.echo(json.dumps(stats.__dict__))


@group.command("rdf")
def ingest_rdf_cmd(
    file: Annotated[Path, typer.Argument(help=".ttl, .jsonld/.json or .nt file",
                                         exists=True, dir_okay=False)],
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", help="turtle, json-ld or nt (default: from the extension)")] = None,
    embed: Annotated[bool, typer.Option(help="Compute embeddings (slow on CPU; cached)")
                     ] = True,
) -> None:
    """Read an RDF export back into the graph; a file that does not parse changes nothing."""
    from app.services.wiring import embedding_cache, graph_session
    from ingest.rdf.import_ import import_rdf

    try:
        with graph_session(with_encoder=embed) as (driver, encoder):
            summary = import_rdf(driver, file, fmt, encoder=encoder,
                                 cache=embedding_cache() if embed else None)
    except ParaatError as e:
        raise fail(e) from e
    typer.echo(json.dumps(summary))
