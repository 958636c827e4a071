"""RDF export/import of the supply kinds (issue 19) against the real Neo4j: sites are
schema:Place with geo coordinates, programmes schema:EducationalOccupationalProgram, their
attributes and links are in the file, the export conforms to the supply shapes, and export ->
empty graph -> import -> export is isomorphic with the supply nodes (labels, provenance, text
fields) restored."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pyshacl
from neo4j import Driver
from rdflib import RDF, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, PROV

from graph.schema import apply_schema, clear_graph
from ingest.rdf.export import export_rdf, serialize
from ingest.rdf.import_ import import_rdf
from ingest.seed import load_seed, read_seed_csv
from ontology.concepts import shapes_graph
from ontology.vocab import GEO, PA, SCHEMA, iri_for
from tests.conftest import TEST_EMBEDDING, unavailable

SUPPLY_STATE = """
MATCH (n:Supply) WHERE NOT n:Company
RETURN n.id AS id, labels(n) AS labels,
       n {.*, embedding: null, embedding_hash: null, record_hash: null} AS props,
       [(n)-[r]->(m) | type(r) + '>' + coalesce(m.id, m.kvk_number)] AS rels
ORDER BY id
"""


def _state(driver: Driver) -> list[tuple[Any, ...]]:
    records, _, _ = driver.execute_query(SUPPLY_STATE)
    return [(r["id"], sorted(r["labels"]), sorted(r["props"].items(), key=str),
             sorted(r["rels"])) for r in records]


def test_supply_kinds_in_rdf_and_round_trip(driver: Driver, tmp_path: Path) -> None:
    load_seed(driver)
    g = export_rdf(driver)

    rundedal = iri_for("site", "rundedal")
    assert (rundedal, RDF.type, PA.Site) in g and (rundedal, RDF.type, SCHEMA.Place) in g
    assert float(g.value(rundedal, PA.areaHa)) == 150.0  # type: ignore[arg-type]
    assert g.value(rundedal, GEO.lat) is not None and g.value(rundedal, GEO.long) is not None
    assert set(g.objects(iri_for("site", "euroterminal-coevorden"), PA.access)) == {
        Literal("road"), Literal("rail"), Literal("water")}
    assert (iri_for("site", "business-park-bravo"), PA.partOf,
            iri_for("site", "groningen-airport-eelde")) in g
    fac = iri_for("supply-facility", "gae-waterstof-testlocatie")
    assert (fac, RDF.type, PA.Facility) in g
    assert (fac, PA.locatedAt, iri_for("site", "groningen-airport-eelde")) in g
    ad = iri_for("programme", "associate-degree-cybersafety")
    assert (ad, RDF.type, SCHEMA.EducationalOccupationalProgram) in g
    assert (ad, PA.level, Literal("HBO")) in g
    assert (ad, PA.providedBy, iri_for("institution", "nhl-stenden")) in g
    assert (iri_for("institution", "astron"), PA.memberOf,
            iri_for("cluster", "cluster-sensortechnologie")) in g
    assert (iri_for("company", "99000012"), PA.partOf,
            iri_for("site", "groningen-airport-eelde")) in g
    n_supply = sum(len(read_seed_csv(f)) for f in (
        "sites.csv", "facilities.csv", "programmes.csv", "knowledge_institutions.csv"))
    kinds = (PA.Site, PA.Facility, PA.Programme, PA.KnowledgeInstitution)
    subjects = {s for k in kinds for s in g.subjects(RDF.type, k)}
    assert len(subjects) == n_supply
    for s in subjects:  # provenance on every supply node
        assert g.value(s, DCTERMS.source) is not None, s
        assert g.value(s, PROV.generatedAtTime) is not None, s
        assert str(g.value(s, PROV.wasDerivedFrom)).startswith("ni:///sha-256;"), s
        preds = {str(p) for p in g.predicates(s)}
        assert not any(p.endswith(("embedding", "concept_terms", "record_hash")) for p in preds)

    conforms, _, report = pyshacl.validate(g, shacl_graph=shapes_graph(), inference="none")
    assert conforms, report

    rapper = shutil.which("rapper")
    text = serialize(g, "turtle")
    if rapper is not None:
        path = tmp_path / "supply.ttl"
        path.write_text(text, encoding="utf-8")
        run = subprocess.run([rapper, "-i", "turtle", "-c", str(path)], capture_output=True,
                             text=True, timeout=120)
        assert run.returncode == 0, run.stderr
        assert not [x for x in run.stderr.splitlines()
                    if "error" in x.lower() or "warning" in x.lower()], run.stderr

    before = _state(driver)
    clear_graph(driver)
    apply_schema(driver, TEST_EMBEDDING)
    summary = import_rdf(driver, text, "turtle")
    assert summary["Site"] == len(read_seed_csv("sites.csv"))
    assert summary["Programme"] == len(read_seed_csv("programmes.csv"))
    assert summary["ignored_triples"] == 0
    assert isomorphic(g, export_rdf(driver)), "export -> import -> export differs"
    assert _state(driver) == before
    records, _, _ = driver.execute_query(
        "MATCH (c:Company) WHERE NOT c:Supply RETURN count(c) AS n")
    assert records[0]["n"] == 0


def test_rapper_is_there_in_ci() -> None:
    if shutil.which("rapper") is None:
        unavailable("rapper (raptor2-utils) is not installed")
