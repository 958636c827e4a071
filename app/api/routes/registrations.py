"""The registration workflow's endpoints: companies submit and maintain their profile, a
business developer or admin approves it, and only then does it count as verified
(`app.services.registrations` holds the workflow).

- `POST /registrations`: a company (for its own KvK number), an admin or a bizdev submits a
  profile; it is checked with the ontology's SHACL shapes and waits as `pending`.
- `PATCH /companies/{kvk}`: the company's change becomes a pending registration (202); an
  admin's change is applied at once (200) and recorded as approved by that admin.
- `POST /registrations/{id}/approve|reject`: admin or bizdev, never the submitter.
- `DELETE /companies/{kvk}`: GDPR erasure by an admin.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import (
    CacheDep,
    CurrentUser,
    DriverDep,
    EncoderDep,
    SettingsDep,
    require_roles,
)
from app.api.idempotency import IdempotencyKey
from app.api.models import (
    CompanyUpdate,
    Decision,
    KvkPath,
    Labelled,
    NLDAreaRef,
    Page,
    ProfileFields,
    RegistrationCreate,
    RegistrationPublic,
    Rejection,
)
from app.api.pages import Limit, Offset, page
from app.api.problems import ApiProblem, problem_responses
from app.services import registrations as regs_service
from app.services.idempotency import WriteResult, fingerprint
from app.services.users import UserPublic
from core.errors import ForbiddenError, NotFoundError
from graph.repositories.idempotency import IdempotencyRepository
from graph.repositories.registrations import RegistrationsRepository
from ontology.validation import validate_company

log = logging.getLogger(__name__)

router = APIRouter(tags=["registrations"])

RegId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="Registration id")]

Submitter = Annotated[UserPublic, Depends(require_roles("company", "admin", "bizdev"))]
Reviewer = Annotated[UserPublic, Depends(require_roles("admin", "bizdev"))]
Editor = Annotated[UserPublic, Depends(require_roles("company", "admin"))]
Admin = Annotated[UserPublic, Depends(require_roles("admin"))]

# --------------------------------------------------------------------------- helpers


def check_profile(kvk: str | None, profile: ProfileFields) -> None:
    """The ontology's SHACL rules; 422 with one nl/en message per offending field."""
    violations = validate_company({"kvk_number": kvk, **profile.model_dump()})
    if violations:
        errors = [{"field": v.field, "message": v.message_en, "message_nl": v.message_nl,
                   "message_en": v.message_en} for v in violations]
        raise ApiProblem(422, "; ".join(f"{e['field']}: {e['message_en']}" for e in errors),
                         type_="shacl", errors=errors)


def _answer(response: Response, result: WriteResult) -> dict[str, Any]:
    response.status_code = result.status
    if result.replayed:
        response.headers["Idempotent-Replay"] = "true"
    return result.body


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
    return Preview.model_validate(regs_service.preview(driver, encoder, settings.match,
                                                       body.description, body.capabilities))


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
    return _answer(response, regs_service.submit(RegistrationsRepository(driver),
                                                IdempotencyRepository(driver), user, kvk,
                                                profile, key, fp))


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
    regs = RegistrationsRepository(driver)
    return page(regs.page(status, kvk, limit, offset), limit, offset,
                lambda rows: regs_service.registrations_public(regs, rows))


# `hex32` keeps "preview" out of this route: a GET /registrations/preview is a 405 (the path
# serves POST), not a 422 about the id.
@router.get("/registrations/{reg_id:hex32}", response_model=RegistrationPublic,
            responses=problem_responses(403))
def get_registration(reg_id: RegId, user: CurrentUser, driver: DriverDep) -> Any:
    regs = RegistrationsRepository(driver)
    r = regs_service.load(regs, reg_id)
    if not regs_service.may_see(user, r["kvk_number"], r["submitted_by"]):
        raise ForbiddenError("This registration belongs to another company.")
    return regs_service.registrations_public(regs, [r])[0]


@router.post("/registrations/{reg_id}/approve", response_model=RegistrationPublic)
def approve_registration(reg_id: RegId, user: Reviewer, driver: DriverDep,
                         encoder: EncoderDep, cache: CacheDep, request: Request,
                         response: Response,
                         body: Decision | None = None, key: IdempotencyKey = None) -> Any:
    """Apply the profile to the graph and mark it verified now."""
    note = body.note if body else None
    fp = fingerprint("POST", request.url.path, {"note": note})
    return _answer(response, regs_service.approve(
        RegistrationsRepository(driver), IdempotencyRepository(driver), encoder, user, reg_id,
        note, key, fp, cache=cache))


@router.post("/registrations/{reg_id}/reject", response_model=RegistrationPublic)
def reject_registration(reg_id: RegId, body: Rejection, user: Reviewer, driver: DriverDep,
                        request: Request, response: Response,
                        key: IdempotencyKey = None) -> Any:
    fp = fingerprint("POST", request.url.path, body.model_dump())
    return _answer(response, regs_service.reject(
        RegistrationsRepository(driver), IdempotencyRepository(driver), user, reg_id,
        body.reason, key, fp))


@router.patch("/companies/{kvk}", response_model=RegistrationPublic,
              responses={202: {"model": RegistrationPublic,
                               "description": "A company's change, pending review"}},
              tags=["companies"])
def patch_company(kvk: KvkPath, body: CompanyUpdate, user: Editor, driver: DriverDep,
                  encoder: EncoderDep, cache: CacheDep, request: Request,
                  response: Response,
                  key: IdempotencyKey = None) -> Any:
    """A company changes its own profile (pending review, 202); an admin's change is applied
    and verified at once (200). Only the fields sent change."""
    if user.role == "company" and user.kvk_number != kvk:
        raise ForbiddenError("A company account changes only its own profile.")
    regs, keys = RegistrationsRepository(driver), IdempotencyRepository(driver)
    now = regs_service.current_profile(regs, kvk)
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
        result = regs_service.submit(regs, keys, user, kvk, profile, key, fp)
        return _answer(response, WriteResult(202, result.body, result.replayed))
    # An admin edits directly: a registration approved by that admin in the same breath.
    pending = regs_service.submit(regs, keys, user, kvk, profile, key and f"{key}.submit", fp)
    done = regs_service.approve(regs, keys, encoder, user, pending.body["id"],
                                "direct edit by an admin", key, fp, own_ok=True, cache=cache)
    return _answer(response, WriteResult(200, done.body, done.replayed))


@router.delete("/companies/{kvk}", status_code=204, tags=["companies"])
def delete_company(kvk: KvkPath, user: Admin, driver: DriverDep) -> Response:
    """Erase a company on request (GDPR): the node, its registrations, its loket items and the
    personal data in its audit history. The audit keeps that it was erased, by whom and when."""
    regs_service.erase_company(RegistrationsRepository(driver), user, kvk)
    return Response(status_code=204)
