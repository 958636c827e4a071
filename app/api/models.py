"""Response models of the API. Every string and list has a limit, so a bad record in the graph
cannot turn into an unbounded answer, and the OpenAPI schema documents the shapes."""

from __future__ import annotations

import re
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from matching.matcher import MatchFilters

T = TypeVar("T")

IdStr = Annotated[str, Field(max_length=200)]
ShortStr = Annotated[str | None, Field(max_length=500)]
TextStr = Annotated[str | None, Field(max_length=20_000)]
MAX_ITEMS = 10_000


class Page(BaseModel, Generic[T]):
    items: list[T] = Field(max_length=200)
    total: int = Field(ge=0)
    limit: int = Field(ge=1, le=200)
    offset: int = Field(ge=0)


class Ref(BaseModel):
    """A link to another node: its key and its display name."""

    id: IdStr
    name: ShortStr = None
    kind: ShortStr = None


class Labelled(BaseModel):
    id: IdStr
    label_nl: ShortStr = None
    label_en: ShortStr = None


# --------------------------------------------------------------------------- companies


class CompanyBase(BaseModel):
    kvk_number: str = Field(pattern=r"^\d{8}$")
    name: str = Field(max_length=500)
    kvk_status: ShortStr = None
    synthetic: bool = False
    website: ShortStr = None
    employees: int | None = Field(default=None, ge=0)


class CompanyListed(CompanyBase):
    municipality: ShortStr = None
    municipality_name: ShortStr = None


class CompanyCapability(Labelled):
    source: Literal["declared", "inferred"]
    confidence: float | None = Field(default=None, ge=0, le=1)
    evidence: ShortStr = None
    set_by: ShortStr = None


class NLDLink(BaseModel):
    """An NLD area a company serves, and the route: its capability or its cluster."""

    id: IdStr
    name_nl: ShortStr = None
    name_en: ShortStr = None
    via: list[str] = Field(max_length=100)  # e.g. ["capability:night-vision", "cluster:…"]


class Provenance(BaseModel):
    source: ShortStr = None
    imported_at: str | None = Field(default=None, max_length=64)
    import_run: str | None = Field(default=None, max_length=64)
    file_hash: str | None = Field(default=None, max_length=128)
    last_verified: str | None = Field(default=None, max_length=64)
    stale: bool
    stale_after_days: int


class CompliancePublic(BaseModel):
    """As declared by the company itself; Paraat checks none of it against a register."""

    self_declared: Literal[True] = True
    ncage_code: str | None = Field(default=None, max_length=10)
    iso9001: bool | None = None
    aqap2110: bool | None = None
    security_status: str | None = Field(default=None, max_length=20)
    export_control_notes: str | None = Field(default=None, max_length=2000)


class CompanyPublic(CompanyBase):
    description: TextStr = None
    description_en: TextStr = None
    activity: str | None = Field(default=None, max_length=2000)
    sbi_code: str | None = Field(default=None, max_length=50)
    municipality: Ref | None = None
    declared_capabilities: list[CompanyCapability] = Field(max_length=MAX_ITEMS)
    inferred_capabilities: list[CompanyCapability] = Field(max_length=MAX_ITEMS)
    clusters: list[Ref] = Field(max_length=MAX_ITEMS)
    ecosystems: list[Ref] = Field(max_length=MAX_ITEMS)
    nld_areas: list[NLDLink] = Field(max_length=100)
    provenance: Provenance
    verified: bool = False
    compliance: CompliancePublic | None = None
    # Only for the company itself, admins and business developers; None for everyone else.
    pending_changes: list[RegistrationPublic] | None = None


# --------------------------------------------------------------------------- clusters / areas


class ClusterListed(BaseModel):
    id: IdStr
    name: ShortStr = None
    kind: ShortStr = None
    members: int = Field(ge=0)
    ecosystems: int = Field(ge=0)
    nld_areas: list[str] = Field(max_length=100)


class ClusterMember(BaseModel):
    kvk_number: str = Field(max_length=20)
    name: ShortStr = None


class NLDAreaRef(BaseModel):
    id: IdStr
    name_nl: ShortStr = None
    name_en: ShortStr = None


