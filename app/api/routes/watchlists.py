"""Watchlists: a saved demand question (question, filters, top k). `GET /watchlists/{id}/new`
runs it again with the same matcher as `POST /match` and lists the suppliers in the current
top k that the owner has not seen yet, or whose profile changed (`updated_at`,
`last_verified` or `imported_at`) after the list was last seen (see `new_hits` for the
reasons given). Creating a watchlist counts as seeing its first results. Like a shortlist, a
watchlist is its owner's only (`shortlists.owned_by`).
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from neo4j import Driver, ManagedTransaction

from app.api.deps import DriverDep, EncoderDep, SettingsDep, require_roles
from app.api.idempotency import IdempotencyKey
from app.api.list_models import WatchlistCreate, WatchlistHit, WatchlistNew, WatchlistPublic
from app.api.models import Page
from app.api.pages import Limit, Offset, page
from app.api.problems import problem_responses
from app.services import audit
from app.services.idempotency import fingerprint, run_write
from app.services.lists import load_watchlist, watchlist_public
from app.services.profiles import Viewer, decorate_hits
from app.services.users import UserPublic
from core.settings import Settings
from graph.repositories.idempotency import IdempotencyRepository
from graph.repositories.lists import ListsRepository
from graph.repositories.profiles import ProfileRepository
from matching.encoders.base import Encoder
from matching.filters import resolve_filters
from matching.matcher import Hit, Matcher, MatchFilters, MatchRequest, MatchResult
from ontology.taxonomy import load_taxonomy

log = logging.getLogger(__name__)

router = APIRouter(prefix="/watchlists", tags=["watchlists"])

Watcher = Annotated[UserPublic, Depends(require_roles("bizdev", "scout", "admin"))]
WatchId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="Watchlist id.")]


def parse_time(value: str | None) -> datetime | None:
    """A Neo4j temporal as text (`toString`) -> an aware datetime; None when unreadable."""
    if not value:
        return None
    text = value.split("[", 1)[0].replace("Z", "+00:00")
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def _run(driver: Driver, encoder: Encoder, settings: Settings, question: str,
         filters: MatchFilters, top_k: int) -> MatchResult:
    matcher = Matcher(driver, encoder, load_taxonomy(), settings.match)
    # a watchlist follows suppliers (companies, by KvK number), not sites or programmes
    filters = filters.model_copy(update={"kinds": ["company"]})
    return matcher.match(MatchRequest(question=question, filters=filters, top_k=top_k))


@router.post("", response_model=WatchlistPublic, status_code=201)
def create_watchlist(body: WatchlistCreate, user: Watcher, driver: DriverDep,
                     settings: SettingsDep, encoder: EncoderDep, request: Request,
                     idempotency_key: IdempotencyKey = None) -> Any:
    """Save the question; its current results count as seen. Filters take ids or names and
    are saved as ids; an unknown one is a 422 naming close ones."""
    fp = fingerprint("POST", request.url.path, body.model_dump())
    body = body.model_copy(update={
        "filters": resolve_filters(body.filters, driver, load_taxonomy())})
    result = _run(driver, encoder, settings, body.question,
                  body.filters.for_viewer(Viewer.of(user).all), body.top_k)
    seen = [h.id for h in result.hits]
    watch_id = uuid.uuid4().hex
    filters = json.dumps(body.filters.params())
    lists = ListsRepository(driver)

    def work(tx: ManagedTransaction) -> dict[str, Any]:
        lists.create_watchlist_in(tx, id=watch_id, name=body.name, question=body.question,
                                  filters=filters, top_k=body.top_k, owner=user.id, seen=seen)
        audit.record(tx, user.id, user.role, "watchlist.create", "watchlist", watch_id, None,
                     {**body.model_dump(), "seen": seen})
        return {"id": watch_id}

    done = run_write(IdempotencyRepository(driver), user.id, idempotency_key, fp, 201, work)
    return load_watchlist(lists, str(done.body["id"]), user)


@router.get("", response_model=Page[WatchlistPublic])
def list_watchlists(user: Watcher, driver: DriverDep, limit: Limit = 50,
                    offset: Offset = 0) -> Any:
    """The caller's own watchlists, newest first."""
    return page(ListsRepository(driver).watchlists_page(user.id, limit, offset), limit, offset,
                lambda rows: [watchlist_public(r) for r in rows])


