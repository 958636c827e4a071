"""Namespaces and IRI helpers shared by every module that writes or reads Paraat RDF.

The IRI patterns are fixed in docs/conventions.md; building them in one place keeps the graph
loader, the matcher and the API from drifting apart.
"""

from __future__ import annotations

import logging
from typing import Final, Literal, get_args
from urllib.parse import quote, unquote

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

logger = logging.getLogger(__name__)

ONTOLOGY_IRI: Final = URIRef("https://w3id.org/paraat/ontology")
ONTOLOGY_VERSION_IRI: Final = URIRef("https://w3id.org/paraat/ontology/1.1.0")
ID_BASE: Final = "https://w3id.org/paraat/id/"

ID: Final = Namespace(ID_BASE)
SCHEME: Final = Namespace(f"{ID_BASE}scheme/")
CAPABILITY_SCHEME: Final = SCHEME["capabilities"]
NLD_SCHEME: Final = SCHEME["nld-areas"]

#: Shapes live outside the ontology namespace so `PA` stays the exact list of ontology terms.
SHAPES: Final = Namespace("https://w3id.org/paraat/shapes#")

# Reused vocabularies that rdflib does not ship (or ships under another name).
SCHEMA: Final = Namespace("https://schema.org/")
ORG: Final = Namespace("http://www.w3.org/ns/org#")
GEO: Final = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
VANN: Final = Namespace("http://purl.org/vocab/vann/")

Kind = Literal[
    "capability",
    "nld",
    "company",
    "cluster",
    "ecosystem",
    "institution",
    "facility",
    "municipality",
    "organisation",
    "demand",
    "site",
    "supply-facility",
    "programme",
]
KINDS: Final[frozenset[str]] = frozenset(get_args(Kind))


class PA(DefinedNamespace):
    """Paraat ontology terms; `_fail` makes a typo an AttributeError instead of a silent IRI."""

    _NS = Namespace("https://w3id.org/paraat/ontology#")
    _fail = True

    # Classes
    Organisation: URIRef
    Company: URIRef
    KnowledgeInstitution: URIRef
    Cluster: URIRef
    Ecosystem: URIRef
    Campus: URIRef
    InnovationHub: URIRef
    IndustrialPark: URIRef
    MilitaryFacility: URIRef
    Municipality: URIRef
    NLDArea: URIRef
    Capability: URIRef
    DemandQuestion: URIRef
    LoketItem: URIRef
    Supply: URIRef
    Site: URIRef
    Facility: URIRef
    Programme: URIRef

    # Object properties
    memberOf: URIRef
    partOf: URIRef
    relevantTo: URIRef
    hasCapability: URIRef
    locatedIn: URIRef
    partnerOf: URIRef
    knowledgePartner: URIRef
    initiatedBy: URIRef
    matched: URIRef
    providedBy: URIRef
    locatedAt: URIRef
    operatedBy: URIRef

    # Datatype properties
    kvkNumber: URIRef
    description: URIRef
    employees: URIRef
    sbiCode: URIRef
    website: URIRef
    confidence: URIRef
    capabilitySource: URIRef
    lastVerified: URIRef
    kvkStatus: URIRef
    areaHa: URIRef
    status: URIRef
    zoning: URIRef
    access: URIRef
    utilities: URIRef
    coUse: URIRef
    level: URIRef


def iri_for(kind: Kind | str, id_: str) -> URIRef:
    """Instance IRI `https://w3id.org/paraat/id/{kind}/{id}`.

    The id is percent-encoded so that free-text ids (e.g. a municipality name with a space)
    still yield a valid IRI; kebab-case ids and KvK numbers pass through unchanged.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown IRI kind {kind!r}; expected one of {sorted(KINDS)}")
    id_ = str(id_).strip()
    if not id_:
        raise ValueError(f"empty id for kind {kind!r}")
    return ID[f"{kind}/{quote(id_, safe='-._~')}"]


def parse_iri(iri: str) -> tuple[str, str] | None:
    """Inverse of `iri_for`: `(kind, id)`, or None when the IRI is not a Paraat instance IRI."""
    s = str(iri)
    if not s.startswith(ID_BASE):
        return None
    kind, sep, rest = s[len(ID_BASE) :].partition("/")
    if not sep or kind not in KINDS or not rest or "/" in rest:
        return None
    return kind, unquote(rest)


def id_of(iri: str, kind: Kind | str | None = None) -> str:
    """The id part of a Paraat instance IRI; raises if it is not one (of the given kind)."""
    parsed = parse_iri(iri)
    if parsed is None or (kind is not None and parsed[0] != kind):
        raise ValueError(f"not a Paraat {kind or 'instance'} IRI: {iri}")
    return parsed[1]
