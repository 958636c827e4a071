"""The registration workflow: companies submit and maintain their profile, a business developer
or admin approves it, and only then does it count as verified.

- `POST /registrations`: a company (for its own KvK number), an admin or a bizdev submits a
  profile; it is checked with the ontology's SHACL shapes and waits as `pending`.
- `PATCH /companies/{kvk}`: the company's change becomes a pending registration (202); an
  admin's change is applied at once (200) and recorded as approved by that admin.
- `POST /registrations/{id}/approve|reject`: admin or bizdev, never the submitter.
- `DELETE /companies/{kvk}`: GDPR erasure by an admin.

Approval writes the company through the importer's writer (same hashing, capability inference,
embedding), with the registration's status, the verification stamp and the audit events in
the same transaction: either all of it happens or none.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from neo4j import Driver, ManagedTransaction
from pydantic import BaseModel, ConfigDict, Field
from starlette.convertors import StringConvertor, register_url_convertor

from app.api import audit
from app.api.deps import (
    CacheDep,
    CurrentUser,
    DriverDep,
    EncoderDep,
    SettingsDep,
    require_roles,
)
from app.api.idempotency import IdempotencyKey, WriteResult, fingerprint, run_write
from app.api.models import (
    CompanyUpdate,
    ComplianceIn,
    Decision,
    FieldChange,
    Labelled,
    NLDAreaRef,
    Page,
    ProfileFields,
    RegistrationCreate,
    RegistrationPublic,
    Rejection,
)
from app.api.pages import Limit, Offset, read_page
from app.api.problems import ApiProblem, problem_responses
from app.api.users import UserPublic
from core.errors import ConflictError, ForbiddenError, NotFoundError
from graph.queries import registrations as registrations_q
from ingest.companies import CompanyRecord, RunContext, write_companies
from matching.encoders.base import Encoder
from matching.encoders.cache import EmbeddingCache
from ontology.taxonomy import load_taxonomy
from ontology.validation import validate_company

log = logging.getLogger(__name__)

router = APIRouter(tags=["registrations"])

RegId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="Registration id")]


class _Hex32(StringConvertor):
    regex = "[0-9a-f]{32}"


register_url_convertor("hex32", _Hex32())
Kvk = Annotated[str, Path(pattern=r"^\d{8}$", description="KvK number, 8 digits.")]
Submitter = Annotated[UserPublic, Depends(require_roles("company", "admin", "bizdev"))]
Reviewer = Annotated[UserPublic, Depends(require_roles("admin", "bizdev"))]
Editor = Annotated[UserPublic, Depends(require_roles("company", "admin"))]
Admin = Annotated[UserPublic, Depends(require_roles("admin"))]

_COMPLIANCE = ("ncage_code", "iso9001", "aqap2110", "security_status", "export_control_notes")
_DIFF_FIELDS = ("name", "description", "description_en", "municipality", "website",
                "employees", "sbi_code", "capabilities",
                *(f"compliance.{k}" for k in _COMPLIANCE))


# --------------------------------------------------------------------------- helpers


def current_profiles(driver: Driver, kvks: Iterable[str]) -> dict[str, ProfileFields]:
    """The maintainable fields of each existing company among `kvks`, in one read."""
    wanted = sorted(set(kvks))
    if not wanted:
        return {}
    records, _, _ = driver.execute_query(registrations_q.COMPANY_PROFILE_FIELDS, kvks=wanted,
                                         routing_="r")
    out: dict[str, ProfileFields] = {}
    for r in records:
        props = {k: v for k, v in r["props"].items() if v is not None}
        compliance = {k: props.pop(k) for k in _COMPLIANCE if k in props}
        out[r["kvk"]] = ProfileFields.model_construct(
            **{k: props.get(k) for k in ("name", "description", "description_en", "website",
                                         "employees", "sbi_code")},
            municipality=r["municipality"], capabilities=sorted(r["capabilities"]),
            compliance=ComplianceIn.model_construct(
                **{k: compliance.get(k) for k in _COMPLIANCE}),
        )
    return out


def current_profile(driver: Driver, kvk: str) -> ProfileFields | None:
    """The company's maintainable fields as they are now, or None if it does not exist."""
    return current_profiles(driver, [kvk]).get(kvk)