class ClusterPublic(BaseModel):
    id: IdStr
    name: ShortStr = None
    kind: ShortStr = None
    description_nl: TextStr = None
    description_en: TextStr = None
    source: str | None = Field(default=None, max_length=2000)
    members: list[ClusterMember] = Field(max_length=MAX_ITEMS * 10)
    ecosystems: list[Ref] = Field(max_length=MAX_ITEMS)
    nld_areas: list[NLDAreaRef] = Field(max_length=100)
    capabilities: list[Labelled] = Field(max_length=MAX_ITEMS)


class NLDAreaPublic(NLDAreaRef):
    definition_nl: TextStr = None
    definition_en: TextStr = None
    capabilities: int = Field(ge=0)
    clusters: int = Field(ge=0)
    companies: int = Field(ge=0)


class CapabilityNode(BaseModel):
    """One concept of the capability scheme with its narrower concepts nested."""

    id: IdStr
    label_nl: str = Field(max_length=500)
    label_en: str = Field(max_length=500)
    alt_nl: list[str] = Field(max_length=200)
    alt_en: list[str] = Field(max_length=200)
    definition_nl: TextStr = None
    definition_en: TextStr = None
    nld_areas: list[str] = Field(max_length=20)
    narrower: list[CapabilityNode] = Field(max_length=1000)


class Taxonomy(BaseModel):
    version: str = Field(max_length=100)
    capabilities: list[CapabilityNode] = Field(max_length=1000)
    nld_areas: list[NLDAreaRef] = Field(max_length=100)


# --------------------------------------------------------------------------- explorer


class GraphNode(BaseModel):
    id: IdStr
    label: str = Field(max_length=100)
    name: ShortStr = None
    depth: int = Field(ge=0, le=2)


class GraphEdge(BaseModel):
    source: IdStr
    target: IdStr
    type: str = Field(max_length=100)


class Neighbourhood(BaseModel):
    center: IdStr
    depth: int = Field(ge=1, le=2)
    nodes: list[GraphNode] = Field(max_length=1000)
    edges: list[GraphEdge] = Field(max_length=10_000)
    truncated: bool


# --------------------------------------------------------------------------- registrations

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control_chars(value: str | None) -> str | None:
    # Null bytes and other control characters have no place in a profile; tabs and newlines do.
    if value is not None and _CONTROL.search(value):
        raise ValueError("must not contain control characters (such as null bytes)")
    return value


Text20 = Annotated[str | None, Field(max_length=20), AfterValidator(_no_control_chars)]
Text100 = Annotated[str | None, Field(max_length=100), AfterValidator(_no_control_chars)]
Text300 = Annotated[str | None, Field(max_length=300), AfterValidator(_no_control_chars)]
Text2000 = Annotated[str | None, Field(max_length=2000), AfterValidator(_no_control_chars)]
Text6000 = Annotated[str | None, Field(max_length=6000), AfterValidator(_no_control_chars)]


CapabilityId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,99}$")]
RegistrationStatus = Literal["pending", "approved", "rejected"]


class ComplianceIn(BaseModel):
    """Self-declared compliance: NCAGE code, ISO 9001 / AQAP 2110 certification and the
    security status (ABDO/ABRO) the company says it holds."""

    model_config = ConfigDict(extra="forbid")

    ncage_code: str | None = Field(default=None, pattern=r"^[A-Z0-9]{5}$",
                                   description="NATO Commercial and Government Entity code")
    iso9001: bool | None = None
    aqap2110: bool | None = None
    security_status: Literal["geen", "ABDO", "ABRO"] | None = None
    export_control_notes: Text2000 = None


