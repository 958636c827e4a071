"""`/prospects` and `/scouting` (issue 21): companies that fit demand but do not yet work with
Defence come first; scouts keep a status per company
(`niet_benaderd → benaderd → in_gesprek → verbonden`)."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from app.api.deps import DriverDep, require_roles
from app.api.models import Page
from app.api.monitor_models import (
    QUESTION_ID,
    Prospect,
    ScoutingPublic,
    ScoutingUpdate,
    ScoutStatus,
)
from app.api.pages import Limit, Offset
from app.api.problems import problem_responses
from app.services import scouting as service
from app.services.users import UserPublic
from graph.repositories.introductions import ScoutingRepository

log = logging.getLogger(__name__)

router = APIRouter(tags=["monitor"])

ScoutReader = Annotated[UserPublic, Depends(require_roles("bizdev", "scout", "admin"))]
Scout = Annotated[UserPublic, Depends(require_roles("scout", "admin"))]
Kvk = Annotated[str, Path(pattern=r"^\d{8}$", description="KvK number.")]


@router.get("/prospects/question/{question_id}", response_model=list[Prospect],
            responses=problem_responses(404))
def prospects_for_question(
    question_id: Annotated[str, Path(pattern=QUESTION_ID)], user: ScoutReader,
    driver: DriverDep, limit: Limit = 50,
) -> Any:
    """Companies a stored demand question matched, those without defence experience (none or
    unknown) first, then by cosine."""
    return service.prospects(ScoutingRepository(driver), question_id=question_id, area=None,
                             limit=limit)


@router.get("/prospects/area/{nld_area}", response_model=list[Prospect],
            responses=problem_responses(404))
def prospects_for_area(
    nld_area: Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,99}$")], user: ScoutReader,
    driver: DriverDep, limit: Limit = 50,
) -> Any:
    """Companies with capabilities in an NLD area, those without defence experience first,
    then by how many of its capabilities they hold."""
    return service.prospects(ScoutingRepository(driver), question_id=None, area=nld_area,
                             limit=limit)


@router.get("/scouting", response_model=Page[ScoutingPublic])
def scouting_list(user: ScoutReader, driver: DriverDep, limit: Limit = 50, offset: Offset = 0,
                  status: Annotated[ScoutStatus | None, Query()] = None) -> Any:
    """Companies with a scouting status, most recently changed first."""
    return service.page(ScoutingRepository(driver), status, limit, offset)


@router.get("/scouting/{kvk}", response_model=ScoutingPublic)
def scouting_get(kvk: Kvk, user: ScoutReader, driver: DriverDep) -> Any:
    return service.get(ScoutingRepository(driver), kvk)


@router.patch("/scouting/{kvk}", response_model=ScoutingPublic,
              responses=problem_responses(409))
def scouting_set(kvk: Kvk, body: ScoutingUpdate, user: Scout, driver: DriverDep) -> Any:
    """One step forward; any other change is a 409."""
    return service.set_status(ScoutingRepository(driver), user.id, user.role, kvk,
                              body.status, body.note)
