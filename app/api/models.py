"""Response models of the API. Every string and list has a limit, so a bad record in the graph
cannot turn into an unbounded answer, and the OpenAPI schema documents the shapes."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from fastapi import Path
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    WithJsonSchema,
)
from starlette.convertors import StringConvertor, register_url_convertor

from app.api import patterns
from matching.matcher import Employees
from ontology.profile import (
    ClaimKind,
    ClaimState,
    DefenceExperience,
    FieldName,
    Level,
)


class _Hex32(StringConvertor):
    """`{x:hex32}` in a route path: ids are uuid4 hex, so a fixed path beside the route
    (`/registrations/preview`, `/loket/confirm`) is not taken for an id: a wrong method on it
    is a 405 naming the methods the fixed path serves, not a 422 about an id."""

    regex = "[0-9a-f]{32}"


register_url_convertor("hex32", _Hex32())

T = TypeVar("T")

IdStr = Annotated[str, Field(max_length=200)]
ShortStr = Annotated[str | None, Field(max_length=500)]
TextStr = Annotated[str | None, Field(max_length=20_000)]
# The `{kvk}` path parameter of the company, registration and shortlist endpoints.
KvkPath = Annotated[str, Path(pattern=r"^\d{8}$", description="KvK number, 8 digits.")]
MAX_ITEMS = 10_000


# --------------------------------------------------------------------------- times in queries

_INSTANT = re.compile(patterns.INSTANT)
_FRACTION = re.compile(r"(\.[0-9]{6})[0-9]+")


def _instant(value: Any) -> datetime:
    if not isinstance(value, str) or not _INSTANT.fullmatch(value):
        raise ValueError("must be a date or time in ISO 8601, e.g. 2026-01-31 or "
                         "2026-01-31T09:00:00+01:00, with a UTC offset from -18:00 to +18:00")
    t = datetime.fromisoformat(_FRACTION.sub(r"\1", value))  # Python keeps microseconds
    return t if t.tzinfo else t.replace(tzinfo=UTC)


Instant = Annotated[datetime, PlainValidator(_instant), WithJsonSchema({
    "type": "string", "pattern": patterns.INSTANT,
    "examples": ["2026-01-31", "2026-01-31T09:00:00+01:00", "2026-01-31T08:00:00Z"]})]
"""Every time a client sends goes through this one type (issue 17)."""


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
    defence_experience: DefenceExperience | None = None


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


class ClaimPublic(BaseModel):
    """A compliance claim: what the company declares, whether evidence is on file, and who
    verified it when. `expired` claims count for no filter."""

    kind: ClaimKind
    label_nl: str = Field(max_length=100)
    label_en: str = Field(max_length=100)
    value: str | None = Field(default=None, max_length=100)
    state: ClaimState
    expires_on: str | None = Field(default=None, max_length=32)
    expired: bool = False
    evidence: bool = False
    declared_by: str | None = Field(default=None, max_length=64)
    declared_at: str | None = Field(default=None, max_length=64)
    verified_by: str | None = Field(default=None, max_length=64)
    verified_at: str | None = Field(default=None, max_length=64)
    verify_note: str | None = Field(default=None, max_length=2000)


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
    compliance_claims: list[ClaimPublic] = Field(default_factory=list, max_length=20)
    defence_experience: DefenceExperience | None = None
    # Each field's level (public, defence, hidden): for the company itself and admins only.
    visibility: dict[FieldName, Level] | None = None
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

_CONTROL = re.compile(f"[{patterns.CONTROL_CLASS}]")


def as_sent(max_length: int) -> Any:
    """Checks on the text as sent, before whitespace is stripped, as the schema's `maxLength`
    and patterns count it: at most `max_length` characters and no control characters (null
    bytes have no place in a profile; tabs and newlines do)."""

    def check(value: Any) -> Any:
        if isinstance(value, str):
            if len(value) > max_length:
                raise ValueError(f"must be at most {max_length} characters")
            if _CONTROL.search(value):
                raise ValueError("must not contain control characters (such as null bytes)")
        return value

    return BeforeValidator(check)


def text_field(max_length: int, pattern: str = patterns.NO_CONTROL, min_length: int = 0) -> Any:
    return Field(min_length=min_length, max_length=max_length,
                 json_schema_extra={"pattern": pattern})


Text20 = Annotated[str, text_field(20), as_sent(20)] | None
Text100 = Annotated[str, text_field(100), as_sent(100)] | None
Text300 = Annotated[str, text_field(300), as_sent(300)] | None
Text2000 = Annotated[str, text_field(2000), as_sent(2000)] | None
Text6000 = Annotated[str, text_field(6000), as_sent(6000)] | None


CapabilityId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,99}$")]
RegistrationStatus = Literal["pending", "approved", "rejected"]


class ComplianceIn(BaseModel):
    """Self-declared compliance: NCAGE code, ISO 9001 / AQAP 2110 certification and the
    security status (ABDO/ABRO) the company says it holds."""

    model_config = ConfigDict(extra="forbid")

    ncage_code: str | None = Field(default=None, pattern=r"^[A-Z0-9]{5}$",
                                   description="NATO Commercial and Government Entity code")
    iso9001: bool | None = Field(default=None, strict=True)
    aqap2110: bool | None = Field(default=None, strict=True)
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
    employees: Employees | None = None
    sbi_code: str | None = Field(default=None, pattern=r"^[0-9]{2,5}$")
    capabilities: list[CapabilityId] = Field(default_factory=list, max_length=50)
    compliance: ComplianceIn = Field(default_factory=ComplianceIn)


# The SHACL rules (ontology/shapes.ttl) as JSON Schema, for the request models only: the server
# still lets a missing field through to SHACL, whose nl/en messages the registration form
# shows, but the schema tells a client what will pass. Stored profiles (ProfileFields) keep the
# lenient shape.
SHACL_SCHEMA: dict[str, dict[str, Any]] = {
    "kvk_number": {"type": "string", "pattern": "^[0-9]{8}$",
                   "description": "KvK number, 8 digits. A company user registers only its own."},
    "name": {"type": "string", "minLength": 1, "maxLength": 200,
             "pattern": patterns.NOT_BLANK},
    "description": {"type": "string", "minLength": 20, "maxLength": 5000,
                    "pattern": patterns.DESCRIPTION, "description": "At least 20 characters."},
    "website": {"anyOf": [{"type": "string", "maxLength": 300, "pattern": patterns.WEBSITE},
                          {"type": "null"}],
                "description": "A full web address: http:// or https://."},
    "municipality": {"anyOf": [{"type": "string", "maxLength": 100,
                                "pattern": patterns.MUNICIPALITY}, {"type": "null"}],
                     "description": "The municipality's name or id (with a letter or digit)."},
}
_HAS_ALNUM = re.compile("[A-Za-z0-9]")
# The shapes' maximum lengths, checked as sent like the schema counts them.
ShaclName = Annotated[str, text_field(200), as_sent(200)] | None
ShaclDescription = Annotated[str, text_field(5000), as_sent(5000)] | None


def _named_place(value: str | None) -> str | None:
    # What the schema says of a municipality; SHACL alone would also take "É" (slug "e").
    if value and not _HAS_ALNUM.search(value):
        raise ValueError("must contain a letter or digit / moet een letter of cijfer bevatten")
    return value


def _capabilities_schema(min_items: int) -> dict[str, Any]:
    from ontology.taxonomy import load_taxonomy  # at schema time only, not on import

    return {"type": "array", "minItems": min_items, "maxItems": 50,
            "items": {"enum": sorted(load_taxonomy().capabilities)},
            "description": "Capability ids of the scheme (GET /taxonomy/capabilities)."}


def _registration_schema(schema: dict[str, Any]) -> None:
    schema["properties"].update(SHACL_SCHEMA, capabilities=_capabilities_schema(1))
    schema["required"] = ["kvk_number", "name", "description", "capabilities"]


def _update_schema(schema: dict[str, Any]) -> None:
    props = schema["properties"]
    props.update({k: v for k, v in SHACL_SCHEMA.items() if k != "kvk_number"},
                 capabilities=_capabilities_schema(1))
    for key in ("name", "description"):  # a change may leave them out, never empty them
        props[key] = {**props[key], "description": "Required in a profile: leave it out to "
                                                   "keep the current one."}


class RegistrationCreate(ProfileFields):
    """A new or changed profile, checked in full by the SHACL shapes."""

    model_config = ConfigDict(json_schema_extra=_registration_schema)

    kvk_number: Text20 = None
    name: ShaclName = None
    description: ShaclDescription = None
    municipality: Annotated[Text100, AfterValidator(_named_place)] = None


class CompanyUpdate(ProfileFields):
    """A partial profile: only the fields sent change (`exclude_unset`), so here capabilities
    and compliance have no default either; the merged profile must pass the SHACL shapes."""

    model_config = ConfigDict(json_schema_extra=_update_schema)

    name: ShaclName = None
    description: ShaclDescription = None
    municipality: Annotated[Text100, AfterValidator(_named_place)] = None
    capabilities: list[CapabilityId] = Field(default=None, max_length=50)  # type: ignore[arg-type]
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
    reason: Annotated[str, text_field(2000, min_length=1), as_sent(2000)]


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