@router.get("/{watch_id}", response_model=WatchlistPublic)
def get_watchlist(watch_id: WatchId, user: Watcher, driver: DriverDep) -> Any:
    return load_watchlist(ListsRepository(driver), watch_id, user)


def new_hits(result: MatchResult, seen: set[str], since: datetime | None,
             times: dict[str, list[str | None]]) -> list[WatchlistHit]:
    """Hits in the current top k that are news since `since`:

    - `new`: not seen before and registered (or re-imported) after `since`;
    - `updated`: its profile changed after `since`;
    - `moved_in`: not seen before although unchanged: it moved into the top k because other
      profiles changed (kept apart so a client can show or hide this drift).
    """
    out = []
    for h in result.hits:
        stamps = [t for t in (parse_time(s) for s in times.get(h.id, [])) if t]
        changed_at = max(stamps) if stamps else None
        changed = changed_at is not None and (since is None or changed_at > since)
        reason: Literal["new", "updated", "moved_in"]
        if h.id not in seen:
            reason = "new" if changed else "moved_in"
        elif changed:
            reason = "updated"
        else:
            continue
        out.append(WatchlistHit(kvk_number=h.id, name=h.name, rank=h.rank,
                                score=h.score, municipality=h.municipality, reason=reason,
                                changed_at=changed_at.isoformat() if changed_at else None))
    return out


@router.get("/{watch_id}/new", response_model=WatchlistNew,
            responses=problem_responses(409))  # 409: the graph holds no companies
def watchlist_new(watch_id: WatchId, user: Watcher, driver: DriverDep, settings: SettingsDep,
                  encoder: EncoderDep,
                  mark_seen: Annotated[bool, Query(
                      description="Store the current results as seen (default: only look)")
                  ] = False) -> Any:
    """Suppliers that newly match since the list was last seen: new in its top k, or with a
    profile updated after `last_seen_at`."""
    lists = ListsRepository(driver)
    wl = load_watchlist(lists, watch_id, user)
    # saved as ids since filters take names; a list saved before may still hold a name
    viewer = Viewer.of(user)
    filters = resolve_filters(wl["filters"], driver, load_taxonomy()).for_viewer(viewer.all)
    result = _run(driver, encoder, settings, wl["question"], filters, wl["top_k"])
    # what a company hid from this role (its municipality) stays out of the news too
    result.hits = [Hit.model_validate(h) for h in decorate_hits(
        ProfileRepository(driver), viewer, [h.model_dump() for h in result.hits])]
    current = [h.id for h in result.hits]
    times = lists.company_times(current)
    items = new_hits(result, set(wl["seen"]), parse_time(wl["last_seen_at"]), times)
    last_seen = wl["last_seen_at"]
    if mark_seen:
        def work(tx: ManagedTransaction) -> str:
            seen_at = lists.mark_seen_in(tx, watch_id, current)
            audit.record(tx, user.id, user.role, "watchlist.mark_seen", "watchlist", watch_id,
                         {"seen": wl["seen"], "last_seen_at": wl["last_seen_at"]},
                         {"seen": current, "last_seen_at": seen_at})
            return seen_at

        last_seen = lists.execute_write(work)
    log.info("watchlist %s: %d new of %d", watch_id, len(items), len(current))
    return WatchlistNew(watchlist_id=watch_id, since=wl["last_seen_at"], marked_seen=mark_seen,
                        last_seen_at=last_seen, current=current, items=items)
