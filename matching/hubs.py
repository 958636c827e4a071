"""Hub reduction for the dense signal (issue 22): a CSLS-style penalty per supply node.

A hub is a node whose vector is near everything: a short, generic description ("crew seating
for military vehicles") lands in the top 3 of questions it does not answer. Cross-domain
similarity local scaling (CSLS, Conneau et al. 2018) ranks a candidate `c` for a question `q`
by `2 cos(q, c) - r_q - r_c`, where `r_c` is `c`'s mean cosine to its `k` nearest points of
the question side. For one question `r_q` is a constant, so the ranking is that of
`cos(q, c) - r_c / 2`: `MatchSettings.hub_penalty` is the weight of `r_c` (0.5 is CSLS).
By default only the part of `r_c` above the question's median candidate counts (`penalised`).

The question side is a *bank* of question-like vectors that are never the questions being
scored: the capability concepts' embeddings (the ontology's labels in both languages, in the
graph already) and, in production, the stored demand questions (`DemandQuestion.embedding`,
written by `Matcher.store`). `paraat eval` runs on a throw-away graph without stored
questions, so there the bank is the ontology alone.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from core.settings import MatchSettings
from graph.repositories.matching import MatchingRepository
from matching.encoders.base import Encoder

#: (bank key) -> {node key: r_c}; bounded so a long-lived process over 100k nodes stays small
_MAX_CACHED = 200_000


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    m = np.asarray(matrix, dtype=np.float32)
    if m.ndim != 2 or not len(m):
        return m.reshape(0, m.shape[-1] if m.ndim == 2 else 0)
    return m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)


def neighbourhood(vectors: np.ndarray, bank: np.ndarray, k: int) -> np.ndarray:
    """`r` per row of `vectors`: its mean cosine to its `k` nearest rows of `bank` (unit
    rows); zeros when the bank is empty."""
    v = unit_rows(vectors)
    if not len(v) or not len(bank):
        return np.zeros(len(v), dtype=np.float32)
    sims = v @ bank.T
    k = max(1, min(k, bank.shape[0]))
    top = np.partition(sims, sims.shape[1] - k, axis=1)[:, -k:]
    out: np.ndarray = top.mean(axis=1)
    return out


def penalised(cosines: dict[str, float], r: dict[str, float], weight: float,
              reference: Sequence[float] | None = None) -> dict[str, float]:
    """`cos - weight * r` (CSLS), or with a `reference` (the neighbourhoods of the question's
    candidates) `cos - weight * max(0, r - median(reference))`: one-sided, only a node nearer
    to the bank than the question's typical candidate loses. Symmetric CSLS also lifts the
    nodes far from every question (an escape room, a satellite-dish installer) above the
    specialists near their own topic: on `paraat eval` with weight 0.5 those became the new
    hubs (in 16-27 irrelevant top-3s)."""
    ref = float(np.median(reference)) if reference else None
    out = {}
    for k, v in cosines.items():
        rk = r.get(k)
        if rk is None:
            out[k] = v
        else:
            out[k] = v - weight * (rk if ref is None else max(0.0, rk - ref))
    return out


class HubPenalties:
    """`r_c` per node key and vector version (its embedding_hash) against one bank, computed
    on first use and kept: a node whose text changed has a new hash, so its penalty is
    computed again from the new vector. The bank is built by `load_bank` and rebuilt after
    `ttl` seconds (stored questions accumulate)."""

    def __init__(self, load_bank: Callable[[], np.ndarray], k: int, ttl: float = 3600.0
                 ) -> None:
        self._load_bank = load_bank
        self.k = k
        self.ttl = ttl
        self._bank: np.ndarray | None = None
        self._loaded = 0.0
        self._values: dict[tuple[str, str | None], float] = {}
        self._lock = threading.Lock()

    def bank(self) -> np.ndarray:
        with self._lock:
            if self._bank is None or time.monotonic() - self._loaded > self.ttl:
                self._bank = unit_rows(self._load_bank())
                self._loaded = time.monotonic()
                self._values = {}
            return self._bank

    def get(self, keys: Sequence[str],
            fetch: Callable[[list[str]], dict[str, list[float]]],
            versions: Mapping[str, str | None] | None = None) -> dict[str, float]:
        """`r` for `keys`; those not computed for their version yet are fetched (their
        embeddings, one call). `versions`: key -> embedding_hash (None when unknown)."""
        bank = self.bank()
        ver = versions or {}
        want = {k: (k, ver.get(k)) for k in dict.fromkeys(keys)}
        missing = [k for k, vk in want.items() if vk not in self._values]
        if missing and len(bank):
            vecs = {k: v for k, v in fetch(missing).items() if len(v) == bank.shape[1]}
            with self._lock:  # no embedding (of this model): no penalty, not asked again
                self._values.update((want[k], 0.0) for k in missing if k not in vecs)
            if vecs:
                r = neighbourhood(np.asarray(list(vecs.values()), dtype=np.float32),
                                  bank, self.k)
                with self._lock:
                    if len(self._values) > _MAX_CACHED:
                        self._values = {}
                    self._values.update(zip((want[k] for k in vecs), (float(x) for x in r),
                                            strict=True))
        return {k: self._values[want[k]] for k in keys if want[k] in self._values}


def evidence_weight(how: str | None, confidence: float | None, power: float) -> float:
    """What a graph path counts for beyond its confidence: `confidence ** (power - 1)` for an
    inferred capability (so it counts `confidence ** power`), 1 for a declared one.

    Graph hubs come from over-broad inferred capabilities: a capability inferred from a word
    of the description ("sensor", "transport", "assembly", "marine") whose text is not about
    it gets a low confidence (ingest weighs a label hit by how close the text is to the
    concept), but the graph score was linear in it. On `paraat eval` (the 120 company
    questions, every question concept x company holding it directly) the share of such paths
    that lead to a relevant company falls much faster than the confidence: 0.42 declared,
    0.42 at confidence 0.9, 0.29 at 0.7, 0.17 at 0.5, 0.09 at 0.3, 0.04 at 0.1. Relative to
    a declared capability that is close to `confidence ** 2`."""
    if how != "inferred" or confidence is None or power == 1.0:
        return 1.0
    return float(max(0.0, confidence)) ** (power - 1.0)


#: An inferred capability at least this confident is shown as "inferred_high" (explanations):
#: on `paraat eval` such paths lead to a relevant company 0.29-0.42 of the time, as often as
#: declared ones (0.42); below it 0.0-0.18 (see `evidence_weight`).
HIGH_CONFIDENCE = 0.7


def evidence_kind(how: str | None, confidence: float | None) -> str:
    """declared > inferred_high > inferred_low: how a path's capability is known."""
    if how != "inferred":
        return "declared"
    return "inferred_high" if (confidence or 0.0) >= HIGH_CONFIDENCE else "inferred_low"


