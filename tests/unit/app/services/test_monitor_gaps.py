"""The supply-gap rules, the acquisition sectors, the threshold calibrations and the KPI
helpers of issue 21, on hand-made rows (the graph side is in
tests/integration/app/api/test_monitor_api.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.services import gaps, kpis


def row(qid: str, cos: list[float], *, matched: int | None = None, served: bool = False,
        areas: list[str] | None = None, caps: list[str] | None = None,
        at: str = "2026-03-04T10:00:00Z") -> dict[str, Any]:
    return {"id": qid, "created_at": at, "areas": areas or [], "capabilities": caps or [],
            "qualities": cos, "matched": len(cos) if matched is None else matched,
            "served": served}


def test_weak_thin_and_served_questions() -> None:
    rows = [row("ok", [0.9, 0.85]), row("weak", [0.7]), row("thin", [0.9, 0.5]),
            row("none", []), row("old", [], matched=3), row("served", [0.6], served=True)]
    g = gaps.gaps(rows, 0.8, 2)
    reasons = {i["id"]: i["reason"] for i in g["items"]}
    assert reasons == {"weak": "weak", "thin": "thin", "none": "weak", "served": "weak"}
    assert g["questions"] == 6 and g["assessed"] == 5  # "old" has no cosines: not assessed
    assert g["gaps"] == 4 and g["open_gaps"] == 3
    # N = 1: a single good match is enough
    assert gaps.gaps(rows, 0.8, 1)["gaps"] == 3


def test_groups_by_area_capability_sector_and_month() -> None:
    rows = [row("a", [0.5], areas=["sensoren"], caps=["radar"]),
            row("b", [0.5], areas=["slimme-materialen"], caps=["green-chemistry"],
                at="2026-04-01T00:00:00Z"),
            row("c", [0.5], caps=["functional-nutrition"]),
            row("d", [0.5], caps=["medical-diagnostics", "machining"])]
    g = gaps.gaps(rows, 0.8, 1)
    sectors = {s["id"]: s["gaps"] for s in g["by_sector"]}
    assert sectors == {"groene-chemie": 1, "agrofood": 1, "biomedische-technologie": 1,
                       "maakindustrie": 1, "overig": 1}  # radar is no acquisition sector
    assert {a["id"]: a["gaps"] for a in g["by_nld_area"]} == {
        "sensoren": 1, "slimme-materialen": 1, "onbekend": 2}
    assert [m["month"] for m in g["by_month"]] == ["2026-03", "2026-04"]
    assert next(s for s in g["by_sector"] if s["id"] == "agrofood")["name_en"] == "Agrifood"


def test_every_acquisition_sector_shows_without_demand() -> None:
    assert {s["id"] for s in gaps.gaps([], 0.8, 2)["by_sector"]} == set(gaps.SECTORS)


def test_calibrations() -> None:
    pairs = [(0.9, True), (0.85, True), (0.8, False), (0.7, False), (0.86, False)]
    best = gaps.calibrate(pairs)
    assert best["threshold"] == 0.85 and best["recall"] == 1.0
    per_q = [[(0.9, True), (0.8, False)], [(0.88, True), (0.7, False)],
             [(0.75, True), (0.86, False)]]
    q = gaps.calibrate_questions(per_q)
    assert q["answerable"] == 3 and q["unanswerable"] == 3
    assert 0.75 < q["threshold"] <= 0.88 and q["j"] > 0


@pytest.mark.parametrize("first,notes,hours", [
    ("2026-01-01T12:00:00Z", [], 2.0),
    (None, [json.dumps({"at": "2026-01-01T14:00:00+00:00"}),
            json.dumps({"at": "2026-01-01T13:00:00+00:00"})], 3.0),
    (None, [], None),
])
def test_first_response_and_median(first: str | None, notes: list[str],
                                   hours: float | None) -> None:
    r = {"desk_id": None, "desk_name_nl": None, "desk_name_en": None,
         "created_at": "2026-01-01T10:00:00Z", "first_response_at": first, "notes": notes}
    desk = kpis.loket_per_desk([r])[0]
    assert desk["desk"] == kpis.NO_DESK and desk["submissions"] == 1
    assert desk["median_hours_to_first_response"] == hours


def test_csv_rows_cover_every_section() -> None:
    k = {"companies_per_month": [{"month": "2026-01", "registered": 2, "verified": 1}],
         "loket_per_desk": [{"desk": "x", "submissions": 1, "responded": 1,
                             "median_hours_to_first_response": 2.0}],
         "demand_per_month": [{"month": "2026-01", "asked": 3, "answered": 2}],
         "introductions": [{"status": "voorgesteld", "current": 1, "reached": 1}],
         "gaps": 1, "open_gaps": 1}
    sections = {r["section"] for r in kpis.rows_for_csv(k)}
    assert sections == {"companies", "loket", "demand", "introductions", "gaps"}
