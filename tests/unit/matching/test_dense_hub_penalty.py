"""Issue 22, lever 1: the dense signal's CSLS-style hub penalty (matching/hubs.py and
`Matcher.dehub`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from core.settings import MatchSettings
from matching.hubs import (
    HubPenalties,
    evidence_kind,
    evidence_weight,
    neighbourhood,
    penalised,
)
from matching.matcher import Matcher


def _unit(v: list[float]) -> np.ndarray:
    a = np.asarray(v, dtype=np.float32)
    return a / np.linalg.norm(a)


# Six "questions", one per topic, sharing a common direction (encoders' vectors are not
# centred); a specialist in topic 0, a hub on the common direction (near every question).
_D = 6
_COMMON = np.ones(_D) / np.sqrt(_D)
BANK = np.stack([_unit(list(np.eye(_D)[i] + _COMMON)) for i in range(_D)])
SPECIALIST = _unit(list(np.eye(_D)[0] + 0.6 * _COMMON))
HUB = _unit(list(_COMMON))
FAR = _unit(list(np.eye(_D)[3] - 0.4 * _COMMON))  # an escape room: near no question
QUESTION = _unit(list(np.eye(_D)[0] + 2.5 * _COMMON))  # topic 0 in many generic words


def test_neighbourhood_is_the_mean_cosine_to_the_k_nearest_bank_rows() -> None:
    r = neighbourhood(np.stack([SPECIALIST, HUB]), BANK, k=3)
    sims = np.sort(BANK @ SPECIALIST)[::-1]
    assert np.allclose(r[0], sims[:3].mean())
    assert np.allclose(r[1], float(BANK[0] @ HUB))  # equally near all six
    assert r[1] > r[0]
    assert neighbourhood(np.stack([HUB]), BANK[:0], k=2).tolist() == [0.0]


class _Repo:
    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    def embeddings(self, keys: list[str]) -> dict[str, list[float]]:
        self.asked.append(keys)
        vecs = {"specialist": SPECIALIST, "hub": HUB, "far": FAR}
        return {k: vecs[k].tolist() for k in keys if k in vecs}


def _matcher(penalty: float, repo: _Repo) -> Matcher:
    none: Any = None
    m = Matcher(none, none, none, MatchSettings(hub_penalty=penalty, hub_k=3))
    hubs = HubPenalties(lambda: BANK, k=3)
    m.hub_penalties = lambda: hubs  # type: ignore[method-assign]
    m._supply_embeddings = repo.embeddings  # type: ignore[method-assign]
    return m


def test_the_hub_no_longer_outranks_the_specialist() -> None:
    cos = {"specialist": float(QUESTION @ SPECIALIST), "hub": float(QUESTION @ HUB),
           "far": float(QUESTION @ FAR)}
    assert cos["hub"] > cos["specialist"]  # raw cosine: the hub wins (the defect)
    repo = _Repo()
    dehubbed = _matcher(0.5, repo).dehub(cos)
    assert dehubbed["specialist"] > dehubbed["hub"]
    # one-sided: a node less near the bank than the median candidate keeps its cosine
    assert dehubbed["far"] == cos["far"]
    assert dehubbed["specialist"] == cos["specialist"]  # the median itself loses nothing
    # off: the cosines as they were, and no embeddings fetched
    off = _Repo()
    assert _matcher(0.0, off).dehub(cos) == cos
    assert off.asked == []


def test_symmetric_csls_lifts_the_far_node_one_sided_does_not() -> None:
    cos = {"specialist": 0.8, "hub": 0.8, "far": 0.8}
    r = {"specialist": 0.7, "hub": 0.9, "far": 0.2}
    sym = penalised(cos, r, 0.5)
    assert sym["far"] > sym["specialist"] > sym["hub"]
    one = penalised(cos, r, 0.5, list(r.values()))
    assert one["far"] == one["specialist"] == 0.8 > one["hub"]
    assert penalised({"x": 0.5}, {}, 0.5, [0.1]) == {"x": 0.5}  # no embedding: unchanged


def test_inferred_capabilities_count_confidence_to_the_power() -> None:
    assert evidence_weight("declared", 1.0, 2.0) == 1.0
    assert evidence_weight(None, None, 2.0) == 1.0  # a site's capability: no confidence
    assert evidence_weight("inferred", 0.3, 1.0) == 1.0  # power 1: linear, as before
    # the path's score already holds the confidence once: the weight adds the rest
    assert abs(evidence_weight("inferred", 0.3, 2.0) - 0.3) < 1e-9
    assert abs(0.9 * evidence_weight("inferred", 0.9, 2.0) - 0.81) < 1e-9


def test_penalties_are_computed_once_per_node() -> None:
    repo = _Repo()
    m = _matcher(0.5, repo)
    m.dehub({"specialist": 0.5, "hub": 0.5, "site:x": 0.4})
    m.dehub({"specialist": 0.6, "hub": 0.2, "site:x": 0.1})
    # one fetch; "site:x" has no embedding: no penalty, not asked again
    assert repo.asked == [["specialist", "hub", "site:x"]]
    m.dehub({"far": 0.3}, pool=["specialist", "hub"])  # the reference is the pool's
    assert repo.asked[-1] == ["far"]
    assert m.dehub({"site:x": 0.3}) == {"site:x": 0.3}


def test_the_evidence_kind_orders_declared_high_low() -> None:
    assert evidence_kind("declared", 1.0) == "declared"
    assert evidence_kind(None, None) == "declared"  # a site's own capability
    assert evidence_kind("inferred", 0.9) == "inferred_high"
    assert evidence_kind("inferred", 0.3) == "inferred_low"
    assert evidence_kind("inferred", None) == "inferred_low"
