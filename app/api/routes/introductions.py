"""`/introductions`: who was introduced to whom, and how far it got (issue 21). Bizdev and
scouts record and advance them; admins too. The funnel is
`voorgesteld → geaccepteerd → gesprek → vervolg | afgewezen`; a step it does not allow is a
409, every write is audited."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from app.api.deps import DriverDep, require_roles
from app.api.models import Page
from app.api.monitor_models import (
    QUESTION_ID,
    IntroductionCreate,
    IntroductionPublic,
    IntroductionUpdate,
    IntroStatus,
    SupplyKind,
)
from app.api.pages import Limit, Offset
from app.api.problems import problem_responses
from app.services import introductions as service
from app.services.users import UserPublic
from graph.repositories.introductions import IntroductionRepository

log = logging.getLogger(__name__)

router = APIRouter(prefix="/introductions", tags=["monitor"])

INTRODUCERS = ("bizdev", "scout", "admin")
Introducer = Annotated[UserPublic, Depends(require_roles(*INTRODUCERS))]
IntroId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="Introduction id.")]


@router.post("", response_model=IntroductionPublic, status_code=201,
             responses=problem_responses(404))
def create(body: IntroductionCreate, user: Introducer, driver: DriverDep) -> Any:
    """Record that a supplier was introduced (status `voorgesteld`); 404 for an unknown
    supplier, 422 for an unknown question or when neither a question nor a unit is named."""
    return service.create(IntroductionRepository(driver), user.id, user.role,
                          kind=body.supply_kind, key=body.supply_key,
                          question_id=body.question_id, defence_unit=body.defence_unit,
                          note=body.note, at=body.at)


@router.get("", response_model=Page[IntroductionPublic])
def list_introductions(
    user: Introducer, driver: DriverDep, limit: Limit = 50, offset: Offset = 0,
    status: Annotated[IntroStatus | None, Query()] = None,
    supply_kind: Annotated[SupplyKind | None, Query()] = None,
    supply_key: Annotated[str | None, Query(pattern=r"^(\d{8}|[a-z0-9][a-z0-9-]{0,99})$")]
    = None,
    question_id: Annotated[str | None, Query(pattern=QUESTION_ID)] = None,
) -> Any:
    """Newest first."""
    filters = {"status": status, "kind": supply_kind, "key": supply_key,
               "question_id": question_id}
    return service.page(IntroductionRepository(driver), filters, limit, offset)


@router.get("/{intro_id}", response_model=IntroductionPublic)
def get_introduction(intro_id: IntroId, user: Introducer, driver: DriverDep) -> Any:
    return service.get(IntroductionRepository(driver), intro_id)


@router.patch("/{intro_id}", response_model=IntroductionPublic,
              responses=problem_responses(409))
def update(intro_id: IntroId, body: IntroductionUpdate, user: Introducer,
           driver: DriverDep) -> Any:
    """One funnel step and/or a note; a step the funnel does not allow is a 409."""
    return service.advance(IntroductionRepository(driver), user.id, user.role, intro_id,
                           status=body.status, note=body.note, at=body.at)