# The penalties per graph (driver) and bank: one per process, whatever the matcher instances.
_HUBS: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], HubPenalties]] = \
    weakref.WeakKeyDictionary()
_HUBS_LOCK = threading.Lock()


def hub_penalties(driver: Any, repo: MatchingRepository, encoder: Encoder, taxonomy_version: str,
                  s: MatchSettings) -> HubPenalties:
    """The penalties of this graph, model and bank settings (kept per process)."""
    key = (encoder.name, encoder.dimension, taxonomy_version, s.hub_k, s.hub_bank_questions,
           s.hub_bank_ttl)
    with _HUBS_LOCK:
        per = _HUBS.setdefault(driver, {})
        if key not in per:
            per[key] = HubPenalties(lambda: question_bank(repo, encoder.dimension,
                                                          s.hub_bank_questions),
                                    s.hub_k, s.hub_bank_ttl)
        return per[key]


def question_bank(repo: MatchingRepository, dimension: int, questions: int) -> np.ndarray:
    """Question-like vectors of the model: the capability concepts' embeddings and the newest
    `questions` stored questions'. Never the questions being scored."""
    rows = [r["embedding"] for r in repo.concept_vectors() if len(r["embedding"]) == dimension]
    if questions > 0:
        rows += [r["embedding"] for r in repo.question_bank(dimension, questions)]
    return np.asarray(rows, dtype=np.float32).reshape(len(rows), dimension)


def forget(driver: Any) -> None:
    """Drop the penalties kept for this graph (its bank changed)."""
    with _HUBS_LOCK:
        _HUBS.pop(driver, None)
