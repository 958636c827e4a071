"""The KPIs of the agenda's "connections made" (issue 21): companies registered and verified
per month, loket submissions and the median time to a first response per desk, demand
questions asked and answered (>= 1 good match) per month, introductions per stage and the
open supply gaps. Aggregates only: nothing here names a person, so the policy role reads it.
`rows_for_csv` flattens it for the CSV export."""

from __future__ import annotations

import json
import logging
import statistics
from collections import defaultdict
from datetime import datetime
from typing import Any

from app.services import gaps as gaps_service
from app.services.introductions import STATUSES
from core.settings import MonitorSettings
from graph.repositories.kpis import KpiRepository

log = logging.getLogger(__name__)

NO_DESK = "geen-loket"


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        # Neo4j's toString of a datetime may carry a zone name: "…+01:00[Europe/Amsterdam]"
        return datetime.fromisoformat(value.split("[")[0].replace("Z", "+00:00"))
    except ValueError:
        return None


def first_response(row: Any) -> datetime | None:
    """`first_response_at` when the loket records it, else the time of its first triage
    note."""
    t = _time(row["first_response_at"])
    if t is not None:
        return t
    times = [_time(json.loads(n).get("at")) for n in row["notes"] or []]
    found = [x for x in times if x is not None]
    return min(found) if found else None


def loket_per_desk(rows: list[Any]) -> list[dict[str, Any]]:
    desks: dict[str, dict[str, Any]] = {}
    hours: dict[str, list[float]] = defaultdict(list)
    for r in rows:
        key = r["desk_id"] or NO_DESK
        d = desks.setdefault(key, {"desk": key,
                                   "name_nl": r["desk_name_nl"] or "Niet doorgezet",
                                   "name_en": r["desk_name_en"] or "Not routed",
                                   "submissions": 0, "responded": 0})
        d["submissions"] += 1
        created, first = _time(r["created_at"]), first_response(r)
        if created is not None and first is not None:
            d["responded"] += 1
            hours[key].append(max(0.0, (first - created).total_seconds() / 3600))
    for key, d in desks.items():
        d["median_hours_to_first_response"] = (round(statistics.median(hours[key]), 2)
                                               if hours[key] else None)
    return sorted(desks.values(), key=lambda d: d["desk"])


def kpis(repo: KpiRepository, settings: MonitorSettings) -> dict[str, Any]:
    months: dict[str, dict[str, int]] = defaultdict(lambda: {"registered": 0, "verified": 0})
    for r in repo.registrations_per_month():
        months[r["month"]]["registered"] = int(r["n"])
    for r in repo.verified_per_month():
        months[r["month"]]["verified"] = int(r["n"])

    quality = repo.demand_quality()
    demand: dict[str, dict[str, int]] = defaultdict(lambda: {"asked": 0, "answered": 0})
    for r in quality:
        m = demand[(r["created_at"] or "")[:7]]
        m["asked"] += 1
        m["answered"] += any(float(x) >= settings.good_match_cosine for x in r["qualities"])
    g = gaps_service.gaps(quality, settings.good_match_cosine, settings.min_good_matches)

    current = {s: 0 for s in STATUSES}
    reached = {s: 0 for s in STATUSES}
    for r in repo.introductions_per_stage():
        current[r["status"]] = current.get(r["status"], 0) + int(r["n"])
        reached["voorgesteld"] += int(r["n"])
        reached["geaccepteerd"] += int(r["reached_geaccepteerd"])
        reached["gesprek"] += int(r["reached_gesprek"])
        reached["vervolg"] += int(r["reached_vervolg"])
    reached["afgewezen"] = current["afgewezen"]
    return {
        "threshold": settings.good_match_cosine,
        "companies_per_month": [{"month": k, **v} for k, v in sorted(months.items())],
        "loket_per_desk": loket_per_desk(repo.loket_responses()),
        "demand_per_month": [{"month": k, **v} for k, v in sorted(demand.items())],
        "demand_asked": sum(v["asked"] for v in demand.values()),
        "demand_answered": sum(v["answered"] for v in demand.values()),
        "introductions": [{"status": s, "current": current[s], "reached": reached[s]}
                          for s in STATUSES],
        "introductions_per_month": [{"month": r["month"], "introduced": int(r["n"])}
                                    for r in repo.introductions_per_month()],
        "gaps": g["gaps"], "open_gaps": g["open_gaps"],
    }


def rows_for_csv(k: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per figure: section, group (desk, stage; empty when none), month, metric,
    value."""
    out: list[dict[str, Any]] = []

    def add(section: str, group: str, month: str, metric: str, value: Any) -> None:
        out.append({"section": section, "group": group, "month": month, "metric": metric,
                    "value": value})

    for m in k["companies_per_month"]:
        add("companies", "", m["month"], "registered", m["registered"])
        add("companies", "", m["month"], "verified", m["verified"])
    for d in k["loket_per_desk"]:
        add("loket", d["desk"], "", "submissions", d["submissions"])
        add("loket", d["desk"], "", "responded", d["responded"])
        add("loket", d["desk"], "", "median_hours_to_first_response",
            d["median_hours_to_first_response"])
    for m in k["demand_per_month"]:
        add("demand", "", m["month"], "asked", m["asked"])
        add("demand", "", m["month"], "answered", m["answered"])
    for i in k["introductions"]:
        add("introductions", i["status"], "", "current", i["current"])
        add("introductions", i["status"], "", "reached", i["reached"])
    add("gaps", "", "", "gaps", k["gaps"])
    add("gaps", "", "", "open_gaps", k["open_gaps"])
    return out
