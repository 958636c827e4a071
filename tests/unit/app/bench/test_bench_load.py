"""`paraat bench load`'s new-filter phase: the combinations it sends (pure)."""

from __future__ import annotations

from app.bench.load import FILTER_FIELDS, filter_combinations, new_and_repeated
from matching.models import MatchFilters

CHOICES = {"municipalities": ["emmen", "assen", "meppel"], "clusters": ["greenwise-campus"],
           "nld_areas": ["sensoren", "slimme-materialen"],
           "capabilities": ["night-vision", "radar", "aramid-fibres"]}


def test_each_combination_sets_another_set_of_fields_with_valid_values() -> None:
    combos = filter_combinations(CHOICES, 40)
    assert len(combos) == 40
    field_sets = [frozenset(c) for c in combos]
    assert len(set(field_sets)) == len(combos) and all(field_sets)
    for c in combos:
        MatchFilters(**c)  # a valid request body
        for name, value in c.items():
            if name in CHOICES:
                assert value and set(value) <= set(CHOICES[name])


def test_at_most_every_subset_and_fields_without_choices_left_out() -> None:
    assert len(filter_combinations(CHOICES, 1000)) == 2 ** len(FILTER_FIELDS) - 1
    combos = filter_combinations({**CHOICES, "clusters": []}, 1000)
    assert len(combos) == 2 ** (len(FILTER_FIELDS) - 1) - 1
    assert not any("clusters" in c for c in combos)
    assert filter_combinations(CHOICES, 5, seed=3) == filter_combinations(CHOICES, 5, seed=3)


def test_each_combination_is_new_once_then_repeated_a_gap_later() -> None:

    order = new_and_repeated(10, 4)
    assert sorted(k for kind, k in order if kind == "new") == list(range(10))
    assert sorted(k for kind, k in order if kind == "repeated") == list(range(10))
    for k in range(10):
        first, again = order.index(("new", k)), order.index(("repeated", k))
        assert again - first >= 4
    # the two kinds are spread over the pass, not one block after the other
    kinds = [kind for kind, _ in order]
    assert "repeated" in kinds[: len(kinds) // 2] and "new" in kinds[len(kinds) // 2:]
