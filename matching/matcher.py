"""The hybrid matcher: a demand question -> ranked, explained Drentse suppliers.

Three signals are computed inside Neo4j and fused by a weighted sum of normalised scores:

- dense: cosine between the question's embedding and each company's (vector index);
- lexical: BM25 over the Dutch and English Lucene indexes (concept labels bridge compounds);
- graph: ontology concepts found in the question (labels in both languages, and concept
  embeddings) lift companies that hold them, a narrower or broader concept, or belong to a
  cluster serving the concept's NLD area.

The weights come from settings and were chosen on the labelled set with `paraat eval`. The
explanation of a hit is built from the same signals that ranked it.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from neo4j import Driver
from neo4j.exceptions import ClientError

from core.settings import MatchSettings
from graph.repositories.matching import MatchingRepository
from matching import fusion, lexical
from matching.constraints import LABEL_KIND, parse_constraints
from matching.encoders.base import Encoder
from matching.encoders.composite import CompositeEncoder, concept_block
from matching.errors import MatchError
from matching.explain import explain
from matching.fusion import _companies, _note_kinds
from matching.hubs import HubPenalties, evidence_weight, hub_penalties, penalised
from matching.kinds import kind_concepts, of_kinds_asked, read_kind_cues
from matching.lexical import detect_lang
from matching.models import (
    Employees,
    GraphPath,
    Hit,
    MatchFilters,
    MatchRequest,
    MatchResult,
    Mode,
    QuestionConcept,
    Signals,
    TopK,
)
from ontology.concepts import ConceptHit
from ontology.taxonomy import Taxonomy

log = logging.getLogger(__name__)

# Re-exported for app/api (models, list_models, routes), which import them from here.
__all__ = ["Employees", "Hit", "MatchFilters", "MatchRequest", "MatchResult", "Matcher", "Mode",
           "TopK", "detect_lang", "with_concept_labels"]

# Per process: concept embeddings by (model, taxonomy version, concept count), and a small
# thread pool for the Neo4j calls of one question (the driver is thread-safe). Matchers are
# created per API request, so neither may live on the instance.
_CONCEPT_MATRICES: dict[tuple[str, str, int], tuple[list[str], np.ndarray]] = {}
_EXECUTOR: ThreadPoolExecutor | None = None
# per taxonomy version: the concepts of a kind of supply (matching.kinds.kind_concepts)
_KIND_CONCEPTS: dict[str, dict[str, frozenset[str]]] = {}
_EXECUTOR_LOCK = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _EXECUTOR
    with _EXECUTOR_LOCK:
        if _EXECUTOR is None:
            _EXECUTOR = ThreadPoolExecutor(max_workers=4, thread_name_prefix="paraat-match")
        return _EXECUTOR


def with_concept_labels(question: str, concept_ids: Sequence[str], taxonomy: Taxonomy) -> str:
    """The question plus the nl and en labels of the given concepts that it does not already
    contain: the text the dense query encodes (longer than the question, so it costs more)."""
    labels: list[str] = []
    for cid in concept_ids:
        concept = taxonomy.capabilities[cid]
        labels += [concept.label("nl"), concept.label("en")]
    extra = [lb for lb in dict.fromkeys(labels) if lb.lower() not in question.lower()]
    return f"{question} ({', '.join(extra)})" if extra else question


class Matcher:
    """Stateless apart from its collaborators; one per process is fine."""

    def __init__(self, driver: Driver, encoder: Encoder, taxonomy: Taxonomy,
                 settings: MatchSettings | None = None) -> None:
        self.driver = driver
        self.repo = MatchingRepository(driver)
        self.encoder = encoder
        self.taxonomy = taxonomy
        self.s = settings or MatchSettings()

    # ------------------------------------------------------------------ signals
    def question_concepts(self, question: str, vector: np.ndarray,
                          hits: Sequence[ConceptHit] | None = None,
                          confirm: Callable[[list[str]], set[str] | None] | None = None
                          ) -> list[QuestionConcept]:
        """Concepts the question names (labels) or is close to (embedding). `confirm` gets
        the concepts found by embedding and returns those the question itself supports
        (None: all of them), see `_confirmed`."""
        found: dict[str, QuestionConcept] = {}
        if hits is None:
            hits = self.question_hits(question)
        for hit in hits:
            w = 0.85 if hit.compound else 1.0
            cur = found.get(hit.concept.id)
            if cur is None or w > cur.weight:
                found[hit.concept.id] = QuestionConcept(hit.concept.id, w, "label",
                                                        hit.matched_text)
        if self.s.concept_top > 0:
            cosines = self._closest_asked(question, vector)
            t = self.s.concept_threshold
            top = max((c for _, c in cosines), default=0.0)
            near = [(cid, cos) for cid, cos in self._clearing(cosines) if cid not in found]
            confirmed = confirm([cid for cid, _ in near]) if near and confirm else None
            if confirmed is not None:
                near = [(cid, cos) for cid, cos in near if cid in confirmed]
            for cid, cos in near:
                w = 0.3 + 0.5 * (cos - t) / max(0.01, top - t)
                found[cid] = QuestionConcept(cid, round(w, 4), "embedding", f"~{cos:.2f}")
        return list(found.values())

    def _closest_asked(self, question: str, vector: np.ndarray) -> list[tuple[str, float]]:
        """The `concept_top` closest to `vector` of a kind asked for (`of_kinds_asked`)."""
        of_kind = _KIND_CONCEPTS.setdefault(self.taxonomy.version, kind_concepts(self.taxonomy))
        wide = self._concept_cosines(vector, self.s.concept_top + len(of_kind))
        return of_kinds_asked(question, wide, of_kind)[: self.s.concept_top]

    def _clearing(self, cosines: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """The concepts close enough to count: e5 cosines are compressed, so a concept counts
        when it clears the threshold and is close to the best one."""
        top = max((c for _, c in cosines), default=0.0)
        return [(cid, cos) for cid, cos in cosines
                if cos >= self.s.concept_threshold and cos >= top - self.s.concept_margin]

    def _concept_cosines(self, vector: np.ndarray, top: int | None = None
                         ) -> list[tuple[str, float]]:
        """The `concept_top` concepts closest to `vector` with their cosines, by exact cosine
        against the concept embeddings kept in memory: the same ranking as the capability
        vector index, without a round trip per question (on the first model's block of a
        mix: `concept_block`)."""
        ids, matrix = self.concept_matrix()
        if not ids:
            return []
        q = concept_block(self.encoder, vector)
        sims = matrix @ (q / max(float(np.linalg.norm(q)), 1e-12))
        top_idx = np.argsort(-sims, kind="stable")[: top or self.s.concept_top]
        return [(ids[i], float(sims[i])) for i in top_idx]

    def concept_matrix(self) -> tuple[list[str], np.ndarray]:
        """The capability embeddings of the graph (unit rows), fetched once per process and
        model; an empty result (no concept embeddings yet) is not cached."""
        key = (self.encoder.name, self.taxonomy.version, len(self.taxonomy.capabilities))
        cached = _CONCEPT_MATRICES.get(key)
        if cached is not None:
            return cached
        records = self.repo.concept_vectors()
        rows = [(r["id"], r["embedding"]) for r in records
                if r["id"] in self.taxonomy.capabilities
                and len(r["embedding"]) == self.encoder.dimension]
        if not rows:
            return [], np.zeros((0, self.encoder.dimension), dtype=np.float32)
        matrix = concept_block(self.encoder, np.asarray([e for _, e in rows], dtype=np.float32))
        matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
        _CONCEPT_MATRICES[key] = ([i for i, _ in rows], matrix)
        return _CONCEPT_MATRICES[key]

    def _encode_question(self, question: str, text: str, memo: dict[int, np.ndarray]
                         ) -> np.ndarray:
        """The query vector for `text` (the question with concept labels added). In a mix
        only the first model sees the labels; the others encode the question as asked (once
        per question, kept in `memo`), because label lists do not help them (eval README)."""
        enc = self.encoder
        if not (isinstance(enc, CompositeEncoder) and self.s.mix_first_part_only):
            return enc.encode_queries([text])[0]
        first = enc.parts[0][0].encode_queries([text])
        rest = []
        for i, (part, _) in enumerate(enc.parts[1:], start=1):
            if i not in memo:
                memo[i] = part.encode_queries([question])
            rest.append(memo[i])
        out: np.ndarray = enc.combine([first, *rest])[0]
        return out

    def expanded(self, question: str, hits: Sequence[ConceptHit] | None = None) -> str:
        """The question plus the labels (both languages) of the concepts it names: anchors
        the dense query in both languages, so a Dutch question meets English descriptions."""
        if not self.s.expand_query:
            return question
        if hits is None:
            hits = self.question_hits(question)
        return self._with_labels(question, [h.concept.id for h in hits])

    def _confirmed(self, question: str, lang: str, hits: Sequence[ConceptHit],
                   candidates: list[str]) -> set[str] | None:
        """The concepts found by embedding that would be found without the words that can
        mislead the embedding: among the `concept_top` closest to the text the dense query
        encoded, without the words of asking that have a topic (supplying, seeking, the
        party asked for, Defence: `matching.request.TOPICAL_GROUPS`) and (Dutch) without the
        candidate's look-alikes: the words that are only the first part of a compound label
        of it, and the labels the question names whose concept has such a label. None when
        nothing is left out.

        "Wij zoeken een partij die onbemande vliegtuigen kan leveren" lands near aircraft
        components through "leveren" (supplying) and "vliegtuig-" (vliegtuigonderdelen), and
        through "onbemande vliegtuigen", which is "Drones", near counter-drone
        (dronebestrijding); "Wij een die kan voor verkenning boven de Noordzee" is near
        neither. A concept the rest of the question supports stays: "ongewenste drones boven
        het terrein opmerken en onschadelijk maken" is counter-drone without "drones" too.

        Only what is left out differs from the dense query: the labels of the other concepts
        the question names stay, as do pronouns and modals ("kan", "onze"), which have no
        topic to mislead with. Checking the bare question without every word of asking
        against the concepts of the expanded one dropped true concepts of ordinary questions
        (uncrewed systems for "Zware drone die tot twintig kilo lading kan meenemen"). The
        threshold of `_clearing` instead of the closest few dropped true ones ("Een vliegbasis
        wil ongewenste drones ... onschadelijk maken" is counter-drone). An encoding
        by the first model of a mix (`concept_block`) per distinct text left over, so only for
        questions with such words and embedding concepts. Words of asking in a label the
        question names stay ("power supply")."""
        dense_text = self.expanded(question, hits)
        by_text: dict[str, list[str]] = {}
        for cid in candidates:
            by_text.setdefault(self.checked_text(question, lang, hits, cid), []).append(cid)
        if list(by_text) == [dense_text]:
            return None
        confirmed = set(by_text.pop(dense_text, []))
        enc = self.encoder
        first = enc.parts[0][0] if isinstance(enc, CompositeEncoder) else enc
        for text, cids in by_text.items():
            if text:  # "": only words of asking and look-alikes, nothing confirms a concept
                vec = first.encode_queries([text])[0]
                near = {c for c, _ in self._closest_asked(question, vec)}
                confirmed |= near & set(cids)
        return confirmed

    def checked_text(self, question: str, lang: str, hits: Sequence[ConceptHit], cid: str
                     ) -> str:
        """The text a concept found by embedding is confirmed on (`_confirmed`): the dense
        query's text without the topical words of asking and the concept's look-alikes; ""
        when no word is left. Each candidate is checked without its own look-alikes only:
        "drone" says nothing for counter-drone (dronebestrijding), but does for uncrewed
        systems. A label the question names is a look-alike too when its concept's labels
        hold one ("onbemande vliegtuigen" is "Drones"); the labels of the others stay."""
        cut: set[tuple[int, int]] = set(lexical.request_spans(
            question, [(h.start, h.end) for h in hits], topical=True))
        if lang == "nl":
            cut.update(self.taxonomy.compound_neighbours(question, [cid]))
            cut.update((h.start, h.end) for h in hits if self.taxonomy.compound_neighbours(
                self._with_labels("", [h.concept.id]), [cid]))
        if not cut:
            return self.expanded(question, hits)
        asked = lexical.without_spans(question, cut)
        named = [h.concept.id for h in hits
                 if self.s.expand_query and not any(a < h.end and h.start < b for a, b in cut)]
        return self._with_labels(asked, named) if asked else ""

    def question_hits(self, question: str) -> list[ConceptHit]:
        """The concept labels a question names. A label of only words of asking would not
        say what is asked for (`matching.request`), so it does not count."""
        return [h for h in self.taxonomy.find_in_text(question, kinds=("capability",))
                if not lexical.only_request_words(h.matched_text)]

    def _with_labels(self, question: str, concept_ids: Sequence[str]) -> str:
        return with_concept_labels(question, concept_ids, self.taxonomy)

    def signals(self, question: str, filters: MatchFilters | None = None,
                lang: str | None = None) -> Signals:
        """The three signals. Lexical search needs no embedding, so it runs in Neo4j while
        the question is encoded; the graph query runs once the concepts are known (during the
        feedback encoding, if any), the dense query once the final vector is. Each stage's
        own duration is in `timings` (they overlap, so they add up to more than the total)."""
        flt = filters or MatchFilters()
        f, filtered = flt.query_params(), not flt.is_empty()
        timings: dict[str, float] = {}
        pool = _executor()
        hits = self.question_hits(question)

        q_terms = lexical.terms(question)
        phrases: list[str] = []
        for hit in hits:
            phrases += [hit.concept.label("nl"), hit.concept.label("en")]
        lucene = lexical.lucene_query(question, phrases)
        kinds: dict[str, str] = {}  # filled by the three retrievals (threads: one dict)
        lex_future = pool.submit(self._lexical, lucene, f, filtered, kinds) if lucene else None

        t0 = time.perf_counter()
        memo: dict[int, np.ndarray] = {}
        vector = self._encode_question(question, self.expanded(question, hits), memo)
        timings["encode"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        lang = lang or detect_lang(question)
        concepts = self.question_concepts(
            question, vector, hits, lambda near: self._confirmed(question, lang, hits, near))
        timings["concepts"] = time.perf_counter() - t0
        graph_future = pool.submit(self._graph, concepts, f, filtered, kinds)

        # Ontology feedback: concepts found by embedding alone (no label in the question)
        # that are confident enough add their labels in both languages to the dense query,
        # which is then encoded again. This bridges paraphrase and language the same way the
        # label expansion does for concepts the question names.
        extra = [c.id for c in concepts
                 if c.via == "embedding" and c.weight >= self.s.expand_min_weight]
        expansion = [h.concept.id for h in hits]
        if self.s.expand_query and extra:
            t0 = time.perf_counter()
            expansion += extra
            vector = self._encode_question(
                question, self._with_labels(question, expansion), memo)
            timings["encode_expanded"] = time.perf_counter() - t0
        vec = vector.astype(float).tolist()
        versions: dict[str, str | None] = {}
        raw, timings["dense"] = self._timed(self._dense, vec, f, filtered, kinds, versions)
        dense, timings["hub_penalty"] = self._timed(self.dehub, raw, None, versions)
        graph, timings["graph"] = graph_future.result()
        lex: dict[str, float] = {}
        timings["lexical"] = 0.0
        if lex_future is not None:
            lex, timings["lexical"] = lex_future.result()
        # Dense scores are normalised between the best and the `dense_pool`-th cosine; a
        # company outside the pool scores 0 (`component_scores`), so the lexical and graph
        # candidates need no cosine to be ranked.
        # The companies set the scale when there are any (issue 19): the other supply comes
        # in its own pool and is scored against the companies' best and floor, so adding it
        # leaves the companies' ranking among themselves as it was.
        floor = fusion.pool_floor(_companies(dense, kinds), self.s.dense_pool)
        # An area or access mode the question states: the candidates' attributes, one round
        # trip and only for such questions (matching.constraints).
        wants = parse_constraints(question)
        cues = read_kind_cues(question)
        attrs: dict[str, dict[str, Any]] = {}
        if wants:
            t0 = time.perf_counter()
            attrs = self._attributes(set(dense) | set(lex) | set(graph))
            timings["constraints"] = time.perf_counter() - t0
        return Signals(question, lang, q_terms, concepts, vector,
                       dense, lex, graph, floor, timings,
                       expansion if self.s.expand_query else [], wants, attrs, kinds,
                       cues.with_place() if wants else cues, dense_raw=raw,
                       versions=versions)

    def _attributes(self, keys: set[str]) -> dict[str, dict[str, Any]]:
        if not keys:
            return {}
        records = self.repo.supply_attributes(sorted(keys))
        return {r["kvk"]: {"area_ha": r["area_ha"], "access": r["access"]} for r in records}

    @staticmethod
    def _timed(fn: Any, *args: Any) -> tuple[Any, float]:
        t0 = time.perf_counter()
        return fn(*args), time.perf_counter() - t0

    def _lexical(self, lucene: str, f: dict[str, Any], filtered: bool,
                 kinds: dict[str, str] | None = None) -> tuple[dict[str, float], float]:
        t0 = time.perf_counter()
        # With filters, Lucene's own top-k would cut before filtering: fetch deeper. Without,
        # the top `pool` of each index hold the top `pool` by the better of the two scores.
        records = self.repo.lexical(lucene, filtered=filtered,
                                    k=self.s.pool * (50 if filtered else 1),
                                    limit=self.s.pool, filters=f)
        _note_kinds(kinds, records)
        return {r["kvk"]: float(r["score"]) for r in records}, time.perf_counter() - t0

    def _graph(self, concepts: list[QuestionConcept], f: dict[str, Any], filtered: bool,
               kinds: dict[str, str] | None = None
               ) -> tuple[dict[str, list[GraphPath]], float]:
        t0 = time.perf_counter()
        graph: dict[str, list[GraphPath]] = {}
        if concepts:
            records = self.repo.graph_paths(
                [{"id": c.id, "weight": c.weight} for c in concepts], filtered=filtered,
                weights={"w_direct": self.s.w_direct, "w_narrower": self.s.w_narrower,
                         "w_broader": self.s.w_broader, "w_cluster": self.s.w_cluster},
                per_path=self.s.graph_per_path, filters=f)
            _note_kinds(kinds, records)
            for r in records:
                graph[r["kvk"]] = [GraphPath(
                    p["concept"], p["via"], p["held"], p["how"],
                    None if p["conf"] is None else float(p["conf"]),
                    float(p["s"]) * evidence_weight(p["how"], p["conf"],
                                                    self.s.inferred_conf_power))
                    for p in r["paths"]]
        return graph, time.perf_counter() - t0

    def dehub(self, cosines: dict[str, float], pool: Sequence[str] | None = None,
              versions: Mapping[str, str | None] | None = None) -> dict[str, float]:
        """Cosines less the hub penalty (`matching.hubs.penalised`); the reference is the
        median neighbourhood of `pool` (default: of `cosines`), the question's vector pool.
        `versions` (key -> embedding_hash, read with the cosines) keys the kept penalties."""
        if self.s.hub_penalty <= 0 or not cosines:
            return cosines
        hubs = self.hub_penalties()
        r = hubs.get(list(cosines), self._supply_embeddings, versions)
        ref = hubs.get(list(pool), self._supply_embeddings, versions) if pool is not None \
            else r
        return penalised(cosines, r, self.s.hub_penalty,
                         list(ref.values()) if self.s.hub_one_sided else None)

    def hub_penalties(self) -> HubPenalties:
        return hub_penalties(self.driver, self.repo, self.encoder, self.taxonomy.version, self.s)

    def _supply_embeddings(self, keys: list[str]) -> dict[str, list[float]]:
        return {r["kvk"]: r["embedding"] for r in self.repo.supply_embeddings(keys)}

    def dense_scores(self, vec: list[float], f: dict[str, Any], filtered: bool
                     ) -> dict[str, float]:
        """The dense stage as `signals` runs it (`paraat bench matching` times it alone): the
        vector pool's cosines less the hub penalty."""
        versions: dict[str, str | None] = {}
        return self.dehub(self._dense(vec, f, filtered, None, versions), None, versions)

    def _dense(self, vec: list[float], f: dict[str, Any], filtered: bool,
               kinds: dict[str, str] | None = None,
               versions: dict[str, str | None] | None = None) -> dict[str, float]:
        exact = False
        if filtered:
            exact = self.repo.count_filtered(f) <= self.s.exact_dense_below
        # Only the top `dense_pool` matter to the fusion (see the floor in `signals`), and
        # the index's cost grows with k (100 -> 50: p95 70 -> 31 ms at 100k companies).
        limit = self.s.dense_pool
        if exact:
            records = self.repo.dense_exact(vec, limit, f)
        else:
            records = self.repo.dense_index(vec, filtered=filtered,
                                            k=limit * (20 if filtered else 1), limit=limit,
                                            filters=f)
        _note_kinds(kinds, records)
        if versions is not None:
            versions.update((r["kvk"], r["ehash"]) for r in records)
        return {r["kvk"]: float(r["score"]) for r in records}

    # ------------------------------------------------------------------ ranking
    def component_scores(self, sig: Signals, dense_all: dict[str, float],
                         raw_all: dict[str, float] | None = None
                         ) -> dict[str, dict[str, float]]:
        """Normalised dense/lexical/graph per candidate (`matching.fusion.component_scores`)."""
        return fusion.component_scores(self.s, sig, dense_all, raw_all)

    def fuse(self, comps: dict[str, dict[str, float]], mode: Mode = "hybrid",
             weights: tuple[float, float, float] | None = None) -> list[tuple[str, float]]:
        return fusion.fuse(self.s, comps, mode, weights)

    def candidates_for(self, kvks: Sequence[str], sig: Signals) -> dict[str, dict[str, Any]]:
        if not kvks:
            return {}
        records = self.repo.candidates(list(kvks), sig.vector.astype(float).tolist())
        return {r["kvk"]: dict(r) for r in records}

    def dense_for_pool(self, sig: Signals) -> dict[str, float]:
        """Dense cosine (less the hub penalty) for every candidate of the three pools, for
        rankings by a single signal (`paraat eval`, mode dense or graph): one round trip for
        those outside the vector pool. The hybrid ranking does not need it (see the floor in
        `signals`)."""
        return self.cosines_for_pool(sig)[1]

    def cosines_for_pool(self, sig: Signals) -> tuple[dict[str, float], dict[str, float]]:
        """`dense_for_pool`'s cosines before and after the hub penalty, one round trip."""
        raw_all, dense_all = dict(sig.dense_raw or sig.dense), dict(sig.dense)
        missing = sorted((set(sig.lexical) | set(sig.graph)) - set(dense_all))
        if missing:
            records = self.repo.candidate_cosines(missing, sig.vector.astype(float).tolist())
            raw = {r["kvk"]: float(r["dense"]) for r in records}
            versions = {**sig.versions, **{r["kvk"]: r["ehash"] for r in records}}
            raw_all.update(raw)
            dense_all.update(self.dehub(raw, list(sig.dense), versions))
        return raw_all, dense_all

    # ------------------------------------------------------------------ the API
    def ensure_ready(self) -> None:
        if self.repo.count_companies() == 0:
            raise MatchError("The graph holds no companies yet: load data first "
                             "(paraat ingest seed) / de graaf bevat nog geen bedrijven.")

    def match(self, request: MatchRequest, mode: Mode = "hybrid") -> MatchResult:
        t0 = time.perf_counter()
        try:
            sig = self.signals(request.question, request.filters, request.lang)
        except ClientError:
            self.ensure_ready()  # a graph without companies (or indexes) gets a clear message
            raise
        if not (sig.dense or sig.lexical or sig.graph):
            # Nothing found at all: tell an empty graph apart from filters that exclude every
            # company (one count on this rare path, not a round trip before every question).
            self.ensure_ready()
        t1 = time.perf_counter()
        if mode == "hybrid":
            comps = self.component_scores(sig, sig.dense)
        else:
            raw_all, dense_all = self.cosines_for_pool(sig)
            comps = self.component_scores(sig, dense_all, raw_all)
        ranked = self.fuse(comps, mode)[: request.top_k]
        # texts, metadata and exact cosines for the shortlist only (explanations)
        cands = self.candidates_for([kvk for kvk, _ in ranked], sig)
        for kvk, _ in ranked:
            if cands[kvk]["dense"] is not None:
                comps[kvk]["dense_cosine"] = float(cands[kvk]["dense"])
        sig.timings["fuse"] = time.perf_counter() - t1
        hits = []
        for rank, (kvk, score) in enumerate(ranked, start=1):
            c = cands[kvk]
            kind = next((LABEL_KIND[lb] for lb in c["labels"] if lb in LABEL_KIND), "company")
            hits.append(Hit(
                rank=rank, kind=kind, id=kvk, kvk_number=c["kvk_number"], name=c["name"],
                score=round(score, 4),
                attributes={k: v for k, v in (c["attributes"] or {}).items()
                            if v not in (None, [])},
                municipality=c["municipality_name"] or c["municipality"],
                website=c["website"], employees=c["employees"], kvk_status=c["kvk_status"],
                synthetic=bool(c["synthetic"]),
                last_verified=str(c["last_verified"]) if c["last_verified"] else None,
                explanation=explain(self.taxonomy, self.s, sig, c, comps[kvk], score)))
        sig.timings["total"] = time.perf_counter() - t0
        return MatchResult(
            question=request.question, lang=sig.lang, mode=mode,
            concepts=[{"id": q.id, "label": self.taxonomy.capabilities[q.id].label(sig.lang),
                       "via": q.via, "matched": q.matched, "weight": q.weight}
                      for q in sig.concepts],
            hits=hits, timings_ms={k: round(v * 1000, 1) for k, v in sig.timings.items()})

    # ------------------------------------------------------------------ explanations
    # ------------------------------------------------------------------ storing
    def nld_areas(self, text: str, concept_ids: Sequence[str]) -> list[str]:
        """NLD areas of a question: those of its concepts (and their broader ones) plus any
        area the text names itself, in first-seen order."""
        areas: list[str] = []
        for cid in concept_ids:
            if cid in self.taxonomy.capabilities:
                areas += self.taxonomy.areas_of(cid)
        areas += [h.concept.id for h in self.taxonomy.find_in_text(text, kinds=("nld",))]
        return list(dict.fromkeys(areas))

    def store(self, result: MatchResult, request: MatchRequest, owner: str | None = None
              ) -> str:
        qid = uuid.uuid4().hex
        concepts = [c["id"] for c in result.concepts]
        self.repo.create_demand_question({
            "id": qid, "question": request.question, "lang": result.lang,
            "filters": json.dumps(request.filters.params()), "owner": owner,
            "top_k": request.top_k,
            # the cosine is absolute (the score is relative to the best hit): what the
            # monitor's supply gaps judge a match by (docs/monitoring.md)
            "hits": [{"kvk": h.id, "kind": h.kind, "rank": h.rank, "score": h.score,
                      "cosine": h.explanation.get("scores", {}).get("dense_cosine")}
                     for h in result.hits],
            "concepts": concepts, "nld_areas": self.nld_areas(request.question, concepts),
            # the hub penalty's bank of past questions (matching/hubs.py)
            "embedding": self.encoder.encode_queries([request.question])[0].astype(float).tolist()})
        return qid
