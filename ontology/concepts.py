"""The SKOS concepts of the Turtle files as frozen models, and reading those files (the
ontology graph, its prefixes and the SHACL shapes)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from importlib.resources import files
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict
from rdflib import RDF, SKOS, Graph, URIRef
from rdflib import Literal as RDFLiteral
from rdflib.namespace import DCTERMS, PROV, SH

from ontology.vocab import GEO, ID, ORG, PA, SCHEMA, SCHEME, SHAPES, parse_iri

logger = logging.getLogger(__name__)

ConceptKind = Literal["capability", "nld"]

#: Data files of the ontology package, in load order.
ONTOLOGY_FILES: Final = ("paraat.ttl", "nld-areas.ttl", "capabilities.ttl")
SHAPES_FILE: Final = "shapes.ttl"
ALL_FILES: Final = (*ONTOLOGY_FILES, SHAPES_FILE)

_LANGS: Final = ("nl", "en")


class Concept(BaseModel):
    """A SKOS concept from the capability or NLD-area scheme."""

    model_config = ConfigDict(frozen=True)

    id: str
    iri: str
    kind: ConceptKind
    pref_label: dict[str, str]
    alt_labels: dict[str, list[str]]
    definition: dict[str, str]
    #: skos:hiddenLabel: found in text like an altLabel, but no name of the concept (not shown,
    #: not embedded): a word used for the thing that should not change what it is close to.
    hidden_labels: dict[str, list[str]] = {}
    broader: tuple[str, ...] = ()
    narrower: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    nld_areas: tuple[str, ...] = ()
    source: str = ""

    def __hash__(self) -> int:  # dict fields are unhashable; identity is (kind, id)
        return hash((self.kind, self.id))

    def label(self, lang: str = "nl") -> str:
        """Preferred label in `lang`, falling back to the other language, then the id."""
        for candidate in (lang, *_LANGS):
            if candidate in self.pref_label:
                return self.pref_label[candidate]
        return next(iter(self.pref_label.values()), self.id)

    def all_labels(self, lang: str | None = None) -> list[str]:
        """Preferred plus alternative labels (one language or both), e.g. for embedding text."""
        langs = (lang,) if lang else tuple(sorted(set(self.pref_label) | set(self.alt_labels)))
        out: list[str] = []
        for lg in langs:
            if lg in self.pref_label:
                out.append(self.pref_label[lg])
            out.extend(self.alt_labels.get(lg, []))
        return out


class ConceptHit(BaseModel):
    """One label occurrence in free text; `start`/`end` index the original text."""

    model_config = ConfigDict(frozen=True)

    concept: Concept
    matched_text: str
    start: int
    end: int
    label: str
    compound: bool = False



def read_graph(names: Iterable[str]) -> Graph:
    g = Graph()
    bind_prefixes(g)
    package = files(__package__ or "ontology")
    for name in names:
        g.parse(data=(package / name).read_text(encoding="utf-8"), format="turtle")
    return g


def bind_prefixes(g: Graph) -> Graph:
    """Bind the prefixes used in the Paraat Turtle files so serialisations stay readable."""
    for prefix, ns in (
        ("pa", PA._NS),
        ("pash", SHAPES),
        ("cap", ID["capability/"]),
        ("nld", ID["nld/"]),
        ("scheme", SCHEME),
        ("schema", SCHEMA),
        ("org", ORG),
        ("geo", GEO),
        ("skos", SKOS),
        ("dct", DCTERMS),
        ("prov", PROV),
        ("sh", SH),
    ):
        g.bind(prefix, ns, override=True, replace=True)
    return g


def _lang_map(g: Graph, s: URIRef, p: URIRef) -> dict[str, str]:
    out: dict[str, str] = {}
    literals = [o for o in g.objects(s, p) if isinstance(o, RDFLiteral) and o.language]
    for o in sorted(literals, key=str):  # deterministic if a language has several values
        out.setdefault(o.language or "", str(o))
    return out


def _lang_lists(g: Graph, s: URIRef, p: URIRef) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for o in g.objects(s, p):
        if isinstance(o, RDFLiteral):
            out.setdefault(o.language or "", []).append(str(o))
    return {lang: sorted(v, key=str.casefold) for lang, v in sorted(out.items())}


def _ids(g: Graph, s: URIRef, p: URIRef) -> tuple[str, ...]:
    out = []
    for o in g.objects(s, p):
        parsed = parse_iri(str(o))
        if parsed is None:
            logger.warning("ignoring non-Paraat object %s of %s %s", o, s, p)
            continue
        out.append(parsed[1])
    return tuple(sorted(out))


def read_concepts(g: Graph, cls: URIRef, kind: ConceptKind) -> dict[str, Concept]:
    out: dict[str, Concept] = {}
    for s in g.subjects(RDF.type, cls):
        if not isinstance(s, URIRef):
            continue
        parsed = parse_iri(str(s))
        notation = g.value(s, SKOS.notation)
        if parsed is None:
            raise ValueError(f"concept IRI outside the Paraat id space: {s}")
        cid = parsed[1]
        if notation is not None and str(notation) != cid:
            logger.warning("skos:notation %r differs from IRI id %r", str(notation), cid)
        out[cid] = Concept(
            id=cid,
            iri=str(s),
            kind=kind,
            pref_label=_lang_map(g, s, SKOS.prefLabel),
            alt_labels=_lang_lists(g, s, SKOS.altLabel),
            hidden_labels=_lang_lists(g, s, SKOS.hiddenLabel),
            definition=_lang_map(g, s, SKOS.definition),
            broader=_ids(g, s, SKOS.broader),
            narrower=_ids(g, s, SKOS.narrower),
            related=_ids(g, s, SKOS.related),
            nld_areas=_ids(g, s, PA.relevantTo),
            source=str(g.value(s, DCTERMS.source) or ""),
        )
    return dict(sorted(out.items()))


@functools.cache
def _shapes_graph() -> Graph:
    return read_graph([SHAPES_FILE])


def shapes_graph() -> Graph:
    """The SHACL shapes (cached; treat as read-only)."""
    return _shapes_graph()
