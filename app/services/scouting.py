"""Scouting (issue 21): the MINDbases look for companies that do not yet work with Defence.
Prospects for a stored demand question or an NLD area put companies without defence
experience (`none`, or unknown) first; scouts keep a status per company,
`niet_benaderd → benaderd → in_gesprek → verbonden`, one step at a time (409 otherwise)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from app.services.introductions import audit_event
from core.errors import NotFoundError, ValidationError
from graph.repositories.introductions import ScoutingRepository

log = logging.getLogger(__name__)

STATUSES = ("niet_benaderd", "benaderd", "in_gesprek", "verbonden")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "benaderd": ("niet_benaderd",),
    "in_gesprek": ("benaderd",),
    "verbonden": ("in_gesprek",),
}


def _public(r: Any) -> dict[str, Any]:
    d = dict(r)
    d["log"] = [json.loads(x) for x in d.get("log") or []]
    return d


def get(repo: ScoutingRepository, kvk: str) -> dict[str, Any]:
    r = repo.get(kvk)
    if r is None:
        raise NotFoundError(f"No company with KvK number {kvk}.")
    return _public(r)


def page(repo: ScoutingRepository, status: str | None, limit: int, offset: int
         ) -> dict[str, Any]:
    total, rows = repo.page(status, limit, offset)
    return {"items": [_public(r) for r in rows], "total": total, "limit": limit,
            "offset": offset}


def set_status(repo: ScoutingRepository, actor_id: str, actor_role: str, kvk: str,
               status: str, note: str | None) -> dict[str, Any]:
    if status not in TRANSITIONS:
        raise ValidationError(f"'{status}' cannot be set; the steps are "
                              f"{' → '.join(STATUSES)}.")
    entry = json.dumps({"status": status, "note": note, "at": datetime.now(UTC).isoformat(),
                        "author_id": actor_id, "author_role": actor_role},
                       ensure_ascii=False)

    def make_audit(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
        return audit_event(actor_id, actor_role, "scouting.update", "scouting", kvk,
                           before, {**after, "note": note}, kvk_number=kvk)

    repo.set_status(kvk, status, TRANSITIONS[status],
                    {"note": note, "actor": actor_id, "log": entry}, make_audit)
    log.info("scouting status of %s -> %s by %s", kvk, status, actor_id)
    return get(repo, kvk)


def prospects(repo: ScoutingRepository, *, question_id: str | None, area: str | None,
              limit: int) -> list[dict[str, Any]]:
    """Exactly one of a stored demand question or an NLD area; unknown ones are a 404."""
    if (question_id is None) == (area is None):
        raise ValidationError("Give exactly one of 'question_id' or 'nld_area'.")
    if question_id is not None:
        if not repo.question_exists(question_id):
            raise NotFoundError(f"No demand question {question_id!r}.")
        rows = repo.prospects_for_question(question_id, limit)
    else:
        assert area is not None
        if not repo.area_exists(area):
            raise NotFoundError(f"No NLD area {area!r}.")
        rows = repo.prospects_for_area(area, limit)
    out = []
    for r in rows:
        d = dict(r)
        d.pop("experienced", None)
        d["score"] = round(float(d["score"] or 0.0), 4)
        out.append(d)
    return out
