"""The loket's endpoints: a company submits an idea, offer or question, bizdev triages it
(`app.services.loket` holds the workflow and the reverse match's use)."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from app.api.deps import DriverDep, EncoderDep, SettingsDep, require_roles
from app.api.idempotency import IdempotencyKey
from app.api.list_models import LoketCreate, LoketPublic, LoketStatus, LoketTriage
from app.api.models import Page
from app.api.pages import Limit, Offset, page
from app.api.problems import ApiProblem, problem_responses
from app.services import loket as loket_service
from app.services.idempotency import fingerprint
from app.services.users import UserPublic
from graph.repositories.idempotency import IdempotencyRepository
from graph.repositories.loket import LoketRepository

log = logging.getLogger(__name__)

router = APIRouter(prefix="/loket", tags=["loket"])

Submitter = Annotated[UserPublic, Depends(require_roles("company", "admin"))]
LoketReader = Annotated[UserPublic, Depends(require_roles("company", "bizdev", "admin"))]
Triager = Annotated[UserPublic, Depends(require_roles("bizdev", "admin"))]
ItemId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="Loket item id.")]


# 404: a retry with the Idempotency-Key of an item that was erased since (with its company).
@router.post("", response_model=LoketPublic, status_code=201, responses=problem_responses(404))
def submit(body: LoketCreate, user: Submitter, driver: DriverDep, settings: SettingsDep,
           encoder: EncoderDep, request: Request,
           idempotency_key: IdempotencyKey = None) -> Any:
    """A company's idea (`idee`), offer (`aanbod`) or question (`vraag`) for Defence."""
    if user.role == "company":
        if body.kvk_number is not None and body.kvk_number != user.kvk_number:
            raise ApiProblem(403, "A company submits to the loket only for its own KvK number.")
        kvk = user.kvk_number
    else:
        kvk = body.kvk_number
    fp = fingerprint("POST", request.url.path, body.model_dump())
    return loket_service.submit(LoketRepository(driver), IdempotencyRepository(driver), encoder,
                                settings.match, user, kvk, body.model_dump(), idempotency_key,
                                fp)


@router.get("", response_model=Page[LoketPublic])
def list_items(user: LoketReader, driver: DriverDep, limit: Limit = 50, offset: Offset = 0,
               status: Annotated[LoketStatus | None, Query()] = None) -> Any:
    """Bizdev and admins see every item, a company only its own; newest first."""
    kvk = user.kvk_number if user.role == "company" else None
    if user.role == "company" and kvk is None:  # cannot happen: company users hold a KvK
        raise ApiProblem(403, "This company user is not bound to a KvK number.")
    return page(LoketRepository(driver).page(kvk, status, limit, offset), limit, offset,
                lambda rows: [loket_service.public(r, user) for r in rows])


@router.get("/{item_id}", response_model=LoketPublic)
def get_item(item_id: ItemId, user: LoketReader, driver: DriverDep) -> Any:
    """One item with its status, triage notes and reverse matches."""
    return loket_service.load(LoketRepository(driver), item_id, user)


@router.post("/{item_id}/triage", response_model=LoketPublic)
def triage(item_id: ItemId, body: LoketTriage, user: Triager, driver: DriverDep,
           request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    """Move the item one step (`new → in_behandeling → doorverwezen | afgesloten`) with a note;
    any other step is a 409."""
    fp = fingerprint("POST", request.url.path, body.model_dump())
    return loket_service.triage(LoketRepository(driver), IdempotencyRepository(driver), user,
                                item_id, body.status, body.note, idempotency_key, fp)
