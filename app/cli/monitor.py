"""`paraat monitor`: calibrate the supply-gap threshold on the labelled evaluation set
(issue 21, docs/monitoring.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from app.cli.common import fail
from core.errors import ParaatError

group = typer.Typer(no_args_is_help=True, help="Supply gaps and KPIs (issue 21).")


def register(root: typer.Typer) -> None:
    root.add_typer(group, name="monitor")


def cosine_pairs(matcher: Any, questions: list[Any], top_k: int = 10
                 ) -> list[list[tuple[float, bool]]]:
    """Per question, (dense cosine, relevant?) of its top `top_k` hits, as `POST /match`
    stores them on MATCHED."""
    from matching.matcher import MatchRequest

    out = []
    for q in questions:
        result = matcher.match(MatchRequest(question=q.question, top_k=top_k))
        out.append([(float(h.explanation["scores"]["dense_cosine"]), h.kvk_number in q.relevant)
                    for h in result.hits
                    if h.explanation.get("scores", {}).get("dense_cosine") is not None])
    return out


@group.command("calibrate")
def calibrate_cmd(
    file: Annotated[Path, typer.Argument(help="questions.jsonl")] = Path(
        "matching/eval/questions.jsonl"),
    registry: Annotated[Path | None, typer.Option(help="Companies the questions are judged "
                                                        "against (CSV)")] = None,
    out: Annotated[Path | None, typer.Option(help="Write the JSON report here")] = None,
) -> None:
    """The cosine threshold for a "good match" that best tells answerable questions from
    unanswerable ones on the evaluation set (Youden's J); set it as
    PARAAT_MONITOR_GOOD_MATCH_COSINE. Also reports the per-hit F1 threshold."""
    from app.cli.match import make_matcher
    from app.evaluation import run_evaluation
    from app.services.gaps import calibrate, calibrate_questions
    from core.settings import get_settings
    from matching.evaluate import load_questions

    def run(matcher: Any, questions: list[Any]) -> dict[str, Any]:
        per_question = cosine_pairs(matcher, questions)
        per_question_report = calibrate_questions(per_question)
        per_hit = calibrate([p for ps in per_question for p in ps])
        t = per_question_report["threshold"]
        return {"threshold": t, "per_question": per_question_report, "per_hit": per_hit,
                "questions": len(questions),
                # every labelled question has a supplier: the share called answered
                "answered_share": round(sum(1 for ps in per_question
                                            if any(c >= t for c, _ in ps)) / len(questions), 4),
                "pairs": [[[round(c, 4), r] for c, r in ps] for ps in per_question]}

    try:
        questions = load_questions(file)
        report = run_evaluation(get_settings(), questions, make_matcher=make_matcher,
                                registry=registry, run=run,
                                log_=lambda m: typer.echo(m, err=True))
    except ParaatError as e:
        raise fail(e) from e
    if out:
        out.write_text(json.dumps(report))
    typer.echo(json.dumps({k: v for k, v in report.items() if k != "pairs"}, indent=2))
    print(f"PARAAT_MONITOR_GOOD_MATCH_COSINE={report['threshold']}", file=sys.stderr)
