"""Bodies of the monitoring and scouting endpoints (issue 21): introductions, scouting
statuses, the agenda, supply gaps and KPIs. Requests refuse unknown fields and control
characters; responses cap sizes (app/api/models.py)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.api import patterns
from app.api.models import Instant, Text2000, as_sent, text_field

Unit200 = Annotated[str, text_field(200, patterns.NOT_BLANK, 1), as_sent(200)] | None

SupplyKind = Literal["company", "site", "facility", "institution", "programme"]
IntroStatus = Literal["voorgesteld", "geaccepteerd", "gesprek", "vervolg", "afgewezen"]
IntroStep = Literal["geaccepteerd", "gesprek", "vervolg", "afgewezen"]
ScoutStatus = Literal["niet_benaderd", "benaderd", "in_gesprek", "verbonden"]
ScoutStep = Literal["benaderd", "in_gesprek", "verbonden"]
AskStatus = Literal["te_verkennen", "in_uitvoering", "afgerond"]

KEY_PATTERN = r"^(\d{8}|[a-z0-9][a-z0-9-]{0,99})$"
QUESTION_ID = r"^[0-9a-f]{32}$"
ASK_ID = r"^p[1-3]-[0-9]{1,2}$"


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# The rule of `introductions.create`: a question, a Defence unit or both.
_QUESTION_OR_UNIT: dict[str, Any] = {"anyOf": [
    {"required": ["question_id"], "properties": {"question_id": {"type": "string"}}},
    {"required": ["defence_unit"], "properties": {"defence_unit": {"type": "string"}}},
]}


class IntroductionCreate(_Request):
    """A supplier introduced for a stored demand question, to a Defence unit, or both. The
    key is a company's KvK number or another kind's id; one that names nothing is a 404."""

    model_config = ConfigDict(json_schema_extra=_QUESTION_OR_UNIT)

    supply_kind: SupplyKind = "company"
    supply_key: str = Field(pattern=KEY_PATTERN, description="KvK number of a company, the id "
                            "of a site, facility, institution or programme.")
    question_id: str | None = Field(default=None, pattern=QUESTION_ID)
    defence_unit: Unit200 = None
    note: Text2000 = None
    at: Instant | None = Field(default=None, description="When it was proposed (default: now).")

    @model_validator(mode="after")
    def _question_or_unit(self) -> IntroductionCreate:
        if not self.question_id and not self.defence_unit:
            raise ValueError("name a demand question (question_id) or a Defence unit "
                             "(defence_unit), or both")
        return self


class IntroductionUpdate(_Request):
    """A funnel step (`status`), a note, or both; `at` dates the step (default: now; a date
    ahead, e.g. a planned meeting, is allowed)."""

    model_config = ConfigDict(json_schema_extra={"anyOf": [
        {"required": ["status"], "properties": {"status": {"type": "string"}}},
        {"required": ["note"], "properties": {"note": {"type": "string"}}}]})

    status: IntroStep | None = None
    note: Text2000 = None
    at: Instant | None = None

    @model_validator(mode="after")
    def _something(self) -> IntroductionUpdate:
        if self.status is None and self.note is None:
            raise ValueError("give a new status, a note, or both")
        return self


class IntroductionLog(BaseModel):
    status: str | None = Field(default=None, max_length=40)
    from_status: str | None = Field(default=None, max_length=40)
    note: str | None = Field(default=None, max_length=2000)
    at: str | None = Field(default=None, max_length=64)
    author_id: str | None = Field(default=None, max_length=64)
    author_role: str | None = Field(default=None, max_length=40)


class IntroductionPublic(BaseModel):
    id: str = Field(max_length=64)
    supply_kind: str = Field(max_length=40)
    supply_key: str = Field(max_length=100)
    supply_name: str | None = Field(default=None, max_length=500)
    question_id: str | None = Field(default=None, max_length=64)
    defence_unit: str | None = Field(default=None, max_length=200)
    status: IntroStatus
    note: str | None = Field(default=None, max_length=2000)
    created_by: str | None = Field(default=None, max_length=64)
    created_at: str | None = Field(default=None, max_length=64)
    updated_at: str | None = Field(default=None, max_length=64)
    voorgesteld_at: str | None = Field(default=None, max_length=64)
    geaccepteerd_at: str | None = Field(default=None, max_length=64)
    gesprek_at: str | None = Field(default=None, max_length=64)
    vervolg_at: str | None = Field(default=None, max_length=64)
    afgewezen_at: str | None = Field(default=None, max_length=64)
    log: list[IntroductionLog] = Field(default_factory=list, max_length=1000)


class ScoutingUpdate(_Request):
    status: ScoutStep
    note: Text2000 = None


class ScoutingPublic(BaseModel):
    kvk_number: str = Field(max_length=8)
    name: str | None = Field(default=None, max_length=500)
    defence_experience: str | None = Field(default=None, max_length=40)
    status: ScoutStatus
    note: str | None = Field(default=None, max_length=2000)
    updated_at: str | None = Field(default=None, max_length=64)
    log: list[dict[str, Any]] = Field(default_factory=list, max_length=1000)


class Prospect(BaseModel):
    kvk_number: str = Field(max_length=8)
    name: str | None = Field(default=None, max_length=500)
    municipality: str | None = Field(default=None, max_length=200)
    defence_experience: str | None = Field(default=None, max_length=40)
    scouting_status: ScoutStatus
    score: float


class AgendaStatusUpdate(_Request):
    status: AskStatus
    note: Text2000 = None


class AgendaConcern(BaseModel):
    id: str | None = Field(default=None, max_length=200)
    name: str | None = Field(default=None, max_length=500)
    label: str | None = Field(default=None, max_length=100)


class AgendaLog(BaseModel):
    status: str | None = Field(default=None, max_length=40)
    note: str | None = Field(default=None, max_length=2000)
    at: str | None = Field(default=None, max_length=64)
    role: str | None = Field(default=None, max_length=40)


class AgendaAskPublic(BaseModel):
    id: str = Field(max_length=20)
    pillar: int
    number: int
    title_nl: str | None = Field(default=None, max_length=500)
    title_en: str | None = Field(default=None, max_length=500)
    text_nl: str | None = Field(default=None, max_length=5000)
    summary_en: str | None = Field(default=None, max_length=5000)
    partners: list[str] = Field(default_factory=list, max_length=100)
    status: AskStatus
    updated_at: str | None = Field(default=None, max_length=64)
    log: list[AgendaLog] = Field(default_factory=list, max_length=1000)
    concerns: list[AgendaConcern] = Field(default_factory=list, max_length=200)


class GroupCount(BaseModel):
    id: str = Field(max_length=200)
    name_nl: str | None = Field(default=None, max_length=500)
    name_en: str | None = Field(default=None, max_length=500)
    questions: int
    gaps: int
    open_gaps: int
    weak: int


class MonthCount(BaseModel):
    month: str = Field(max_length=7)
    questions: int
    gaps: int
    open_gaps: int


class GapItem(BaseModel):
    id: str = Field(max_length=64)
    month: str = Field(max_length=7)
    nld_areas: list[str] = Field(max_length=100)
    capabilities: list[str] = Field(max_length=200)
    sectors: list[str] = Field(max_length=10)
    best: float | None
    good_matches: int
    reason: Literal["weak", "thin"]
    open: bool


class GapsPublic(BaseModel):
    threshold: float
    min_good_matches: int
    questions: int
    assessed: int
    gaps: int
    open_gaps: int
    by_nld_area: list[GroupCount] = Field(max_length=1000)
    by_capability: list[GroupCount] = Field(max_length=1000)
    by_sector: list[GroupCount] = Field(max_length=20)
    by_month: list[MonthCount] = Field(max_length=1000)
    items: list[GapItem] = Field(max_length=10_000)


class KpisPublic(BaseModel):
    threshold: float
    companies_per_month: list[dict[str, Any]] = Field(max_length=1000)
    loket_per_desk: list[dict[str, Any]] = Field(max_length=1000)
    demand_per_month: list[dict[str, Any]] = Field(max_length=1000)
    demand_asked: int
    demand_answered: int
    introductions: list[dict[str, Any]] = Field(max_length=10)
    introductions_per_month: list[dict[str, Any]] = Field(max_length=1000)
    gaps: int
    open_gaps: int
