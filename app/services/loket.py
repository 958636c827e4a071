"""The loket: companies bring an idea, an offer or a question for Defence. Each item is matched
in reverse (`matching.reverse`) and linked to the NLD areas, clusters and knowledge partners
that fit, and to past demand questions about the same concepts. The questions' words are shown
only to roles that read demand questions (`users.DEMAND_READERS`); every reader, the company
too, gets their themes and NLD areas (`demand_summary`). Bizdev triages it:
`new → in_behandeling → doorverwezen | afgesloten`, each step with a note, author and time.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from neo4j import ManagedTransaction

from app.services import audit
from app.services.idempotency import run_write
from app.services.users import DEMAND_READERS, UserPublic
from core.errors import ConflictError, NotFoundError
from core.settings import MatchSettings
from graph.repositories.desks import DeskRepository
from graph.repositories.idempotency import IdempotencyRepository
from graph.repositories.loket import LoketRepository
from matching.encoders.base import Encoder
from matching.reverse import reverse_match
from ontology.taxonomy import Concept, Taxonomy, load_taxonomy

log = logging.getLogger(__name__)

# Allowed status changes; anything else is a 409.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "in_behandeling": ("new", "doorverwezen"),  # a referred item is taken up by its new desk
    "doorverwezen": ("in_behandeling",),
    "afgesloten": ("in_behandeling",),
}
_MATCH_KINDS = ("concepts", "nld_areas", "clusters", "knowledge_partners", "demand_questions")


def demand_summary(demand: list[dict[str, Any]], taxonomy: Taxonomy
                   ) -> dict[str, list[dict[str, Any]]]:
    """The themes (shared capability concepts) and NLD areas of matched past demand questions,
    most frequent first: what anyone may learn of Defence's demand, without anyone's words,
    times or names."""
    themes: Counter[str] = Counter()
    areas: Counter[str] = Counter()
    for d in demand:
        themes.update(set(d.get("shared_concepts") or []))
        areas.update(set(d.get("nld_areas") or []))

    def label(concepts: dict[str, Concept], cid: str, lang: str) -> str | None:
        return concepts[cid].label(lang) if cid in concepts else None

    caps, nld = taxonomy.capabilities, taxonomy.nld_areas
    return {
        "demand_themes": [{"id": k, "label_nl": label(caps, k, "nl"),
                           "label_en": label(caps, k, "en")}
                          for k, _ in sorted(themes.items(), key=lambda kv: (-kv[1], kv[0]))
                          ][:20],
        "demand_areas": [{"id": a, "name_nl": label(nld, a, "nl"), "name_en": label(nld, a, "en")}
                         for a, _ in sorted(areas.items(), key=lambda kv: (-kv[1], kv[0]))][:10],
    }


def public(r: Any, user: UserPublic) -> dict[str, Any]:
    """The item as `user` may see it: the matched questions' words only for demand readers."""
    d = dict(r)
    matches = json.loads(d["matches"]) if d.get("matches") else {k: [] for k in _MATCH_KINDS}
    matches.update(demand_summary(matches.get("demand_questions") or [], load_taxonomy()))
    if user.role not in DEMAND_READERS:
        matches["demand_questions"] = []
    d["matches"] = matches
    d["notes"] = [json.loads(n) for n in d["notes"]]
    return d


def _visible(item: dict[str, Any], user: UserPublic) -> bool:
    if not item.get("confirmed", True):  # sent without an account, address not confirmed
        return False
    return user.role != "company" or (item["kvk_number"] is not None
                                      and item["kvk_number"] == user.kvk_number)


def load(loket: LoketRepository, item_id: str, user: UserPublic) -> dict[str, Any]:
    """The item as `user` may see it; a company's item is missing (404) to other companies."""
    row = loket.get(item_id)
    if row is None or not _visible(dict(row), user):
        raise NotFoundError(f"No loket item {item_id}.")
    item = public(row, user)
    item["routed_to"] = DeskRepository(loket.driver, loket.database).routes(item_id)
    return item


def submit(loket: LoketRepository, keys: IdempotencyRepository, encoder: Encoder,
           match: MatchSettings, user: UserPublic, kvk: str | None, fields: dict[str, Any],
           key: str | None, fp: str) -> dict[str, Any]:
    """Store an item (`fields`: kind, title, text) with its reverse matches, once per key."""
    matches, lang = reverse_match(loket.driver, encoder, match,
                                  f"{fields['title']}. {fields['text']}")
    item_id = uuid.uuid4().hex

    def work(tx: ManagedTransaction) -> dict[str, Any]:
        loket.create_in(tx, id=item_id, kind=fields["kind"], title=fields["title"],
                        text=fields["text"], kvk=kvk, actor=user.id, lang=lang,
                        matches=json.dumps(matches, ensure_ascii=False),
                        concepts=[c["id"] for c in matches["concepts"]])
        audit.record(tx, user.id, user.role, "loket.submit", "loket", item_id, None,
                     {**fields, "kvk_number": kvk, "status": "new"}, kvk_number=kvk)
        return {"id": item_id}

    done = run_write(keys, user.id, key, fp, 201, work)
    log.info("loket item %s (%s) by %s: %d concepts", done.body["id"], fields["kind"], user.id,
             len(matches["concepts"]))
    return load(loket, str(done.body["id"]), user)


def triage(loket: LoketRepository, keys: IdempotencyRepository, user: UserPublic,
           item_id: str, status: str, note: str | None, key: str | None,
           fp: str) -> dict[str, Any]:
    """One step along TRANSITIONS with a note; any other step is a ConflictError (409)."""
    allowed = TRANSITIONS[status]

    def work(tx: ManagedTransaction) -> dict[str, Any]:
        # Lock, then read: two triagers cannot both make the same step.
        before = loket.lock_status_in(tx, item_id)
        if before is None:
            raise NotFoundError(f"No loket item {item_id}.")
        entry = {"status": status, "from_status": before, "note": note,
                 "author_id": user.id, "author_role": user.role,
                 "at": datetime.now(UTC).isoformat()}
        if not loket.triage_in(tx, item_id, status, list(allowed),
                               json.dumps(entry, ensure_ascii=False)):
            raise ConflictError(f"A loket item with status '{before}' cannot become "
                                f"'{status}' (allowed from: {', '.join(allowed)}).")
        audit.record(tx, user.id, user.role, "loket.triage", "loket", item_id,
                     {"status": before}, {"status": status, "note": note})
        return {"id": item_id}

    run_write(keys, user.id, key, fp, 200, work)
    return load(loket, item_id, user)
