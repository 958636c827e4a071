"""The matcher's score arithmetic that needs no graph: the companies' scale, a candidate's
kind, normalisation of a signal's scores, the per-candidate components and their fusion
(matching/matcher.py delegates)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from core.settings import MatchSettings
from matching.constraints import LABEL_KIND, check
from matching.models import Mode, Signals


def _companies(values: dict[str, float], kinds: dict[str, str]) -> dict[str, float]:
    """The companies' values, or all when there are no companies among them."""
    own = {k: v for k, v in values.items() if kinds.get(k, "company") == "company"}
    return own or values


def _note_kinds(kinds: dict[str, str] | None, records: Sequence[Any]) -> None:
    if kinds is not None:
        for r in records:
            kinds[r["kvk"]] = LABEL_KIND.get(r["label"], "company")


def _norm(values: dict[str, float], floor: float = 0.0,
          scale: dict[str, float] | None = None,
          uncapped: Callable[[str], bool] | None = None) -> dict[str, float]:
    """Values between `floor` (0) and the best of `scale` (default: of `values`; 1), clipped.

    A key for which `uncapped` holds is not clipped at 1: the other supply is scored on the
    companies' scale (issue 19), and several sites or programmes above the companies' best
    would all tie at 1, losing the very ordering among them the question's kind asks for
    (`paraat eval`: non-company MRR 0.834 -> 0.93 with the companies' ranking unchanged)."""
    if not values:
        return {}
    top = max((scale or values).values())
    span = top - floor
    if span <= 1e-9:
        return {k: 1.0 for k in values}
    out = {}
    for k, v in values.items():
        x = max(0.0, (v - floor) / span)
        out[k] = x if uncapped is not None and uncapped(k) else min(1.0, x)
    return out


def pool_floor(ref: dict[str, float], pool: int) -> float:
    """The `pool`-th best of `ref` (the vector pool's edge): a dense score counts above it."""
    return sorted(ref.values(), reverse=True)[min(len(ref), pool) - 1] if ref else 0.0


def component_scores(ms: MatchSettings, sig: Signals, dense_all: dict[str, float],
                     raw_all: dict[str, float] | None = None) -> dict[str, dict[str, float]]:
    """Normalised dense/lexical/graph per candidate (the union of the three pools).

    The dense score counts for the vector pool only (the index's top `dense_pool`); the
    other candidates score 0 on it even when `dense_all` holds their cosine (eval's
    single-signal rankings use it). Their cosines lie below the pool's floor anyway, up
    to the index's quantization at the boundary, so this is what the matcher can rank
    without a round trip for them, and `paraat eval` measures the same ranking.
    `raw_all` (the cosines before the hub penalty, `cosines_for_pool`) adds the encoder's
    own score for the single-signal ranking `dense`; without it that ranking is
    `dense_hub`'s."""
    # against the companies' scale (see `signals`), else every candidate's
    def supply(key: str) -> bool:
        return sig.kind(key) != "company"

    d = _norm(sig.dense, sig.dense_floor, _companies(sig.dense, sig.kinds), supply)
    if ms.dense_gain > 0 and d:
        # the cosine's margin above the pool floor (settings.dense_gain): _norm divided by
        # the companies' span, which is multiplied back
        span = max(_companies(sig.dense, sig.kinds).values()) - sig.dense_floor
        d = {k: v * ms.dense_gain * max(span, 0.0) for k, v in d.items()}
    lx = _norm(sig.lexical, 0.0, _companies(sig.lexical, sig.kinds), supply)
    d_raw: dict[str, float] = {}
    if raw_all is not None:
        raw_ref = _companies(sig.dense_raw, sig.kinds)
        d_raw = _norm(sig.dense_raw, pool_floor(raw_ref, ms.dense_pool), raw_ref, supply)
    graph_raw = {k: sig.graph_score(k) for k in sig.graph}
    if ms.graph_norm == "concepts":
        # Against the best a company could score (every concept of the question held
        # directly, with full confidence), so weak evidence (only a cluster path) stays
        # weak when nothing stronger is found, instead of being stretched to 1.
        best = ms.w_direct * sum(c.weight for c in sig.concepts)
        g = {k: min(1.0, v / best) for k, v in graph_raw.items()} if best > 0 else {}
    else:
        g = _norm(graph_raw)
    out = {}
    for kvk in set(dense_all) | set(sig.lexical) | set(sig.graph):
        out[kvk] = {"dense": d.get(kvk, 0.0), "lexical": lx.get(kvk, 0.0),
                    "graph": g.get(kvk, 0.0), "dense_cosine": dense_all.get(kvk, 0.0),
                    "bm25": sig.lexical.get(kvk, 0.0), "graph_raw": graph_raw.get(kvk, 0.0)}
        if raw_all is not None:
            out[kvk]["dense_raw"] = d_raw.get(kvk, 0.0)
            out[kvk]["raw_cosine"] = raw_all.get(kvk, 0.0)
        if sig.constraints:
            # a site that meets the stated area/access is lifted, one that misses it
            # lowered; a node without such attributes (a company) keeps 1.0
            out[kvk]["constraint"] = check(sig.attrs.get(kvk, {}), sig.constraints)[0]
        # a kind the question does not name as the thing asked for (matching.kinds)
        prior = sig.kind_cues.prior(sig.kind(kvk), ms.supply_prior,
                                    ms.party_prior)
        if prior != 1.0:
            out[kvk]["kind_prior"] = prior
    return out


def fuse(ms: MatchSettings, comps: dict[str, dict[str, float]], mode: Mode = "hybrid",
         weights: tuple[float, float, float] | None = None) -> list[tuple[str, float]]:
    wd, wl, wg = weights or (ms.w_dense, ms.w_lexical, ms.w_graph)
    scored = []
    for kvk, c in comps.items():
        # The kind prior is the question's: in every ranking, on the scale the hybrid weighs
        # each signal (the companies' own order stays the cosine's and BM25's).
        prior = c.get("kind_prior", 1.0)
        if mode == "dense" and "dense_raw" in c:  # the encoder alone
            s = (c["dense_raw"] + 1e-3 * c["raw_cosine"]) * prior
        elif mode in ("dense", "dense_hub"):  # less the hub penalty
            s = (c["dense"] + 1e-3 * c["dense_cosine"]) * prior
        elif mode == "lexical":
            s = c["lexical"] * prior
        elif mode == "graph":
            s = (c["graph_raw"] + 1e-3 * c["dense"]) * prior  # ties: by dense
            if c["graph_raw"] <= 0:
                continue
        else:
            s = (wd * c["dense"] + wl * c["lexical"] + wg * c["graph"]) * c.get(
                "constraint", 1.0) * prior
        if mode == "lexical" and c["bm25"] <= 0:
            continue
        scored.append((kvk, s))
    scored.sort(key=lambda x: (-x[1], x[0]))
    return scored
