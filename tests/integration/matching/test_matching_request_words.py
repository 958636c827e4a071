"""Words of asking and compounds in a real match (issue 17, item 11): the seed companies in a
real Neo4j, the default encoder.

"Wij zoeken een partij die onbemande vliegtuigen kan leveren voor verkenning boven de
Noordzee" read the concept aircraft components into "vliegtuigen" (the embedding of
"leveren" + "vliegtuigen"), ranked GKN Aerospace above the drone company Omnidrones, and showed
"levert", "leverancier" and "Aerospace" as evidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from neo4j import Driver

from core.settings import MatchSettings
from graph.schema import EmbeddingSpec, apply_schema
from ingest.seed import load_seed
from matching import lexical
from matching.encoders.base import Encoder
from matching.encoders.cache import EmbeddingCache
from matching.matcher import Matcher
from matching.models import MatchRequest, MatchResult
from ontology.taxonomy import load_taxonomy

OMNIDRONES, GKN = "99000012", "99000002"
QUESTIONS = [
    "Wij zoeken een partij die onbemande vliegtuigen kan leveren voor verkenning boven de "
    "Noordzee",
    "We are looking for a supplier that can provide unmanned aircraft for reconnaissance "
    "over the North Sea",
]


@pytest.fixture
def matcher(driver: Driver, encoder: Encoder, cache: EmbeddingCache) -> Iterator[Matcher]:
    apply_schema(driver, EmbeddingSpec(encoder.name, encoder.dimension))
    tax = load_taxonomy()
    load_seed(driver, encoder=encoder, taxonomy=tax, cache=cache)
    yield Matcher(driver, encoder, tax, MatchSettings())


def _evidence_words(res: MatchResult) -> list[str]:
    """Every word shown as a reason: matched terms, highlighted words, question concepts."""
    words: list[str] = []
    for h in res.hits:
        exp = h.explanation
        words += exp["lexical_terms"]
        for phrase in exp["phrases"]:
            words += [phrase["text"][a:b] for a, b, _ in phrase["highlights"]]
    words += [c["matched"] for c in res.concepts if c["via"] == "label"]
    return [w for text in words for w in re.findall(r"[^\W_]+", text)]


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_drone_question_ranks_the_drone_maker_above_aircraft_parts(
        matcher: Matcher, question: str) -> None:
    res = matcher.match(MatchRequest(question=question, top_k=12))
    ranked = [h.kvk_number for h in res.hits]
    assert ranked.index(OMNIDRONES) < ranked.index(GKN), [h.name for h in res.hits]
    concepts = {c["id"] for c in res.concepts}
    assert "aircraft-components" not in concepts, res.concepts
    assert concepts & {"drones-uav", "uncrewed-systems"}, res.concepts


@pytest.mark.parametrize("question", QUESTIONS)
def test_words_of_asking_are_no_evidence(matcher: Matcher, question: str) -> None:
    res = matcher.match(MatchRequest(question=question, top_k=12))
    shown = _evidence_words(res)
    assert not [w for w in shown if lexical.is_request_word(w)], shown
    gkn = next(h for h in res.hits if h.kvk_number == GKN).explanation
    highlighted = [p["text"][a:b] for p in gkn["phrases"] for a, b, _ in p["highlights"]]
    assert not {"levert", "leverancier", "Aerospace", "supplier"} & set(highlighted), gkn
    assert not {"leveren", "provide", "supplier", "partij"} & set(gkn["lexical_terms"]), gkn


def test_the_dutch_question_names_drones_by_their_inflected_label(matcher: Matcher) -> None:
    # "onbemande vliegtuigen" is the label "onbemand vliegtuig", inflected: found by label.
    res = matcher.match(MatchRequest(question=QUESTIONS[0], top_k=5))
    label = [c for c in res.concepts if c["via"] == "label"]
    assert [(c["id"], c["matched"]) for c in label] == [("drones-uav", "onbemande vliegtuigen")]
