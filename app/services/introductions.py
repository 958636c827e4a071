"""Introductions (issue 21): a bizdev or scout records that a supplier of any supply kind was
introduced for a demand question or to a Defence unit, and moves it through the funnel
`voorgesteld → geaccepteerd → gesprek → vervolg`, or `afgewezen` from any open stage. Each
step keeps its date and a log entry; a step the funnel does not allow is a ConflictError (409).
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from app.services import audit
from core.errors import NotFoundError, ValidationError
from graph.queries import monitor as monitor_q
from graph.repositories.introductions import IntroductionRepository

log = logging.getLogger(__name__)

STATUSES = ("voorgesteld", "geaccepteerd", "gesprek", "vervolg", "afgewezen")
OPEN = ("voorgesteld", "geaccepteerd", "gesprek")
# status -> the statuses it may follow
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "geaccepteerd": ("voorgesteld",),
    "gesprek": ("geaccepteerd",),
    "vervolg": ("gesprek",),
    "afgewezen": OPEN,
}
SUPPLY_KINDS = tuple(monitor_q.SUPPLY_KINDS)

def audit_event(actor_id: str | None, actor_role: str | None, action: str, entity: str,
                entity_id: str, before: dict[str, Any] | None, after: dict[str, Any] | None,
                *, kvk_number: str | None = None) -> dict[str, Any]:
    """One `(:AuditEvent)`'s fields (app/services/audit.py), written by the repository in the
    transaction of the change."""
    return audit.event(actor_id, actor_role, action, entity, entity_id, before, after,
                       kvk_number=kvk_number)


def step_time(at: datetime | None) -> datetime:
    """The step's date: now, or the one given (recorded afterwards, or a planned meeting)."""
    if at is None:
        return datetime.now(UTC)
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _log_entry(status: str | None, before: str | None, note: str | None, at: datetime,
               actor_id: str, actor_role: str) -> str:
    return json.dumps({"status": status, "from_status": before, "note": note,
                       "at": at.isoformat(), "author_id": actor_id, "author_role": actor_role},
                      ensure_ascii=False)


def public(r: Any) -> dict[str, Any]:
    d = dict(r)
    d["log"] = [json.loads(x) for x in d.get("log") or []]
    return d


def create(repo: IntroductionRepository, actor_id: str, actor_role: str, *, kind: str,
           key: str, question_id: str | None, defence_unit: str | None, note: str | None,
           at: datetime | None) -> dict[str, Any]:
    """A new introduction at `voorgesteld`; the supplier and the question must exist (404),
    and it is for a question, a Defence unit or both (422 otherwise)."""
    if not question_id and not defence_unit:
        raise ValidationError("An introduction is for a demand question (question_id) or to a "
                              "Defence unit (defence_unit); give at least one.")
    if question_id and not repo.question_exists(question_id):
        raise NotFoundError(f"No demand question {question_id!r}.")
    when = step_time(at)
    intro_id = uuid.uuid4().hex
    params = {"id": intro_id, "kind": kind, "key": key, "question_id": question_id,
              "defence_unit": defence_unit, "note": note, "actor": actor_id,
              "at": when.isoformat(),
              "log": _log_entry("voorgesteld", None, note, when, actor_id, actor_role)}
    after = {"supply_kind": kind, "supply_key": key, "question_id": question_id,
             "defence_unit": defence_unit, "status": "voorgesteld", "note": note}
    repo.create(kind, params, audit_event(
        actor_id, actor_role, "introduction.create", "introduction", intro_id, None, after,
        kvk_number=key if kind == "company" else None))
    log.info("introduction %s: %s %s by %s", intro_id, kind, key, actor_id)
    return get(repo, intro_id)


def get(repo: IntroductionRepository, intro_id: str) -> dict[str, Any]:
    r = repo.get(intro_id)
    if r is None:
        raise NotFoundError(f"No introduction {intro_id}.")
    return public(r)


def page(repo: IntroductionRepository, filters: dict[str, Any], limit: int, offset: int
         ) -> dict[str, Any]:
    total, rows = repo.page(filters, limit, offset)
    return {"items": [public(r) for r in rows], "total": total, "limit": limit,
            "offset": offset}


def advance(repo: IntroductionRepository, actor_id: str, actor_role: str, intro_id: str, *,
            status: str | None, note: str | None, at: datetime | None) -> dict[str, Any]:
    """One funnel step (or a new note without a step); 409 when the funnel forbids it."""
    if status is None and note is None:
        raise ValidationError("Give a new status, a note, or both.")
    if status == "voorgesteld":
        raise ValidationError("'voorgesteld' is where an introduction starts; it cannot be "
                              "set again.")
    when = step_time(at)
    current = get(repo, intro_id)
    params = {"id": intro_id, "note": note, "at": when.isoformat(),
              "log": _log_entry(status, current["status"], note, when, actor_id, actor_role)}
    kvk = current["supply_key"] if current["supply_kind"] == "company" else None

    def make_audit(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
        return audit_event(actor_id, actor_role, "introduction.update", "introduction",
                           intro_id, before, after, kvk_number=kvk)

    repo.step(intro_id, status, TRANSITIONS, params, make_audit)
    return get(repo, intro_id)
