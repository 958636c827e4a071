"""Cross-validated fusion tuning in `paraat eval --tune` (matching/evaluate.py)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from core.settings import MatchSettings
from matching.evaluate import Question, Retrieved, cross_validate, folds_of, score, tune
from matching.matcher import Matcher
from matching.models import GraphPath, QuestionConcept, Signals


def _matcher() -> Matcher:
    # fuse/score use only the settings; no graph, encoder or taxonomy is touched
    none: Any = None
    return Matcher(none, none, none, MatchSettings())


def _retrieved(n: int, good: str) -> list[Retrieved]:
    """n questions (half nl, half en) whose relevant company is ranked first by `good` only;
    the other signals put a distractor first."""
    out = []
    for i in range(n):
        comps = {}
        right = {"dense": 0.2, "lexical": 0.2, "graph": 0.2, good: 1.0}
        wrong = {"dense": 0.9, "lexical": 0.9, "graph": 0.9, good: 0.0}
        for kvk, c in ((f"r{i}", right), (f"w{i}", wrong)):
            comps[kvk] = {**c, "dense_cosine": c["dense"], "bm25": c["lexical"],
                          "graph_raw": c["graph"]}
        q = Question(f"q{i}", "nl" if i % 2 else "en", "vraag", {f"r{i}"})
        out.append(Retrieved(q, comps, []))
    return out


def test_folds_partition_and_balance_languages() -> None:
    r = _retrieved(10, "dense")
    parts = folds_of(r, 2)
    assert sorted(i for p in parts for i in p) == list(range(10))
    for p in parts:
        langs = [r[i].question.lang for i in p]
        assert langs.count("nl") == langs.count("en") == 5 // 2 + (p is parts[0])


def test_held_out_scores_use_weights_tuned_on_the_other_fold() -> None:
    m = _matcher()
    r = _retrieved(8, "lexical")
    # the defaults favour dense, which is wrong on this data
    assert score(m, r, "hybrid")["all"]["mrr"] < 1.0
    cv = cross_validate(m, r, folds=2)
    assert cv["held_out"]["all"]["n"] == 8
    assert cv["held_out"]["all"]["mrr"] == 1.0
    # lexical must outweigh the other two together by 0.7/1.7 to put the right one first
    assert all(w["lexical"] > 0.4 for w in cv["weights_per_fold"])


def test_a_signal_that_only_works_on_one_half_does_not_score_perfectly() -> None:
    m = _matcher()
    r = _retrieved(4, "lexical")
    # fold 0 holds questions 0 and 1, fold 1 questions 2 and 3 (one per language each);
    # in fold 1 graph, not lexical, is the right signal: tuning on fold 0 cannot know that
    r[2:] = _retrieved(4, "graph")[2:]
    cv = cross_validate(m, r, folds=2)
    assert cv["held_out"]["all"]["mrr"] < 1.0


def test_tuning_keeps_every_signal_in_the_score() -> None:
    # lexical alone is right here, yet dense and graph keep the floor weight, so the
    # explanation's dense and graph evidence still counts in the score it explains
    w, res = tune(_matcher(), _retrieved(6, "lexical"), min_weight=0.05)
    assert min(w) >= 0.05 - 1e-9 and abs(sum(w) - 1) < 1e-9
    assert res["all"]["mrr"] == 1.0
    w0, _ = tune(_matcher(), _retrieved(6, "lexical"), min_weight=0.0)
    assert min(w0) == 0.0  # without the floor the grid reaches the simplex's edge


def _signals(graph: dict[str, list[GraphPath]], weights: list[float]) -> Signals:
    concepts = [QuestionConcept(f"c{i}", w, "label", "x") for i, w in enumerate(weights)]
    return Signals("vraag", "nl", [], concepts, np.zeros(3), {}, {}, graph)


def test_weak_graph_evidence_stays_weak_when_nothing_stronger_is_found() -> None:
    # only a cluster path (0.1 of a direct hit): "concepts" keeps it at 0.1, "max" would
    # stretch it to 1 and let it outvote dense evidence
    sig = _signals({"a": [GraphPath("c0", "cluster", "cl", "sensoren", None, 0.1)]}, [1.0])
    comps = _matcher().component_scores(sig, {"a": 0.8})
    assert comps["a"]["graph"] == pytest.approx(0.1)
    by_max = Matcher(None, None, None, MatchSettings(graph_norm="max"))  # type: ignore[arg-type]
    assert by_max.component_scores(sig, {"a": 0.8})["a"]["graph"] == 1.0
    # two asked concepts, one held directly: half of the best possible
    sig2 = _signals({"b": [GraphPath("c1", "direct", "c1", "declared", 1.0, 1.0)]}, [1.0, 1.0])
    assert _matcher().component_scores(sig2, {"b": 0.8})["b"]["graph"] == pytest.approx(0.5)
