"""SHACL validation of company registrations against ontology/shapes.ttl.

Records are plain dicts (form posts, CSV rows) so callers need no RDF. They are converted to a
small RDF graph and checked by pyshacl; results come back as field-level `Violation`s with a
Dutch and an English message. The shapes graph is parsed once and reused; a single record takes
a few milliseconds. `validate_companies` checks a whole batch in one pyshacl call (slightly
cheaper per record, one report to map back); `validate_company` is the single-record wrapper.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import pyshacl
from pydantic import BaseModel, ConfigDict
from rdflib import RDF, SKOS, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH

from ontology.concepts import shapes_graph
from ontology.taxonomy import load_taxonomy
from ontology.vocab import CAPABILITY_SCHEME, PA, SCHEMA, iri_for, parse_iri

logger = logging.getLogger(__name__)

#: Record keys in report order, with the RDF property each is stored under.
FIELDS: Final[dict[str, URIRef]] = {
    "kvk_number": PA.kvkNumber,
    "name": SCHEMA.name,
    "description": PA.description,
    "website": PA.website,
    "employees": PA.employees,
    "capabilities": PA.hasCapability,
    "municipality": PA.locatedIn,
}
_FIELD_BY_PATH: Final = {path: field for field, path in FIELDS.items()}
_FIELD_ORDER: Final = {field: i for i, field in enumerate(FIELDS)}
_RECORD_NS: Final = "urn:paraat:record:"
_INTEGER: Final = re.compile(r"[+-]?\d+")
_LIST_SEPARATORS: Final = re.compile(r"[,;|]")


class Violation(BaseModel):
    """One failed rule for one field; `value` is the offending value (None when missing)."""

    model_config = ConfigDict(frozen=True)

    field: str
    message_nl: str
    message_en: str
    value: str | None = None


def municipality_id(name: str) -> str:
    """Kebab-case id for a municipality name: "Aa en Hunze" -> "aa-en-hunze"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def _missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):  # empty cell from pandas
        return True
    return isinstance(value, str) and not value.strip()


def _text(value: object) -> str | None:
    return None if _missing(value) else str(value).strip()


def _employees(value: object) -> Literal | None:
    if _missing(value):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return Literal(value, datatype=XSD.integer)
    if isinstance(value, float) and value.is_integer():
        return Literal(int(value), datatype=XSD.integer)
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return Literal(int(value.strip()), datatype=XSD.integer)
    # Anything else stays a string so that sh:datatype xsd:integer reports it.
    return Literal(str(value), datatype=XSD.string)


def _capability_ids(value: object) -> list[str]:
    if _missing(value):
        return []
    items: Iterable[object]
    if isinstance(value, str):
        items = _LIST_SEPARATORS.split(value)
    elif isinstance(value, Iterable):
        items = value
    else:
        items = [value]
    out: list[str] = []
    for item in items:
        text = _text(item)
        if text is not None and text not in out:
            out.append(text)
    return out


def _capability_iri(id_or_iri: str) -> URIRef:
    if id_or_iri.startswith(("http://", "https://")):
        return URIRef(id_or_iri)
    return iri_for("capability", id_or_iri)


def _add_record(g: Graph, node: URIRef, record: Mapping[str, Any]) -> None:
    g.add((node, RDF.type, PA.Company))
    for key in ("kvk_number", "name", "description"):
        text = _text(record.get(key))
        if text is not None:
            g.add((node, FIELDS[key], Literal(text, datatype=XSD.string)))
    website = _text(record.get("website"))
    if website is not None:
        g.add((node, PA.website, Literal(website, datatype=XSD.anyURI)))
    employees = _employees(record.get("employees"))
    if employees is not None:
        g.add((node, PA.employees, employees))
    for cap in _capability_ids(record.get("capabilities")):
        g.add((node, PA.hasCapability, _capability_iri(cap)))
    municipality = _text(record.get("municipality"))
    if municipality is not None:
        slug = municipality_id(municipality)
        # A name without letters or digits stays a literal so sh:nodeKind reports it.
        value = iri_for("municipality", slug) if slug else Literal(municipality)
        g.add((node, PA.locatedIn, value))


