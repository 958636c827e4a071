"""`GET /demand-questions`: the questions asked through `POST /match`, with time, language,
concepts and NLD areas — what the UI's "vraagpatronen" charts are drawn from."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from app.api.deps import DriverDep, require_roles
from app.api.list_models import DemandQuestionPublic
from app.api.models import Instant, Page
from app.api.pages import Limit, Offset, read_page
from app.api.problems import ApiProblem
from app.api.users import UserPublic
from graph.queries import demand as demand_q

log = logging.getLogger(__name__)

router = APIRouter(tags=["matching"])

# Who may read what other users asked (the words of demand questions). Everyone else, a
# company in the loket or the registration preview, sees only their themes and NLD areas
# (`loket.demand_summary`); docs/security.md §2.
DEMAND_READERS = ("bizdev", "scout", "admin")
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
    params = {"since": since.isoformat() if since else None,
              "until": until.isoformat() if until else None}
    return read_page(driver, demand_q.DEMAND_QUESTIONS_COUNT, demand_q.DEMAND_QUESTIONS_LIST,
                     params, limit, offset)