def _flat(profile: ProfileFields | None) -> dict[str, Any]:
    if profile is None:
        return {}
    d = profile.model_dump()
    out = {k: v for k, v in d.items() if k != "compliance"}
    out["capabilities"] = sorted(out.get("capabilities") or [])
    for k, v in (d.get("compliance") or {}).items():
        out[f"compliance.{k}"] = v
    return out


def diff(before: ProfileFields | None, after: ProfileFields) -> list[FieldChange]:
    """Field by field, what approving would change (every set field for a new company)."""
    b, a = _flat(before), _flat(after)
    return [FieldChange(field=f, before=b.get(f), after=a.get(f)) for f in _DIFF_FIELDS
            if b.get(f) != a.get(f)]


def check_profile(kvk: str | None, profile: ProfileFields) -> None:
    """The ontology's SHACL rules; 422 with one nl/en message per offending field."""
    violations = validate_company({"kvk_number": kvk, **profile.model_dump()})
    if violations:
        errors = [{"field": v.field, "message": v.message_en, "message_nl": v.message_nl,
                   "message_en": v.message_en} for v in violations]
        raise ApiProblem(422, "; ".join(f"{e['field']}: {e['message_en']}" for e in errors),
                         type_="shacl", errors=errors)


def registration_public(r: Any, current: dict[str, ProfileFields] | None = None
                        ) -> RegistrationPublic:
    """The registration; a pending one with its diff against the company's profile as it is
    now, taken from `current` (None: no diff, e.g. inside the deciding transaction)."""
    profile = ProfileFields.model_validate(json.loads(r["profile"]))
    changes = diff(current.get(r["kvk_number"]), profile) \
        if current is not None and r["status"] == "pending" else []
    return RegistrationPublic(
        id=r["id"], kvk_number=r["kvk_number"], kind=r["kind"], status=r["status"],
        submitted_by=r["submitted_by"], submitted_at=r["submitted_at"],
        decided_by=r["decided_by"], decided_at=r["decided_at"],
        decision_note=r["decision_note"], profile=profile, diff=changes)


def registrations_public(rows: list[Any], driver: Driver) -> list[RegistrationPublic]:
    """A page of registrations with their diffs: the current profiles in one read, not one
    per row."""
    current = current_profiles(driver, [r["kvk_number"] for r in rows if r["status"] == "pending"])
    return [registration_public(r, current) for r in rows]


def _load(driver: Driver, reg_id: str) -> Any:
    records, _, _ = driver.execute_query(registrations_q.REGISTRATION_GET, id=reg_id, routing_="r")
    if not records:
        raise NotFoundError(f"No registration {reg_id}.")
    return records[0]


def _may_see(user: UserPublic, kvk: str, submitted_by: str | None = None) -> bool:
    return user.role in ("admin", "bizdev") or user.id == submitted_by or (
        user.role == "company" and user.kvk_number == kvk)


def _answer(response: Response, result: WriteResult) -> dict[str, Any]:
    response.status_code = result.status
    if result.replayed:
        response.headers["Idempotent-Replay"] = "true"
    return result.body


