"""The matcher against the real graph and the real multilingual encoder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from neo4j import Driver
from pydantic import ValidationError

from core.settings import MatchSettings
from graph.errors import SchemaError
from graph.schema import EmbeddingSpec, apply_schema
from ingest.companies import CompanyRecord, RunContext, write_companies
from ingest.seed import load_seed
from matching.encoders.base import Encoder
from matching.encoders.cache import EmbeddingCache
from matching.encoders.registry import get_encoder
from matching.errors import MatchError
from matching.matcher import Matcher
from matching.models import MatchFilters, MatchRequest
from ontology.taxonomy import load_taxonomy
from tests.conftest import Neo4jTarget

COMPANIES = [
    # described only in English
    CompanyRecord(kvk_number="70000001", name="Lowlight Optics",
                  description="We design and build image intensifier tubes and night vision "
                              "goggles for soldiers and vehicle crews.", municipality="assen"),
    # described only in Dutch
    CompanyRecord(kvk_number="70000002", name="Vezelschild",
                  description="Wij produceren lichtgewicht kogelwerende panelen van aramide en "
                              "keramiek voor de bepantsering van voertuigen.",
                  municipality="emmen"),
    # distractors that share words, not meaning
    CompanyRecord(kvk_number="70000003", name="Nightvision Club",
                  description="The biggest night club in Emmen: DJs, drinks and a light show "
                              "every weekend.", municipality="emmen"),
    CompanyRecord(kvk_number="70000004", name="Pantserbakkerij",
                  description="Ambachtelijke bakker met ons beroemde pantserbrood met een "
                              "dikke korst, elke ochtend vers.", municipality="hoogeveen"),
    CompanyRecord(kvk_number="70000005", name="Hemelwacht",
                  description="Radar and RF sensors that detect and track small drones "
                              "approaching airports and military bases.", municipality="tynaarlo"),
]


@pytest.fixture
def graph(driver: Driver, encoder: Encoder, cache: EmbeddingCache) -> Iterator[Driver]:
    apply_schema(driver, EmbeddingSpec(encoder.name, encoder.dimension))
    tax = load_taxonomy()
    load_seed(driver, encoder=encoder, taxonomy=tax, cache=cache)
    write_companies(driver, COMPANIES, tax, RunContext(source="test"), encoder=encoder,
                    cache=cache)
    yield driver


@pytest.fixture
def matcher(graph: Driver, encoder: Encoder) -> Matcher:
    return Matcher(graph, encoder, load_taxonomy(), MatchSettings())


def top(matcher: Matcher, question: str, k: int = 5, **filters: object) -> list[str]:
    res = matcher.match(MatchRequest(question=question, top_k=k,
                                     filters=MatchFilters(**filters)))  # type: ignore[arg-type]
    return [h.kvk_number for h in res.hits]


def test_dutch_question_finds_supplier_described_in_english(matcher: Matcher) -> None:
    ranked = top(matcher, "Wij zoeken nachtzichtapparatuur voor voertuigbemanningen")
    assert ranked[0] in {"70000001", "99000008"}  # Lowlight (en only) or Exosens
    assert "70000001" in ranked[:2]
    assert ranked.index("70000001") < ranked.index("70000003") if "70000003" in ranked else True


def test_english_question_finds_supplier_described_in_dutch(matcher: Matcher) -> None:
    ranked = top(matcher, "lightweight ballistic protection panels for vehicles")
    assert "70000002" in ranked[:2]
    assert "70000004" not in ranked[:3]


def test_filters_rank_everything_that_passes(matcher: Matcher) -> None:
    # Hoogeveen holds only the bakery and GKN: the filter must still return them, ranked,
    # even though neither would make an unfiltered top 3.
    ranked = top(matcher, "nachtzicht", k=5, municipalities=["hoogeveen"])
    assert set(ranked) == {"70000004", "99000002"}
    # Westerveld has no company (its barracks at Havelte are a site since issue 19)
    assert top(matcher, "nachtzicht", k=5, municipalities=["westerveld"],
               kinds=["company"]) == []
    sensors = top(matcher, "drones detecteren bij een vliegveld", k=10,
                  nld_areas=["sensoren"])
    assert "70000005" in sensors[:3]


def test_explanation_is_faithful(matcher: Matcher, graph: Driver) -> None:
    req = MatchRequest(question="kogelwerende bepantsering voor voertuigen", top_k=5)
    hit = next(h for h in matcher.match(req).hits if h.kvk_number == "70000002")
    exp = hit.explanation
    assert {"concepts", "graph_paths", "lexical_terms", "phrases", "scores"} <= set(exp)
    held = {c["held"] for c in exp["concepts"]}
    assert held & {"vehicle-armour", "ballistic-protection"}
    assert any("Vezelschild" in p and "HAS_CAPABILITY" in p for p in exp["graph_paths"])
    assert exp["phrases"] and exp["phrases"][0]["highlights"]
    for phrase in exp["phrases"]:  # a highlight never ends inside a word
        for _, end, _ in phrase["highlights"]:
            assert end == len(phrase["text"]) or not phrase["text"][end].isalnum(), phrase
    assert exp["scores"]["graph"] > 0 and exp["scores"]["final"] == hit.score

    # remove the capability edges: that reason (and its graph score) must go
    graph.execute_query("MATCH (:Company {kvk_number: '70000002'})-[r:HAS_CAPABILITY]->() "
                        "DELETE r")
    hit2 = next(h for h in matcher.match(req).hits if h.kvk_number == "70000002")
    assert hit2.explanation["concepts"] == [] and hit2.explanation["graph_paths"] == []
    assert hit2.explanation["scores"]["graph"] == 0
    assert hit2.score < hit.score


def test_ontology_bridges_a_dutch_supplier_to_an_english_question(
        graph: Driver, encoder: Encoder, cache: EmbeddingCache) -> None:
    # "stoorzenders" (nl) and "jammer" (en) share no word; the electronic-warfare concept
    # holds both as labels, so the supplier is inferred to hold it and the question names it.
    tax = load_taxonomy()
    write_companies(graph, [CompanyRecord(
        kvk_number="70000006", name="Stoorveld",
        description="Wij leveren draagbare stoorzenders die de besturingssignalen van "
                    "onbemande toestellen onderbreken.", municipality="emmen")],
        tax, RunContext(source="test"), encoder=encoder, cache=cache)
    res = Matcher(graph, encoder, tax, MatchSettings()).match(
        MatchRequest(question="handheld jammer against hostile quadcopters", top_k=5))
    assert "electronic-warfare" in {c["id"] for c in res.concepts}
    hit = next(h for h in res.hits if h.kvk_number == "70000006")
    assert hit.rank <= 3, [h.name for h in res.hits]
    ew = [c for c in hit.explanation["concepts"] if c["id"] == "electronic-warfare"]
    assert ew and ew[0]["via"] == "direct" and ew[0]["label"] == "Electronic warfare"
    assert any("Stoorveld via HAS_CAPABILITY (inferred" in p
               for p in hit.explanation["graph_paths"])


def test_demand_question_is_kept(matcher: Matcher, graph: Driver) -> None:
    req = MatchRequest(question="actieve gehoorbescherming voor schietbanen", top_k=3)
    res = matcher.match(req)
    qid = matcher.store(res, req, owner="tester")
    rows, _, _ = graph.execute_query(
        "MATCH (d:DemandQuestion {id: $id})-[m:MATCHED]->(c:Company) "
        "RETURN d.question AS q, d.owner AS o, m.rank AS rank, c.kvk_number AS kvk "
        "ORDER BY rank", id=qid)
    assert [r["kvk"] for r in rows] == [h.kvk_number for h in res.hits]
    assert rows[0]["q"] == req.question and rows[0]["o"] == "tester"
    assert rows[0]["kvk"] == "99000005"  # Dopple: active hearing protection


def test_empty_graph_gives_a_clear_message(driver: Driver, encoder: Encoder) -> None:
    m = Matcher(driver, encoder, load_taxonomy())
    with pytest.raises(MatchError, match="no companies"):
        m.match(MatchRequest(question="drones"))


@pytest.mark.parametrize("question", ["", "   ", "x" * 1001, "1234 !!! 5678", None, 42])
def test_bad_questions_are_refused(question: object) -> None:
    with pytest.raises(ValidationError):
        MatchRequest(question=question)  # type: ignore[arg-type]


def test_model_change_requires_reindex(graph: Driver) -> None:
    minilm = get_encoder("minilm")
    with pytest.raises(SchemaError, match="paraat reindex"):
        apply_schema(graph, EmbeddingSpec(minilm.name, minilm.dimension))


def test_cli_json_prints_only_json(graph: Driver, neo4j_target: Neo4jTarget) -> None:
    env = {**os.environ, "NEO4J_URI": neo4j_target.uri,
           "NEO4J_PASSWORD": neo4j_target.password}
    r = subprocess.run([sys.executable, "-m", "app.cli", "match",
                        "counter-drone detection for an airfield", "--top", "3", "--json"],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    hits = json.loads(r.stdout)
    assert len(hits) == 3
    assert {"kvk_number", "name", "score", "explanation"} <= set(hits[0])
    assert hits[0]["kvk_number"] == "70000005"
