"""`paraat export rdf` / `paraat ingest rdf`: the graph as RDF in the ontology's own terms.

The export is the ontology (`ontology/paraat.ttl`, the NLD-area and capability schemes) plus
every instance under `https://w3id.org/paraat/id/{kind}/{id}`, so a file can be opened in any
RDF tool and read back into an empty Neo4j. Reading it back and exporting again gives an
isomorphic graph: instance data has no blank nodes (only the ontology's OWL restrictions do),
and every value has one fixed RDF form.

Mapping (Neo4j -> RDF):

- labels -> classes (`pa:Company`, `pa:Cluster` …); capabilities and NLD areas are the SKOS
  concepts of the ontology (`skos:prefLabel`/`altLabel`/`definition`, `skos:broader`, and
  `pa:relevantTo` for IN_AREA, as in `capabilities.ttl`);
- LOCATED_IN, MEMBER_OF, PART_OF, RELEVANT_TO, HAS_CAPABILITY -> `pa:locatedIn`, `pa:memberOf`,
  `pa:partOf`, `pa:relevantTo`, `pa:hasCapability`; KNOWLEDGE_PARTNER is stored
  institution -> ecosystem but `pa:knowledgePartner` has the institution as its range, so the
  triple reads ecosystem `pa:knowledgePartner` institution;
- a company's capability edge also gets a reified `rdf:Statement` (IRI
  `…/company/{kvk}/capability/{id}`), as `paraat.ttl` intends, with `pa:capabilitySource`
  (declared/inferred), `pa:confidence` (xsd:decimal), the evidence as `dct:description`, and
  `prov:wasAttributedTo` the company when the company set it itself (`set_by = 'company'`);
- values: `pa:kvkNumber`, `schema:name`, `pa:description`@nl (Dutch text),
  `schema:description`@en (English text; the shapes allow one `pa:description`),
  `pa:website` (xsd:anyURI; `schema:url` is implied by rdfs:subPropertyOf), `pa:employees`
  (xsd:integer), `pa:sbiCode`, `pa:kvkStatus`, `pa:lastVerified` (xsd:date),
  `geo:lat`/`geo:long` (xsd:decimal), `dct:source`;
- company provenance: `dct:source` (source text), `prov:generatedAtTime` (imported_at,
  xsd:dateTime) and `prov:wasDerivedFrom` the imported file, named by its SHA-256 as an RFC 6920
  `ni:///sha-256;…` IRI (the ontology has no file-hash property, and this needs none);
- the ontology has no terms for a few seed columns, so schema.org ones carry them: `kind` ->
  `schema:additionalType`, `activity` -> `schema:disambiguatingDescription`@nl, a municipality's
  `province`/`main_town` -> `schema:addressRegion`/`schema:addressLocality`, a facility's
  `units` -> `schema:department` (unordered in RDF: read back sorted).

Not exported, because they are derived or internal: embeddings and their hashes,
`record_hash`, `concept_terms`, `import_run` (cleared on import: the provenance is now the
file's), `synthetic` (read back as kvk_status == 'synthetic', which is how the synthetic
generator marks them), `ParaatMeta` and `ImportRun` nodes, and the app's own nodes (demand
questions, users, shortlists …).

The import parses and checks the whole file before it writes anything, so a bad file raises
IngestError and leaves the graph as it was. It then writes the file's concepts (so concept
nodes are exactly what was exported), the reference entities with the seed's queries, and the
companies with queries that set exactly the file's edge properties and provenance (the registry
path would re-infer capabilities and stamp imported_at with now). A company's links are
replaced by the file's. Derived values are computed again: `concept_terms` and `record_hash`
with the packaged taxonomy, like every other pipeline, and embeddings when an encoder is given.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

from neo4j import Driver, ManagedTransaction
from pydantic import ValidationError as PydanticValidationError
from rdflib import RDF, SKOS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV
from rdflib.term import Node

from core.errors import ValidationError
from graph import queries
from graph.repository import batched
from ingest.companies import CompanyRecord, CompanyWriter, embed_rows, prepare
from ingest.errors import IngestError
from ingest.ontology_loader import load_ontology
from ingest.seed import ENTITY_FILES
from matching.encoder import EmbeddingCache, Encoder
from ontology.taxonomy import Taxonomy, bind_prefixes, load_taxonomy
from ontology.vocab import (
    CAPABILITY_SCHEME,
    GEO,
    ID,
    NLD_SCHEME,
    PA,
    SCHEMA,
    VANN,
    iri_for,
    parse_iri,
)

log = logging.getLogger(__name__)

#: CLI/API format name -> rdflib plugin name.
FORMATS: Final[dict[str, str]] = {"turtle": "turtle", "json-ld": "json-ld", "nt": "nt"}
_FORMAT_ALIASES: Final[dict[str, str]] = {
    "ttl": "turtle", "jsonld": "json-ld", "ntriples": "nt", "n-triples": "nt"}
_EXTENSIONS: Final[dict[str, str]] = {
    ".ttl": "turtle", ".turtle": "turtle", ".jsonld": "json-ld", ".json": "json-ld",
    ".nt": "nt"}

COMPANY_BATCH = 2000

# label -> (IRI kind, class)
ENTITY_LABELS: Final[dict[str, tuple[str, URIRef]]] = {
    "Municipality": ("municipality", PA.Municipality),
    "Cluster": ("cluster", PA.Cluster),
    "Ecosystem": ("ecosystem", PA.Ecosystem),
    "KnowledgeInstitution": ("institution", PA.KnowledgeInstitution),
    "MilitaryFacility": ("facility", PA.MilitaryFacility),
    "Organisation": ("organisation", PA.Organisation),
}
_KIND_LABEL: Final[dict[str, str]] = {
    **{kind: label for label, (kind, _) in ENTITY_LABELS.items()},
    "company": "Company", "capability": "Capability", "nld": "NLDArea"}
_LABEL_KIND: Final[dict[str, str]] = {label: kind for kind, label in _KIND_LABEL.items()}
#: Subclasses of pa:Ecosystem an outside file may use instead of pa:Ecosystem itself.
_ECOSYSTEM_CLASSES: Final = frozenset({PA.Ecosystem, PA.Campus, PA.InnovationHub,
                                       PA.IndustrialPark})

# Neo4j property -> (predicate, value form). Forms: str, nl/en (language-tagged text), decimal,
# integer, anyURI, date, dateTime, list (several plain literals), ni (file hash as ni: IRI).
ENTITY_PROPS: Final[dict[str, tuple[URIRef, str]]] = {
    "name": (SCHEMA.name, "str"),
    "kind": (SCHEMA.additionalType, "str"),
    "description_nl": (PA.description, "nl"),
    "description_en": (SCHEMA.description, "en"),
    "lat": (GEO.lat, "decimal"),
    "lon": (GEO.long, "decimal"),
    "province": (SCHEMA.addressRegion, "str"),
    "main_town": (SCHEMA.addressLocality, "str"),
    "units": (SCHEMA.department, "list"),
    "source": (DCTERMS.source, "str"),
}
COMPANY_PROPS: Final[dict[str, tuple[URIRef, str]]] = {
    "kvk_number": (PA.kvkNumber, "str"),
    "name": (SCHEMA.name, "str"),
    "description": (PA.description, "nl"),
    "description_en": (SCHEMA.description, "en"),
    "activity": (SCHEMA.disambiguatingDescription, "nl"),
    "website": (PA.website, "anyURI"),
    "employees": (PA.employees, "integer"),
    "sbi_code": (PA.sbiCode, "str"),
    "kvk_status": (PA.kvkStatus, "str"),
    "last_verified": (PA.lastVerified, "date"),
    "source": (DCTERMS.source, "str"),
    "imported_at": (PROV.generatedAtTime, "dateTime"),
    "file_hash": (PROV.wasDerivedFrom, "ni"),
}
#: Properties left out on purpose (see the module docstring); anything else unknown is logged.
NOT_EXPORTED: Final = frozenset({"id", "embedding", "embedding_hash", "record_hash",
                                 "concept_terms", "import_run", "synthetic", "iri", "name_nl",
                                 "name_en", "updated_at"})

# Relationship type -> predicate; (src, rel, dst) combinations the graph model has.
REL_PREDICATES: Final[dict[str, URIRef]] = {
    "LOCATED_IN": PA.locatedIn, "MEMBER_OF": PA.memberOf, "PART_OF": PA.partOf,
    "RELEVANT_TO": PA.relevantTo, "HAS_CAPABILITY": PA.hasCapability,
    "KNOWLEDGE_PARTNER": PA.knowledgePartner, "BROADER": SKOS.broader, "IN_AREA": PA.relevantTo,
}
#: Stored against the predicate's direction (see the module docstring).
REVERSED_RELS: Final = frozenset({"KNOWLEDGE_PARTNER"})
COMPANY_LINKS: Final[tuple[tuple[str, str, str], ...]] = (
    ("Company", "LOCATED_IN", "Municipality"),
    ("Company", "HAS_CAPABILITY", "Capability"),
    ("Company", "MEMBER_OF", "Cluster"),
    ("Company", "PART_OF", "Ecosystem"),
)
CONCEPT_LINKS: Final[tuple[tuple[str, str, str], ...]] = (
    ("Capability", "BROADER", "Capability"),
    ("Capability", "IN_AREA", "NLDArea"),
)
LINKS: Final = frozenset({*queries.LINK_ENTITY, *COMPANY_LINKS, *CONCEPT_LINKS})

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_NI_PREFIX = "ni:///sha-256;"


# --------------------------------------------------------------------------- helpers


def normalise_format(fmt: str) -> str:
    """Canonical format name, or ValidationError naming the supported ones."""
    name = _FORMAT_ALIASES.get(fmt.strip().lower(), fmt.strip().lower())
    if name not in FORMATS:
        raise ValidationError(f"Unknown RDF format {fmt!r}; use one of {', '.join(FORMATS)}.")
    return name


def guess_format(path: Path | str) -> str:
    """Format from the file extension (.ttl, .jsonld/.json, .nt)."""
    ext = Path(path).suffix.lower()
    if ext not in _EXTENSIONS:
        raise IngestError(f"Cannot tell the RDF format of {Path(path).name} from its extension; "
                          f"use --format ({', '.join(FORMATS)}).")
    return _EXTENSIONS[ext]


def statement_iri(kvk: str, capability_id: str) -> URIRef:
    """Deterministic IRI of a company's reified capability statement (no blank nodes)."""
    return URIRef(f"{iri_for('company', kvk)}/capability/{quote(capability_id, safe='-._~')}")


