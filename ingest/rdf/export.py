"""`paraat export rdf`: the whole graph plus the ontology as one rdflib Graph, serialised."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from neo4j import Driver, Record
from rdflib import RDF, SKOS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV
from rdflib.term import Node

from core.errors import ValidationError
from graph.repositories.rdf import RdfRepository
from ingest.rdf.common import (
    COMPANY_PROPS,
    ENTITY_LABELS,
    ENTITY_PROPS,
    EXTRA_TYPES,
    FORMATS,
    LABEL_KIND,
    LINKS,
    NOT_EXPORTED,
    REL_PREDICATES,
    REVERSED_RELS,
    file_hash_iri,
    normalise_format,
    statement_iri,
)
from ontology.concepts import bind_prefixes
from ontology.taxonomy import load_taxonomy
from ontology.vocab import CAPABILITY_SCHEME, ID, NLD_SCHEME, PA, VANN, iri_for

log = logging.getLogger(__name__)


def _decimal(v: float | int) -> str:
    """xsd:decimal lexical form of a float: the shortest repr, never an exponent."""
    return format(Decimal(repr(float(v))), "f")


def _native(v: Any) -> Any:
    return v.to_native() if hasattr(v, "to_native") else v


def _new_graph() -> Graph:
    """A graph with only the prefixes Paraat uses (rdflib's defaults would take `geo` for
    GeoSPARQL and push WGS84 to `geo1`)."""
    g = Graph(bind_namespaces="core")
    ns = Graph(bind_namespaces="none")
    bind_prefixes(ns)
    for prefix, iri in ns.namespaces():
        g.bind(prefix, iri, override=True, replace=True)
    g.bind("vann", VANN, override=True, replace=True)
    for kind in ("company", "municipality", "cluster", "ecosystem", "institution", "facility",
                 "organisation", "site", "supply-facility", "programme"):
        g.bind(kind, ID[f"{kind}/"], override=True, replace=True)
    return g


def _literals(v: Any, form: str) -> list[Node]:
    """RDF terms for one Neo4j value in its fixed form (empty for null / unusable values)."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return []
    v = _native(v)
    if form == "str":
        return [Literal(str(v))]
    if form in ("nl", "en"):
        return [Literal(str(v), lang=form)]
    if form == "decimal":
        return [Literal(_decimal(v), datatype=XSD.decimal)]
    if form == "integer":
        return [Literal(int(v))]
    if form == "anyURI":
        return [Literal(str(v), datatype=XSD.anyURI)]
    if form == "date":
        return [Literal(v.date() if isinstance(v, datetime) else v, datatype=XSD.date)]
    if form == "dateTime":
        if isinstance(v, str):
            v = datetime.fromisoformat(v)
        if isinstance(v, datetime) and v.tzinfo is None:
            v = v.replace(tzinfo=UTC)
        return [Literal(v, datatype=XSD.dateTime)]
    if form == "list":
        return [Literal(str(x)) for x in v if str(x).strip()]
    if form == "ni":
        iri = file_hash_iri(str(v))
        if iri is None:
            log.warning("file hash %r is not a hex SHA-256; not exported", v)
        return [iri] if iri is not None else []
    raise AssertionError(form)


#: The RDF terms of one Neo4j value in a mapping form (ingest/supply.py checks rows with it).
rdf_terms = _literals


def _add_props(g: Graph, s: URIRef, label: str, props: dict[str, Any],
               mapping: dict[str, tuple[URIRef, str]], unknown: set[str]) -> None:
    for key, value in props.items():
        if key in mapping:
            pred, form = mapping[key]
            for term in _literals(value, form):
                g.add((s, pred, term))
        elif key not in NOT_EXPORTED and value is not None:
            unknown.add(f"{label}.{key}")


def _add_concept(g: Graph, s: URIRef, label: str, props: dict[str, Any]) -> None:
    cls, scheme = ((PA.Capability, CAPABILITY_SCHEME) if label == "Capability"
                   else (PA.NLDArea, NLD_SCHEME))
    g.add((s, RDF.type, cls))
    g.add((s, RDF.type, SKOS.Concept))
    g.add((s, SKOS.inScheme, scheme))
    for lang in ("nl", "en"):
        for key, pred in ((f"label_{lang}", SKOS.prefLabel),
                          (f"definition_{lang}", SKOS.definition)):
            if props.get(key):
                g.add((s, pred, Literal(props[key], lang=lang)))
        for alt in props.get(f"alt_{lang}") or []:
            g.add((s, SKOS.altLabel, Literal(alt, lang=lang)))
    if props.get("source"):
        g.add((s, DCTERMS.source, Literal(props["source"])))


def _node_iri(label: str, key: str) -> URIRef:
    return iri_for(LABEL_KIND[label], key)


