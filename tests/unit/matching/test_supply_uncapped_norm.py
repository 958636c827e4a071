"""Supply scored on the companies' scale keeps its own order above their best (matcher._norm)."""

from __future__ import annotations

from matching.fusion import _norm


def test_supply_above_the_companies_best_is_not_tied_at_one() -> None:
    values = {"c1": 0.80, "c2": 0.60, "site-a": 0.95, "site-b": 0.90}
    companies = {"c1": 0.80, "c2": 0.60}
    clipped = _norm(values, 0.5, companies)
    assert clipped["site-a"] == clipped["site-b"] == 1.0  # the order between them is lost
    kept = _norm(values, 0.5, companies, lambda k: k.startswith("site"))
    assert kept["site-a"] > kept["site-b"] > kept["c1"] == 1.0
    assert kept["c2"] == clipped["c2"]  # the companies are scored as before
    assert kept["site-a"] == (0.95 - 0.5) / (0.80 - 0.5)


def test_below_the_floor_still_scores_zero() -> None:
    kept = _norm({"c": 1.0, "s": 0.1}, 0.5, {"c": 1.0}, lambda k: k == "s")
    assert kept["s"] == 0.0
