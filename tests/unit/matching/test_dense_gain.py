"""The dense signal's margin above the pool floor (settings.dense_gain, issue 22): a flat top
is not stretched to 0..1, so the graph signal decides between near-equal cosines."""

from __future__ import annotations

import numpy as np

from core.settings import MatchSettings
from matching.fusion import component_scores, fuse
from matching.models import GraphPath, Signals

Q = np.zeros(4)


def _sig(dense: dict[str, float], floor: float, graph: dict[str, float]) -> Signals:
    paths = {k: [GraphPath("c", "direct", "c", "declared", None, v)] for k, v in graph.items()}
    return Signals("q", "nl", [], [], Q, dense, {}, paths, floor)


def test_a_flat_dense_top_no_longer_outweighs_the_graph() -> None:
    # cosines 0.025 apart on a 0.055 span; the runner-up holds the asked capability,
    # the leader a weaker one
    sig = _sig({"a": 0.855, "b": 0.830, "c": 0.80}, 0.80, {"a": 0.3, "b": 1.0})
    stretched = MatchSettings(w_dense=0.6, w_lexical=0.05, w_graph=0.35, graph_norm="max")
    gained = MatchSettings(w_dense=0.6, w_lexical=0.05, w_graph=0.35, graph_norm="max",
                           dense_gain=10.0)
    s_comps = component_scores(stretched, sig, sig.dense)
    g_comps = component_scores(gained, sig, sig.dense)
    assert s_comps["a"]["dense"] == 1.0  # the leader takes the whole dense weight
    assert abs(g_comps["a"]["dense"] - 10.0 * 0.055) < 1e-9  # the margin, times the gain
    assert abs(g_comps["b"]["dense"] - 10.0 * 0.030) < 1e-9
    assert g_comps["c"]["dense"] == 0.0
    assert [k for k, _ in fuse(stretched, s_comps)][0] == "a"
    assert [k for k, _ in fuse(gained, g_comps)][0] == "b"


def test_gain_zero_is_the_stretched_score() -> None:
    sig = _sig({"a": 0.9, "b": 0.85}, 0.8, {})
    default = component_scores(MatchSettings(), sig, sig.dense)
    assert default["a"]["dense"] == 1.0 and abs(default["b"]["dense"] - 0.5) < 1e-9
