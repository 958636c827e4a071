"""The matcher's request and answer shapes (validated at the API and CLI) and the signals
one question yields, apart from the code that computes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
)

from graph.limits import MAX_EMPLOYEES
from matching import lexical
from matching.constraints import KINDS, Constraints
from matching.kinds import KindCues
from ontology.profile import ClaimKind, DefenceExperienceFilter

# dense: the encoder's cosine alone; dense_hub: the same less the hub penalty (issue 22,
# matching/hubs.py), which is what the hybrid weighs
Mode = Literal["hybrid", "dense", "dense_hub", "lexical", "graph"]
MAX_QUESTION_CHARS = 1000


def _whole(value: Any) -> Any:
    # JSON Schema's integer: 24 or 24.0, but not true or "24", which pydantic would take.
    if isinstance(value, bool | str):
        raise ValueError("must be a whole number")
    return value


Employees = Annotated[int, Field(ge=0, le=MAX_EMPLOYEES), BeforeValidator(_whole)]


def _number(value: Any) -> Any:
    # 100 or 12.5, not true or "100"
    if isinstance(value, bool | str):
        raise ValueError("must be a number")
    return value


AreaHa = Annotated[float, Field(ge=0, le=1_000_000, allow_inf_nan=False),
                   BeforeValidator(_number)]
TopK = Annotated[int, Field(ge=1, le=100), BeforeValidator(_whole)]


class MatchFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nld_areas: list[str] | None = Field(default=None, max_length=10)
    clusters: list[str] | None = Field(default=None, max_length=50)
    municipalities: list[str] | None = Field(default=None, max_length=20)
    capabilities: list[str] | None = Field(default=None, max_length=50)
    min_employees: Employees | None = None
    max_employees: Employees | None = None
    # issue 19: the kinds of supply to rank (company, site, facility, institution,
    # programme; names resolved by matching.filters), a site's least area and its access
    kinds: list[str] | None = Field(default=None, max_length=10)
    min_area_ha: AreaHa | None = None
    access: list[str] | None = Field(default=None, max_length=8)
    # Trusted profiles (issue 20): companies holding every listed claim, unexpired (and
    # verified with `verified_only`; alone, `verified_only` asks for any verified claim),
    # and companies by defence experience ("unknown": none recorded).
    compliance: list[ClaimKind] | None = Field(default=None, max_length=6)
    verified_only: bool = Field(default=False, strict=True)
    defence_experience: list[DefenceExperienceFilter] | None = Field(default=None,
                                                                     max_length=4)
    # Who searches: admins filter on every field, others not on fields a company hid
    # (set by the caller, never by the request: see `for_viewer`).
    _reveal_hidden: bool = PrivateAttr(default=False)

    @field_validator("compliance", "defence_experience")
    @classmethod
    def _distinct(cls, v: list[str] | None) -> list[str] | None:
        return list(dict.fromkeys(v)) if v else v

    def for_viewer(self, reveal_hidden: bool) -> MatchFilters:
        """These filters for a searcher who may (admin, the command line) or may not see the
        fields a company hid from everyone but admins."""
        out = self.model_copy()
        out._reveal_hidden = reveal_hidden
        return out

    def params(self) -> dict[str, Any]:
        """Every filter, an empty list as None (no filter). The queries take this as ONE map
        parameter, `$filters`: its type is the same whatever filters are set, so Neo4j plans
        each query once, not once per combination (see graph.queries._COMPANY_FILTER)."""
        d = self.model_dump()
        out = {k: (v or None) if isinstance(v, list) else v for k, v in d.items()}
        if out["kinds"]:  # the queries test node labels
            out["kinds"] = [KINDS.get(k, k) for k in out["kinds"]]
        return out

    def query_params(self) -> dict[str, Any]:
        """`params()` plus who searches: the `$filters` map of the queries (never stored:
        a saved search is run again for whoever runs it)."""
        return {**self.params(), "reveal_hidden": self._reveal_hidden}

    def is_empty(self) -> bool:
        return all(v is None or v is False for v in self.params().values())


class MatchRequest(BaseModel):
    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS,
                          json_schema_extra={"pattern": lexical.WORD_PATTERN})
    top_k: TopK = 10
    filters: MatchFilters = Field(default_factory=MatchFilters)
    lang: Literal["nl", "en"] | None = None

    @field_validator("question")
    @classmethod
    def _has_words(cls, v: str) -> str:
        v = v.replace("\x00", " ").strip()
        if not lexical.has_word(v):
            raise ValueError("question must contain words (letters), e.g. 'drones voor "
                             "surveillance' / 'vraag moet woorden bevatten'")
        return v


@dataclass
class QuestionConcept:
    id: str
    weight: float
    via: str  # "label" or "embedding"
    matched: str  # the words in the question, or "~0.91" for an embedding match


@dataclass
class GraphPath:
    concept: str
    via: str  # direct | narrower | broader | cluster
    held: str  # the capability (or cluster) the company holds
    how: str | None  # declared | inferred (or the NLD area for cluster paths)
    confidence: float | None
    score: float


@dataclass
class Signals:
    question: str
    lang: str
    terms: list[str]
    concepts: list[QuestionConcept]
    vector: np.ndarray
    dense: dict[str, float]  # kvk -> cosine (pool from the vector index)
    lexical: dict[str, float]  # kvk -> BM25
    graph: dict[str, list[GraphPath]]
    dense_floor: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    expansion: list[str] = field(default_factory=list)  # concepts whose labels the dense
    # query was expanded with (named in the question, or found by embedding)
    # issue 19: the area and access the question states, and the attributes (area_ha,
    # access) of the candidates that have them, read only when the question states any
    constraints: Constraints = field(default_factory=Constraints)
    attrs: dict[str, dict[str, Any]] = field(default_factory=dict)
    # the kind of every candidate (company, site...), and the kinds the question names
    kinds: dict[str, str] = field(default_factory=dict)
    kind_cues: KindCues = field(default_factory=KindCues)
    # the vector pool's cosines before the hub penalty (`dense` is after it): the encoder's
    # own signal, which `paraat eval` reports beside the corrected one
    dense_raw: dict[str, float] = field(default_factory=dict)
    # the embedding_hash of each dense candidate's vector: the hub penalty's cache key, so a
    # node whose text (and vector) changed is scored again, not from the old vector
    versions: dict[str, str | None] = field(default_factory=dict)

    def kind(self, key: str) -> str:
        return self.kinds.get(key, "company")

    def graph_score(self, kvk: str) -> float:
        # Per concept the best path counts; concepts add up (a supplier with two asked-for
        # capabilities beats one with one).
        best: dict[str, float] = {}
        for p in self.graph.get(kvk, []):
            best[p.concept] = max(best.get(p.concept, 0.0), p.score)
        return sum(best.values())


class Hit(BaseModel):
    rank: int
    kind: str = "company"  # company, site, facility, institution, programme
    id: str  # the KvK number of a company, the node id of any other supply
    kvk_number: str | None = None  # companies only
    name: str
    score: float
    municipality: str | None = None
    website: str | None = None
    employees: int | None = None
    kvk_status: str | None = None
    synthetic: bool = False
    last_verified: str | None = None
    # what a card shows of a site (area_ha, access, co_use, status...), a programme (level,
    # providers, status) or a facility (kind, status); empty for a company
    attributes: dict[str, Any] = Field(default_factory=dict)
    # Trusted-profile data of the company (app.services.profiles.decorate_hits): defence
    # experience and one badge per compliance claim (kind, state, expiry).
    defence_experience: str | None = None
    compliance: list[dict[str, Any]] = Field(default_factory=list)
    explanation: dict[str, Any]


class MatchResult(BaseModel):
    question: str
    lang: str
    mode: str
    concepts: list[dict[str, Any]]
    hits: list[Hit]
    timings_ms: dict[str, float]
    demand_question_id: str | None = None
