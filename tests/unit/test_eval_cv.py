"""Cross-validated fusion tuning in `paraat eval --tune` (matching/evaluate.py)."""

from __future__ import annotations

from typing import Any

from graph.settings import MatchSettings
from matching.evaluate import Question, Retrieved, cross_validate, folds_of, score
from matching.matcher import Matcher


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