#: Export audiences: `public` holds only the fields every company shows everyone, `defence`
#: adds those shown to bizdev, scouts and admins, `all` is everything (admins, backups).
LEVELS = ("public", "defence", "all")
# Company properties and edges that stand for a profile field a company may restrict.
_FIELD_OF_PROP = {"description": "description", "description_en": "description_en",
                  "activity": "activity", "website": "website", "employees": "employees",
                  "sbi_code": "sbi_code"}
_FIELD_OF_REL = {"LOCATED_IN": "municipality", "HAS_CAPABILITY": "capabilities"}


def withheld_at(level: str, props: dict[str, Any]) -> frozenset[str]:
    """The fields of a company (its node's properties) left out of an export for `level`."""
    if level == "all":
        return frozenset()
    out = set(props.get("visibility_hidden") or [])
    if level != "defence":
        out |= set(props.get("visibility_defence") or [])
    return frozenset(out)


def export_rdf(driver: Driver, level: str = "public") -> Graph:
    """The graph plus the ontology (without SHACL shapes) as one rdflib Graph, holding of each
    company only the fields it shows at `level` (public, defence or all)."""
    if level not in LEVELS:
        raise ValidationError(f"Unknown export level {level!r}; use one of {', '.join(LEVELS)}.")
    g = _new_graph()
    g += load_taxonomy().graph(include_shapes=False)
    unknown: set[str] = set()
    links = 0
    withheld: dict[str, frozenset[str]] = {}

    def on_node(label: str, props: dict[str, Any]) -> None:
        if label == "Company":
            s = _node_iri(label, props["kvk_number"])
            kept = withheld[props["kvk_number"]] = withheld_at(level, props)
            props = {k: v for k, v in props.items() if _FIELD_OF_PROP.get(k) not in kept}
            g.add((s, RDF.type, PA.Company))
            _add_props(g, s, label, props, COMPANY_PROPS, unknown)
        elif label in ENTITY_LABELS:
            s = _node_iri(label, props["id"])
            g.add((s, RDF.type, ENTITY_LABELS[label][1]))
            if label in EXTRA_TYPES:
                g.add((s, RDF.type, EXTRA_TYPES[label]))
            _add_props(g, s, label, props, ENTITY_PROPS, unknown)
        else:
            _add_concept(g, _node_iri(label, props["id"]), label, props)

    def on_link(rec: Record) -> None:
        nonlocal links
        key = (rec["src_label"], rec["rel"], rec["dst_label"])
        kept = withheld.get(rec["src"], frozenset()) if key[0] == "Company" else frozenset()
        if _FIELD_OF_REL.get(key[1]) in kept:
            return
        if key not in LINKS:
            unknown.add("-".join(key))
            return
        s, o = _node_iri(key[0], rec["src"]), _node_iri(key[2], rec["dst"])
        if key[1] in REVERSED_RELS:
            s, o = o, s
        g.add((s, REL_PREDICATES[key[1]], o))
        links += 1
        if key == ("Company", "HAS_CAPABILITY", "Capability"):
            _add_statement(g, rec["src"], rec["dst"], s, o, rec,
                           quote=not kept & {"description", "description_en"})

    counts = RdfRepository(driver).export(on_node, on_link, list(LABEL_KIND))
    counts["links"] = links
    if unknown:
        log.warning("not exported (no RDF mapping): %s", ", ".join(sorted(unknown)))
    log.info("exported %s: %d triples", counts, len(g))
    return g


def _add_statement(g: Graph, kvk: str, cap_id: str, s: URIRef, o: URIRef,
                   rec: Any, quote: bool = True) -> None:
    """The capability link's provenance; its evidence quotes the description, so it stays
    out (`quote`) when the description does."""
    st = statement_iri(kvk, cap_id)
    g.add((st, RDF.type, RDF.Statement))
    g.add((st, RDF.subject, s))
    g.add((st, RDF.predicate, PA.hasCapability))
    g.add((st, RDF.object, o))
    if rec["source"]:
        g.add((st, PA.capabilitySource, Literal(str(rec["source"]))))
    if rec["confidence"] is not None:
        g.add((st, PA.confidence, Literal(_decimal(rec["confidence"]), datatype=XSD.decimal)))
    if rec["evidence"] and quote:
        g.add((st, DCTERMS.description, Literal(str(rec["evidence"]))))
    if rec["set_by"] == "company":
        g.add((st, PROV.wasAttributedTo, s))


def serialize(graph: Graph, fmt: str) -> str:
    """Turtle, JSON-LD (compacted with the bound prefixes, context inline) or N-Triples."""
    name = FORMATS[normalise_format(fmt)]
    if name == "json-ld":
        return graph.serialize(format=name, auto_compact=True)
    return graph.serialize(format=name)
