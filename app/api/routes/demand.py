"""`GET /demand-questions`: the questions asked through `POST /match`, with time, language,
concepts and NLD areas — what the UI's "vraagpatronen" charts are drawn from."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from app.api.deps import DriverDep, require_roles
from app.api.list_models import DemandQuestionPublic
from app.api.models import Instant, Page
from app.api.pages import Limit, Offset, page
from app.api.problems import ApiProblem
from app.services.users import DEMAND_READERS, UserPublic
from graph.repositories.demand import DemandRepository

log = logging.getLogger(__name__)

router = APIRouter(tags=["matching"])

Analyst = Annotated[UserPublic, Depends(require_roles(*DEMAND_READERS))]


@router.get("/demand-questions", response_model=Page[DemandQuestionPublic])
def demand_questions(
    user: Analyst, driver: DriverDep, limit: Limit = 50, offset: Offset = 0,
    since: Annotated[Instant | None, Query(description="From this time on (ISO 8601; "
                                                       "UTC when no offset is given)")] = None,
    until: Annotated[Instant | None, Query(description="Before this time (ISO 8601)")] = None,
) -> Any:
    """Past demand questions, newest first."""
    if since and until and since > until:
        raise ApiProblem(422, "'since' must not be after 'until'.", type_="validation")
    return page(DemandRepository(driver).questions_page(
        since.isoformat() if since else None, until.isoformat() if until else None,
        limit, offset), limit, offset)