class ProfileFields(BaseModel):
    """What a company maintains about itself. Lengths are checked here; content rules (KvK
    format, required fields, known capabilities, website form) by the ontology's SHACL shapes,
    so the API and the importer give the same nl/en messages."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Text300 = None
    description: Text6000 = None
    description_en: Text6000 = None
    municipality: Text100 = None
    website: Text300 = None
    employees: int | None = Field(default=None, ge=0, le=10_000_000)
    sbi_code: str | None = Field(default=None, pattern=r"^[0-9]{2,5}$")
    capabilities: list[CapabilityId] = Field(default_factory=list, max_length=50)
    compliance: ComplianceIn = Field(default_factory=ComplianceIn)


class RegistrationCreate(ProfileFields):
    kvk_number: Text20 = None


class CompanyUpdate(ProfileFields):
    """A partial profile: only the fields sent change (`exclude_unset`), so here capabilities
    and compliance have no default either."""

    capabilities: list[CapabilityId] | None = Field(default=None, max_length=50)  # type: ignore[assignment]
    compliance: ComplianceIn | None = None  # type: ignore[assignment]


class FieldChange(BaseModel):
    field: str = Field(max_length=100)
    before: Any = None
    after: Any = None


class RegistrationPublic(BaseModel):
    id: str = Field(max_length=64)
    kvk_number: str = Field(max_length=20)
    kind: Literal["new", "change"]
    status: RegistrationStatus
    submitted_by: str = Field(max_length=64)
    submitted_at: str = Field(max_length=64)
    decided_by: str | None = Field(default=None, max_length=64)
    decided_at: str | None = Field(default=None, max_length=64)
    decision_note: str | None = Field(default=None, max_length=2000)
    profile: ProfileFields
    diff: list[FieldChange] = Field(default_factory=list, max_length=20)


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: Text2000 = None


class Rejection(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, Field(min_length=1, max_length=2000),
                      AfterValidator(_no_control_chars)]


# --------------------------------------------------------------------------- admin


class AuditPublic(BaseModel):
    id: str = Field(max_length=64)
    at: str = Field(max_length=64)
    actor_id: str = Field(max_length=64)
    actor_role: str = Field(max_length=20)
    action: str = Field(max_length=100)
    entity: str = Field(max_length=50)
    entity_id: str = Field(max_length=200)
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


CompanyPublic.model_rebuild()


# =========================================================================== lists helper
# Shortlists, watchlists, the loket and past demand questions (issue 6). Request models
# (`XCreate`) refuse unknown fields and control characters; response models (`XPublic`) only
# cap sizes, so an odd stored value is returned as it is.

_LOKET_WORDS = re.compile(r"[^\W\d_]{2,}")

Kvk8 = Annotated[str, Field(pattern=r"^\d{8}$", description="KvK number, 8 digits.")]
Name200 = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_no_control_chars)]
Question1000 = Annotated[str, Field(min_length=1, max_length=1000),
                         AfterValidator(_no_control_chars)]
Title300 = Annotated[str, Field(min_length=1, max_length=300), AfterValidator(_no_control_chars)]
Body6000 = Annotated[str, Field(min_length=1, max_length=6000), AfterValidator(_no_control_chars)]
Time64 = Annotated[str | None, Field(max_length=64)]
LoketKind = Literal["idee", "aanbod", "vraag"]
LoketStatus = Literal["new", "in_behandeling", "doorverwezen", "afgesloten"]


def _has_words(value: str) -> str:
    if not _LOKET_WORDS.search(value):
        raise ValueError("must contain words (letters) / moet woorden bevatten")
    return value


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- shortlists


class ShortlistBase(BaseModel):
    name: str = Field(max_length=200)
    question: str | None = Field(default=None, max_length=2000)


class ShortlistCreate(_Request, ShortlistBase):
    name: Name200
    question: Text2000 = None


class ShortlistItemCreate(_Request):
    kvk_number: Kvk8
    note: Text2000 = None


class ShortlistItem(BaseModel):
    kvk_number: str = Field(max_length=20)
    name: ShortStr = None
    municipality: ShortStr = None
    municipality_name: ShortStr = None
    website: ShortStr = None
    employees: int | None = None
    note: str | None = Field(default=None, max_length=2000)
    added_at: Time64 = None


class ShortlistListed(ShortlistBase):
    id: str = Field(max_length=64)
    owner: str = Field(max_length=64)
    created_at: Time64 = None
    updated_at: Time64 = None
    item_count: int = Field(ge=0)


class ShortlistPublic(ShortlistBase):
    id: str = Field(max_length=64)
    owner: str = Field(max_length=64)
    created_at: Time64 = None
    updated_at: Time64 = None
    items: list[ShortlistItem] = Field(max_length=MAX_ITEMS)


# --- watchlists


class WatchlistBase(BaseModel):
    name: str = Field(max_length=200)
    question: str = Field(max_length=1000)
    filters: MatchFilters = Field(default_factory=MatchFilters)
    top_k: int = Field(default=10, ge=1, le=100)


class WatchlistCreate(_Request, WatchlistBase):
    name: Name200
    question: Annotated[Question1000, AfterValidator(_has_words)]


class WatchlistPublic(WatchlistBase):
    id: str = Field(max_length=64)
    owner: str = Field(max_length=64)
    created_at: Time64 = None
    last_seen_at: Time64 = None
    seen: list[str] = Field(max_length=100)


class WatchlistHit(BaseModel):
    """A supplier in the current top k that is new to the list or changed since last seen."""

    kvk_number: str = Field(max_length=20)
    name: ShortStr = None
    rank: int = Field(ge=1)
    score: float
    municipality: ShortStr = None
    reason: Literal["new", "updated", "moved_in"]  # see routes/watchlists.new_hits
    changed_at: Time64 = None


class WatchlistNew(BaseModel):
    watchlist_id: str = Field(max_length=64)
    since: Time64 = None  # the last_seen_at the comparison used
    marked_seen: bool
    last_seen_at: Time64 = None  # after this call
    current: list[str] = Field(max_length=100)  # the current top k, best first
    items: list[WatchlistHit] = Field(max_length=100)


# --- loket


class LoketBase(BaseModel):
    kind: LoketKind
    title: str = Field(max_length=300)
    text: str = Field(max_length=6000)


class LoketCreate(_Request, LoketBase):
    title: Title300
    text: Annotated[Body6000, AfterValidator(_has_words)]
    kvk_number: Kvk8 | None = Field(
        default=None, description="Admins only: the company this item is for. A company "
                                  "user always submits for its own KvK number.")


class LoketConcept(BaseModel):
    id: IdStr
    label_nl: ShortStr = None
    label_en: ShortStr = None
    via: str = Field(max_length=20)  # label | embedding
    weight: float


class LoketMatch(BaseModel):
    """A node the item was reverse-matched to, with its score and the route."""

    id: IdStr
    name: ShortStr = None
    kind: ShortStr = None
    score: float
    via: list[str] = Field(max_length=100)


class LoketDemandMatch(BaseModel):
    id: str = Field(max_length=64)
    question: str | None = Field(default=None, max_length=2000)
    lang: str | None = Field(default=None, max_length=10)
    created_at: Time64 = None
    score: float
    shared_concepts: list[str] = Field(max_length=100)
    nld_areas: list[str] = Field(default_factory=list, max_length=20)


class LoketMatches(BaseModel):
    concepts: list[LoketConcept] = Field(max_length=100)
    nld_areas: list[LoketMatch] = Field(max_length=20)
    clusters: list[LoketMatch] = Field(max_length=50)
    knowledge_partners: list[LoketMatch] = Field(max_length=50)
    demand_questions: list[LoketDemandMatch] = Field(
        max_length=50, description="Past demand questions about the same concepts, with their "
                                   "words: only for roles that read demand questions (bizdev, "
                                   "scout, admin); always empty for a company.")
    demand_themes: list[Labelled] = Field(
        default_factory=list, max_length=20,
        description="The capability concepts those questions share with the item, most asked "
                    "first: what every reader, a company too, learns of that demand.")
    demand_areas: list[NLDAreaRef] = Field(
        default_factory=list, max_length=10,
        description="The NLD areas of those questions, most asked first.")


class LoketNote(BaseModel):
    status: LoketStatus
    from_status: LoketStatus | None = None
    note: str | None = Field(default=None, max_length=2000)
    author_id: str = Field(max_length=64)
    author_role: str = Field(max_length=20)
    at: str = Field(max_length=64)


class LoketPublic(LoketBase):
    id: str = Field(max_length=64)
    kvk_number: str | None = Field(default=None, max_length=20)
    status: LoketStatus
    lang: str | None = Field(default=None, max_length=10)
    created_at: Time64 = None
    updated_at: Time64 = None
    notes: list[LoketNote] = Field(max_length=1000)
    matches: LoketMatches


class LoketTriage(_Request):
    status: Literal["in_behandeling", "doorverwezen", "afgesloten"]
    note: Text2000 = None


# --- past demand questions


class DemandQuestionPublic(BaseModel):
    id: str = Field(max_length=64)
    created_at: Time64 = None
    language: str | None = Field(default=None, max_length=10)
    text: str | None = Field(default=None, max_length=2000)
    top_k: int | None = None
    concepts: list[Labelled] = Field(max_length=100)
    nld_areas: list[str] = Field(max_length=20)
    hits: int = Field(ge=0)

# =========================================================================== end lists helper