def submit(driver: Driver, user: UserPublic, kvk: str, profile: ProfileFields,
           key: str | None, fp: str) -> WriteResult:
    """Store a pending registration (new company or change) with its audit event."""
    before = current_profile(driver, kvk)
    reg_id = uuid.uuid4().hex
    profile_json = profile.model_dump_json()

    def work(tx: ManagedTransaction) -> dict[str, Any]:
        tx.run(registrations_q.REGISTRATION_CREATE, id=reg_id, kvk=kvk,
               kind="change" if before else "new", profile=profile_json, user_id=user.id,
               role=user.role).consume()
        audit.record(tx, user, "registration.submit", "registration", reg_id, None,
                     {"kvk_number": kvk, **profile.model_dump()}, kvk_number=kvk)
        r = tx.run(registrations_q.REGISTRATION_GET, id=reg_id).single()
        out = registration_public(r)
        out.diff = diff(before, profile)
        return out.model_dump(mode="json")

    return run_write(driver, user, key, fp, 201, work)


def approve(driver: Driver, encoder: Encoder, user: UserPublic, reg_id: str,
            note: str | None, key: str | None, fp: str, *, own_ok: bool = False,
            cache: EmbeddingCache | None = None) -> WriteResult:
    """`own_ok` only for an admin's direct edit, which is submitted and approved at once."""
    reg = _load(driver, reg_id)
    if reg["status"] != "pending":
        raise ConflictError(f"Registration {reg_id} is already {reg['status']}.")
    if reg["submitted_by"] == user.id and not own_ok:
        raise ForbiddenError("Nobody approves their own submission; ask a colleague.")
    kvk = reg["kvk_number"]
    profile = ProfileFields.model_validate(json.loads(reg["profile"]))
    before = current_profile(driver, kvk)
    record = CompanyRecord(
        kvk_number=kvk, name=profile.name or "", description=profile.description or "",
        description_en=profile.description_en, municipality=profile.municipality,
        website=profile.website, employees=profile.employees, sbi_code=profile.sbi_code,
        capabilities=profile.capabilities, source="registration")
    compliance = profile.compliance.model_dump()

    def work(tx: ManagedTransaction) -> dict[str, Any]:
        locked = tx.run(registrations_q.REGISTRATION_LOCK, id=reg_id).single()
        if locked is None or locked["status"] != "pending":
            raise ConflictError(f"Registration {reg_id} was decided meanwhile.")
        tx.run(registrations_q.REGISTRATION_DECIDE, id=reg_id, status="approved", user_id=user.id,
               note=note).consume()
        tx.run(registrations_q.COMPANY_MARK_VERIFIED, kvk=kvk, compliance=compliance,
               user_id=user.id, registration_id=reg_id).consume()
        audit.record(tx, user, "registration.approve", "registration", reg_id,
                     {"status": "pending"}, {"status": "approved", "note": note},
                     kvk_number=kvk)
        audit.record(tx, user, "company.update" if before else "company.create", "company",
                     kvk, _flat(before) or None, _flat(profile))
        r = tx.run(registrations_q.REGISTRATION_GET, id=reg_id).single()
        return registration_public(r).model_dump(mode="json")

    def execute(tx_work: Any) -> None:
        write_companies(driver, [record], load_taxonomy(),
                        RunContext(source="registration", file=f"registration:{reg_id}"),
                        encoder=encoder, cache=cache, in_tx=tx_work)

    result = run_write(driver, user, key, fp, 200, work, execute=execute)
    log.info("registration %s for %s approved by %s", reg_id, kvk, user.id)
    return result


# --------------------------------------------------------------------------- routes


class PreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: Annotated[str, Field(min_length=1, max_length=6000)]
    capabilities: list[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,99}$")]] = Field(
        default_factory=list, max_length=50)


class Preview(BaseModel):
    """How Defence would find this profile: the concepts read from it, its NLD areas, and the
    themes and NLD areas of past demand questions that share those concepts. Never the
    questions' words, when they were asked or by whom: those are for the roles that read
    demand questions (`GET /demand-questions`), and this is the company's form."""

    concepts: list[dict[str, Any]] = Field(max_length=100)
    nld_areas: list[dict[str, Any]] = Field(max_length=20)
    demand_themes: list[Labelled] = Field(max_length=20)
    demand_areas: list[NLDAreaRef] = Field(max_length=10)


