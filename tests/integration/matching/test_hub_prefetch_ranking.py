"""Issue 22: the hub penalty's embeddings ride along with the dense query when the matcher
expects unscored candidates (one round trip, not two). The ranking is the same, to the byte,
as with the separate fetch, on the seed graph, with and without filters."""

from __future__ import annotations

from typing import Any

import pytest
from neo4j import Driver

from core.settings import MatchSettings
from matching.encoders.base import Encoder
from matching.hubs import HubPenalties, forget
from matching.matcher import Matcher
from matching.models import MatchFilters, MatchRequest
from ontology.taxonomy import load_taxonomy
from tests.conftest import seed_graph

QUESTIONS = [
    "lichtgewicht ballistische bescherming voor voertuigen",
    "counter-drone detection for an airfield",
    "precision machined titanium parts for aircraft",
    "elektromotoren voor marineschepen",
]
FILTERS = [MatchFilters(), MatchFilters(min_employees=10), MatchFilters(verified_only=True)]


def _rankings(m: Matcher) -> list[Any]:
    out = []
    for q in QUESTIONS:
        for f in FILTERS:
            res = m.match(MatchRequest(question=q, filters=f, top_k=20))
            out.append([(h.id, h.score, h.explanation) for h in res.hits])
    return out


def test_embeddings_with_the_dense_query_rank_as_the_separate_fetch(
        driver: Driver, encoder: Encoder, monkeypatch: pytest.MonkeyPatch) -> None:
    seed_graph(driver, encoder)
    m = Matcher(driver, encoder, load_taxonomy(), MatchSettings())
    assert m.s.hub_penalty > 0
    forget(driver)
    fetched: list[list[str]] = []
    separate = m._supply_embeddings
    m._supply_embeddings = lambda keys: (  # type: ignore[method-assign]
        fetched.append(keys), separate(keys))[1]
    prefetched = _rankings(m)
    separately = len(fetched)
    forget(driver)
    monkeypatch.setattr(HubPenalties, "expects_misses", lambda self: False)
    before = _rankings(m)  # the path before: a second round trip for the embeddings
    assert separately < len(fetched) - separately  # fewer second round trips
    assert any(before) and prefetched == before
