"""The SHACL shapes of the supply kinds (issue 19), one minimal valid node per kind and the
rules that must catch a bad value, on RDF as ingest/rdf writes it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from ontology.validation import validate_graph
from ontology.vocab import GEO, PA, SCHEMA, iri_for

SRC = Literal("Drentse Agenda Defensie en Veiligheid (1 juli 2025), Pijler 1")
NL = Literal("Een Nederlandse omschrijving die lang genoeg is voor de regel.", lang="nl")
# rdflib.XSD at module level upsets pytest's collector (it probes every module name).
DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")
EN = Literal("An English description that is long enough for the rule here.", lang="en")


def _common(g: Graph, s: URIRef, cls: URIRef, kind: str) -> None:
    g.add((s, RDF.type, cls))
    g.add((s, SCHEMA.name, Literal("Naam")))
    g.add((s, PA.description, NL))
    g.add((s, SCHEMA.description, EN))
    g.add((s, DCTERMS.source, SRC))
    g.add((s, SCHEMA.additionalType, Literal(kind)))


def valid() -> tuple[Graph, dict[str, URIRef]]:
    g = Graph()
    site, fac = iri_for("site", "terrein"), iri_for("supply-facility", "fabriek")
    ki, prog = iri_for("institution", "school"), iri_for("programme", "minor")
    cap = iri_for("capability", "industrial-land")
    _common(g, site, PA.Site, "industrial-site")
    g.add((site, PA.status, Literal("available")))
    g.add((site, PA.coUse, Literal("none")))
    g.add((site, PA.access, Literal("road")))
    g.add((site, PA.access, Literal("rail")))
    g.add((site, PA.areaHa, Literal("150", datatype=DECIMAL)))
    g.add((site, GEO.lat, Literal("52.78", datatype=DECIMAL)))
    g.add((site, GEO.long, Literal("6.9", datatype=DECIMAL)))
    g.add((site, PA.hasCapability, cap))
    _common(g, fac, PA.Facility, "production")
    g.add((fac, PA.status, Literal("running")))
    g.add((fac, PA.locatedAt, site))
    g.add((fac, PA.operatedBy, ki))
    g.add((fac, PA.hasCapability, iri_for("capability", "contract-manufacturing")))
    _common(g, ki, PA.KnowledgeInstitution, "university")
    _common(g, prog, PA.Programme, "education")
    g.add((prog, PA.level, Literal("HBO")))
    g.add((prog, PA.status, Literal("in_development")))
    g.add((prog, PA.providedBy, ki))
    g.add((prog, PA.hasCapability, iri_for("capability", "reservist-training")))
    return g, {"site": site, "facility": fac, "institution": ki, "programme": prog}


def test_a_valid_node_of_every_kind_conforms() -> None:
    g, _ = valid()
    assert validate_graph(g) == {}


def _set(node: str, pred: URIRef, value: Literal | URIRef | None
         ) -> Callable[[Graph, dict[str, URIRef]], None]:
    def edit(g: Graph, n: dict[str, URIRef]) -> None:
        g.remove((n[node], pred, None))
        if value is not None:
            g.add((n[node], pred, value))
    return edit


CASES = [
    ("site", _set("site", PA.status, Literal("sold")), "status"),
    ("site", _set("site", PA.coUse, None), "coUse"),
    ("site", _set("site", PA.access, Literal("teleport")), "access"),
    ("site", _set("site", PA.areaHa, Literal("-3", datatype=DECIMAL)), "areaHa"),
    ("site", _set("site", GEO.lat, Literal("12", datatype=DECIMAL)), "lat"),
    ("site", _set("site", PA.hasCapability, None), "hasCapability"),
    ("site", _set("site", PA.hasCapability, iri_for("capability", "teleportation")),
     "hasCapability"),
    ("site", _set("site", SCHEMA.additionalType, Literal("castle")), "additionalType"),
    ("facility", _set("facility", PA.locatedAt, iri_for("institution", "school")), "locatedAt"),
    ("facility", _set("facility", PA.status, Literal("available")), "status"),
    ("facility", _set("facility", SCHEMA.description, None), "description"),
    ("institution", _set("institution", DCTERMS.source, None), "source"),
    ("institution", _set("institution", PA.description, Literal("kort", lang="nl")),
     "description"),
    ("programme", _set("programme", PA.level, Literal("PhD")), "level"),
    ("programme", _set("programme", PA.level, None), "level"),
    ("programme", _set("programme", PA.providedBy, iri_for("site", "terrein")), "providedBy"),
    ("programme", _set("programme", SCHEMA.name, None), "name"),
]


@pytest.mark.parametrize(("node", "edit", "field"), CASES)
def test_each_rule_catches_its_bad_value(
        node: str, edit: Callable[[Graph, dict[str, URIRef]], None], field: str) -> None:
    g, nodes = valid()
    edit(g, nodes)
    problems = validate_graph(g)
    assert set(problems) == {str(nodes[node])}, problems
    fields = {v.field for v in problems[str(nodes[node])]}
    assert field in fields, fields
    assert all(v.message_nl and v.message_en for v in problems[str(nodes[node])])
