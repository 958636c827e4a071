"""`paraat ingest ontology`: the taxonomy from `ontology/*.ttl` into Neo4j, idempotently."""

from __future__ import annotations

import logging
from typing import Any

from neo4j import Driver

from graph.repositories.taxonomy import TaxonomyRepository
from matching.encoders.base import Encoder
from matching.encoders.cache import EmbeddingCache, encode_passages_cached, text_hash
from ontology.concepts import Concept
from ontology.taxonomy import Taxonomy, load_taxonomy

log = logging.getLogger(__name__)


def _props(c: Concept) -> dict[str, Any]:
    return {
        "iri": c.iri,
        "label_nl": c.label("nl"),
        "label_en": c.label("en"),
        "alt_nl": list(c.alt_labels.get("nl", [])),
        "alt_en": list(c.alt_labels.get("en", [])),
        "definition_nl": c.definition.get("nl"),
        "definition_en": c.definition.get("en"),
        "source": c.source,
    }


def concept_text(c: Concept, max_labels: int = 16) -> str:
    """What a concept's embedding is made of: its labels in both languages.

    Short on purpose: questions are short, and encoding cost grows with length."""
    parts = [c.label("nl"), c.label("en"), *c.all_labels()]
    return "; ".join(list(dict.fromkeys(p for p in parts if p))[:max_labels])


def load_ontology(driver: Driver, taxonomy: Taxonomy | None = None,
                  encoder: Encoder | None = None, cache: EmbeddingCache | None = None
                  ) -> dict[str, int]:
    tax = taxonomy or load_taxonomy()
    areas = [{"id": a.id, "props": {**_props(a), "name_nl": a.label("nl"),
                                    "name_en": a.label("en")}}
             for a in tax.nld_areas.values()]
    caps = [{"id": c.id, "props": _props(c)} for c in tax.capabilities.values()]
    links = [{"id": c.id, "broader": list(c.broader), "areas": list(c.nld_areas)}
             for c in tax.capabilities.values()]

    TaxonomyRepository(driver).write_ontology(areas, caps, links)
    embedded = 0
    if encoder is not None:
        embedded = embed_capabilities(driver, tax, encoder, cache)
    return {"nld_areas": len(areas), "capabilities": len(caps), "embedded": embedded}


def embed_capabilities(driver: Driver, tax: Taxonomy, encoder: Encoder,
                       cache: EmbeddingCache | None = None) -> int:
    repo = TaxonomyRepository(driver)
    known = repo.capability_embedding_hashes()
    todo = []
    for c in tax.capabilities.values():
        text = concept_text(c)
        h = text_hash(text, encoder.name)
        if known.get(c.id) != h:
            todo.append((c.id, text, h))
    if not todo:
        return 0
    vectors = encode_passages_cached(encoder, [t for _, t, _ in todo], cache)
    rows = [{"id": cid, "embedding": vectors[i].astype(float).tolist(), "hash": h}
            for i, (cid, _, h) in enumerate(todo)]
    repo.set_capability_embeddings(rows)
    return len(rows)
