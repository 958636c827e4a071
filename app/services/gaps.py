"""Supply gaps ("witte vlekken", issue 21): stored demand questions the region cannot serve
well. A match is good when its dense cosine reaches `monitor.good_match_cosine` (calibrated on
the evaluation set, docs/monitoring.md); a question is a gap with fewer than
`monitor.min_good_matches` good matches: `weak` when none is good (its best match is below the
threshold), `thin` when some but too few are. A gap is open until an introduction for the
question got past `voorgesteld` (and was not turned down).

Grouped by NLD area, by capability, by the agenda's acquisition sectors and by month: what
tells the province which capabilities to attract."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from ontology.taxonomy import Taxonomy, load_taxonomy

log = logging.getLogger(__name__)

# The acquisition strategy's sectors (agenda, pillar 1 "Ruimte voor defensiegerelateerde
# bedrijvigheid") and the top concepts of the capability scheme that belong to them.
SECTORS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "groene-chemie": ("Groene chemie", "Green chemistry", ("advanced-materials",
                                                            "water-treatment")),
    "biomedische-technologie": ("(Bio)medische technologie", "(Bio)medical technology",
                                ("medical-technology",)),
    "maakindustrie": ("(Hoogwaardige) maakindustrie", "(High-end) manufacturing",
                      ("manufacturing", "protection", "maritime", "aerospace",
                       "uncrewed-systems")),
    "agrofood": ("Agrofood", "Agrifood", ("food-nutrition",)),
}
OTHER = "overig"
NONE = "onbekend"


def _tops(taxonomy: Taxonomy, cid: str) -> set[str]:
    """The top concepts above a capability (itself when it is one)."""
    out: set[str] = set()
    todo, seen = [cid], set()
    while todo:
        c = todo.pop()
        if c in seen or c not in taxonomy.capabilities:
            continue
        seen.add(c)
        broader = taxonomy.capabilities[c].broader
        if not broader:
            out.add(c)
        todo.extend(broader)
    return out


def sectors_of(taxonomy: Taxonomy, capabilities: Sequence[str]) -> list[str]:
    tops: set[str] = set()
    for cid in capabilities:
        tops |= _tops(taxonomy, cid)
    found = [s for s, (_, _, t) in SECTORS.items() if tops & set(t)]
    return found or ([OTHER] if capabilities else [NONE])


def assess(row: Any, threshold: float, min_good: int) -> dict[str, Any]:
    """One question: its best cosine, how many matches are good, and whether it is a gap."""
    q = [float(x) for x in row["qualities"]]
    good = sum(1 for x in q if x >= threshold)
    if row["matched"] and not q:
        reason = None  # stored before the cosine was kept: not assessable
    elif good == 0:
        reason = "weak"
    elif good < min_good:
        reason = "thin"
    else:
        reason = None
    return {"id": row["id"], "month": (row["created_at"] or "")[:7],
            "nld_areas": sorted(row["areas"] or []),
            "capabilities": sorted(row["capabilities"] or []),
            "best": round(max(q), 4) if q else None, "good_matches": good,
            "assessable": bool(q) or not row["matched"],
            "gap": reason is not None, "reason": reason,
            "open": reason is not None and not row["served"]}


def _group(items: list[dict[str, Any]], keys: Any, labels: dict[str, tuple[str, str]]
           ) -> list[dict[str, Any]]:
    agg: dict[str, dict[str, int]] = defaultdict(lambda: {"questions": 0, "gaps": 0,
                                                          "open_gaps": 0, "weak": 0})
    for it in items:
        for k in keys(it):
            a = agg[k]
            a["questions"] += 1
            a["gaps"] += it["gap"]
            a["open_gaps"] += it["open"]
            a["weak"] += it["reason"] == "weak"
    order = sorted(agg, key=lambda k: (-agg[k]["gaps"], -agg[k]["questions"], k))
    out: list[dict[str, Any]] = []
    for k in order:
        nl, en = labels.get(k, (k, k))
        out.append({"id": k, "name_nl": nl, "name_en": en, **agg[k]})
    return out


def gaps(rows: Sequence[Any], threshold: float, min_good: int,
         taxonomy: Taxonomy | None = None) -> dict[str, Any]:
    tax = taxonomy or load_taxonomy()
    items = [assess(r, threshold, min_good) for r in rows]
    assessed = [i for i in items if i["assessable"]]
    for i in assessed:
        i["sectors"] = sectors_of(tax, i["capabilities"])
    area_labels = {a: (c.label("nl"), c.label("en")) for a, c in tax.nld_areas.items()}
    area_labels[NONE] = ("onbekend", "unknown")
    cap_labels = {k: (c.label("nl"), c.label("en")) for k, c in tax.capabilities.items()}
    cap_labels[NONE] = ("onbekend", "unknown")
    sector_labels = {k: (nl, en) for k, (nl, en, _) in SECTORS.items()}
    sector_labels[OTHER] = ("overig", "other")
    sector_labels[NONE] = ("onbekend", "unknown")
    months: dict[str, dict[str, int]] = defaultdict(lambda: {"questions": 0, "gaps": 0,
                                                             "open_gaps": 0})
    for i in assessed:
        m = months[i["month"]]
        m["questions"] += 1
        m["gaps"] += i["gap"]
        m["open_gaps"] += i["open"]
    by_sector = _group(assessed, lambda i: i["sectors"], sector_labels)
    # every acquisition sector shows, also with no demand yet
    present = {s["id"] for s in by_sector}
    by_sector += [{"id": k, "name_nl": nl, "name_en": en, "questions": 0, "gaps": 0,
                   "open_gaps": 0, "weak": 0}
                  for k, (nl, en, _) in SECTORS.items() if k not in present]
    return {
        "threshold": threshold, "min_good_matches": min_good,
        "questions": len(items), "assessed": len(assessed),
        "gaps": sum(i["gap"] for i in assessed),
        "open_gaps": sum(i["open"] for i in assessed),
        "by_nld_area": _group(assessed, lambda i: i["nld_areas"] or [NONE], area_labels),
        "by_capability": _group(assessed, lambda i: i["capabilities"] or [NONE], cap_labels),
        "by_sector": by_sector,
        "by_month": [{"month": k, **v} for k, v in sorted(months.items())],
        "items": [i for i in assessed if i["gap"]],
    }


def calibrate(pairs: Sequence[tuple[float, bool]]) -> dict[str, Any]:
    """The cosine threshold that best tells relevant matches from the rest: the one with the
    highest F1 for "good match = relevant" over (cosine, relevant) pairs from the evaluation
    set. Returns it with its precision, recall and the counts."""
    pos = sum(1 for _, r in pairs if r)
    best = {"threshold": 0.0, "f1": 0.0, "precision": 0.0, "recall": 0.0}
    for t in sorted({round(c, 3) for c, _ in pairs}):
        tp = sum(1 for c, r in pairs if r and c >= t)
        fp = sum(1 for c, r in pairs if not r and c >= t)
        if tp == 0:
            continue
        p, rc = tp / (tp + fp), tp / pos
        f1 = 2 * p * rc / (p + rc)
        if f1 > best["f1"]:
            best = {"threshold": t, "f1": round(f1, 4), "precision": round(p, 4),
                    "recall": round(rc, 4)}
    return {**best, "pairs": len(pairs), "relevant": pos}


def calibrate_questions(per_question: Sequence[Sequence[tuple[float, bool]]]
                        ) -> dict[str, Any]:
    """The threshold that best tells a question the region can answer from one it cannot.
    Every labelled question has suppliers, so each gives two cases: answerable (the best
    cosine of its relevant hits) and, had its relevant suppliers been missing, not answerable
    (the best cosine of the other hits). The threshold maximises Youden's J = TPR - FPR over
    them: TPR, answerable questions called answered; FPR, unanswerable ones called answered."""
    pos = [max(c for c, r in ps if r) for ps in per_question if any(r for _, r in ps)]
    neg = [max(c for c, r in ps if not r) for ps in per_question if any(not r for _, r in ps)]
    best = {"threshold": 0.0, "j": -1.0, "tpr": 0.0, "fpr": 0.0}
    for t in sorted({round(c, 3) for c in pos + neg}):
        tpr = sum(1 for c in pos if c >= t) / max(1, len(pos))
        fpr = sum(1 for c in neg if c >= t) / max(1, len(neg))
        if tpr - fpr > best["j"]:
            best = {"threshold": t, "j": round(tpr - fpr, 4), "tpr": round(tpr, 4),
                    "fpr": round(fpr, 4)}
    return {**best, "answerable": len(pos), "unanswerable": len(neg)}
