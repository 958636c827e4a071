"""`POST /match`: a demand question in, ranked and explained suppliers out."""

from __future__ import annotations

import logging
import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from app.api.deps import DriverDep, SettingsDep, require_roles
from app.api.users import UserPublic
from app.services import encoder_for
from graph.settings import Settings
from matching.encoder import Encoder
from matching.matcher import Matcher, MatchRequest, MatchResult
from ontology.taxonomy import load_taxonomy

log = logging.getLogger(__name__)

router = APIRouter(tags=["matching"])
_encoder_lock = threading.Lock()

Matchmaker = Annotated[UserPublic, Depends(require_roles("bizdev", "scout", "admin"))]


def _encoder(request: Request, settings: Settings) -> Encoder:
    """Loaded on the first question, not at start-up, so the API comes up fast; one per app."""
    with _encoder_lock:
        enc: Encoder | None = getattr(request.app.state, "encoder", None)
        if enc is None:
            enc = encoder_for(settings)
            request.app.state.encoder = enc
        return enc


@router.post("/match", response_model=MatchResult)
def match(body: MatchRequest, user: Matchmaker, request: Request, driver: DriverDep,
          settings: SettingsDep) -> Any:
    """Rank suppliers for the question and keep it as a DemandQuestion owned by the caller."""
    matcher = Matcher(driver, _encoder(request, settings), load_taxonomy(), settings.match)
    result = matcher.match(body)
    result.demand_question_id = matcher.store(result, body, owner=user.id)
    log.info("match by %s: %d hits", user.id, len(result.hits))
    return result
