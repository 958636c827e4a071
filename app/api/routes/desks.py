"""The loket's desks (app/services/desks.py): `GET /loket/desks` for anyone, the confirmation
of an item sent without an account (`POST /loket/confirm`), each desk's queue and referrals
to another desk (bizdev, admin), and a desk's e-mail (admin). Included before the loket's
own routes, so `/loket/desks` is not read as an item id."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import DriverDep, MailerDep, OptionalUser, SettingsDep, require_roles
from app.api.list_models import LoketKind, LoketNote, LoketStatus, RouteOut
from app.api.models import Page, Text2000
from app.api.pages import Limit, Offset
from app.api.problems import ApiProblem, problem_responses
from app.api.signup_models import CodeIn, Email
from app.services.desks import DeskService
from app.services.signup import ExpiredError
from app.services.users import UserPublic
from graph.repositories.desks import DeskRepository

log = logging.getLogger(__name__)

router = APIRouter(prefix="/loket", tags=["loket"])

DeskId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$", description="Desk id.")]
ItemId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="Loket item id.")]
DeskWorker = Annotated[UserPublic, Depends(require_roles("bizdev", "admin"))]
Admin = Annotated[UserPublic, Depends(require_roles("admin"))]

# A referral may come at any step before the item is closed.
REFER_FROM = ("new", "in_behandeling", "doorverwezen")


class DeskPublic(BaseModel):
    id: str = Field(max_length=64)
    name_nl: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    description_nl: str = Field(max_length=2000)
    description_en: str = Field(max_length=2000)
    email: str | None = Field(default=None, max_length=254,
                              description="Only for bizdev and admins.")


class DeskUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email


class LoketConfirmed(BaseModel):
    id: str = Field(max_length=32)
    status: str = Field(max_length=30)
    routed_to: list[RouteOut] = Field(max_length=20)


class QueueItem(BaseModel):
    id: str = Field(max_length=32)
    kind: LoketKind | None = None
    title: str = Field(max_length=300)
    text: str = Field(max_length=6000)
    kvk_number: str | None = Field(default=None, max_length=20)
    status: LoketStatus
    contact_email: str | None = Field(default=None, max_length=254)
    created_at: str | None = Field(default=None, max_length=64)
    confirmed_at: str | None = Field(default=None, max_length=64)
    first_response_at: str | None = Field(default=None, max_length=64)
    reason: str | None = Field(default=None, max_length=3000)
    routed_at: str | None = Field(default=None, max_length=64)
    notes: list[LoketNote] = Field(max_length=1000)
    routes: list[RouteOut] = Field(max_length=50)


class Referral(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to_desk: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
    from_desk: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{0,63}$",
                                  description="The desk that refers (default: every desk "
                                              "the item is with).")
    note: Text2000 = None


class ReferralDone(BaseModel):
    id: str = Field(max_length=32)
    status: LoketStatus
    routed_to: list[RouteOut] = Field(max_length=50)


def service(driver: DriverDep, mailer: MailerDep, settings: SettingsDep) -> DeskService:
    return DeskService(DeskRepository(driver), mailer, settings)


Service = Annotated[DeskService, Depends(service)]


@router.get("/desks", response_model=list[DeskPublic])
def desks(svc: Service, user: OptionalUser) -> Any:
    """Anyone: the desks behind the loket (the agenda's partners) and what each is for."""
    rows = svc.desks()
    if user is None or user.role not in ("bizdev", "admin"):
        rows = [{**d, "email": None} for d in rows]
    return rows


@router.patch("/desks/{desk_id}", response_model=DeskPublic, responses=problem_responses(404))
def set_desk_email(desk_id: DeskId, body: DeskUpdate, admin: Admin, svc: Service) -> Any:
    """Admins: where a desk's notifications go (kept over later seed loads)."""
    return svc.set_email(desk_id, body.email, admin)


@router.get("/desks/{desk_id}/queue", response_model=Page[QueueItem],
            responses=problem_responses(404))
def queue(desk_id: DeskId, _user: DeskWorker, svc: Service, limit: Limit = 50,
          offset: Offset = 0, status: Annotated[LoketStatus | None, Query()] = None) -> Any:
    """Bizdev and admins: the confirmed items routed to this desk (and not referred away),
    newest first, with the reason each came here."""
    total, rows = svc.queue(desk_id, status, limit, offset)
    return {"total": total, "limit": limit, "offset": offset, "items": rows}


@router.post("/confirm", response_model=LoketConfirmed, responses=problem_responses(404, 409, 410))
def confirm(body: CodeIn, svc: Service, background: BackgroundTasks) -> Any:
    """The sender of an item without an account confirms the e-mail address with the mailed
    code; only now do the desks see it (and they are told by mail)."""
    try:
        answer, mail_ids = svc.confirm(body.code)
    except ExpiredError as e:
        raise ApiProblem(410, str(e)) from e
    for mail_id in mail_ids:
        background.add_task(svc.mailer.deliver, mail_id)
    return answer


@router.post("/{item_id:hex32}/refer", response_model=ReferralDone,
             responses=problem_responses(404, 409))
def refer(item_id: ItemId, body: Referral, user: DeskWorker, svc: Service,
          background: BackgroundTasks) -> Any:
    """Refer the item to another desk ("doorverwezen"): the status changes, the item leaves
    the referring desk's queue and enters the other's, the step is audited and the desk told."""
    routes, mail_id = svc.refer(item_id, body.to_desk, body.from_desk, body.note, user,
                                REFER_FROM)
    if mail_id:
        background.add_task(svc.mailer.deliver, mail_id)
    return {"id": item_id, "status": "doorverwezen", "routed_to": routes}
