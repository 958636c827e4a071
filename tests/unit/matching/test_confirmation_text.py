"""The text a concept found by embedding is confirmed on (issue 17, item 11).

`Matcher.checked_text`: see its docstring.

It is the dense query's own text (question + labels of the concepts it names) without what can
mislead the embedding, and nothing else: cutting pronouns and modals too, and dropping the
labels, lost true concepts of ordinary questions (hybrid R@5 nl 0.838 -> 0.819 on the first 104
eval questions) and cost an encoding for most questions.
"""

from __future__ import annotations

from typing import Any

import pytest

from core.settings import MatchSettings
from matching.matcher import Matcher
from ontology.taxonomy import Taxonomy, load_taxonomy

ASKING_NL = ("Wij zoeken een partij die onbemande vliegtuigen kan leveren voor verkenning boven "
             "de Noordzee")
HEAVY_DRONE = "Zware drone die tot twintig kilo lading kan meenemen"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    tax: Taxonomy = load_taxonomy()
    nothing: Any = None  # checked_text needs neither the graph nor the encoder
    return Matcher(nothing, nothing, tax, MatchSettings())


def _checked(matcher: Matcher, question: str, cid: str, lang: str = "nl") -> str:
    return matcher.checked_text(question, lang, matcher.question_hits(question), cid)


def test_nothing_with_a_topic_to_leave_out_is_the_dense_query(matcher: Matcher) -> None:
    # "kan" has no topic: uncrewed systems is checked on what the dense query encoded
    hits = matcher.question_hits(HEAVY_DRONE)
    assert _checked(matcher, HEAVY_DRONE, "uncrewed-systems") == matcher.expanded(
        HEAVY_DRONE, hits) == HEAVY_DRONE + " (Drones, Drones and UAVs)"


def test_look_alikes_go_with_the_labels_they_name(matcher: Matcher) -> None:
    # "drone" is only the first part of dronebestrijding, and its labels go with it
    assert _checked(matcher, HEAVY_DRONE, "counter-drone") == (
        "Zware die tot twintig kilo lading kan meenemen")


def test_topical_words_of_asking_go_the_labels_of_what_is_asked_stay(matcher: Matcher) -> None:
    assert _checked(matcher, ASKING_NL, "uncrewed-systems") == (
        "Wij een die onbemande vliegtuigen kan voor verkenning boven de Noordzee "
        "(Drones, Drones and UAVs)")
    # "onbemande vliegtuigen" names Drones, a look-alike of dronebestrijding
    assert _checked(matcher, ASKING_NL, "counter-drone") == (
        "Wij een die kan voor verkenning boven de Noordzee")
    # "vliegtuigen" is only the first part of vliegtuigonderdelen; the label it is part of
    # ("onbemande vliegtuigen") adds no labels either
    assert _checked(matcher, ASKING_NL, "aircraft-components") == (
        "Wij een die onbemande kan voor verkenning boven de Noordzee")


def test_english_has_no_compound_look_alikes(matcher: Matcher) -> None:
    q = "We are looking for a supplier that can provide unmanned aircraft for reconnaissance"
    assert _checked(matcher, q, "aircraft-components", "en") == (
        "We are for a that can unmanned aircraft for reconnaissance")
