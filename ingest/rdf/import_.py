"""`paraat ingest rdf`: an RDF file read back into the graph. The whole file is parsed and
checked before anything is written, so a bad file changes nothing."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from neo4j import Driver
from pydantic import ValidationError as PydanticValidationError
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV
from rdflib.term import Node

from graph.queries import seed as seed_q
from graph.repositories.admin import AdminRepository
from graph.repositories.base import batched
from graph.repositories.companies import CompanyRepository
from graph.repositories.rdf import RdfRepository
from ingest.companies import CompanyRecord, embed_rows, prepare
from ingest.errors import IngestError
from ingest.ontology_loader import load_ontology
from ingest.rdf.common import (
    COMPANY_BATCH,
    COMPANY_LINKS,
    COMPANY_PROPS,
    ECOSYSTEM_CLASSES,
    ENTITY_LABELS,
    ENTITY_PROPS,
    KIND_LABEL,
    LINKS,
    REL_PREDICATES,
    REVERSED_RELS,
    file_hash_from_iri,
    parse_rdf,
    read_input,
)
from ingest.seed import ENTITY_FILES
from matching.encoders.base import Encoder
from matching.encoders.cache import EmbeddingCache
from ontology.taxonomy import Taxonomy, load_taxonomy
from ontology.vocab import PA, iri_for, parse_iri

log = logging.getLogger(__name__)


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
        for sub in ECOSYSTEM_CLASSES:
            classes[sub] = "Ecosystem"
        for subj, cls in self.g.subject_objects(RDF.type):
            if cls not in classes or subj in self.nodes:
                continue
            if not isinstance(subj, URIRef):
                raise self.fail(f"a {self.short(cls)} without an IRI (blank node); Paraat "
                                "instances need https://w3id.org/paraat/id/{kind}/{id} IRIs.")
            s = subj
            parsed = parse_iri(str(s))
            label = KIND_LABEL.get(parsed[0]) if parsed else None
            if parsed is None or label not in (*ENTITY_LABELS, "Company"):
                raise self.fail(f"{self.short(s)} is a {self.short(cls)} but not a Paraat "
                                "instance IRI (https://w3id.org/paraat/id/{kind}/{id}).")
            wanted = ECOSYSTEM_CLASSES if label == "Ecosystem" else {
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
            h = file_hash_from_iri(str(t)) if isinstance(t, URIRef) else None
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
    for key in seed_q.LINK_ENTITY:
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
    text, name, what = read_input(path_or_data, fmt)
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

    RdfRepository(driver).write_import(plan.entities, plan.links,
                                       batched(plan.companies, COMPANY_BATCH))
    summary |= {label: len(rows) for label, rows in plan.entities.items()}
    summary["Company"] = len(plan.companies)
    summary["capability_statements"] = plan.statements
    AdminRepository(driver).await_fulltext_refresh()

    embedded = 0
    if encoder is not None and plan.companies:
        companies = CompanyRepository(driver)
        for batch in batched(plan.companies, COMPANY_BATCH):
            known = companies.existing_hashes([r["kvk_number"] for r in batch])
            vectors = embed_rows(batch, encoder, {k: v[1] for k, v in known.items()}, cache)
            if vectors:
                companies.set_embeddings(vectors)
            embedded += len(vectors)
    summary["embedded_companies"] = embedded
    summary["embedded_capabilities"] = onto["embedded"]
    summary["ignored_triples"] = plan.ignored
    log.info("imported %s", summary)
    return summary
