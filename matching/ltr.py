"""Learning to rank (issue 22, lever 4): the fusion learnt by a small LightGBM lambdarank model
from the features the matcher already computes, instead of the weighted sum of
`Matcher.fuse`. An experiment measured by `paraat eval --ltr` (docs/ltr.md); the matcher
does not use it.

Features per (question, candidate), none of them read a question's id or words:
- the components of `Matcher.component_scores` (normalised dense/lexical/graph, cosine,
  BM25, raw graph score, kind prior, constraint factor) and the weighted sum of them;
- the candidate's rank by each signal, and its gap to the question's best per signal;
- the graph evidence: the best path score per kind of evidence (declared, inferred_high,
  inferred_low, cluster) and the share of the question's concepts it has a path to;
- the candidate's kind against the kinds the question names (`matching.kinds.KindCues`),
  and how many concepts the question has and how they were found.

lightgbm is imported only when a model is trained (it is not a dependency of the matcher).
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.errors import ConfigError
from matching.hubs import evidence_kind
from matching.models import Signals

log = logging.getLogger(__name__)

KINDS = ("company", "site", "facility", "institution", "programme")
EVIDENCE = ("declared", "inferred_high", "inferred_low", "cluster")
_SIGNALS = ("dense_cosine", "bm25", "graph_raw")
_MISSING_RANK = 200.0  # the rank of a candidate a signal did not find

#: Small models: few shallow trees, strong regularisation, large leaves (168 questions).
PARAMS: dict[str, Any] = {
    "objective": "lambdarank", "metric": "ndcg", "eval_at": [10],
    "lambdarank_truncation_level": 20, "learning_rate": 0.05, "num_leaves": 7,
    "max_depth": 3, "min_data_in_leaf": 50, "lambda_l2": 10.0, "min_gain_to_split": 0.0,
    "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1,
    "num_threads": 1, "deterministic": True, "force_row_wise": True, "verbose": -1,
}
ROUNDS = 60
#: >0: the trees learn a correction of the weighted sum, scaled by this (LightGBM's
#: init_score), instead of a ranking from scratch; 0: from scratch.
BASE = 0.0


@dataclass
class Query:
    """One question's candidates: what a model ranks (`comps` as `Matcher.component_scores`
    returns them, `extra` from `signal_features`) and, for training, the relevant keys."""

    comps: dict[str, dict[str, float]]
    relevant: set[str] = field(default_factory=set)
    kinds: dict[str, str] = field(default_factory=dict)
    extra: dict[str, dict[str, float]] = field(default_factory=dict)
    question: dict[str, float] = field(default_factory=dict)
    lang: str = "nl"


def signal_features(sig: Signals) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """Per candidate, the graph evidence of `sig`; and the question's own features (its
    concepts, the kinds it names). Cheap: no round trip."""
    per: dict[str, dict[str, float]] = {}
    n_concepts = len(sig.concepts)
    for key, paths in sig.graph.items():
        f = {f"ev_{e}": 0.0 for e in EVIDENCE}
        held: set[str] = set()
        for p in paths:
            e = "cluster" if p.via == "cluster" else evidence_kind(p.how, p.confidence)
            f[f"ev_{e}"] = max(f[f"ev_{e}"], p.score)
            held.add(p.concept)
            if p.via == "direct":
                f["direct"] = max(f.get("direct", 0.0), p.score)
        f["concept_share"] = len(held) / n_concepts if n_concepts else 0.0
        per[key] = f
    cues = sig.kind_cues
    for key in set(sig.dense) | set(sig.lexical) | set(sig.graph):
        per.setdefault(key, {})["kind_named"] = float(sig.kind(key) in cues.full_weight)
    question = {"n_concepts": float(n_concepts),
                "n_label_concepts": float(sum(c.via == "label" for c in sig.concepts)),
                "cue_company": float(cues.company), "cue_party": float(cues.party),
                "cue_place": float(cues.place), "cue_kinds": float(len(cues.full_weight))}
    return per, question


def _ranks(values: dict[str, float]) -> dict[str, float]:
    order = sorted((k for k, v in values.items() if v > 0), key=lambda k: (-values[k], k))
    return {k: float(i) for i, k in enumerate(order, start=1)}


FEATURES: tuple[str, ...] = (
    "dense", "lexical", "graph", "dense_cosine", "bm25", "graph_raw", "kind_prior",
    "constraint", "wsum", "wsum_gap", "wsum_rank",
    *(f"rank_{s}" for s in _SIGNALS), *(f"gap_{s}" for s in _SIGNALS),
    *(f"ev_{e}" for e in EVIDENCE), "direct", "concept_share", "kind_named",
    *(f"kind_{k}" for k in KINDS),
    "n_concepts", "n_label_concepts", "cue_company", "cue_party", "cue_place", "cue_kinds",
    "is_en", "n_candidates",
)


def features(q: Query, weights: tuple[float, float, float]) -> tuple[list[str], np.ndarray]:
    """The candidates of `q` (sorted) and their feature rows, in `FEATURES` order. `weights`
    are the weighted sum's (dense, lexical, graph), the same `Matcher.fuse` uses."""
    keys = sorted(q.comps)
    wd, wl, wg = weights
    wsum = {k: (wd * c["dense"] + wl * c["lexical"] + wg * c["graph"])
            * c.get("constraint", 1.0) * c.get("kind_prior", 1.0) for k, c in q.comps.items()}
    ranks = {s: _ranks({k: c[s] for k, c in q.comps.items()}) for s in _SIGNALS}
    best = {s: max((c[s] for c in q.comps.values()), default=0.0) for s in _SIGNALS}
    wranks = _ranks(wsum)
    wbest = max(wsum.values(), default=0.0)
    rows = np.zeros((len(keys), len(FEATURES)), dtype=np.float64)
    col = {f: i for i, f in enumerate(FEATURES)}
    for r, k in enumerate(keys):
        c = q.comps[k]
        f: dict[str, float] = {
            "kind_prior": 1.0, "constraint": 1.0,
            **{n: c[n] for n in ("dense", "lexical", "graph", "dense_cosine", "bm25",
                                 "graph_raw")},
            **{n: c[n] for n in ("kind_prior", "constraint") if n in c},
            "wsum": wsum[k], "wsum_gap": wbest - wsum[k], "wsum_rank": wranks.get(
                k, _MISSING_RANK),
            **{f"rank_{s}": ranks[s].get(k, _MISSING_RANK) for s in _SIGNALS},
            **{f"gap_{s}": best[s] - c[s] for s in _SIGNALS},
            **q.extra.get(k, {}), **q.question,
            f"kind_{q.kinds.get(k, 'company')}": 1.0,
            "is_en": float(q.lang == "en"), "n_candidates": float(len(keys)),
        }
        for name, v in f.items():
            if name in col:
                rows[r, col[name]] = v
    return keys, rows


