"""`/agenda`: the Drentse Agenda's 13 asks to Defence and the Rijk with their status and a
dated log (issue 21). Bizdev, scouts, admins and policy officers read it; policy officers and
admins update a status (audited)."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from app.api.deps import DriverDep, require_roles
from app.api.monitor_models import ASK_ID, AgendaAskPublic, AgendaStatusUpdate
from app.services import agenda as service
from app.services.users import UserPublic
from graph.repositories.agenda import AgendaRepository

log = logging.getLogger(__name__)

router = APIRouter(prefix="/agenda", tags=["monitor"])

AgendaReader = Annotated[UserPublic, Depends(require_roles("bizdev", "scout", "admin",
                                                           "policy"))]
AgendaKeeper = Annotated[UserPublic, Depends(require_roles("policy", "admin"))]
AskId = Annotated[str, Path(pattern=ASK_ID, description="Ask id, e.g. p1-3.")]


@router.get("", response_model=list[AgendaAskPublic])
def agenda(user: AgendaReader, driver: DriverDep) -> Any:
    """The asks by pillar and number, with what they concern and their status log."""
    return service.asks(AgendaRepository(driver))


@router.patch("/{ask_id}", response_model=AgendaAskPublic)
def set_status(ask_id: AskId, body: AgendaStatusUpdate, user: AgendaKeeper,
               driver: DriverDep) -> Any:
    """A new status (any of the three: the agenda is a living document) with a note."""
    return service.set_status(AgendaRepository(driver), user.id, user.role, ask_id,
                              body.status, body.note)
