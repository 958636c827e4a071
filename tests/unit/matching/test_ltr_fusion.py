"""The learnt fusion of `paraat eval --ltr` (matching/ltr.py, issue 22 lever 4)."""

from __future__ import annotations

import importlib.util
import random
from typing import Any

import numpy as np
import pytest

from core.errors import ConfigError
from matching import evaluate, ltr
from matching.evaluate import Question, Retrieved, as_query, folds_of, ltr_cross_validate
from matching.models import GraphPath, QuestionConcept, Signals
from tests.conftest import unavailable


@pytest.fixture
def lightgbm_present() -> None:
    if importlib.util.find_spec("lightgbm") is None:  # a dev dependency (docs/ltr.md)
        unavailable("lightgbm is not installed (make setup installs it)")


needs_lightgbm = pytest.mark.usefixtures("lightgbm_present")


def _retrieved(n: int, per_q: int = 20, seed: int = 7) -> list[Retrieved]:
    """n questions (half nl, half en) of `per_q` candidates whose normalised scores are noise;
    only the three relevant ones hold the asked-for concept (graph evidence `ev_declared`),
    which the weighted sum cannot see (three, so the training folds hold more relevant
    candidates than a leaf's minimum)."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        comps: dict[str, dict[str, float]] = {}
        extra: dict[str, dict[str, float]] = {}
        for j in range(per_q):
            d, lx = rnd.random(), rnd.random()
            comps[f"c{i}_{j}"] = {"dense": d, "lexical": lx, "graph": 0.0,
                                  "dense_cosine": 0.7 + 0.2 * d, "bm25": 5 * lx,
                                  "graph_raw": 0.0}
        for j in rnd.sample(range(per_q), 3):
            extra[f"c{i}_{j}"] = {"ev_declared": 1.0}
        rel = {k for k in extra}
        q = Question(f"q{i}", "nl" if i % 2 else "en", "vraag", rel)
        out.append(Retrieved(q, comps, [], {}, extra, {"n_concepts": 1.0}))
    return out


@needs_lightgbm
def test_the_model_learns_a_clearly_separable_signal() -> None:
    train, test = _retrieved(60), _retrieved(20, seed=8)
    model = ltr.train([as_query(r) for r in train], (0.5, 0.3, 0.2), seed=0)
    for r in test:
        assert model.rank(as_query(r))[0] in r.question.relevant
    assert next(iter(model.importance())) == "ev_declared"


@needs_lightgbm
def test_out_of_fold_never_trains_on_a_held_out_question(monkeypatch: Any) -> None:
    r = _retrieved(40)
    trained_on: list[set[int]] = []
    real = ltr.train

    def spy(queries: Any, weights: Any, seed: int = 0, **kw: Any) -> Any:
        trained_on.append({id(q.comps) for q in queries})
        return real(queries, weights, seed=seed, **kw)

    monkeypatch.setattr(evaluate.ltr, "train", spy)
    res = ltr_cross_validate(r, [(0.5, 0.3, 0.2)] * 2, folds=2, seeds=(0,))
    parts = folds_of(r, 2)
    assert len(trained_on) == 2
    for part, seen in zip(parts, trained_on, strict=True):
        held = {id(r[i].comps) for i in part}
        assert not held & seen
        assert len(seen) == len(r) - len(part)
    # every question scored once, out of fold, and the separable signal is found
    assert res["held_out"]["all"]["n"] == 40
    assert res["held_out"]["all"]["mrr"] == 1.0
    assert res["held_out"]["nl"]["mrr_sd"] == 0.0


def test_features_read_no_question_text_or_id() -> None:
    a, b = _retrieved(1), _retrieved(1)
    b[0].question.question, b[0].question.id = "iets heel anders", "zz"
    ka, xa = ltr.features(as_query(a[0]), (0.5, 0.3, 0.2))
    kb, xb = ltr.features(as_query(b[0]), (0.5, 0.3, 0.2))
    assert ka == kb and np.array_equal(xa, xb)


def test_signal_features_summarise_the_graph_evidence() -> None:
    paths = {"a": [GraphPath("c1", "direct", "c1", "declared", None, 0.8),
                   GraphPath("c2", "narrower", "c3", "inferred", 0.4, 0.2)],
             "b": [GraphPath("c1", "cluster", "cl", "NLD1", None, 0.1)]}
    sig = Signals("q", "nl", [], [QuestionConcept("c1", 1.0, "label", "x"),
                                  QuestionConcept("c2", 0.5, "embedding", "~0.8")],
                  np.zeros(3), {"a": 0.9, "d": 0.8}, {}, paths)
    per, question = ltr.signal_features(sig)
    assert per["a"]["ev_declared"] == 0.8 and per["a"]["ev_inferred_low"] == 0.2
    assert per["a"]["concept_share"] == 1.0 and per["b"]["concept_share"] == 0.5
    assert per["b"]["ev_cluster"] == 0.1 and per["d"] == {"kind_named": 0.0}
    assert question["n_concepts"] == 2.0 and question["n_label_concepts"] == 1.0


def test_without_lightgbm_the_option_fails_with_a_clear_message(monkeypatch: Any) -> None:
    monkeypatch.setattr(ltr.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ConfigError, match="lightgbm"):
        ltr.require()
