"""Response models of the API. Every string and list has a limit, so a bad record in the graph
cannot turn into an unbounded answer, and the OpenAPI schema documents the shapes."""

from __future__ import annotations

from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, Field

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
