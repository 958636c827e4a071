"""Why a supplier was found: explanations built from the signals that ranked it, in the
question's language (graph paths, matched terms, dense expansion, highlighted sentences)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from core.settings import MatchSettings
from matching import lexical
from matching.constraints import check
from matching.hubs import evidence_kind
from matching.models import Signals
from ontology.taxonomy import Taxonomy

_WORD_REST = re.compile(r"\w*")


def explain(taxonomy: Taxonomy, settings: MatchSettings, sig: Signals, cand: dict[str, Any],
            comp: dict[str, float], score: float) -> dict[str, Any]:
    """The explanation of one hit, from the same signals that ranked it: the graph paths
    from the question's concepts to what the company holds, the lexical terms it shares,
    the concepts the dense query was expanded with, and the sentences that show them."""
    lang = sig.lang
    name = cand["name"]
    concepts = []
    paths = []
    for p in sorted(sig.graph.get(cand["kvk"], []), key=lambda p: -p.score):
        concept = taxonomy.capabilities[p.concept]
        q_label = concept.label(lang)
        if p.via == "cluster":
            held_label = p.held
            path = (f'vraag → "{q_label}" → NLD-gebied {p.how} → cluster {p.held} → '
                    f"{name} (MEMBER_OF)") if lang == "nl" else \
                (f'question → "{q_label}" → NLD area {p.how} → cluster {p.held} → '
                 f"{name} (MEMBER_OF)")
        else:
            held = taxonomy.capabilities[p.held]
            held_label = held.label(lang)
            how = p.how or "declared"
            mid = "" if p.via == "direct" else f' → {p.via} "{held_label}"'
            path = (f'{"vraag" if lang == "nl" else "question"} → "{q_label}"{mid} → '
                    f"{name} via HAS_CAPABILITY ({how}"
                    + (f", {p.confidence:.2f})" if p.confidence is not None else ")"))
        paths.append(path)
        concepts.append({"id": p.concept, "label": q_label, "via": p.via,
                         "held": p.held, "held_label": held_label, "source": p.how,
                         "confidence": p.confidence, "score": round(p.score, 4),
                         # declared > inferred_high > inferred_low (issue 22)
                         "evidence": None if p.via == "cluster" else evidence_kind(
                             p.how, p.confidence)})
    text = cand["description_en"] if lang == "en" and cand.get("description_en") \
        else cand["description"]
    lex_terms = lexical.matched_terms(sig.terms, text or "") if comp["bm25"] > 0 else []
    return {
        "concepts": concepts,
        "graph_paths": paths,
        "lexical_terms": lex_terms,
        # the concepts whose labels (nl + en) were added to the dense query
        "dense_expansion": [{"id": cid, "label": taxonomy.capabilities[cid].label(lang)}
                            for cid in sig.expansion],
        "phrases": _phrases(taxonomy, text or "", lex_terms, concepts),
        "scores": {"final": round(score, 4), **{k: round(v, 4) for k, v in comp.items()},
                   "weights": {"dense": settings.w_dense, "lexical": settings.w_lexical,
                               "graph": settings.w_graph}},
        "stale": cand.get("last_verified") is None,
        "verified": cand.get("last_verified") is not None,
        # the area and access the question states, against what this node has
        "constraints": check(cand.get("attributes") or {}, sig.constraints, lang)[1]
        if sig.constraints else [],
        # the kinds the question names as the thing asked for, the words that named them,
        # and the factor on this node's score for its kind (1 for a company or a named kind)
        "kind_cues": {**sig.kind_cues.as_dict(), "prior": comp.get("kind_prior", 1.0)},
    }

def _phrases(taxonomy: Taxonomy, text: str, lex_terms: Sequence[str],
             concepts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sentences of the company text holding the matched concepts or terms, with spans
    [start, end, what] into the sentence."""
    wanted = {c["held"] for c in concepts} | {c["id"] for c in concepts}
    found: list[tuple[str, list[list[Any]]]] = []
    for a, b in lexical.split_sentences(text):
        sentence = text[a:b]
        spans: dict[tuple[int, int], str] = {}
        for h in taxonomy.find_in_text(sentence, kinds=("capability",)):
            if h.concept.id in wanted:
                spans[(h.start, h.end)] = h.concept.id
        for t in lex_terms:
            stem = t[: max(4, len(t) - 2)]
            for m in re.finditer(re.escape(stem), sentence, re.IGNORECASE):
                spans.setdefault((m.start(), m.end()), t)
        if spans:
            # Labels and stems match the start of inflected words ("kogelwerend|e"): the
            # highlight runs to the end of the word, so no word is shown cut in two.
            whole: dict[tuple[int, int], str] = {}
            for (s0, e0), k in sorted(spans.items()):
                rest = _WORD_REST.match(sentence, e0)
                whole.setdefault((s0, rest.end() if rest else e0), k)
            found.append((sentence, [[s0, e0, k] for (s0, e0), k in whole.items()][:8]))
    found.sort(key=lambda x: -len(x[1]))
    return [{"text": t, "highlights": hl} for t, hl in found[:2]]
