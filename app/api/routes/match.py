"""`POST /match`: a demand question in, ranked and explained suppliers out."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from app.api.deps import DriverDep, EncoderDep, SettingsDep, require_roles
from app.api.problems import problem_responses
from app.services.matching import match_question
from app.services.profiles import Viewer
from app.services.users import UserPublic
from matching.matcher import Matcher, MatchRequest, MatchResult
from ontology.taxonomy import load_taxonomy

log = logging.getLogger(__name__)

router = APIRouter(tags=["matching"])

Matchmaker = Annotated[UserPublic, Depends(require_roles("bizdev", "scout", "admin"))]


@router.post("/match", response_model=MatchResult,
             responses=problem_responses(409))  # 409: the graph holds no companies
def match(body: MatchRequest, user: Matchmaker, driver: DriverDep, settings: SettingsDep,
          encoder: EncoderDep) -> Any:
    """Rank suppliers for the question and keep it as a DemandQuestion owned by the caller.
    Filters take ids or names (Dutch or English); an unknown one is a 422 naming close ones."""
    matcher = Matcher(driver, encoder, load_taxonomy(), settings.match)
    return match_question(driver, matcher, body, Viewer.of(user), owner=user.id)
