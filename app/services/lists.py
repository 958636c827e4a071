"""Shortlists and watchlists are their owner's only, whatever the role: to anyone else, an
admin too, a list does not exist (the answer for a missing list), so list ids cannot be
probed and a Business Developer's working lists stay theirs (docs/security.md §2)."""

from __future__ import annotations

import json
import logging
from typing import Any

from app.services.profiles import redact_rows
from app.services.users import UserPublic
from core.errors import NotFoundError
from graph.repositories.lists import ListsRepository
from graph.repositories.profiles import ProfileRepository
from matching.matcher import MatchFilters

log = logging.getLogger(__name__)


def owned_by(owner: str | None, user: UserPublic) -> bool:
    return owner is not None and owner == user.id


def check_shortlist_owner(lists: ListsRepository, list_id: str, user: UserPublic) -> None:
    if not owned_by(lists.shortlist_owner(list_id), user):
        # The same answer for "does not exist" and "not yours": ids cannot be probed.
        raise NotFoundError(f"No shortlist {list_id} of yours.")


def load_shortlist(lists: ListsRepository, list_id: str, user: UserPublic) -> dict[str, Any]:
    sl = lists.shortlist(list_id)
    if sl is None or not owned_by(sl["owner"], user):
        raise NotFoundError(f"No shortlist {list_id} of yours.")
    out = dict(sl)
    # what a company hid from this role stays out of the list and its exports too
    repo = ProfileRepository(lists.driver, lists.database)
    out["items"] = [{k: v for k, v in it.items() if k != "defence_experience"}
                    for it in redact_rows(repo, user, list(out["items"]))]
    return out


def watchlist_public(r: Any) -> dict[str, Any]:
    """A stored watchlist with its filters as `MatchFilters` (none saved: no filters)."""
    d = dict(r)
    d["filters"] = MatchFilters(**json.loads(d["filters"])) if d.get("filters") else None
    if d["filters"] is None:
        d["filters"] = MatchFilters()
    return d


def load_watchlist(lists: ListsRepository, watch_id: str, user: UserPublic) -> dict[str, Any]:
    wl = lists.watchlist(watch_id)
    if wl is None or not owned_by(wl["owner"], user):  # 404 also for an admin
        raise NotFoundError(f"No watchlist {watch_id} of yours.")
    return watchlist_public(wl)
