"""The capability and NLD-area taxonomy loaded from the Turtle files, with bilingual label
search in free text (the folding and word forms it matches with are in `ontology.forms`)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Final

from rdflib import OWL, Graph

from ontology.concepts import (
    ONTOLOGY_FILES,
    SHAPES_FILE,
    Concept,
    ConceptHit,
    ConceptKind,
    bind_prefixes,
    read_concepts,
    read_graph,
)
from ontology.forms import (
    MIN_COMPOUND_HEAD,
    MIN_COMPOUND_MODIFIER,
    MIN_COMPOUND_PART,
    dutch_forms,
    english_forms,
    fold_with_map,
    folded_tokens,
    label_tokens,
)
from ontology.vocab import ONTOLOGY_IRI, PA

logger = logging.getLogger(__name__)

_KIND_ORDER: Final[dict[str, int]] = {"capability": 0, "nld": 1}


@dataclass(frozen=True)
class _Label:
    tokens: tuple[str, ...]
    text: str
    concept: Concept
    #: Short all-caps acronym ("IR", "AI"): in free text it must be written in capitals too,
    #: otherwise the Dutch title "ir." or the word "ai" would count as a hit.
    acronym: bool
    #: Dutch labels may be the first or last part of a compound word; English ones may not
    #: ("space" must not hit "aerospace").
    dutch: bool
    #: Per token, the written forms that count as that token (itself and its inflections).
    forms: tuple[frozenset[str], ...]



@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    label: _Label
    compound: bool

    def sort_key(self) -> tuple[int, int, bool, str]:
        """Leftmost first, then longest: Dutch compounds read head-first, so in
        "dronedetectiesystemen" the label starting at the word start ("dronedetectie") wins
        over a longer one that starts later ("detectiesystemen")."""
        return (self.start, -self.end, self.compound, self.label.concept.id)


class Taxonomy:
    """Read-only view on the capability and NLD-area schemes; build it via `load_taxonomy()`."""

    def __init__(self, graph: Graph) -> None:
        self._graph: Graph | None = graph
        self.capabilities: dict[str, Concept] = read_concepts(graph, PA.Capability, "capability")
        self.nld_areas: dict[str, Concept] = read_concepts(graph, PA.NLDArea, "nld")
        self.version: str = str(graph.value(ONTOLOGY_IRI, OWL.versionInfo) or "")
        self._check_references()
        self._lookup: dict[str, list[tuple[int, Concept]]] = {}
        self._labels: dict[tuple[tuple[str, ...], str, str], _Label] = {}
        self._by_first: dict[str, list[_Label]] = {}  # by every form of the first token
        self._single: dict[str, list[_Label]] = {}  # one-word labels by the word itself
        self._vocab: set[str] = set()  # every label word and its forms (compound splitting)
        for concept in self.concepts():
            self._index(concept)
        self._build_label_index()

    def __getstate__(self) -> dict[str, object]:
        # Pickled for the disk cache without the rdflib graph: graph() re-reads the files.
        return {**self.__dict__, "_graph": None}

    # -- construction ----------------------------------------------------------------------

    def _check_references(self) -> None:
        for c in self.capabilities.values():
            for ref in (*c.broader, *c.narrower, *c.related):
                if ref not in self.capabilities:
                    logger.warning("capability %s refers to unknown capability %s", c.id, ref)
            for area in c.nld_areas:
                if area not in self.nld_areas:
                    logger.warning("capability %s refers to unknown NLD area %s", c.id, area)

    def _add_lookup(self, key: str, priority: int, concept: Concept) -> None:
        if key:
            entries = self._lookup.setdefault(key, [])
            if all(c is not concept or p != priority for p, c in entries):
                entries.append((priority, concept))

    def _add_label(self, tokens: tuple[str, ...], text: str, concept: Concept, dutch: bool) -> None:
        key = (tokens, concept.kind, concept.id)
        existing = self._labels.get(key)
        if existing is not None and (existing.dutch or not dutch):
            return
        acronym = (
            len(tokens) == 1
            and len(tokens[0]) < MIN_COMPOUND_PART
            and not any(ch.islower() for ch in text)
        )
        forms = tuple(
            frozenset({t} if acronym else
                      {t} | english_forms(t) | (dutch_forms(t) if dutch else frozenset()))
            for t in tokens)
        self._labels[key] = _Label(tokens, text, concept, acronym, dutch, forms)

    def _index(self, concept: Concept) -> None:
        labelled = [(0, text, lang) for lang, text in concept.pref_label.items()]
        labelled += [
            (1, text, lang)
            for labels in (concept.alt_labels, concept.hidden_labels)
            for lang, texts in labels.items() for text in texts
        ]
        for priority, text, lang in labelled:
            tokens = label_tokens(text)
            if not tokens:
                continue
            dutch = lang.lower().startswith("nl")
            self._add_lookup(" ".join(tokens), priority, concept)
            self._add_label(tokens, text, concept, dutch)
            if len(tokens) > 1:
                # Dutch writes many phrases as one word: "drone-detectie" -> "dronedetectie".
                joined = "".join(tokens)
                self._add_lookup(joined, 2, concept)
                if len(joined) >= MIN_COMPOUND_PART:
                    self._add_label((joined,), text, concept, dutch)
        id_tokens = label_tokens(concept.id)
        self._add_lookup(" ".join(id_tokens), 3, concept)
        self._add_lookup("".join(id_tokens), 3, concept)

    def _build_label_index(self) -> None:
        for label in self._labels.values():
            for form in label.forms[0]:
                self._by_first.setdefault(form, []).append(label)
            if len(label.tokens) == 1:
                self._single.setdefault(label.tokens[0], []).append(label)
            for forms in label.forms:
                self._vocab |= forms

    # -- access ----------------------------------------------------------------------------

    def concepts(self) -> Iterator[Concept]:
        yield from self.capabilities.values()
        yield from self.nld_areas.values()

    def get(self, id_: str, kind: ConceptKind | None = None) -> Concept | None:
        """Concept by id (capabilities first when no kind is given)."""
        if kind in (None, "capability") and id_ in self.capabilities:
            return self.capabilities[id_]
        if kind in (None, "nld") and id_ in self.nld_areas:
            return self.nld_areas[id_]
        return None

    def _require(self, id_: str) -> Concept:
        concept = self.get(id_)
        if concept is None:
            raise KeyError(f"unknown concept id: {id_!r}")
        return concept

    @property
    def top_capabilities(self) -> tuple[Concept, ...]:
        return tuple(c for c in self.capabilities.values() if not c.broader)

    def graph(self, *, include_shapes: bool = True) -> Graph:
        """A fresh copy of the merged ontology graph, so callers cannot corrupt the cache."""
        if self._graph is None:  # a taxonomy from the disk cache parses the files when asked
            self._graph = read_graph(ONTOLOGY_FILES)
        g = bind_prefixes(Graph())
        for triple in self._graph:
            g.add(triple)
        if include_shapes:
            # Parsed afresh: pyshacl adds RDFS/OWL axioms to the cached shapes graph it
            # validates with, and those must not leak into exports or comparisons.
            g += read_graph([SHAPES_FILE])
        return g

    # -- label search ----------------------------------------------------------------------

    def lookup_all(self, label: str, kind: ConceptKind | None = None) -> list[Concept]:
        """Every concept with this label, best first: prefLabel, altLabel, joined form, id."""
        tokens = label_tokens(label)
        entries = list(self._lookup.get(" ".join(tokens), []))
        entries += self._lookup.get("".join(tokens), []) if len(tokens) > 1 else []
        ranked = sorted(entries, key=lambda e: (e[0], _KIND_ORDER[e[1].kind], e[1].id))
        out: list[Concept] = []
        for _, concept in ranked:
            if (kind is None or concept.kind == kind) and concept not in out:
                out.append(concept)
        return out

    def lookup(self, label: str, kind: ConceptKind | None = None) -> Concept | None:
        """Exact (normalised) label or id match; on ties capabilities win over NLD areas."""
        found = self.lookup_all(label, kind)
        return found[0] if found else None

    def find_in_text(
        self, text: str, kinds: Iterable[ConceptKind] | None = None
    ) -> list[ConceptHit]:
        """All label occurrences in `text` (leftmost-longest, no overlaps within a kind).

        Overlaps are resolved separately for capabilities and NLD areas, so "quantumcomputing"
        yields both the capability and the NLD area. Short all-caps acronyms ("IR", "AI") only
        match text written in capitals.
        """
        wanted = set(kinds) if kinds is not None else set(_KIND_ORDER)
        folded, index = fold_with_map(text)
        toks = list(folded_tokens(folded))
        candidates = [
            c
            for c in self._candidates(toks)
            if c.label.concept.kind in wanted
            and not (
                c.label.acronym
                and any(ch.islower() for ch in text[index[c.start] : index[c.end - 1] + 1])
            )
        ]
        accepted: list[_Candidate] = []
        covered_until: dict[str, int] = {}
        for cand in sorted(candidates, key=_Candidate.sort_key):
            kind = cand.label.concept.kind
            if cand.start >= covered_until.get(kind, 0):
                covered_until[kind] = cand.end
                accepted.append(cand)
        hits = []
        for cand in accepted:
            start, end = index[cand.start], index[cand.end - 1] + 1
            hits.append(
                ConceptHit(
                    concept=cand.label.concept,
                    matched_text=text[start:end],
                    start=start,
                    end=end,
                    label=cand.label.text,
                    compound=cand.compound,
                )
            )
        hits.sort(key=lambda h: (h.start, _KIND_ORDER[h.concept.kind], h.concept.id))
        return hits

    def _candidates(self, toks: list[tuple[str, int, int]]) -> Iterator[_Candidate]:
        for i, (tok, start, _) in enumerate(toks):
            # A label starts at the word start, or (Dutch) is the head of a compound word: it
            # starts after a modifier of at least MIN_COMPOUND_MODIFIER letters, at a point
            # that is a constituent boundary ("scheeps|pantsering", not "g|laswerk").
            for k in range(max(1, len(tok) - MIN_COMPOUND_PART + 1)):
                labels = self._by_first.get(tok[k:], ())
                if k and labels and not self._boundary(tok, k, None):
                    continue
                for label in labels:
                    if k and not label.dutch:
                        continue
                    match = self._match_rest(label, toks, i)
                    if match is not None:
                        last_end, tail_compound = match
                        yield _Candidate(start + k, last_end, label, bool(k) or tail_compound)
            # Dutch compound: a one-word label as the first part of a longer word.
            for k in range(MIN_COMPOUND_PART, len(tok) - MIN_COMPOUND_HEAD + 1):
                for label in self._single.get(tok[:k], ()):
                    if label.dutch and self._boundary(tok, k, label.forms[0]):
                        yield _Candidate(start, start + k, label, True)

    def _boundary(self, tok: str, at: int, modifier: frozenset[str] | None) -> bool:
        """Whether `tok` may be split into two constituents at `at`: after the label
        `tok[:at]` (whose forms are `modifier`), or before the label `tok[at:]` (None).

        Label search sees letters, not morphemes: "luchtvaartuigen" starts with the label
        "luchtvaart" but is lucht + vaartuigen; "glaswerk" ends with "laswerk" but is glas +
        werk. A label is not the first (last) part of a word when a longer word the ontology
        knows is, unless that word is itself the label plus a known word
        ("quantumcomputing"). The forms of the label itself do not count: a Dutch compound
        may put a linking -s- or -en- after its first part ("verkennings-")."""
        if at < MIN_COMPOUND_MODIFIER or len(tok) - at < MIN_COMPOUND_HEAD:
            return False
        vocab = self._vocab
        if modifier is not None:
            return not any(
                tok[:end] in vocab and tok[:end] not in modifier and tok[at:end] not in vocab
                for end in range(at + 1, len(tok) + 1))
        return not any(tok[begin:] in vocab and tok[begin:at] not in vocab
                       for begin in range(at))

    def _match_rest(
        self, label: _Label, toks: list[tuple[str, int, int]], i: int
    ) -> tuple[int, bool] | None:
        """Where a label whose first word matched `toks[i]` ends, and whether its last word
        is only the first part of a compound; None if the following words do not match.
        Every word may be inflected ("onbemande vliegtuigen" is "onbemand vliegtuig")."""
        n = len(label.tokens)
        if n == 1:
            return toks[i][2], False
        if i + n > len(toks):
            return None
        for k in range(1, n - 1):
            if toks[i + k][0] not in label.forms[k]:
                return None
        last_tok, last_start, last_end = toks[i + n - 1]
        if last_tok in label.forms[-1]:
            return last_end, False
        want = label.tokens[-1]
        if (label.dutch and len(want) >= MIN_COMPOUND_PART and last_tok.startswith(want)
                and self._boundary(last_tok, len(want), label.forms[-1])):
            return last_start + len(want), True
        return None

    def compound_neighbours(
        self, text: str, concept_ids: Iterable[str]
    ) -> list[tuple[int, int]]:
        """(start, end) of the words in `text` that are only the first part of a compound
        word in a label of one of the concepts: "vliegtuigen" of "vliegtuigonderdelen"
        (aircraft components), "drones" of "dronebestrijding" (counter-drone). Dutch
        compounds name a kind of their last part, so aircraft parts are parts, not aircraft;
        `find_in_text` rightly finds no label there, but an embedding puts the word close to
        the label, so the matcher checks those concepts without it. The last part is no
        look-alike ("oefening" of "crisisoefening": a crisis exercise is an exercise), nor is
        a word the ontology does not know ("vliegen" is not "vlieg-" of "vliegtuig"). Dutch
        labels only, for Dutch text: English writes compounds as two words, and an English
        word that starts a Dutch compound ("pilots", "pilotenopleiding") is a translation."""
        ids = set(concept_ids)
        parts = {  # the words of the labels as written (not the joined "onbemandesystemen")
            (tok, forms)
            for label in self._labels.values()
            if label.concept.id in ids
            and label.dutch
            and not label.acronym
            and len(label.tokens) == len(label_tokens(label.text))
            for tok, forms in zip(label.tokens, label.forms, strict=True)
        }
        folded, index = fold_with_map(text)
        out = []
        for word, start, end in folded_tokens(folded):
            # the word, or the known word it is a form of ("vliegtuigen" -> vliegtuig)
            bases = {
                base for base in (word[: len(word) - k] for k in range(4))
                if len(base) >= MIN_COMPOUND_PART and base in self._vocab
                and (base == word or word in dutch_forms(base) | english_forms(base))
            }
            if any(
                word not in forms
                and any(tok.startswith(b) and len(tok) - len(b) >= MIN_COMPOUND_HEAD
                        for b in bases)
                for tok, forms in parts
            ):
                out.append((index[start], index[end - 1] + 1))
        return out

    # -- hierarchy -------------------------------------------------------------------------

    def _closure(self, id_: str, step: str) -> list[str]:
        self._require(id_)
        seen: list[str] = []
        frontier = [id_]
        while frontier:
            nxt: list[str] = []
            for cid in frontier:
                concept = self.get(cid)
                for other in getattr(concept, step, ()) if concept else ():
                    if other != id_ and other not in seen:
                        seen.append(other)
                        nxt.append(other)
            frontier = nxt
        return seen

    def broader_closure(self, id_: str) -> list[str]:
        """All ancestors, nearest first (excluding the concept itself)."""
        return self._closure(id_, "broader")

    def narrower_closure(self, id_: str) -> list[str]:
        """All descendants, nearest first (excluding the concept itself)."""
        return self._closure(id_, "narrower")

    def areas_of(self, id_: str) -> tuple[str, ...]:
        """NLD areas of a concept: its own pa:relevantTo plus those of its ancestors.

        An NLD area id yields itself, so callers can pass either kind.
        """
        concept = self._require(id_)
        if concept.kind == "nld":
            return (concept.id,)
        areas: list[str] = []
        for cid in (id_, *self.broader_closure(id_)):
            for area in self.capabilities[cid].nld_areas:
                if area not in areas:
                    areas.append(area)
        return tuple(areas)



def _cache_key() -> str:
    """Digest of every file of this package (Turtle files, this module, vocab.py) and of the
    library versions whose objects are pickled: any change makes a new cache entry. A
    Taxonomy built from data outside this package would have to add that data here."""
    import hashlib
    import sys

    import pydantic

    h = hashlib.sha256(f"{_CACHE_FORMAT}|{sys.version}|{pydantic.VERSION}".encode())
    for entry in sorted(files(__package__ or "ontology").iterdir(), key=lambda e: e.name):
        if entry.is_file() and entry.name.endswith((".py", ".ttl")):
            h.update(entry.name.encode() + b"\0" + entry.read_bytes())
    return h.hexdigest()[:24]


_CACHE_FORMAT = 2


def _cached_taxonomy(cache_dir: Path) -> Taxonomy:
    """Parsing the Turtle files and indexing the labels takes ~0.2 s of CPU (plus rdflib's
    parser); a pickled copy under the cache folder loads in a few milliseconds."""
    from core.filecache import read_pickle, write_pickle

    try:
        path = cache_dir / "taxonomy" / f"taxonomy-{_cache_key()}.pkl"
    except OSError as exc:  # package files not readable as files: parse, as before
        logger.debug("taxonomy cache key: %s", exc)
        return Taxonomy(read_graph(ONTOLOGY_FILES))
    cached = read_pickle(path)
    if isinstance(cached, Taxonomy):
        return cached
    taxonomy = Taxonomy(read_graph(ONTOLOGY_FILES))
    write_pickle(path, taxonomy)
    return taxonomy


@functools.cache
def load_taxonomy() -> Taxonomy:
    """Parse the Turtle files once per process, and once per change of them on a machine
    (a disk cache keyed by this package's files, under the CACHE_DIR setting: the one setting
    this process-wide singleton reads itself, having no caller to be handed it by)."""
    from core.settings import get_settings

    taxonomy = _cached_taxonomy(get_settings().cache_dir)
    logger.debug(
        "loaded taxonomy %s: %d capabilities, %d NLD areas",
        taxonomy.version,
        len(taxonomy.capabilities),
        len(taxonomy.nld_areas),
    )
    return taxonomy



# Concept and ConceptHit are re-exported for app/api, which imports them from here.
__all__ = ["Concept", "ConceptHit", "ConceptKind", "Taxonomy", "load_taxonomy"]
