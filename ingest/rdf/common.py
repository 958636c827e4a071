"""What RDF export and import share: formats, the IRIs and property mapping of the model, and
parsing a file safely (the mapping itself is described in ingest/rdf/__init__.py)."""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

from rdflib import SKOS, Graph, URIRef
from rdflib.namespace import DCTERMS, PROV

from core.errors import ValidationError
from graph.queries import seed as seed_q
from ingest.errors import IngestError
from ontology.vocab import GEO, PA, SCHEMA, iri_for

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
    "Site": ("site", PA.Site),
    "Facility": ("supply-facility", PA.Facility),
    "Programme": ("programme", PA.Programme),
}
#: schema.org types written beside the Paraat class, so a consumer without the ontology still
#: sees a Place (with geo:lat/long) or an educational programme.
EXTRA_TYPES: Final[dict[str, URIRef]] = {
    "Site": SCHEMA.Place,
    "Facility": SCHEMA.Place,
    "Programme": SCHEMA.EducationalOccupationalProgram,
}
KIND_LABEL: Final[dict[str, str]] = {
    **{kind: label for label, (kind, _) in ENTITY_LABELS.items()},
    "company": "Company", "capability": "Capability", "nld": "NLDArea"}
LABEL_KIND: Final[dict[str, str]] = {label: kind for kind, label in KIND_LABEL.items()}
#: Subclasses of pa:Ecosystem an outside file may use instead of pa:Ecosystem itself.
ECOSYSTEM_CLASSES: Final = frozenset({PA.Ecosystem, PA.Campus, PA.InnovationHub,
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
    # supply kinds (issue 19)
    "area_ha": (PA.areaHa, "decimal"),
    "status": (PA.status, "str"),
    "zoning": (PA.zoning, "nl"),
    "access": (PA.access, "list"),
    "utilities": (PA.utilities, "list"),
    "co_use": (PA.coUse, "str"),
    "level": (PA.level, "list"),
    "imported_at": (PROV.generatedAtTime, "dateTime"),
    "file_hash": (PROV.wasDerivedFrom, "ni"),
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
                                 "name_en", "updated_at",
                                 # trusted profiles (issue 20): who may see what, and the
                                 # reminder bookkeeping; defence experience and the legacy
                                 # compliance fields have no term in the ontology yet
                                 "visibility_defence", "visibility_hidden",
                                 "defence_experience", "stale_reminded_for"})

# Relationship type -> predicate; (src, rel, dst) combinations the graph model has.
REL_PREDICATES: Final[dict[str, URIRef]] = {
    "LOCATED_IN": PA.locatedIn, "MEMBER_OF": PA.memberOf, "PART_OF": PA.partOf,
    "RELEVANT_TO": PA.relevantTo, "HAS_CAPABILITY": PA.hasCapability,
    "KNOWLEDGE_PARTNER": PA.knowledgePartner, "BROADER": SKOS.broader, "IN_AREA": PA.relevantTo,
    "LOCATED_AT": PA.locatedAt, "OPERATED_BY": PA.operatedBy, "PROVIDED_BY": PA.providedBy,
    "PARTNER_OF": PA.partnerOf,
}
#: Stored against the predicate's direction (see the module docstring).
REVERSED_RELS: Final = frozenset({"KNOWLEDGE_PARTNER"})
COMPANY_LINKS: Final[tuple[tuple[str, str, str], ...]] = (
    ("Company", "LOCATED_IN", "Municipality"),
    ("Company", "HAS_CAPABILITY", "Capability"),
    ("Company", "MEMBER_OF", "Cluster"),
    ("Company", "PART_OF", "Ecosystem"),
    ("Company", "PART_OF", "Site"),
)
CONCEPT_LINKS: Final[tuple[tuple[str, str, str], ...]] = (
    ("Capability", "BROADER", "Capability"),
    ("Capability", "IN_AREA", "NLDArea"),
)
LINKS: Final = frozenset({*seed_q.LINK_ENTITY, *COMPANY_LINKS, *CONCEPT_LINKS})

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


def file_hash_from_iri(iri: str) -> str | None:
    if not iri.startswith(_NI_PREFIX):
        return None
    b64 = iri[len(_NI_PREFIX):]
    try:
        raw = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw.hex() if len(raw) == 32 else None


# --------------------------------------------------------------------------- parsing


def _is_file(s: str) -> bool:
    if "\n" in s or "\0" in s or len(s) > 4096:
        return False
    try:
        return Path(s).is_file()
    except OSError:
        return False


def read_input(path_or_data: Path | str | bytes, fmt: str | None) -> tuple[str, str, str]:
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
