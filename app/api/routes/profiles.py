"""A company's trust settings: compliance claims with evidence and verification, who sees
which profile field, and its defence experience (issue 20, items 4-6). The rules live in
app/services/profiles.py; this parses, authorises and shapes."""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from app.api.deps import CurrentUser, DriverDep
from app.api.models import ClaimPublic
from app.api.problems import problem_responses
from app.services import profiles as svc
from core.errors import ValidationError
from graph.repositories.profiles import ProfileRepository
from ontology.profile import ClaimKind, DefenceExperience, FieldName, Level

log = logging.getLogger(__name__)

router = APIRouter(prefix="/companies", tags=["profiles"])

Kvk = Annotated[str, Path(pattern=r"^\d{8}$", description="KvK number, 8 digits.")]
Kind = Annotated[ClaimKind, Path(description="Compliance claim kind")]
_ERRORS = problem_responses(403, 404)
_NCAGE = re.compile(r"[A-Z0-9]{5}")


def _iso_date(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("must be a date as YYYY-MM-DD, e.g. 2027-06-30")
    return value


class ClaimIn(BaseModel):
    """A declaration: the value where the kind has one (the NCAGE code, ABDO or ABRO, the
    certificate number) and the date it expires (certificates) or none."""

    model_config = ConfigDict(extra="forbid")

    value: str | None = Field(default=None, max_length=100,
                              pattern=r"^[A-Za-z0-9][A-Za-z0-9 ./:-]{0,99}$")
    # an ISO date string only (lax pydantic would take a number as a timestamp)
    expires_on: Annotated[date, BeforeValidator(_iso_date)] | None = Field(
        default=None, description="ISO date, e.g. 2027-06-30")


class Verification(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(default=None, max_length=2000, pattern=r"^[^\x00-\x08\x0b-\x1f]*$")


class VisibilityIn(BaseModel):
    """The fields to change and their new level; fields left out keep theirs."""

    model_config = ConfigDict(extra="forbid")
    fields: dict[FieldName, Level] = Field(min_length=1, max_length=20)


class Visibility(BaseModel):
    fields: dict[FieldName, Level]


class DefenceExperienceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    defence_experience: DefenceExperience | None = Field(
        description="none, indirect or direct supplier to Defence; null: unknown")


class DefenceExperienceOut(BaseModel):
    kvk_number: str
    defence_experience: DefenceExperience | None


def _repo(driver: DriverDep) -> ProfileRepository:
    return ProfileRepository(driver)


@router.get("/{kvk}/visibility", response_model=Visibility, responses=_ERRORS)
def get_visibility(kvk: Kvk, user: CurrentUser, driver: DriverDep) -> Any:
    """Each field's level: for the company itself and admins."""
    return {"fields": svc.visibility_of(_repo(driver), user, kvk)}


@router.patch("/{kvk}/visibility", response_model=Visibility, responses=_ERRORS)
def patch_visibility(kvk: Kvk, body: VisibilityIn, user: CurrentUser,
                     driver: DriverDep) -> Any:
    """Set fields to public, defence (bizdev, scouts, admins) or hidden (admins only). Only
    the company itself and admins; applied at once and audited."""
    changes = {str(k): str(v) for k, v in body.fields.items()}
    return {"fields": svc.set_visibility(_repo(driver), user, kvk, changes)}


@router.put("/{kvk}/defence-experience", response_model=DefenceExperienceOut,
            responses=_ERRORS)
def put_defence_experience(kvk: Kvk, body: DefenceExperienceIn, user: CurrentUser,
                           driver: DriverDep) -> Any:
    """The company itself, admins, bizdev and scouts record it; audited."""
    value = svc.set_defence_experience(_repo(driver), user, kvk, body.defence_experience)
    return {"kvk_number": kvk, "defence_experience": value}


@router.put("/{kvk}/compliance/{kind}", response_model=ClaimPublic, responses=_ERRORS)
def put_claim(kvk: Kvk, kind: Kind, body: ClaimIn, user: CurrentUser,
              driver: DriverDep) -> Any:
    """Declare or change a claim (the company itself, admins, bizdev). A new value or
    expiry drops an earlier verification."""
    if kind == "ncage" and (body.value is None or not _NCAGE.fullmatch(body.value)):
        raise ValidationError("An NCAGE code is 5 letters or digits, e.g. 'ABC12'.")
    return svc.declare_claim(_repo(driver), user, kvk, kind, body.value, body.expires_on)


@router.put("/{kvk}/compliance/{kind}/evidence", response_model=ClaimPublic,
            responses=problem_responses(403, 404, 413),
            openapi_extra={"requestBody": {"required": True, "content": {
                t: {"schema": {"type": "string", "format": "binary"}}
                for t in svc.EVIDENCE_TYPES}}})
async def put_evidence(kvk: Kvk, kind: Kind, request: Request, user: CurrentUser,
                       driver: DriverDep,
                       filename: Annotated[str, Query(
                           min_length=1, max_length=200,
                           pattern=r"^[\w][\w .()-]{0,199}$")] = "evidence") -> Any:
    """Upload the document behind a claim (PDF, PNG or JPEG as the raw body, up to the API's
    body limit); the claim then waits for verification."""
    data = await request.body()
    return svc.upload_evidence(_repo(driver), user, kvk, kind, filename,
                               request.headers.get("content-type", ""), data)


@router.get("/{kvk}/compliance/{kind}/evidence", response_class=Response,
            responses={**_ERRORS, 200: {"content": {t: {} for t in svc.EVIDENCE_TYPES}}})
def get_evidence(kvk: Kvk, kind: Kind, user: CurrentUser, driver: DriverDep) -> Response:
    """The document, for the company itself and the verifiers (admins, bizdev)."""
    name, ctype, data = svc.evidence(_repo(driver), user, kvk, kind)
    return Response(data, media_type=ctype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "X-Content-Type-Options": "nosniff"})


@router.post("/{kvk}/compliance/{kind}/verify", response_model=ClaimPublic,
             responses=problem_responses(403, 404, 409))
def verify_claim(kvk: Kvk, kind: Kind, user: CurrentUser, driver: DriverDep,
                 body: Verification | None = None) -> Any:
    """Only admins and business developers verify; who and when is kept on the claim. An
    expired claim is a 409: the company renews it first."""
    return svc.verify_claim(_repo(driver), user, kvk, kind, body.note if body else None)


@router.delete("/{kvk}/compliance/{kind}", status_code=204, responses=_ERRORS)
def delete_claim(kvk: Kvk, kind: Kind, user: CurrentUser, driver: DriverDep) -> Response:
    svc.delete_claim(_repo(driver), user, kvk, kind)
    return Response(status_code=204)