def file_hash_iri(file_hash: str) -> URIRef | None:
    """RFC 6920 named-information IRI for a hex SHA-256, or None for anything else."""
    if not _HEX64.match(file_hash):
        return None
    b64 = base64.urlsafe_b64encode(bytes.fromhex(file_hash)).decode().rstrip("=")
    return URIRef(_NI_PREFIX + b64)


def _file_hash_from_iri(iri: str) -> str | None:
    if not iri.startswith(_NI_PREFIX):
        return None
    b64 = iri[len(_NI_PREFIX):]
    try:
        raw = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw.hex() if len(raw) == 32 else None


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
                 "organisation"):
        g.bind(kind, ID[f"{kind}/"], override=True, replace=True)
    return g


# --------------------------------------------------------------------------- export


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
    return iri_for(_LABEL_KIND[label], key)


def export_rdf(driver: Driver) -> Graph:
    """The whole graph plus the ontology (without SHACL shapes) as one rdflib Graph."""
    g = _new_graph()
    g += load_taxonomy().graph(include_shapes=False)
    unknown: set[str] = set()
    counts: dict[str, int] = {}

    def read(tx: ManagedTransaction) -> None:
        for label, query in queries.RDF_EXPORT_NODES.items():
            n = 0
            for rec in tx.run(query):
                props = dict(rec["props"])
                n += 1
                if label == "Company":
                    s = _node_iri(label, props["kvk_number"])
                    g.add((s, RDF.type, PA.Company))
                    _add_props(g, s, label, props, COMPANY_PROPS, unknown)
                elif label in ENTITY_LABELS:
                    s = _node_iri(label, props["id"])
                    g.add((s, RDF.type, ENTITY_LABELS[label][1]))
                    _add_props(g, s, label, props, ENTITY_PROPS, unknown)
                else:
                    _add_concept(g, _node_iri(label, props["id"]), label, props)
            counts[label] = n
        n = 0
        for rec in tx.run(queries.RDF_EXPORT_LINKS, labels=list(_LABEL_KIND)):
            key = (rec["src_label"], rec["rel"], rec["dst_label"])
            if key not in LINKS:
                unknown.add("-".join(key))
                continue
            s, o = _node_iri(key[0], rec["src"]), _node_iri(key[2], rec["dst"])
            if key[1] in REVERSED_RELS:
                s, o = o, s
            g.add((s, REL_PREDICATES[key[1]], o))
            n += 1
            if key == ("Company", "HAS_CAPABILITY", "Capability"):
                _add_statement(g, rec["src"], rec["dst"], s, o, rec)
        counts["links"] = n

    with driver.session() as session:
        session.execute_read(read)
    if unknown:
        log.warning("not exported (no RDF mapping): %s", ", ".join(sorted(unknown)))
    log.info("exported %s: %d triples", counts, len(g))
    return g


