"""The reverse match: from a company's text (a loket item, a registration's description) to
the concepts it is about and the NLD areas, clusters, knowledge partners and past demand
questions that fit. The same engine as `POST /match` finds the concepts; the weights are
`MatchSettings`' (w_narrower, w_broader, reverse_*), so one setting moves both directions."""

from __future__ import annotations

import logging
from typing import Any

from neo4j import Driver

from core.settings import MatchSettings
from graph.repositories.loket import LoketRepository
from matching.encoders.base import Encoder
from matching.matcher import Matcher, detect_lang
from ontology.taxonomy import Taxonomy, load_taxonomy

log = logging.getLogger(__name__)


def concept_weights(taxonomy: Taxonomy, concepts: dict[str, float],
                    settings: MatchSettings) -> dict[str, float]:
    """The found concepts plus their narrower ones and their direct broader ones, weighted:
    a concept the node holds itself counts fully, a narrower one a bit less, a broader one
    less again."""
    out: dict[str, float] = {}

    def put(cid: str, w: float) -> None:
        out[cid] = max(out.get(cid, 0.0), w)

    for cid, w in concepts.items():
        put(cid, w)
        for n in taxonomy.narrower_closure(cid):
            put(n, w * settings.w_narrower)
        for b in taxonomy.capabilities[cid].broader:
            put(b, w * settings.w_broader)
    return out


def _ranked(items: list[dict[str, Any]], top: int) -> list[dict[str, Any]]:
    items = [i for i in items if i["score"] > 0]
    items.sort(key=lambda i: (-i["score"], i["id"]))
    for i in items:
        i["score"] = round(i["score"], 4)
    return items[:top]


def reverse_match(driver: Driver, encoder: Encoder, settings: MatchSettings, text: str,
                  taxonomy: Taxonomy | None = None) -> tuple[dict[str, Any], str]:
    """Concepts, NLD areas, clusters, knowledge partners and past demand questions for a text;
    and its language."""
    taxonomy = taxonomy or load_taxonomy()
    repo = LoketRepository(driver)
    top = settings.reverse_top
    matcher = Matcher(driver, encoder, taxonomy, settings)
    vector = encoder.encode_queries([matcher.expanded(text)])[0]
    found = matcher.question_concepts(text, vector)
    weights = {c.id: c.weight for c in found}
    caps = concept_weights(taxonomy, weights, settings)

    area_w: dict[str, float] = {}
    area_via: dict[str, list[str]] = {}
    for c in found:
        for a in taxonomy.areas_of(c.id):
            area_w[a] = area_w.get(a, 0.0) + c.weight
            area_via.setdefault(a, []).append(f"capability:{c.id}")
    for h in taxonomy.find_in_text(text, kinds=("nld",)):
        area_w[h.concept.id] = area_w.get(h.concept.id, 0.0) + 1.0
        area_via.setdefault(h.concept.id, []).append("named")
    top_area = max(area_w.values(), default=1.0)
    area_n = {a: w / top_area for a, w in area_w.items()}
    areas = _ranked([{"id": a, "name": taxonomy.nld_areas[a].label("nl")
                      if a in taxonomy.nld_areas else a, "kind": "nld-area",
                      "score": area_n[a], "via": sorted(set(area_via[a]))} for a in area_w], top)

    cap_ids, area_ids = sorted(caps), sorted(area_w)
    clusters = _ranked([{
        "id": r["id"], "name": r["name"], "kind": r["kind"],
        "score": sum(caps[k] for k in r["caps"])
        + settings.reverse_w_area * sum(area_n[a] for a in r["areas"]),
        "via": [f"capability:{k}" for k in r["caps"]] + [f"nld:{a}" for a in r["areas"]],
    } for r in repo.related_clusters(cap_ids, area_ids)], top)

    partners = _ranked([{
        "id": r["id"], "name": r["name"], "kind": r["kind"],
        "score": sum(caps[k] for k in r["caps"])
        + settings.reverse_w_ecosystem * len(r["ecosystems"]),
        "via": [f"capability:{k}" for k in r["caps"]]
        + [f"ecosystem:{e}" for e in r["ecosystems"]],
    } for r in repo.related_institutions(cap_ids, area_ids, [c["id"] for c in clusters])], top)

    demand = []
    for r in repo.related_demand(cap_ids, area_ids, limit=500):
        shared = sorted(k for k in r["concepts"] if k in caps)
        score = sum(caps[k] for k in shared) / max(1, len(r["concepts"])) \
            + 0.1 * len(set(r["areas"] or []) & set(area_w))
        demand.append({"id": r["id"], "question": r["question"], "lang": r["lang"],
                       "created_at": r["created_at"], "score": score,
                       "shared_concepts": shared, "nld_areas": sorted(r["areas"] or [])})
    concepts = [{"id": c.id, "label_nl": taxonomy.capabilities[c.id].label("nl"),
                 "label_en": taxonomy.capabilities[c.id].label("en"), "via": c.via,
                 "weight": c.weight} for c in sorted(found, key=lambda c: -c.weight)]
    matches = {"concepts": concepts, "nld_areas": areas, "clusters": clusters,
               "knowledge_partners": partners, "demand_questions": _ranked(demand, top)}
    return matches, detect_lang(text)
