"""Ranking quality of one ranking against the labelled relevant suppliers (`paraat eval`)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def mrr_ndcg_recall(ranked: Sequence[str], relevant: set[str], k: int = 10
                    ) -> tuple[float, float, float]:
    """MRR, nDCG@k and Recall@5 of one ranking."""
    rr = 0.0
    for i, kvk in enumerate(ranked, start=1):
        if kvk in relevant:
            rr = 1.0 / i
            break
    dcg = sum(1.0 / math.log2(i + 1) for i, kvk in enumerate(ranked[:k], start=1)
              if kvk in relevant)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(k, len(relevant)) + 1))
    ndcg = dcg / ideal if ideal else 0.0
    recall5 = len(set(ranked[:5]) & relevant) / len(relevant) if relevant else 0.0
    return rr, ndcg, recall5
