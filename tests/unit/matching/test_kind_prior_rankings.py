"""The kind prior is the question's, not a signal's (issue 19): every ranking of a question
(hybrid and each single signal) weighs a kind it does not ask for alike, on the scale the hybrid
weighs the signal, and the companies keep their own order by cosine and BM25."""

from __future__ import annotations

from core.settings import MatchSettings
from matching.matcher import Matcher


def comps() -> dict[str, dict[str, float]]:
    # c1/c2 companies (c2 outside the dense pool: normalised dense 0); "prog" a programme the
    # question does not ask for, a little above the companies on every signal
    return {
        "c1": {"dense": 1.0, "lexical": 1.0, "graph": 0.5, "dense_cosine": 0.84, "bm25": 6.0,
               "graph_raw": 1.0},
        "c2": {"dense": 0.0, "lexical": 0.5, "graph": 0.25, "dense_cosine": 0.80, "bm25": 3.0,
               "graph_raw": 0.5},
        "prog": {"dense": 1.2, "lexical": 1.1, "graph": 0.6, "dense_cosine": 0.86,
                 "bm25": 14.0, "graph_raw": 1.2, "kind_prior": 0.5},
    }


def test_a_kind_not_asked_for_is_weighed_by_the_prior_in_every_ranking() -> None:
    m = Matcher(None, None, None, MatchSettings())  # type: ignore[arg-type]
    for mode in ("hybrid", "dense", "lexical", "graph"):
        ranked = [k for k, _ in m.fuse(comps(), mode)]
        assert ranked[0] == "c1", (mode, ranked)  # without the prior "prog" would lead
        assert ranked.index("c1") < ranked.index("c2"), mode


def test_without_a_prior_the_single_signals_keep_their_order() -> None:
    m = Matcher(None, None, None, MatchSettings())  # type: ignore[arg-type]
    c = comps()
    del c["prog"]["kind_prior"]
    for mode in ("dense", "lexical", "graph"):
        assert [k for k, _ in m.fuse(c, mode)][0] == "prog", mode
    # a company outside the dense pool still ranks by its cosine below those in it
    c["c3"] = dict(c["c2"], dense_cosine=0.79)
    dense = [k for k, _ in m.fuse(c, "dense")]
    assert dense.index("c2") < dense.index("c3")
