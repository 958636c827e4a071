"""The supply kinds of the seed (issue 19): sites, facilities, knowledge institutions and
programmes, written as first-class, matchable nodes.

Before anything is written the four files are checked as a whole: an id is unique across the
kinds (an exact repeat of a row is dropped, a conflicting one is an error), every row conforms
to the SHACL shapes in the RDF form the export writes, and every link points at a row that
exists. Rows then go in with the `Supply` label and their provenance (`source` = the agenda
section, `file_hash`, `imported_at`); an unchanged row (same content hash) is not rewritten,
so a second load changes nothing.

The derived fields follow the companies' (ingest/companies.py): `concept_terms` holds the
labels (nl + en) of the concepts in the text and the declared capabilities, for the
`supply_text` Lucene indexes; `embedding` is the passage vector of name + Dutch + English
description (both languages: a node is found by questions in either), re-encoded only when
that text changes (`embedding_hash`).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from neo4j import Driver
from rdflib import RDF, Graph, URIRef

from graph.repositories.supply import SupplyRepository
from ingest.errors import IngestError
from ingest.rdf.common import (
    ENTITY_LABELS,
    ENTITY_PROPS,
    EXTRA_TYPES,
    REL_PREDICATES,
    REVERSED_RELS,
)
from ingest.rdf.export import rdf_terms
from ingest.seed import ENTITY_FILES, SUPPLY_FILES, entity_rows
from matching.encoders.base import Encoder
from matching.encoders.cache import EmbeddingCache, encode_passages_cached, text_hash
from matching.text import concept_terms, embedding_text, record_hash
from ontology.taxonomy import Taxonomy
from ontology.validation import validate_graph
from ontology.vocab import iri_for

log = logging.getLogger(__name__)

#: Provenance properties a supply node carries besides `source` (RDF import reads them too).
SUPPLY_PROVENANCE = ("imported_at", "file_hash")


@dataclass
class SupplyPlan:
    """Checked rows per label and link rows per (label, relationship, target)."""

    entities: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    links: dict[tuple[str, str, str], list[dict[str, Any]]] = field(default_factory=dict)
    dropped_duplicates: int = 0


def _split(v: str) -> list[str]:
    return [x.strip() for x in v.split("|") if x.strip()] if v else []


def _dedupe(name: str, df: pd.DataFrame) -> tuple[list[dict[str, str]], int]:
    """Rows in file order; an exact repeat goes, a different row under the same id fails."""
    seen: dict[str, dict[str, str]] = {}
    dropped = 0
    for i, raw in enumerate(df.to_dict("records"), start=2):
        rec = {str(k): str(v or "").strip() for k, v in raw.items()}
        rid = rec.get("id", "")
        if not rid:
            raise IngestError(f"{name}, line {i}: the id is empty.")
        rec["id"] = rid
        if rid in seen:
            if seen[rid] != rec:
                raise IngestError(f"{name}, line {i}: id {rid!r} appears twice with different "
                                  "content.")
            dropped += 1
            log.warning("%s, line %d: exact duplicate of %s dropped", name, i, rid)
            continue
        seen[rid] = rec
    return list(seen.values()), dropped


def prepare_supply(frames: dict[str, pd.DataFrame], directory: Path,
                   taxonomy: Taxonomy) -> SupplyPlan:
    """Check the supply files together; IngestError (nothing written) on the first problem."""
    plan = SupplyPlan()
    owner: dict[str, str] = {}
    records: dict[str, list[dict[str, str]]] = {}
    for name in SUPPLY_FILES:
        label, _, _ = ENTITY_FILES[name]
        rows, dropped = _dedupe(name, frames[name])
        plan.dropped_duplicates += dropped
        for r in rows:
            if r["id"] in owner:
                raise IngestError(f"{name}: id {r['id']!r} is already used by "
                                  f"{owner[r['id']]}; ids are unique across the supply kinds.")
            owner[r["id"]] = name
        records[name] = rows
    for name in SUPPLY_FILES:
        label, columns, links = ENTITY_FILES[name]
        path = directory / name
        file_hash = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
        entity: list[dict[str, Any]] = entity_rows(pd.DataFrame(records[name], dtype=str),
                                                   columns)
        for row, rec in zip(entity, records[name], strict=True):
            props: dict[str, Any] = row["props"]
            props["file_hash"] = file_hash
            # Content only: the same row from a re-saved file keeps its hash.
            row["record_hash"] = record_hash(dict(rec))
        plan.entities[label] = entity
        for col, (rel, target) in links.items():
            if col not in frames[name].columns:
                continue
            plan.links[(label, rel, target)] = [
                {"id": rec["id"], "targets": _split(rec[col])} for rec in records[name]]
    _check_targets(plan, frames, taxonomy)
    _check_shapes(plan)
    return plan


def _check_targets(plan: SupplyPlan, frames: dict[str, pd.DataFrame],
                   taxonomy: Taxonomy) -> None:
    known: dict[str, set[str]] = {"Capability": set(taxonomy.capabilities),
                                  "NLDArea": set(taxonomy.nld_areas)}
    for name, (label, _, _) in ENTITY_FILES.items():
        if name in frames and "id" in frames[name].columns:
            known.setdefault(label, set()).update(frames[name]["id"])
    for (label, rel, target), rows in plan.links.items():
        for r in rows:
            missing = [t for t in r["targets"] if t not in known.get(target, set())]
            if missing:
                raise IngestError(f"{label} {r['id']}: {rel} points at unknown {target} "
                                  f"{', '.join(missing)}.")


def _check_shapes(plan: SupplyPlan) -> None:
    """The rows in their export form against the SHACL shapes, all kinds in one graph (so
    `sh:class` sees the sites and institutions the links point at)."""
    g = Graph()
    for label, rows in plan.entities.items():
        kind, cls = ENTITY_LABELS[label]
        for row in rows:
            s = iri_for(kind, row["id"])
            g.add((s, RDF.type, cls))
            if label in EXTRA_TYPES:
                g.add((s, RDF.type, EXTRA_TYPES[label]))
            for key, value in row["props"].items():
                if key in ENTITY_PROPS:
                    pred, form = ENTITY_PROPS[key]
                    for term in rdf_terms(value, form):
                        g.add((s, pred, term))
    for (label, rel, target), rows in plan.links.items():
        t_kind = ENTITY_LABELS[target][0] if target in ENTITY_LABELS else {
            "Capability": "capability", "NLDArea": "nld"}.get(target)
        if t_kind is None:
            continue
        for r in rows:
            s = iri_for(ENTITY_LABELS[label][0], r["id"])
            for t in r["targets"]:
                o: URIRef = iri_for(t_kind, t)
                a, b = (o, s) if rel in REVERSED_RELS else (s, o)
                g.add((a, REL_PREDICATES[rel], b))
    problems = validate_graph(g)
    if problems:
        focus, violations = sorted(problems.items())[0]
        v = violations[0]
        raise IngestError(f"Seed {focus.rsplit('/', 2)[-2]} {focus.rsplit('/', 1)[-1]} does "
                          f"not conform to the SHACL shapes: {v.field}: {v.message_en}"
                          + (f" (value {v.value!r})" if v.value else ""))


def write_supply(driver: Driver, plan: SupplyPlan) -> dict[str, int]:
    """Upsert the checked rows (links are written with the other seed links)."""
    repo = SupplyRepository(driver)
    taken = repo.ids_under_other_labels(
        [{"id": r["id"], "label": label} for label, rows in plan.entities.items() for r in rows])
    if taken:
        rid, label = next(iter(taken.items()))
        raise IngestError(f"Supply id {rid!r} already belongs to a {label} in the graph.")
    summary: dict[str, int] = {}
    changed = 0
    for label, rows in plan.entities.items():
        changed += len(repo.upsert(label, rows))
        summary[label] = len(rows)
    summary["supply_changed"] = changed
    summary["supply_duplicates_dropped"] = plan.dropped_duplicates
    return summary


def supply_text(row: dict[str, Any]) -> str:
    """What a supply node is embedded as: its name and both descriptions."""
    desc = " ".join(x for x in (row.get("description_nl"), row.get("description_en")) if x)
    return embedding_text(row.get("name") or "", desc)


def refresh_supply_text(driver: Driver, taxonomy: Taxonomy, encoder: Encoder | None = None,
                        cache: EmbeddingCache | None = None) -> int:
    """Recompute concept_terms (always cheap) and the embeddings whose text changed; returns
    how many nodes were embedded."""
    repo = SupplyRepository(driver)
    rows = repo.text_sources()
    terms = []
    for r in rows:
        t = concept_terms(f"{r['name']}. {r['description_nl'] or ''} {r['description_en'] or ''}",
                          r["capabilities"], taxonomy)
        if t != r["concept_terms"]:
            terms.append({"id": r["id"], "concept_terms": t})
    repo.set_concept_terms(terms)
    embedded = 0
    if encoder is not None:
        todo = [(r, supply_text(r)) for r in rows]
        todo = [(r, t) for r, t in todo if r["embedding_hash"] != text_hash(t, encoder.name)]
        if todo:
            vectors = encode_passages_cached(encoder, [t for _, t in todo], cache)
            repo.set_embeddings([
                {"id": r["id"], "embedding": vectors[i].astype(float).tolist(),
                 "hash": text_hash(t, encoder.name)} for i, (r, t) in enumerate(todo)])
            embedded = len(todo)
    if terms or embedded:
        repo.await_fulltext()
    return embedded
