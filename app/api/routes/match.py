"""`POST /match`: a demand question in, ranked and explained suppliers out."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from app.api.deps import DriverDep, EncoderDep, SettingsDep, require_roles
from app.api.problems import problem_responses
from app.services.profiles import Viewer, decorate_hits
from app.services.users import UserPublic
from graph.repositories.profiles import ProfileRepository
from matching.filters import resolve_filters
from matching.matcher import Hit, Matcher, MatchRequest, MatchResult
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
    taxonomy = load_taxonomy()
    viewer = Viewer.of(user)
    filters = resolve_filters(body.filters, driver, taxonomy).for_viewer(viewer.all)
    body = body.model_copy(update={"filters": filters})
    matcher = Matcher(driver, encoder, taxonomy, settings.match)
    result = matcher.match(body)
    result.demand_question_id = matcher.store(result, body, owner=user.id)
    # Badges and defence experience on company hits; what a company hid from this role is
    # blanked, in the explanation too.
    result.hits = [Hit.model_validate(h) for h in decorate_hits(
        ProfileRepository(driver), viewer, [h.model_dump() for h in result.hits])]
    log.info("match by %s: %d hits", user.id, len(result.hits))
    return result