def _add_statement(g: Graph, kvk: str, cap_id: str, s: URIRef, o: URIRef,
                   rec: Any) -> None:
    st = statement_iri(kvk, cap_id)
    g.add((st, RDF.type, RDF.Statement))
    g.add((st, RDF.subject, s))
    g.add((st, RDF.predicate, PA.hasCapability))
    g.add((st, RDF.object, o))
    if rec["source"]:
        g.add((st, PA.capabilitySource, Literal(str(rec["source"]))))
    if rec["confidence"] is not None:
        g.add((st, PA.confidence, Literal(_decimal(rec["confidence"]), datatype=XSD.decimal)))
    if rec["evidence"]:
        g.add((st, DCTERMS.description, Literal(str(rec["evidence"]))))
    if rec["set_by"] == "company":
        g.add((st, PROV.wasAttributedTo, s))


def serialize(graph: Graph, fmt: str) -> str:
    """Turtle, JSON-LD (compacted with the bound prefixes, context inline) or N-Triples."""
    name = FORMATS[normalise_format(fmt)]
    if name == "json-ld":
        return graph.serialize(format=name, auto_compact=True)
    return graph.serialize(format=name)


# --------------------------------------------------------------------------- import: parse


def _is_file(s: str) -> bool:
    if "\n" in s or "\0" in s or len(s) > 4096:
        return False
    try:
        return Path(s).is_file()
    except OSError:
        return False