class Model:
    """A trained ranker: `rank` orders a question's candidates by the model's score."""

    def __init__(self, booster: Any, weights: tuple[float, float, float], base: float = 0.0
                 ) -> None:
        self.booster = booster
        self.weights = weights
        self.base = base

    def scores(self, q: Query) -> list[tuple[str, float]]:
        keys, x = features(q, self.weights)
        if not keys:
            return []
        pred = self.booster.predict(x) + self.base * x[:, FEATURES.index("wsum")]
        return sorted(zip(keys, (float(p) for p in pred), strict=True),
                      key=lambda kv: (-kv[1], kv[0]))

    def rank(self, q: Query) -> list[str]:
        return [k for k, _ in self.scores(q)]

    def importance(self) -> dict[str, float]:
        gain = self.booster.feature_importance(importance_type="gain")
        total = float(sum(gain)) or 1.0
        return {f: round(float(g) / total, 4) for f, g in
                sorted(zip(FEATURES, gain, strict=True), key=lambda x: -x[1]) if g > 0}


def require() -> None:
    """A clear error, before any work, when lightgbm is not installed (it is no dependency:
    docs/ltr.md)."""
    if importlib.util.find_spec("lightgbm") is None:
        raise ConfigError("The learnt fusion needs lightgbm: uv pip install lightgbm==4.7.0 "
                          "(an experiment, docs/ltr.md).")


def train(queries: Sequence[Query], weights: tuple[float, float, float], seed: int = 0,
          rounds: int | None = None, params: dict[str, Any] | None = None,
          base: float | None = None) -> Model:
    """A lambdarank model on `queries` (a candidate is relevant = label 1); reproducible for
    a given seed (one thread, deterministic). Defaults: `ROUNDS`, `PARAMS`, `BASE`."""
    import lightgbm as lgb

    base = BASE if base is None else base

    xs, ys, groups = [], [], []
    for q in queries:
        keys, x = features(q, weights)
        if not keys:
            continue
        xs.append(x)
        ys.append(np.array([1.0 if k in q.relevant else 0.0 for k in keys]))
        groups.append(len(keys))
    p = {**PARAMS, **(params or {}), "seed": seed}
    x = np.vstack(xs)
    data = lgb.Dataset(x, np.concatenate(ys), group=groups, feature_name=list(FEATURES),
                       init_score=base * x[:, FEATURES.index("wsum")] if base else None,
                       free_raw_data=False,
                       params={"min_data_in_leaf": p["min_data_in_leaf"], "verbose": -1})
    booster = lgb.train(p, data, num_boost_round=rounds or ROUNDS)
    return Model(booster, weights, base)
