"""One demand question, ranked and explained: the way `POST /match` and `paraat match` share.

Filters arrive as the names users see and leave as ids (an unknown one raises FilterError);
what a company keeps from the caller is left out of the filters, the badges and the
explanation; the question is kept as a DemandQuestion owned by the caller when `owner` is set.
"""

from __future__ import annotations

import logging
from typing import Any

from app.services.profiles import Viewer, decorate_hits
from graph.repositories.profiles import ProfileRepository
from matching.filters import resolve_filters
from matching.matcher import Matcher
from matching.models import Hit, MatchRequest, MatchResult

log = logging.getLogger(__name__)


def match_question(driver: Any, matcher: Matcher, request: MatchRequest, viewer: Viewer,
                   owner: str | None) -> MatchResult:
    """Rank for `request` as `viewer` sees the graph; store it for `owner` unless None."""
    filters = resolve_filters(request.filters, driver, matcher.taxonomy).for_viewer(viewer.all)
    request = request.model_copy(update={"filters": filters})
    result = matcher.match(request)
    if owner is not None:
        result.demand_question_id = matcher.store(result, request, owner=owner)
    # Badges and defence experience on company hits; what a company hid from this viewer is
    # blanked, in the explanation too.
    result.hits = [Hit.model_validate(h) for h in decorate_hits(
        ProfileRepository(driver), viewer, [h.model_dump() for h in result.hits])]
    log.info("match for %s: %d hits", owner or "anonymous", len(result.hits))
    return result
