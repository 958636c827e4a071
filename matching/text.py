"""Texts derived from a company for search: what gets embedded and what Lucene indexes.

Lucene's Dutch analyzer stems but does not split compounds, so "warmtebeeldcamera" would not
meet "warmtebeeld". The ontology knows the labels that hide inside such compounds; every
concept found in a company's text (and every capability it holds) adds its labels in both
languages to the indexed text. The same labels therefore match in Dutch and English queries.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ontology.concepts import ConceptHit
from ontology.taxonomy import Taxonomy

# Confidence of an inferred capability by how it was found in the text.
CONF_LABEL = 0.9
CONF_COMPOUND = 0.75
CONF_EMBEDDING_MAX = 0.6


@dataclass(frozen=True)
class InferredCapability:
    id: str
    confidence: float
    evidence: str  # the phrase in the description (or "embedding:<score>")


def infer_capabilities(text: str, taxonomy: Taxonomy,
                       hits: Sequence[ConceptHit] | None = None) -> list[InferredCapability]:
    """Capabilities whose labels occur in the text; compound hits count a little less."""
    best: dict[str, InferredCapability] = {}
    found = taxonomy.find_in_text(text) if hits is None else hits
    for hit in (h for h in found if h.concept.kind == "capability"):
        conf = CONF_COMPOUND if hit.compound else CONF_LABEL
        cur = best.get(hit.concept.id)
        if cur is None or conf > cur.confidence:
            best[hit.concept.id] = InferredCapability(hit.concept.id, conf, hit.matched_text)
    return sorted(best.values(), key=lambda c: c.id)


def concept_hits(text: str, taxonomy: Taxonomy) -> list[ConceptHit]:
    return taxonomy.find_in_text(text)


def _labels(ids: Iterable[str], taxonomy: Taxonomy, lang: str | None,
            alt_per_lang: int = 3) -> list[str]:
    """Preferred labels plus the first few synonyms per language: enough to bridge languages
    and compounds without making every company's indexed text mostly label lists."""
    out: list[str] = []
    for cid in ids:
        c = taxonomy.get(cid)
        if c is None:
            continue
        for lg in (lang,) if lang else ("nl", "en"):
            out.append(c.label(lg))
            out.extend(c.alt_labels.get(lg, [])[:alt_per_lang])
    return out


def concept_terms(text: str, capability_ids: Sequence[str], taxonomy: Taxonomy,
                  hits: Sequence[ConceptHit] | None = None) -> str:
    """Labels (nl + en) of the concepts found in the text or held as capabilities."""
    found = {h.concept.id for h in (taxonomy.find_in_text(text) if hits is None else hits)}
    ids = sorted(set(capability_ids) | found)
    return _squash(" ; ".join(dict.fromkeys(_labels(ids, taxonomy, None))))


def embedding_text(name: str, description: str) -> str:
    return _squash(f"{name}. {description}")


def _squash(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def record_hash(payload: Mapping[str, object]) -> str:
    """Stable content hash of a record; provenance fields are left out by the caller."""
    data = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:32]
