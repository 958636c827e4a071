"""Issue 22's hubness figure in `paraat eval` (matching/evaluate.py `hubness`)."""

from __future__ import annotations

from typing import Any

from core.settings import MatchSettings
from matching.evaluate import Question, Retrieved, hubness
from matching.matcher import Matcher


def _matcher() -> Matcher:
    none: Any = None  # fuse uses only the settings
    return Matcher(none, none, none, MatchSettings())


def _comps(scores: dict[str, float]) -> dict[str, dict[str, float]]:
    return {k: {"dense": v, "lexical": v, "graph": v, "dense_cosine": v, "bm25": v,
                "graph_raw": v} for k, v in scores.items()}


def test_counts_irrelevant_top3_appearances_and_names_the_worst_hub() -> None:
    # "hub" is in every question's top 3 and relevant to none; "p" (a programme) is in the
    # top 3 of two questions and relevant to one of them; the 4th-ranked never counts.
    qs = [
        ({"r1": 0.9, "hub": 0.8, "p": 0.7, "x": 0.6}, {"r1"}),
        ({"hub": 0.9, "r2": 0.8, "p": 0.7, "x": 0.6}, {"r2", "p"}),
        ({"hub": 0.9, "r3": 0.5, "y": 0.4, "x": 0.3}, {"r3"}),
    ]
    retrieved = [Retrieved(Question(f"q{i}", "nl", "vraag", rel), _comps(sc), [],
                           {"p": "programme"})
                 for i, (sc, rel) in enumerate(qs)]
    h = hubness(_matcher(), retrieved, "hybrid")
    # irrelevant top-3 appearances: hub 3, p 1 (q0 only), y 1
    assert h["max"] == 3
    assert h["nodes"] == 3
    assert h["mean"] == round(5 / 3, 3)
    assert h["worst"] == {"key": "hub", "kind": "company", "count": 3}
    kinds = {r.kinds.get("p") for r in retrieved}
    assert kinds == {"programme"}


def test_no_irrelevant_results_means_no_hub() -> None:
    r = [Retrieved(Question("q", "en", "q", {"a", "b"}), _comps({"a": 1.0, "b": 0.5}), [])]
    assert hubness(_matcher(), r, "dense") == {"max": 0, "mean": 0.0, "nodes": 0, "worst": None}
