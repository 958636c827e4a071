"""The API's bodies for shortlists, watchlists, the loket and past demand questions (issue 6);
the shared types are in app/api/models.py."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.api import patterns
from app.api.models import (
    MAX_ITEMS,
    IdStr,
    Labelled,
    NLDAreaRef,
    ShortStr,
    Text2000,
    as_sent,
    text_field,
)
from app.api.signup_models import Email
from matching import lexical
from matching.matcher import MatchFilters, TopK

# Request models
# (`XCreate`) refuse unknown fields and control characters; response models (`XPublic`) only
# cap sizes, so an odd stored value is returned as it is.

Kvk8 = Annotated[str, Field(pattern=r"^\d{8}$", description="KvK number, 8 digits.")]
Email254 = Email
# Stripped of whitespace, so `min_length=1` means "not blank"; the pattern says so too.
Name200 = Annotated[str, text_field(200, patterns.NOT_BLANK, 1), as_sent(200)]
Title300 = Annotated[str, text_field(300, patterns.NOT_BLANK, 1), as_sent(300)]
Time64 = Annotated[str | None, Field(max_length=64)]
LoketKind = Literal["idee", "aanbod", "vraag"]
LoketStatus = Literal["new", "in_behandeling", "doorverwezen", "afgesloten"]


def _has_words(value: str) -> str:
    if not lexical.has_word(value):
        raise ValueError("must contain words (letters) / moet woorden bevatten")
    return value


# Text that must hold a word (two letters in a row) and no control characters.
Question1000 = Annotated[str, text_field(1000, patterns.WORDS, 1), as_sent(1000),
                         AfterValidator(_has_words)]
Body6000 = Annotated[str, text_field(6000, patterns.WORDS, 1), as_sent(6000),
                     AfterValidator(_has_words)]


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
    top_k: TopK = 10


class WatchlistCreate(_Request, WatchlistBase):
    name: Name200
    question: Question1000


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
    kind: LoketKind = "vraag"
    title: Title300
    text: Body6000
    kvk_number: Kvk8 | None = Field(
        default=None, description="Admins (and senders without a token): the company this "
                                  "item is for. A company user always submits for its own "
                                  "KvK number.")
    contact_email: Email254 | None = Field(
        default=None, description="Without a token: where the confirmation link goes (a desk "
                                  "sees the item only once it is confirmed). Ignored with a "
                                  "token.")


class RouteOut(BaseModel):
    """Where an item went and why (nl and en); `via`: rule, content, default or referral."""

    desk: str = Field(max_length=64)
    name_nl: str | None = Field(default=None, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    reason: str | None = Field(default=None, max_length=3000)
    reason_en: str | None = Field(default=None, max_length=3000)
    via: str | None = Field(default=None, max_length=20)
    at: str | None = Field(default=None, max_length=64)
    active: bool = True
    referred_to: str | None = Field(default=None, max_length=64)
    referred_from: str | None = Field(default=None, max_length=64)


class LoketAccepted(BaseModel):
    """A loket item sent without an account: it waits for the e-mail confirmation."""

    id: str = Field(max_length=32)
    status: str = Field(max_length=30)
    routed_to: list[RouteOut] = Field(max_length=10)
    detail: str = Field(max_length=500)




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
    routed_to: list[RouteOut] = Field(default_factory=list, max_length=50,
                                      description="The desks the item went to, with why.")


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