def _add_capability_membership(g: Graph) -> None:
    """Type + scheme triples for referenced capabilities that exist in the taxonomy.

    Equivalent to merging the whole capability scheme into the data graph, but only for the
    handful of IRIs a batch uses, which keeps pyshacl fast.
    """
    known = load_taxonomy().capabilities
    for cap in set(g.objects(None, PA.hasCapability)):
        parsed = parse_iri(str(cap))
        if parsed and parsed[0] == "capability" and parsed[1] in known:
            g.add((cap, RDF.type, PA.Capability))
            g.add((cap, RDF.type, SKOS.Concept))
            g.add((cap, SKOS.inScheme, CAPABILITY_SCHEME))


def _display_value(field: str, value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, URIRef):
        parsed = parse_iri(str(value))
        if parsed is not None and field in ("capabilities", "municipality"):
            return parsed[1]
    return str(value)


def _messages(report: Graph, result: BNode | URIRef) -> tuple[str, str]:
    by_lang: dict[str, str] = {}
    for m in report.objects(result, SH.resultMessage):
        by_lang.setdefault(getattr(m, "language", None) or "", str(m))
    generic = by_lang.get("", "Invalid value.")
    nl = by_lang.get("nl") or by_lang.get("en") or generic
    en = by_lang.get("en") or by_lang.get("nl") or generic
    return nl, en


def validate_companies(
    records: Sequence[Mapping[str, Any] | BaseModel],
) -> dict[int, list[Violation]]:
    """Validate a batch in a single pyshacl run; every index is present (empty list = valid).

    Record keys: kvk_number, name, description, website, employees, municipality,
    capabilities (list of capability ids, or one string separated by , ; or |).
    Unknown keys are ignored.
    """
    data = Graph()
    nodes: dict[str, int] = {}
    for i, record in enumerate(records):
        fields = record.model_dump() if isinstance(record, BaseModel) else record
        node = URIRef(f"{_RECORD_NS}{i}")
        nodes[str(node)] = i
        _add_record(data, node, fields)
    out: dict[int, list[Violation]] = {i: [] for i in range(len(records))}
    if not records:
        return out
    _add_capability_membership(data)

    conforms, report, _ = pyshacl.validate(
        data,
        shacl_graph=shapes_graph(),
        inference="none",
        abort_on_first=False,
        allow_infos=True,
        allow_warnings=True,
        meta_shacl=False,
        advanced=False,
        inplace=True,
    )
    if conforms:
        return out
    assert isinstance(report, Graph)

    seen: set[tuple[int, str, str, str | None]] = set()
    # Only top-level results: sh:node also emits nested results about the capability IRI.
    top_level = [
        r
        for vr in report.subjects(RDF.type, SH.ValidationReport)
        for r in report.objects(vr, SH.result)
    ]
    for result in top_level:
        assert isinstance(result, BNode | URIRef)
        focus = str(report.value(result, SH.focusNode))
        if focus not in nodes:
            logger.warning("SHACL result for unexpected focus node %s", focus)
            continue
        path = report.value(result, SH.resultPath)
        field = _FIELD_BY_PATH.get(path, "record") if isinstance(path, URIRef) else "record"
        value = _display_value(field, report.value(result, SH.value))
        nl, en = _messages(report, result)
        key = (nodes[focus], field, en, value)
        if key in seen:
            continue
        seen.add(key)
        out[nodes[focus]].append(Violation(field=field, message_nl=nl, message_en=en, value=value))
    for violations in out.values():
        violations.sort(
            key=lambda v: (
                _FIELD_ORDER.get(v.field, len(_FIELD_ORDER)),
                v.message_en,
                v.value or "",
            )
        )
    return out


def validate_company(record: Mapping[str, Any] | BaseModel) -> list[Violation]:
    """Violations of one record; an empty list means the registration is valid."""
    return validate_companies([record])[0]


__all__ = [
    "FIELDS",
    "Violation",
    "municipality_id",
    "validate_companies",
    "validate_company",
]