@router.post("/registrations/preview", response_model=Preview)
def preview_registration(body: PreviewRequest, _user: Submitter, driver: DriverDep,
                         settings: SettingsDep, encoder: EncoderDep) -> Any:
    """The registration form's preview: "Defence asked about these themes, in these areas"."""
    from app.api.routes.loket import demand_summary, reverse_match

    taxonomy = load_taxonomy()
    labels = [taxonomy.capabilities[c].label("nl") for c in body.capabilities
              if c in taxonomy.capabilities]
    text = body.description if not labels else f"{body.description}\n{', '.join(labels)}"
    matches, _ = reverse_match(driver, encoder, settings, text)
    questions = [q for q in matches["demand_questions"] if q["shared_concepts"]]
    return Preview.model_validate({"concepts": matches["concepts"][:20],
                                   "nld_areas": matches["nld_areas"][:5],
                                   **demand_summary(questions, taxonomy)})


@router.post("/registrations", status_code=201, response_model=RegistrationPublic)
def post_registration(body: RegistrationCreate, user: Submitter, driver: DriverDep,
                      request: Request, response: Response, key: IdempotencyKey = None) -> Any:
    """Submit a company profile; it is pending until an admin or bizdev approves it."""
    kvk = (body.kvk_number or "").strip()
    profile = ProfileFields.model_validate(body.model_dump(exclude={"kvk_number"}))
    check_profile(kvk, profile)
    if user.role == "company" and user.kvk_number != kvk:
        raise ForbiddenError("A company account registers only its own KvK number.")
    fp = fingerprint("POST", request.url.path, body.model_dump(mode="json"))
    return _answer(response, submit(driver, user, kvk, profile, key, fp))


@router.get("/registrations", response_model=Page[RegistrationPublic],
            responses=problem_responses(403))
