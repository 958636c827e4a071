"""Filter values by the names users see: one resolver for the API and the CLI.

Users filter on what the results show ("Emmen", "De Wolden", "Sensors", "Nachtzicht"), not
on our slugs. Every filter value may therefore be the id or a label in Dutch or English, in
any case, with or without accents, spaces or hyphens; it is folded the way the taxonomy folds
labels (`ontology.forms.label_tokens`) and looked up among the values that exist:
municipalities and clusters in the graph (imports add municipalities), NLD areas and
capabilities in the taxonomy. A value nobody has is an error naming the closest valid
choices, never a filter that silently matches nothing. The matcher receives ids only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from neo4j import Driver
from rapidfuzz import fuzz, process

from graph.repositories.matching import MatchingRepository
from matching.errors import FilterError
from matching.models import MatchFilters
from ontology.concepts import Concept
from ontology.forms import label_tokens, normalize_label
from ontology.taxonomy import Taxonomy

log = logging.getLogger(__name__)

FilterKind = Literal["municipalities", "clusters", "nld_areas", "capabilities"]
FILTER_KINDS: Final[tuple[FilterKind, ...]] = (
    "municipalities", "clusters", "nld_areas", "capabilities")

#: How each filter is named in a message (en / nl).
KIND_NAMES: Final[dict[FilterKind, str]] = {
    "municipalities": "municipality / gemeente",
    "clusters": "cluster",
    "nld_areas": "NLD area / NLD-gebied",
    "capabilities": "capability / capaciteit",
}
SUGGESTIONS: Final = 3
#: rapidfuzz WRatio (0..100) from which a valid choice counts as close to an unknown value.
CLOSE_SCORE: Final = 60
#: An unknown value is echoed up to this many characters (repr: control characters escaped).
ECHO_CHARS: Final = 80


@dataclass(frozen=True)
class Choice:
    """One valid filter value: its id, its preferred labels (shown in messages) and any
    alternative labels (accepted, not shown)."""

    id: str
    labels: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    @property
    def shown(self) -> str:
        names = list(dict.fromkeys(lb for lb in self.labels if lb))
        return f"{' / '.join(names)} ({self.id})" if names else self.id


def _keys(text: str) -> list[str]:
    """The folded forms a value is found by: "De Wolden", "de-wolden" -> "de wolden", and
    the joined form "dewolden" (Dutch writes many names as one word)."""
    tokens = label_tokens(text)
    return list(dict.fromkeys((" ".join(tokens), "".join(tokens)))) if tokens else []


class Choices:
    """The valid values of one filter, indexed by every folded id and label."""

    def __init__(self, kind: FilterKind, choices: Iterable[Choice]) -> None:
        self.kind = kind
        self.choices = sorted(choices, key=lambda c: c.id)
        self._index: dict[str, str] = {}
        # ids first, then preferred labels, then alternative labels: on a clash the stronger
        # name wins
        passes: tuple[list[tuple[str, ...]], ...] = (
            [(c.id,) for c in self.choices], [c.labels for c in self.choices],
            [c.aliases for c in self.choices])
        for texts in passes:
            for group, choice in zip(texts, self.choices, strict=True):
                for text in group:
                    for key in _keys(text):
                        self._index.setdefault(key, choice.id)

    def resolve(self, value: str) -> str | None:
        """The id `value` names, or None."""
        for key in _keys(value):
            if key in self._index:
                return self._index[key]
        return None

    def close_to(self, value: str, n: int = SUGGESTIONS) -> list[Choice]:
        """The `n` valid choices whose id or label is closest to `value` (at least
        CLOSE_SCORE); when none is close, the first `n` in id order, so a message always
        names valid values."""
        by_id = {c.id: c for c in self.choices}
        found = process.extract(normalize_label(value), list(self._index),
                                scorer=fuzz.WRatio, limit=None, score_cutoff=CLOSE_SCORE)
        out: list[Choice] = []
        for key, _, _ in found:  # best first
            choice = by_id[self._index[key]]
            if choice not in out:
                out.append(choice)
            if len(out) == n:
                break
        return out or self.choices[:n]

    def unknown(self, value: str) -> str:
        """One line naming the unknown value and the closest valid ones."""
        close = ", ".join(c.shown for c in self.close_to(value))
        echo = value if len(value) <= ECHO_CHARS else value[:ECHO_CHARS] + "…"
        return (f"unknown {KIND_NAMES[self.kind]} {echo!r}; "
                f"did you mean / bedoelt u: {close or '(none / geen)'}")


def _concepts(concepts: Iterable[Concept]) -> list[Choice]:
    return [Choice(c.id, (c.label("nl"), c.label("en")),
                   tuple(lb for lbs in c.alt_labels.values() for lb in lbs))
            for c in concepts]


def _graph_choices(driver: Driver) -> dict[FilterKind, list[Choice]]:
    record = MatchingRepository(driver).filter_choices()
    return {kind: [Choice(r["id"], (r["name"],) if r["name"] else ())
                   for r in record[kind] if r["id"]]
            for kind in ("municipalities", "clusters")}


def vocabulary(driver: Driver | None, taxonomy: Taxonomy,
               kinds: Sequence[FilterKind] = FILTER_KINDS) -> dict[FilterKind, Choices]:
    """The valid values of the filters in `kinds`; the graph is read only when a graph-held
    kind (municipalities, clusters) is asked for."""
    out: dict[FilterKind, Choices] = {}
    if "nld_areas" in kinds:
        out["nld_areas"] = Choices("nld_areas", _concepts(taxonomy.nld_areas.values()))
    if "capabilities" in kinds:
        out["capabilities"] = Choices("capabilities",
                                      _concepts(taxonomy.capabilities.values()))
    graph_kinds = [k for k in kinds if k in ("municipalities", "clusters")]
    if graph_kinds:
        if driver is None:
            raise ValueError(f"resolving {graph_kinds} needs the graph")
        held = _graph_choices(driver)
        for kind in graph_kinds:
            out[kind] = Choices(kind, held[kind])
    return out


def resolve_values(values: Mapping[FilterKind, Sequence[str] | None],
                   vocab: Mapping[FilterKind, Choices]) -> dict[FilterKind, list[str] | None]:
    """Ids for the given values per filter (pure): order kept, duplicates dropped, empty
    lists and None stay None. Every unknown value of every filter goes into one FilterError."""
    out: dict[FilterKind, list[str] | None] = {}
    errors: list[str] = []
    for kind, given in values.items():
        if not given:
            out[kind] = None
            continue
        ids: list[str] = []
        for value in given:
            cid = vocab[kind].resolve(value)
            if cid is None:
                errors.append(vocab[kind].unknown(value))
            elif cid not in ids:
                ids.append(cid)
        out[kind] = ids
    if errors:
        raise FilterError("; ".join(errors))
    return out


def resolve_filters(filters: MatchFilters, driver: Driver | None, taxonomy: Taxonomy
                    ) -> MatchFilters:
    """`filters` with every name replaced by its id (reads the graph only when municipalities
    or clusters are filtered on); raises FilterError for a value nobody has."""
    given: dict[FilterKind, Sequence[str] | None] = {
        k: getattr(filters, k) for k in FILTER_KINDS if getattr(filters, k)}
    if not given:
        return filters
    resolved = resolve_values(given, vocabulary(driver, taxonomy, list(given)))
    log.debug("filters resolved: %s -> %s", given, resolved)
    update: dict[str, Any] = {str(k): v for k, v in resolved.items()}
    return filters.model_copy(update=update)


def resolve_one(kind: FilterKind, value: str | None, driver: Driver | None,
                taxonomy: Taxonomy) -> str | None:
    """One filter value (e.g. GET /companies?municipality=De Wolden) -> its id."""
    if value is None:
        return None
    ids = resolve_values({kind: [value]}, vocabulary(driver, taxonomy, [kind]))[kind]
    return ids[0] if ids else None
