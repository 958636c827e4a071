"""One ranking over every kind of supply (issue 19), on the real Neo4j with the seed (sites,
facilities, institutions, programmes and companies) and the real encoder."""

from __future__ import annotations

import pytest
from neo4j import Driver

from core.settings import MatchSettings, Settings
from graph.schema import EmbeddingSpec, apply_schema, clear_graph
from ingest.seed import load_seed
from matching.encoders.base import Encoder
from matching.encoders.cache import EmbeddingCache
from matching.filters import resolve_filters
from matching.matcher import Matcher
from matching.models import MatchFilters, MatchRequest
from ontology.taxonomy import load_taxonomy

pytestmark = pytest.mark.slow


def machine_cache() -> EmbeddingCache:
    """The machine's persistent embedding cache (as `paraat ingest seed` and the browser test
    use): the seed texts are encoded once per machine, not once per run."""
    return EmbeddingCache(Settings().cache_dir / "embeddings")


@pytest.fixture(scope="module")
def matcher(session_driver: Driver, encoder: Encoder) -> Matcher:
    clear_graph(session_driver)
    apply_schema(session_driver, EmbeddingSpec(encoder.name, encoder.dimension))
    tax = load_taxonomy()
    load_seed(session_driver, encoder=encoder, taxonomy=tax, cache=machine_cache())
    return Matcher(session_driver, encoder, tax, MatchSettings())


def ask(m: Matcher, question: str, **filters: object) -> list[dict[str, object]]:
    f = resolve_filters(MatchFilters(**filters), m.driver, m.taxonomy)  # type: ignore[arg-type]
    return [h.model_dump() for h in m.match(MatchRequest(question=question, filters=f)).hits]


def test_100_hectare_by_the_a37_puts_a_site_first_with_its_constraints(matcher: Matcher) -> None:
    m = matcher
    hits = ask(m, "100 hectare bij de A37")
    top = hits[0]
    assert top["kind"] == "site" and "rundedal" in str(top["name"]).lower(), hits[:3]
    assert top["kvk_number"] is None and top["id"]
    assert float(top["attributes"]["area_ha"]) >= 100
    found = {c["kind"]: c for c in top["explanation"]["constraints"]}
    assert found["area"]["asked"] == 100 and found["area"]["met"] is True
    assert found["access"]["asked"] == ["road"] and found["access"]["met"] is True
    assert top["explanation"]["scores"]["constraint"] > 1


def test_training_for_reservists_puts_a_programme_first(matcher: Matcher) -> None:
    m = matcher
    hits = ask(m, "opleiding voor reservisten")
    assert hits[0]["kind"] == "programme", [(h["kind"], h["name"]) for h in hits[:3]]
    assert "reservist" in (str(hits[0]["name"]) + str(hits[0]["explanation"])).lower()
    assert {"level", "status"} & set(hits[0]["attributes"])


def test_a_place_as_topic_gives_the_sites_no_full_weight(matcher: Matcher) -> None:
    # the question asks for cameras; the barracks is where they are for (issue 19)
    hits = ask(matcher, "Camera's en sensoren voor de bewaking rond een kazerne")
    assert hits[0]["kind"] == "company", [(h["kind"], h["name"]) for h in hits[:3]]
    for h in hits:
        cues = h["explanation"]["kind_cues"]
        assert cues["kinds"] == [] and cues["matched"] == {}
        assert cues["prior"] == (1.0 if h["kind"] == "company" else 0.5), h["name"]


def test_the_explanation_shows_the_kind_named(matcher: Matcher) -> None:
    hits = ask(matcher, "opleiding voor reservisten")
    cues = hits[0]["explanation"]["kind_cues"]
    assert cues["kinds"] == ["programme"] and cues["matched"] == {"programme": ["opleiding"]}
    assert cues["prior"] == 1.0
    others = [h for h in hits if h["kind"] not in ("company", "programme")]
    assert all(h["explanation"]["kind_cues"]["prior"] == 0.5 for h in others)


def test_companies_keep_their_kvk_number_and_kind(matcher: Matcher) -> None:
    m = matcher
    hits = ask(m, "Wij zoeken lichtgewicht ballistische bescherming voor voertuigen")
    assert hits[0]["kind"] == "company" and hits[0]["kvk_number"] == hits[0]["id"]
    assert hits[0]["name"].startswith("Teijin")


def test_kind_area_and_access_filters_are_hard(matcher: Matcher) -> None:
    m = matcher
    hits = ask(m, "ruimte voor productie", kinds=["site"])
    assert hits and {h["kind"] for h in hits} == {"site"}
    hits = ask(m, "ruimte voor productie", min_area_ha=100)
    assert hits and all(float(h["attributes"]["area_ha"]) >= 100 for h in hits)
    hits = ask(m, "logistiek knooppunt", access=["spoor"])
    assert hits and all("rail" in h["attributes"]["access"] for h in hits)
    hits = ask(m, "sensoren", kinds=["company", "institution"])
    assert {h["kind"] for h in hits} <= {"company", "institution"}
    assert "institution" in {h["kind"] for h in hits}  # ASTRON, the RUG ...