def list_registrations(
    user: CurrentUser, driver: DriverDep,
    status: Annotated[str | None, Query(pattern=r"^(pending|approved|rejected)$")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Any:
    """Admins and business developers see all; a company its own; scouts none."""
    if user.role == "scout":
        raise ForbiddenError("Scouts do not handle registrations.")
    kvk = user.kvk_number if user.role == "company" else None
    params = {"status": status, "kvk": kvk}
    return read_page(driver, registrations_q.REGISTRATION_COUNT,
                     registrations_q.REGISTRATION_LIST, params, limit, offset,
                     lambda rows: registrations_public(rows, driver))


# `hex32` keeps "preview" out of this route: a GET /registrations/preview is a 405 (the path
# serves POST), not a 422 about the id.
@router.get("/registrations/{reg_id:hex32}", response_model=RegistrationPublic,
            responses=problem_responses(403))
def get_registration(reg_id: RegId, user: CurrentUser, driver: DriverDep) -> Any:
    r = _load(driver, reg_id)
    if not _may_see(user, r["kvk_number"], r["submitted_by"]):
        raise ForbiddenError("This registration belongs to another company.")
    return registrations_public([r], driver)[0]


@router.post("/registrations/{reg_id}/approve", response_model=RegistrationPublic)
def approve_registration(reg_id: RegId, user: Reviewer, driver: DriverDep,
                         encoder: EncoderDep, cache: CacheDep, request: Request,
                         response: Response,
                         body: Decision | None = None, key: IdempotencyKey = None) -> Any:
    """Apply the profile to the graph and mark it verified now."""
    note = body.note if body else None
    fp = fingerprint("POST", request.url.path, {"note": note})
    return _answer(response, approve(driver, encoder, user, reg_id, note, key, fp,
                                     cache=cache))


@router.post("/registrations/{reg_id}/reject", response_model=RegistrationPublic)
def reject_registration(reg_id: RegId, body: Rejection, user: Reviewer, driver: DriverDep,
                        request: Request, response: Response,
                        key: IdempotencyKey = None) -> Any:
    reg = _load(driver, reg_id)
    if reg["status"] != "pending":
        raise ConflictError(f"Registration {reg_id} is already {reg['status']}.")

    def work(tx: ManagedTransaction) -> dict[str, Any]:
        locked = tx.run(registrations_q.REGISTRATION_LOCK, id=reg_id).single()
        if locked is None or locked["status"] != "pending":
            raise ConflictError(f"Registration {reg_id} was decided meanwhile.")
        tx.run(registrations_q.REGISTRATION_DECIDE, id=reg_id, status="rejected", user_id=user.id,
               note=body.reason).consume()
        audit.record(tx, user, "registration.reject", "registration", reg_id,
                     {"status": "pending"}, {"status": "rejected", "reason": body.reason},
                     kvk_number=reg["kvk_number"])
        r = tx.run(registrations_q.REGISTRATION_GET, id=reg_id).single()
        return registration_public(r).model_dump(mode="json")

    fp = fingerprint("POST", request.url.path, body.model_dump())
    return _answer(response, run_write(driver, user, key, fp, 200, work))


@router.patch("/companies/{kvk}", response_model=RegistrationPublic,
              responses={202: {"model": RegistrationPublic,
                               "description": "A company's change, pending review"}},
              tags=["companies"])
def patch_company(kvk: Kvk, body: CompanyUpdate, user: Editor, driver: DriverDep,
                  encoder: EncoderDep, cache: CacheDep, request: Request,
                  response: Response,
                  key: IdempotencyKey = None) -> Any:
    """A company changes its own profile (pending review, 202); an admin's change is applied
    and verified at once (200). Only the fields sent change."""
    if user.role == "company" and user.kvk_number != kvk:
        raise ForbiddenError("A company account changes only its own profile.")
    now = current_profile(driver, kvk)
    if now is None:
        raise NotFoundError(f"No company with KvK number {kvk}.")
    changes = body.model_dump(exclude_unset=True)
    merged = {**now.model_dump(), **{k: v for k, v in changes.items() if k != "compliance"}}
    if "compliance" in changes:
        merged["compliance"] = {**now.compliance.model_dump(), **(changes["compliance"] or {})}
    profile = ProfileFields.model_validate(merged)
    check_profile(kvk, profile)
    fp = fingerprint("PATCH", request.url.path, body.model_dump(mode="json", exclude_unset=True))
    if user.role == "company":
        result = submit(driver, user, kvk, profile, key, fp)
        return _answer(response, WriteResult(202, result.body, result.replayed))
    # An admin edits directly: a registration approved by that admin in the same breath.
    pending = submit(driver, user, kvk, profile, key and f"{key}.submit", fp)
    done = approve(driver, encoder, user, pending.body["id"], "direct edit by an admin",
                   key, fp, own_ok=True, cache=cache)
    return _answer(response, WriteResult(200, done.body, done.replayed))


@router.delete("/companies/{kvk}", status_code=204, tags=["companies"])
def delete_company(kvk: Kvk, user: Admin, driver: DriverDep) -> Response:
    """Erase a company on request (GDPR): the node, its registrations, its loket items and the
    personal data in its audit history. The audit keeps that it was erased, by whom and when."""

    def work(tx: ManagedTransaction) -> str | None:
        rec = tx.run(registrations_q.COMPANY_ERASE, kvk=kvk).single()
        if rec is None:
            return None
        tx.run(registrations_q.AUDIT_ERASE_PERSONAL_DATA, kvk=kvk, loket_ids=rec["loket_ids"],
               erased=json.dumps({"erased": True})).consume()
        audit.record(tx, user, "company.erase", "company", kvk, None, None)
        return str(rec["name"])

    with driver.session() as session:
        name = session.execute_write(work)
    if name is None:
        raise NotFoundError(f"No company with KvK number {kvk}.")
    log.info("company %s erased by %s", kvk, user.id)
    return Response(status_code=204)
