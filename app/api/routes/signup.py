"""Sign-up without an admin (app/services/signup.py): `POST /signup` (anyone) mails a one-time
code, `POST /signup/verify` turns it into a company account and shows its token once. Requests
for a KvK number that already has an account wait for an admin: `GET /signup/requests`,
`POST /signup/requests/{id}/approve|reject`. The mail outbox for admins: `GET /admin/outbox`."""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import DriverDep, MailerDep, SettingsDep, client_address, require_roles
from app.api.list_models import Name200
from app.api.models import Page, Text2000
from app.api.pages import Limit, Offset
from app.api.problems import ApiProblem, problem_responses
from app.api.signup_models import CodeIn, Email, Kvk
from app.services.signup import ExpiredError, SignupService, ThrottledError
from app.services.users import UserPublic
from graph.repositories.outbox import OutboxRepository
from graph.repositories.signup import SignupRepository

log = logging.getLogger(__name__)

router = APIRouter(tags=["signup"])

Admin = Annotated[UserPublic, Depends(require_roles("admin"))]
RequestId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="Sign-up request id.")]


class SignupCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kvk_number: Kvk
    company_name: Name200
    email: Email
    contact_name: Name200


class SignupAccepted(BaseModel):
    status: Literal["mailed"]
    expires_at: str | None = Field(default=None, max_length=64)
    detail: str = Field(max_length=500)


class SignupToken(BaseModel):
    """The company account; `token` is shown this once and stored nowhere."""

    token: str = Field(max_length=200)
    user: UserPublic
    kvk_number: str = Field(max_length=8)
    detail: str = Field(max_length=500)


class SignupInReview(BaseModel):
    status: Literal["review"]
    request_id: str = Field(max_length=32)
    detail: str = Field(max_length=500)


class SignupRequestPublic(BaseModel):
    id: str = Field(max_length=32)
    kvk_number: str = Field(max_length=8)
    company_name: str = Field(max_length=200)
    email: str = Field(max_length=254)
    contact_name: str = Field(max_length=200)
    status: str = Field(max_length=20)
    created_at: str | None = Field(default=None, max_length=64)
    expires_at: str | None = Field(default=None, max_length=64)
    expired: bool | None = None
    verified_at: str | None = Field(default=None, max_length=64)
    user_id: str | None = Field(default=None, max_length=64)
    decided_by: str | None = Field(default=None, max_length=64)
    decided_at: str | None = Field(default=None, max_length=64)
    decision_note: str | None = Field(default=None, max_length=2000)


class SignupDecision(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: Text2000 = None


class OutboxMailPublic(BaseModel):
    id: str = Field(max_length=32)
    kind: str = Field(max_length=40)
    to: str = Field(max_length=254)
    subject: str = Field(max_length=400)
    status: str = Field(max_length=20)
    attempts: int
    last_error: str | None = Field(default=None, max_length=600)
    created_at: str | None = Field(default=None, max_length=64)
    sent_at: str | None = Field(default=None, max_length=64)


def service(request: Request, driver: DriverDep, mailer: MailerDep,
            settings: SettingsDep) -> SignupService:
    return SignupService(SignupRepository(driver), mailer, settings)


Service = Annotated[SignupService, Depends(service)]


def _problem(e: ThrottledError | ExpiredError) -> ApiProblem:
    if isinstance(e, ThrottledError):
        return ApiProblem(429, str(e), headers={"Retry-After": str(e.retry_after)})
    return ApiProblem(410, str(e))


@router.post("/signup", status_code=202, response_model=SignupAccepted,
             responses=problem_responses(429))
def signup(body: SignupCreate, svc: Service, request: Request,
           background: BackgroundTasks) -> Any:
    """Anyone: ask for a company account. A one-time link goes to `email` (valid 24 h); the
    answer is the same whether or not the KvK number has an account already."""
    try:
        answer, mail_id = svc.request(kvk_number=body.kvk_number, company_name=body.company_name,
                                      email=body.email, contact_name=body.contact_name,
                                      client=client_address(request))
    except ThrottledError as e:
        raise _problem(e) from e
    background.add_task(svc.mailer.deliver, mail_id)
    return answer


@router.post("/signup/verify", status_code=201, response_model=SignupToken,
             responses={202: {"model": SignupInReview,
                              "description": "The KvK number has an account: an admin reviews"},
                        **problem_responses(404, 409, 410)})
def verify(body: CodeIn, svc: Service) -> Any:
    """Use the mailed code: 201 with the company's API token (shown once), or 202 when the KvK
    number already has an account and an admin must review the request."""
    try:
        out = svc.verify(body.code)
    except ExpiredError as e:
        raise _problem(e) from e
    if out.status == "review":
        return JSONResponse(status_code=202, content=SignupInReview(
            status="review", request_id=out.request_id,
            detail="This KvK number already has an account: an administrator reviews your "
                   "request and mails you / dit KvK-nummer heeft al een account: een "
                   "beheerder beoordeelt uw aanvraag en mailt u.").model_dump())
    assert out.user is not None and out.token is not None
    return SignupToken(token=out.token, user=out.user, kvk_number=out.kvk_number,
                       detail="Keep this token safe: it is shown only now / bewaar deze "
                              "sleutel goed: hij wordt alleen nu getoond.")


@router.get("/signup/requests", response_model=Page[SignupRequestPublic])
def list_requests(_admin: Admin, svc: Service, limit: Limit = 50, offset: Offset = 0,
                  status: Annotated[Literal["mailed", "verified", "review", "approved",
                                            "rejected"] | None, Query()] = None) -> Any:
    """Admins: sign-up requests, newest first; `status=review` is the queue to decide."""
    total, rows = svc.page(status, limit, offset)
    return {"total": total, "limit": limit, "offset": offset, "items": rows}


@router.get("/signup/requests/{request_id}", response_model=SignupRequestPublic)
def get_request(request_id: RequestId, _admin: Admin, svc: Service) -> Any:
    return svc.get(request_id)


@router.post("/signup/requests/{request_id}/approve", response_model=SignupRequestPublic,
             responses=problem_responses(404, 409))
def approve(request_id: RequestId, admin: Admin, svc: Service, background: BackgroundTasks,
            body: SignupDecision | None = None) -> Any:
    """A second account for a KvK number that has one: a fresh one-time link is mailed."""
    row, mail_id = svc.decide(request_id, admin, True, body.note if body else None)
    background.add_task(svc.mailer.deliver, mail_id)
    return row


@router.post("/signup/requests/{request_id}/reject", response_model=SignupRequestPublic,
             responses=problem_responses(404, 409))
def reject(request_id: RequestId, admin: Admin, svc: Service, background: BackgroundTasks,
           body: SignupDecision | None = None) -> Any:
    """No second account; the requester is told by mail."""
    row, mail_id = svc.decide(request_id, admin, False, body.note if body else None)
    background.add_task(svc.mailer.deliver, mail_id)
    return row


@router.get("/admin/outbox", response_model=Page[OutboxMailPublic], tags=["admin"])
def outbox(_admin: Admin, driver: DriverDep, limit: Limit = 50, offset: Offset = 0,
           status: Annotated[Literal["queued", "sent", "logged", "failed"] | None,
                             Query()] = None,
           kind: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z_]+$")] = None
           ) -> Any:
    """Admins: every mail Paraat sent or tried to, newest first; `status=failed` lists the ones
    that did not go out (with the error). Never the mails' text."""
    total, rows = OutboxRepository(driver).page(status, kind, limit, offset)
    return {"total": total, "limit": limit, "offset": offset, "items": rows}
