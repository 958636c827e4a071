"""The reverse match weighs narrower and broader concepts with `MatchSettings`, the matcher's
own knobs, instead of constants of its own."""

from __future__ import annotations

import pytest

from core.settings import MatchSettings
from matching.reverse import concept_weights
from ontology.taxonomy import load_taxonomy


def test_defaults_are_the_loket_weights_it_had() -> None:
    m = MatchSettings()
    assert (m.w_narrower, m.w_broader) == (0.8, 0.4)
    assert (m.reverse_w_area, m.reverse_w_ecosystem, m.reverse_top) == (0.25, 0.3, 10)


@pytest.mark.parametrize("narrower,broader", [(0.8, 0.4), (0.5, 0.1)])
def test_concept_weights_follow_match_settings(narrower: float, broader: float) -> None:
    taxonomy = load_taxonomy()
    settings = MatchSettings(w_narrower=narrower, w_broader=broader)
    w = concept_weights(taxonomy, {"artificial-intelligence": 0.9}, settings)
    assert w["artificial-intelligence"] == 0.9
    assert w["computer-vision"] == pytest.approx(0.9 * narrower)
    assert w["digital-intelligence"] == pytest.approx(0.9 * broader)


def test_a_concept_found_itself_keeps_its_own_weight() -> None:
    """Found directly and reached as another's broader: the larger weight counts."""
    taxonomy = load_taxonomy()
    w = concept_weights(taxonomy, {"artificial-intelligence": 0.9,
                                   "digital-intelligence": 0.7}, MatchSettings())
    assert w["digital-intelligence"] == 0.7
