"""The agenda's 13 asks to Defence and the Rijk (issue 21): pillar 1 six, pillar 2 four,
pillar 3 three, each with a status `te_verkennen | in_uitvoering | afgerond` and a dated log.
Policy officers and admins update the status; the log names the role, never the person, so a
policy officer reading it sees no personal data."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from app.services.introductions import audit_event
from graph.repositories.agenda import AgendaRepository

log = logging.getLogger(__name__)

STATUSES = ("te_verkennen", "in_uitvoering", "afgerond")


def _public(r: Any) -> dict[str, Any]:
    d = dict(r)
    d["log"] = [json.loads(x) for x in d.get("log") or []]
    d["concerns"] = sorted(d.get("concerns") or [], key=lambda c: (c["label"] or "", c["id"]))
    return d


def asks(repo: AgendaRepository) -> list[dict[str, Any]]:
    return [_public(r) for r in repo.list()]


def set_status(repo: AgendaRepository, actor_id: str, actor_role: str, ask_id: str,
               status: str, note: str | None) -> dict[str, Any]:
    now = datetime.now(UTC).isoformat()
    holder: dict[str, Any] = {}

    def make_audit(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
        holder["before"] = before["status"]
        return audit_event(actor_id, actor_role, "agenda.status", "agenda_ask", ask_id,
                           before, {**after, "note": note})

    entry = json.dumps({"status": status, "note": note, "at": now, "role": actor_role},
                       ensure_ascii=False)
    repo.set_status(ask_id, status, entry, make_audit)
    log.info("agenda ask %s -> %s by %s", ask_id, status, actor_id)
    return next(a for a in asks(repo) if a["id"] == ask_id)