def _read_input(path_or_data: Path | str | bytes, fmt: str | None) -> tuple[str, str, str]:
    """(text, format, what) from a path or in-memory data; data defaults to Turtle."""
    if isinstance(path_or_data, Path) or (isinstance(path_or_data, str)
                                          and _is_file(path_or_data)):
        path = Path(path_or_data)
        what = path.name
        fmt = fmt or guess_format(path)
        try:
            raw = path.read_bytes()
        except OSError as e:
            raise IngestError(f"Cannot read {path}: {e.strerror or e}") from e
    else:
        what = "the RDF data"
        fmt = fmt or "turtle"
        raw = path_or_data.encode("utf-8") if isinstance(path_or_data, str) else path_or_data
    name = normalise_format(fmt)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise IngestError(f"{what} is not UTF-8 text (byte {e.start}): not an RDF file?") from e
    return text, name, what


def _reject_remote_contexts(text: str, what: str) -> None:
    """JSON-LD may name remote contexts, which rdflib would download; Paraat never does."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise IngestError(f"Cannot parse {what} as JSON-LD: {e}") from e
    except RecursionError as e:  # a nesting bomb: refuse it, never a crash (issue 8)
        raise IngestError(f"Cannot parse {what} as JSON-LD: nested too deeply.") from e
    stack: list[Any] = [doc]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for k, v in item.items():
                if k in ("@context", "@import") and (
                        isinstance(v, str) or (isinstance(v, list)
                                               and any(isinstance(x, str) for x in v))):
                    raise IngestError(f"{what} refers to a remote JSON-LD context; Paraat does "
                                      "not download contexts, inline it instead.")
                stack.append(v)
        elif isinstance(item, list):
            stack.extend(item)


def parse_rdf(text: str, fmt: str, what: str = "the RDF data") -> Graph:
    """Parse fully in memory; any parser failure becomes one IngestError line."""
    name = normalise_format(fmt)
    if name == "json-ld":
        _reject_remote_contexts(text, what)
    g = Graph()
    try:
        g.parse(data=text, format=FORMATS[name])
    except Exception as e:  # noqa: BLE001 - each rdflib parser raises its own exception types
        msg = " ".join(str(e).split())
        if len(msg) > 300:
            msg = msg[:300] + "…"
        raise IngestError(f"Cannot parse {what} as {name}: {msg or type(e).__name__}") from e
    if len(g) == 0:
        raise IngestError(f"{what} contains no triples.")
    return g


# --------------------------------------------------------------------------- import: read


@dataclass
class _Plan:
    """Everything the import will write, built and checked before any write."""

    taxonomy: Taxonomy
    entities: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    links: dict[tuple[str, str, str], list[dict[str, Any]]] = field(default_factory=dict)
    companies: list[dict[str, Any]] = field(default_factory=list)
    records: list[CompanyRecord] = field(default_factory=list)
    statements: int = 0
    ignored: int = 0


class _Reader:
    def __init__(self, g: Graph, what: str) -> None:
        self.g = g
        self.what = what
        self.nodes: dict[URIRef, tuple[str, str]] = {}  # IRI -> (label, id)

    def fail(self, msg: str) -> IngestError:
        return IngestError(f"{self.what}: {msg}")

    def short(self, t: Node | None) -> str:
        try:
            return self.g.namespace_manager.normalizeUri(t) if isinstance(t, URIRef) else str(t)
        except Exception:  # noqa: BLE001 - a display name only
            return str(t)

    # -- nodes ----------------------------------------------------------------------------

    def collect_nodes(self, tax: Taxonomy) -> None:
        for c in tax.capabilities.values():
            self.nodes[URIRef(c.iri)] = ("Capability", c.id)
        for a in tax.nld_areas.values():
            self.nodes[URIRef(a.iri)] = ("NLDArea", a.id)
        classes = {cls: label for label, (_, cls) in ENTITY_LABELS.items()}
        classes[PA.Company] = "Company"
        for sub in _ECOSYSTEM_CLASSES:
            classes[sub] = "Ecosystem"
        for subj, cls in self.g.subject_objects(RDF.type):
            if cls not in classes or subj in self.nodes:
                continue
            if not isinstance(subj, URIRef):
                raise self.fail(f"a {self.short(cls)} without an IRI (blank node); Paraat "
                                "instances need https://w3id.org/paraat/id/{kind}/{id} IRIs.")
            s = subj
            parsed = parse_iri(str(s))
            label = _KIND_LABEL.get(parsed[0]) if parsed else None
            if parsed is None or label not in (*ENTITY_LABELS, "Company"):
                raise self.fail(f"{self.short(s)} is a {self.short(cls)} but not a Paraat "
                                "instance IRI (https://w3id.org/paraat/id/{kind}/{id}).")
            wanted = _ECOSYSTEM_CLASSES if label == "Ecosystem" else {
                PA.Company if label == "Company" else ENTITY_LABELS[label][1]}
            if not wanted & set(self.g.objects(s, RDF.type)):
                raise self.fail(f"{self.short(s)} has a {parsed[0]} IRI but is typed "
                                f"{self.short(cls)}.")
            self.nodes[s] = (label, parsed[1])

    # -- values ---------------------------------------------------------------------------

    def value(self, s: Node, pred: URIRef, form: str) -> Any:
        """The one value of a property in its form (None if absent); two values are an error.

        Dutch text may come without a language tag (that is how registrations write it);
        text in another language than the property's is not this property's value."""
        terms = list(self.g.objects(s, pred))
        if form in ("nl", "en"):
            terms = [t for t in terms if isinstance(t, Literal)
                     and (t.language == form or (form == "nl" and not t.language))]
        if form == "list":
            return sorted(self._literal(s, pred, t, "str") for t in terms) or None
        if not terms:
            return None
        if len(terms) > 1:
            raise self.fail(f"{self.short(s)} has {len(terms)} values for {self.short(pred)}; "
                            "expected one.")
        return self._literal(s, pred, terms[0], form)

    def _literal(self, s: Node, pred: URIRef, t: Node, form: str) -> Any:
        def bad(expected: str) -> IngestError:
            return self.fail(f"{self.short(s)} {self.short(pred)}: expected {expected}, "
                             f"got {t.n3()[:80]}.")

        if form == "ni":
            h = _file_hash_from_iri(str(t)) if isinstance(t, URIRef) else None
            if h is None:
                raise bad("an ni:///sha-256;… IRI")
            return h
        if not isinstance(t, Literal):
            raise bad("a literal")
        v = t.value
        if form in ("str", "nl", "en", "anyURI"):
            return str(t)
        if form == "decimal":
            if isinstance(v, bool) or not isinstance(v, int | float | Decimal):
                raise bad("a number")
            return float(v)
        if form == "integer":
            if isinstance(v, bool) or not isinstance(v, int):
                raise bad("an integer")
            return v
        if form == "date":
            if not isinstance(v, date) or isinstance(v, datetime):
                raise bad("an xsd:date")
            return v
        if form == "dateTime":
            if not isinstance(v, datetime):
                raise bad("an xsd:dateTime")
            return v if v.tzinfo else v.replace(tzinfo=UTC)
        raise AssertionError(form)

    def props(self, s: Node, mapping: dict[str, tuple[URIRef, str]],
              keys: Iterable[str]) -> dict[str, Any]:
        return {k: self.value(s, *mapping[k]) for k in keys}

    # -- links ----------------------------------------------------------------------------

    def links(self) -> dict[tuple[str, str, str], dict[str, list[str]]]:
        """(src, rel, dst) -> source id -> sorted target ids, checked against the model."""
        by_pred: dict[URIRef, list[str]] = defaultdict(list)
        for rel, rel_pred in REL_PREDICATES.items():
            by_pred[rel_pred].append(rel)
        out: dict[tuple[str, str, str], dict[str, list[str]]] = defaultdict(dict)
        for s, (s_label, s_id) in self.nodes.items():
            for pred, o in self.g.predicate_objects(s):
                if not isinstance(pred, URIRef) or pred not in by_pred:
                    continue
                if not isinstance(o, URIRef) or o not in self.nodes:
                    raise self.fail(f"{self.short(s)} {self.short(pred)} {self.short(o)}: the "
                                    "target is not defined in the file.")
                o_label, o_id = self.nodes[o]
                for rel in by_pred[pred]:
                    src, dst, src_id, dst_id = s_label, o_label, s_id, o_id
                    if rel in REVERSED_RELS:
                        src, dst, src_id, dst_id = o_label, s_label, o_id, s_id
                    if (src, rel, dst) in LINKS:
                        out[(src, rel, dst)].setdefault(src_id, []).append(dst_id)
                        break
                else:
                    raise self.fail(f"{self.short(s)} {self.short(pred)} {self.short(o)}: the "
                                    f"graph model has no such link ({s_label} -> {o_label}).")
        return {k: {i: sorted(set(t)) for i, t in v.items()} for k, v in out.items()}

    def unmapped(self) -> int:
        """Triples about instances that no mapping reads (logged, not an error)."""
        known = {RDF.type, *REL_PREDICATES.values(),
                 *(p for p, _ in ENTITY_PROPS.values()), *(p for p, _ in COMPANY_PROPS.values())}
        preds: dict[str, int] = defaultdict(int)
        for s, (label, _) in self.nodes.items():
            if label in ("Capability", "NLDArea"):
                continue
            for pred in self.g.predicates(s):
                if pred not in known:
                    preds[self.short(pred)] += 1
        if preds:
            log.warning("%s: ignored triples with %s", self.what,
                        ", ".join(f"{p} ({n})" for p, n in sorted(preds.items())))
        return sum(preds.values())

    def statements(self) -> dict[tuple[URIRef, URIRef], dict[str, Any]]:
        """Reified pa:hasCapability statements: (company, capability) -> edge properties."""
        out: dict[tuple[URIRef, URIRef], dict[str, Any]] = {}
        for st in self.g.subjects(RDF.predicate, PA.hasCapability):
            s, o = self.g.value(st, RDF.subject), self.g.value(st, RDF.object)
            if not isinstance(s, URIRef) or not isinstance(o, URIRef):
                raise self.fail(f"statement {self.short(st)} lacks rdf:subject or rdf:object.")
            source = self.value(st, PA.capabilitySource, "str")
            if source not in (None, "declared", "inferred"):
                raise self.fail(f"statement {self.short(st)}: pa:capabilitySource must be "
                                f"'declared' or 'inferred', not {source!r}.")
            conf = self.value(st, PA.confidence, "decimal")
            if conf is not None and not 0.0 <= conf <= 1.0:
                raise self.fail(f"statement {self.short(st)}: pa:confidence {conf} is not "
                                "between 0 and 1.")
            out[(s, o)] = {
                "source": source, "confidence": conf,
                "evidence": self.value(st, DCTERMS.description, "str"),
                "set_by": "company" if (st, PROV.wasAttributedTo, s) in self.g else "import",
            }
        return out


def _entity_keys(label: str) -> tuple[str, ...]:
    """The properties the seed writes for a label: set from the file (null when absent)."""
    file = next(f for f, spec in ENTITY_FILES.items() if spec[0] == label)
    return tuple(k for k in (*ENTITY_FILES[file][1], "source") if k in ENTITY_PROPS)


def _plan(g: Graph, what: str) -> _Plan:
    reader = _Reader(g, what)
    try:
        file_tax = Taxonomy(g)
    except ValueError as e:
        raise IngestError(f"{what}: {e}") from e
    reader.collect_nodes(file_tax)
    if not reader.nodes:
        raise IngestError(f"{what} holds no Paraat data (no capabilities, NLD areas, companies "
                          "or other Paraat instances).")
    plan = _Plan(taxonomy=file_tax)
    by_label: dict[str, list[tuple[URIRef, str]]] = defaultdict(list)
    for s, (label, id_) in sorted(reader.nodes.items()):
        by_label[label].append((s, id_))
    links = reader.links()

    for label in ENTITY_LABELS:
        keys = _entity_keys(label)
        rows = [{"id": i, "props": reader.props(s, ENTITY_PROPS, keys)}
                for s, i in by_label[label]]
        if rows:
            plan.entities[label] = rows
    # Every link type of a label in the file is replaced, an absent one by no links at all.
    for key in queries.LINK_ENTITY:
        if key[0] in plan.entities:
            targets = links.get(key, {})
            plan.links[key] = [{"id": r["id"], "targets": targets.get(r["id"], [])}
                               for r in plan.entities[key[0]]]

    statements = reader.statements()
    located, has_cap, member, part = (links.get(k, {}) for k in COMPANY_LINKS)
    used: set[tuple[URIRef, URIRef]] = set()
    for s, kvk in by_label["Company"]:
        props = reader.props(s, COMPANY_PROPS, COMPANY_PROPS)
        if props["kvk_number"] not in (None, kvk):
            raise IngestError(f"{what}: {reader.short(s)} has pa:kvkNumber "
                              f"{props['kvk_number']!r}, not the number in its IRI.")
        props["kvk_number"] = kvk
        caps = []
        for cap_id in has_cap.get(kvk, []):
            cap = iri_for("capability", cap_id)
            used.add((s, cap))
            # A bare pa:hasCapability (hand-written file) counts as declared with certainty 1.
            edge = statements.get((s, cap), {})
            caps.append({"id": cap_id, "source": edge.get("source") or "declared",
                         "confidence": 1.0 if edge.get("confidence") is None
                         else edge["confidence"],
                         "evidence": edge.get("evidence"),
                         "set_by": edge.get("set_by", "import")})
        municipalities = located.get(kvk, [])
        try:
            record = CompanyRecord(
                kvk_number=kvk, name=props["name"] or "", description=props["description"] or "",
                description_en=props["description_en"], activity=props["activity"],
                municipality=municipalities[0] if municipalities else None,
                website=props["website"], employees=props["employees"],
                sbi_code=props["sbi_code"], kvk_status=props["kvk_status"],
                capabilities=[c["id"] for c in caps if c["source"] == "declared"],
                clusters=member.get(kvk, []), ecosystems=part.get(kvk, []),
                source=props["source"], synthetic=props["kvk_status"] == "synthetic")
        except PydanticValidationError as e:
            first = e.errors()[0]
            loc = ".".join(str(x) for x in first["loc"])
            raise IngestError(f"{what}: company {kvk}: {loc}: {first['msg']}") from e
        plan.records.append(record)
        plan.companies.append({
            "kvk_number": kvk,
            "props": {**{k: v for k, v in props.items() if k != "kvk_number"},
                      "synthetic": record.synthetic, "import_run": None},
            "municipalities": municipalities, "capabilities": caps,
            "clusters": member.get(kvk, []), "ecosystems": part.get(kvk, []),
        })
    stray = set(statements) - used
    if stray:
        log.warning("%d reified capability statements have no pa:hasCapability triple; "
                    "ignored", len(stray))
    plan.statements = len(statements) - len(stray)
    plan.ignored = reader.unmapped()
    return plan


# --------------------------------------------------------------------------- import: write


def import_rdf(driver: Driver, path_or_data: Path | str | bytes, fmt: str | None = None, *,
               encoder: Encoder | None = None, cache: EmbeddingCache | None = None
               ) -> dict[str, int]:
    """Read an export back into Neo4j; returns counts. Bad input -> IngestError, no writes.

    A str is a path when such a file exists, otherwise RDF text; bytes are RDF data. Without
    `fmt` a path's extension decides and data is taken as Turtle. The file is parsed and
    checked completely first; the writes then go in several transactions (concepts,
    reference entities, company batches), all MERGEs, so a re-run after a database failure
    converges. Without an encoder, embeddings are left as they are (`paraat reindex`).
    """
    text, name, what = _read_input(path_or_data, fmt)
    g = parse_rdf(text, name, what)
    plan = _plan(g, what)
    tax = load_taxonomy()
    for row, record in zip(plan.companies, plan.records, strict=True):
        prepared = prepare(record, tax)
        row["props"]["concept_terms"] = prepared["props"]["concept_terms"]
        row["props"]["record_hash"] = prepared["record_hash"]
        row["embedding_text"] = prepared["embedding_text"]

    summary: dict[str, int] = {"triples": len(g)}
    onto = load_ontology(driver, plan.taxonomy, encoder)
    summary |= {"capabilities": onto["capabilities"], "nld_areas": onto["nld_areas"]}

    def write_entities(tx: ManagedTransaction) -> None:
        for label, rows in plan.entities.items():
            tx.run(queries.UPSERT_ENTITY[label], rows=rows).consume()
        for key, rows in plan.links.items():
            tx.run(queries.LINK_ENTITY[key], rows=rows).consume()

    with driver.session() as session:
        session.execute_write(write_entities)
        for batch in batched(plan.companies, COMPANY_BATCH):
            session.execute_write(_write_companies, batch)
    summary |= {label: len(rows) for label, rows in plan.entities.items()}
    summary["Company"] = len(plan.companies)
    summary["capability_statements"] = plan.statements
    driver.execute_query(queries.AWAIT_FULLTEXT_REFRESH)

    embedded = 0
    if encoder is not None and plan.companies:
        writer = CompanyWriter(driver)
        for batch in batched(plan.companies, COMPANY_BATCH):
            known = writer.existing_hashes([r["kvk_number"] for r in batch])
            vectors = embed_rows(batch, encoder, {k: v[1] for k, v in known.items()}, cache)
            if vectors:
                driver.execute_query(queries.SET_COMPANY_EMBEDDINGS, rows=vectors)
            embedded += len(vectors)
    summary["embedded_companies"] = embedded
    summary["embedded_capabilities"] = onto["embedded"]
    summary["ignored_triples"] = plan.ignored
    log.info("imported %s", summary)
    return summary


def _write_companies(tx: ManagedTransaction, rows: list[dict[str, Any]]) -> None:
    tx.run(queries.RDF_UPSERT_COMPANIES, rows=rows).consume()
    tx.run(queries.RDF_LINK_COMPANIES, rows=rows).consume()
