"""The loket's endpoints: a company submits an idea, offer or question, bizdev triages it
(`app.services.loket` holds the workflow and the reverse match's use). Without a token anyone
may submit with `contact_email` (`app.services.desks`: routed to desks, seen after the
address is confirmed); the desks' own endpoints are in `routes/desks.py`."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Query, Request
from fastapi.responses import JSONResponse

from app.api.deps import (
    DriverDep,
    EncoderDep,
    MailerDep,
    OptionalUser,
    SettingsDep,
    client_address,
    require_roles,
)
from app.api.idempotency import IdempotencyKey
from app.api.list_models import (
    LoketAccepted,
    LoketCreate,
    LoketPublic,
    LoketStatus,
    LoketTriage,
)
from app.api.models import Page
from app.api.pages import Limit, Offset, page
from app.api.problems import ApiProblem, problem_responses
from app.services import loket as loket_service
from app.services.desks import DeskService
from app.services.idempotency import fingerprint
from app.services.signup import ThrottledError
from app.services.users import UserPublic
from graph.repositories.desks import DeskRepository
from graph.repositories.idempotency import IdempotencyRepository
from graph.repositories.loket import LoketRepository

log = logging.getLogger(__name__)

router = APIRouter(prefix="/loket", tags=["loket"])

LoketReader = Annotated[UserPublic, Depends(require_roles("company", "bizdev", "admin"))]
Triager = Annotated[UserPublic, Depends(require_roles("bizdev", "admin"))]
ItemId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="Loket item id.")]


# 404: a retry with the Idempotency-Key of an item that was erased since (with its company).
@router.post("", response_model=LoketPublic, status_code=201,
             responses={202: {"model": LoketAccepted,
                              "description": "Sent without a token: routed, waiting for the "
                                             "sender to confirm the e-mail address"},
                        **problem_responses(401, 403, 404, 429)})
def submit(body: LoketCreate, user: OptionalUser, driver: DriverDep, settings: SettingsDep,
           encoder: EncoderDep, mailer: MailerDep, request: Request,
           background: BackgroundTasks, idempotency_key: IdempotencyKey = None) -> Any:
    """A company's idea (`idee`), offer (`aanbod`) or question (`vraag`) for Defence, routed
    to the desks (`routed_to`, with reasons; the desks are told by mail). Without a token
    anyone may send one with `contact_email` (202): it is routed at once, but a desk sees it
    only after the address is confirmed with the mailed link (`POST /loket/confirm`)."""
    desks = DeskService(DeskRepository(driver), mailer, settings)
    if user is None:
        if body.contact_email is None:
            # Without a token and without an address there is nobody to answer: a 401.
            raise ApiProblem(401, "Send a bearer token, or contact_email to send without an "
                                  "account (we mail a link to confirm it) / stuur een sleutel "
                                  "mee, of contact_email om zonder account te versturen.",
                             headers={"WWW-Authenticate": "Bearer"})
        try:
            answer, mail_id = desks.submit_anonymous(
                title=body.title, text=body.text, contact_email=body.contact_email,
                kind=body.kind, kvk_number=body.kvk_number, client=client_address(request),
                encoder=encoder, match=settings.match)
        except ThrottledError as e:
            raise ApiProblem(429, str(e), headers={"Retry-After": str(e.retry_after)}) from e
        background.add_task(mailer.deliver, mail_id)
        return JSONResponse(status_code=202, content=LoketAccepted.model_validate(answer)
                            .model_dump(mode="json"))
    if user.role not in ("company", "admin"):
        raise ApiProblem(403, f"Role '{user.role}' may not do this; needs one of: admin, "
                              "company.")
    if user.role == "company":
        if body.kvk_number is not None and body.kvk_number != user.kvk_number:
            raise ApiProblem(403, "A company submits to the loket only for its own KvK number.")
        kvk = user.kvk_number
    else:
        kvk = body.kvk_number
    fp = fingerprint("POST", request.url.path, body.model_dump())
    item = loket_service.submit(LoketRepository(driver), IdempotencyRepository(driver), encoder,
                                settings.match, user, kvk,
                                body.model_dump(exclude={"contact_email"}), idempotency_key,
                                fp)
    if not item.get("routed_to"):  # a replayed submission was routed the first time
        item["routed_to"], mail_ids = desks.route_item(item["id"], body.title, body.text,
                                                       encoder)
        for mail_id in mail_ids:
            background.add_task(mailer.deliver, mail_id)
    return item


@router.get("", response_model=Page[LoketPublic])
def list_items(user: LoketReader, driver: DriverDep, limit: Limit = 50, offset: Offset = 0,
               status: Annotated[LoketStatus | None, Query()] = None) -> Any:
    """Bizdev and admins see every item, a company only its own; newest first."""
    kvk = user.kvk_number if user.role == "company" else None
    if user.role == "company" and kvk is None:  # cannot happen: company users hold a KvK
        raise ApiProblem(403, "This company user is not bound to a KvK number.")
    return page(LoketRepository(driver).page(kvk, status, limit, offset), limit, offset,
                lambda rows: [loket_service.public(r, user) for r in rows])


@router.get("/{item_id:hex32}", response_model=LoketPublic)
def get_item(item_id: ItemId, user: LoketReader, driver: DriverDep) -> Any:
    """One item with its status, triage notes and reverse matches."""
    return loket_service.load(LoketRepository(driver), item_id, user)


@router.post("/{item_id:hex32}/triage", response_model=LoketPublic)
def triage(item_id: ItemId, body: LoketTriage, user: Triager, driver: DriverDep,
           request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    """Move the item one step (`new → in_behandeling → doorverwezen | afgesloten`) with a note;
    any other step is a 409."""
    fp = fingerprint("POST", request.url.path, body.model_dump())
    return loket_service.triage(LoketRepository(driver), IdempotencyRepository(driver), user,
                                item_id, body.status, body.note, idempotency_key, fp)
