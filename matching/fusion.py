"""The matcher's score arithmetic that needs no graph: the companies' scale, a candidate's
kind, normalisation of a signal's scores (matching/matcher.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from matching.constraints import LABEL_KIND


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
