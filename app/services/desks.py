"""The loket's desks (issue 20, item 3): who gets an item and why, the loket without an account
(the sender confirms the e-mail address before any desk sees the item), desk queues and
referrals between desks.

Routing is explained: clear rules on the words of the item (a start-up goes to Founded, an
education or training question to the Veiligheidscampus, …) and the encoder the matcher uses,
over each desk's description (nl and en): the closest desk is always among the targets, with
its similarity. Desks come from ingest/data/seed/desks.csv (the agenda's partners).
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np
from neo4j import ManagedTransaction

from app.services import audit
from app.services.mail import Mail, Mailer, valid_address
from app.services.signup import (
    WINDOW_SECONDS,
    ExpiredError,
    check_code,
    keyed_hash,
    new_code,
    throttle,
)
from app.services.users import UserPublic
from core.errors import ConflictError, NotFoundError, ValidationError
from core.settings import MatchSettings, Settings
from graph.repositories.desks import DeskRepository
from matching.encoders.base import Encoder
from matching.reverse import reverse_match

log = logging.getLogger(__name__)

CONFIRM_PATH = "melden"
QUEUE_PATH = "balie"
MAX_DESKS = 3
DEFAULT_DESK = "ibdo"


@dataclass(frozen=True)
class Rule:
    desk: str
    pattern: re.Pattern[str]
    reason_nl: str
    reason_en: str


def _words(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")", re.IGNORECASE)


# Most specific first; each matching rule routes to its desk (at most MAX_DESKS in all).
RULES: tuple[Rule, ...] = (
    Rule("founded", _words(r"start-?ups?", r"scale-?ups?", r"startend\w*", r"jong bedrijf",
                           r"net (?:begonnen|opgericht)", r"founders?", r"oprichters?"),
         "start-up of scale-up: Founded begeleidt jonge, snelgroeiende bedrijven",
         "start-up or scale-up: Founded guides young, fast-growing companies"),
    Rule("veiligheidscampus", _words(
        r"opleiding\w*", r"onderwijs\w*", r"training\w*", r"trainen", r"cursus\w*",
        r"cursist\w*", r"stage\w*", r"stagiair\w*", r"student\w*", r"leerlijn\w*",
        r"bijscholing", r"omscholing", r"om te scholen", r"educat\w*", r"courses?",
        r"internships?", r"reservist\w*", r"lectora\w*", r"crisissimulatie", r"minors?",
        r"leven lang leren", r"lifelong learning"),
         "vraag over onderwijs of opleiding: de Veiligheidscampus Assen",
         "education or training question: the Security Campus Assen"),
    Rule("nom-bdd", _words(r"aanbested\w*", r"tenders?", r"financier\w*", r"financing",
                           r"funding", r"investering\w*", r"investeerder\w*", r"invest\w*",
                           r"opschal\w*", r"scale up production", r"productiecapaciteit",
                           r"procurement", r"defensieopdracht\w*"),
         "aanbesteding, opdracht of financiering: de Business Developer Defensie (NOM)",
         "tender, contract or financing: the Business Developer Defence (NOM)"),
    Rule("mindbase-noord", _words(r"nog (?:nooit|niet) (?:met|voor) defensie",
                                  r"eerste contact", r"prototypes?", r"uitvinding\w*",
                                  r"not yet (?:work\w* )?(?:with|for) defen[cs]e",
                                  r"never worked (?:with|for) defen[cs]e", r"first contact"),
         "nog geen contact met Defensie of een innovatie: MINDbase Noord scout en verbindt",
         "no contact with Defence yet, or an innovation: MINDbase Noord scouts and connects"),
    Rule("regioteam-noord", _words(r"samenwerkingsproject\w*", r"consortium\w*", r"odin",
                                   r"regioteam", r"ecosysteem\w*", r"joint projects?",
                                   r"collaboration projects?", r"consortia"),
         "samenwerkingsproject of consortium: het Regioteam Defensie Noord-Nederland",
         "joint project or consortium: the Regional Team Defence Northern Netherlands"),
    Rule("brancheorganisaties", _words(r"branche\w*", r"sectorbreed", r"hele sector",
                                       r"koepel\w*", r"trade associations?",
                                       r"industry associations?", r"certificer\w*",
                                       r"certification", r"normering"),
         "vraag voor een branche of over certificering: de brancheorganisaties",
         "question for an industry or about certification: the trade associations"),
    Rule("ibdo", _words(r"mkb", r"midden- en kleinbedrijf", r"nieuwe markt\w*",
                        r"toekomstbestendig\w*", r"smes?", r"small business\w*",
                        r"new markets?"),
         "vraag van een MKB-ondernemer: IBDO, het loket voor het Drentse MKB",
         "question from a small business: IBDO, the desk for Drenthe's SMEs"),
)


def rule_routes(text: str) -> list[dict[str, str]]:
    """The rules that fire on the text, each with the words that made it fire."""
    out: list[dict[str, str]] = []
    for rule in RULES:
        hits = sorted({m.group(0).lower() for m in rule.pattern.finditer(text)})
        if hits and all(r["desk"] != rule.desk for r in out):
            said = ", ".join(f"'{h}'" for h in hits[:3])
            out.append({"desk": rule.desk, "via": "rule",
                        "reason": f"{rule.reason_nl} (genoemd: {said})",
                        "reason_en": f"{rule.reason_en} (mentioned: {said})"})
    return out


class DeskVectors:
    """The desks' description vectors per encoder, made once per process (seven short texts)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, tuple[str, ...]], np.ndarray] = {}

    def of(self, encoder: Encoder, desks: list[dict[str, Any]]) -> np.ndarray:
        texts = tuple(f"{d['name_nl']}. {d['description_nl']} {d['description_en']}"
                      for d in desks)
        key = (encoder.name, texts)
        with self._lock:
            if key not in self._cache:
                self._cache[key] = np.asarray(encoder.encode_passages(list(texts)))
            return self._cache[key]


_VECTORS = DeskVectors()


def route(desks: list[dict[str, Any]], encoder: Encoder | None, text: str
          ) -> list[dict[str, Any]]:
    """Where an item goes: the rules' desks, then the desk whose description is closest to
    the text (always included), at most MAX_DESKS; each with its reason in nl and en."""
    known = {d["id"]: d for d in desks}
    routes = [r for r in rule_routes(text) if r["desk"] in known]
    if encoder is not None and desks:
        vectors = _VECTORS.of(encoder, desks)
        query = np.asarray(encoder.encode_queries([text]))[0]
        scores = vectors @ query
        best = int(np.argmax(scores))
        desk = desks[best]
        score = float(scores[best])
        if all(r["desk"] != desk["id"] for r in routes):
            routes.insert(0 if not routes else len(routes), {
                "desk": desk["id"], "via": "content",
                "reason": f"de inhoud lijkt het meest op de beschrijving van {desk['name_nl']} "
                          f"(overeenkomst {score:.2f})",
                "reason_en": f"the content is closest to the description of "
                             f"{desk['name_en']} (similarity {score:.2f})"})
        else:
            for r in routes:
                if r["desk"] == desk["id"]:
                    r["reason"] += f"; de inhoud past er ook het best bij ({score:.2f})"
                    r["reason_en"] += f"; the content fits it best too ({score:.2f})"
    if not routes and DEFAULT_DESK in known:
        routes.append({"desk": DEFAULT_DESK, "via": "default",
                       "reason": "algemene vraag: IBDO is het eerste aanspreekpunt",
                       "reason_en": "general question: IBDO is the first point of contact"})
    return routes[:MAX_DESKS]


def with_names(routes: list[dict[str, Any]], desks: list[dict[str, Any]]
               ) -> list[dict[str, Any]]:
    known = {d["id"]: d for d in desks}
    return [{**r, "name_nl": known.get(r["desk"], {}).get("name_nl"),
             "name_en": known.get(r["desk"], {}).get("name_en")} for r in routes]


class DeskService:
    def __init__(self, repo: DeskRepository, mailer: Mailer, settings: Settings) -> None:
        self.repo = repo
        self.mailer = mailer
        self.settings = settings
        self.secret = settings.api.secret.get_secret_value()
        self.ttl = int(settings.api.code_ttl_hours * 3600)

    def desks(self) -> list[dict[str, Any]]:
        """The desks; a graph without them (older than issue 20, or emptied) gets them from
        the seed file first."""
        rows = self.repo.all()
        if not rows:
            from ingest.seed import desk_rows

            self.repo.upsert(desk_rows())
            rows = self.repo.all()
        return rows

    def desk(self, desk_id: str) -> dict[str, Any]:
        d = self.repo.get(desk_id)
        if d is None:
            raise NotFoundError(f"No desk {desk_id!r}.")
        return d

    def set_email(self, desk_id: str, email: str, actor: UserPublic) -> dict[str, Any]:
        if not valid_address(email):
            raise ValidationError("email: not a valid e-mail address / geen geldig e-mailadres")
        before = self.desk(desk_id)
        self.repo.set_email(desk_id, email.strip())
        log.info("desk %s e-mail set by %s", desk_id, actor.id)
        return {**before, "email": email.strip()}

    # -- the loket without an account ----------------------------------------------------

    def submit_anonymous(self, *, title: str, text: str, contact_email: str, kind: str,
                         kvk_number: str | None, client: str, encoder: Encoder,
                         match: MatchSettings) -> tuple[dict[str, Any], str]:
        """Store the item unconfirmed with its routes and mail the confirmation link; returns
        the answer (with `routed_to`) and the outbox id to deliver."""
        email = contact_email.strip().lower()
        if not valid_address(email):
            raise ValidationError("contact_email: not a valid e-mail address / geen geldig "
                                  "e-mailadres")
        api = self.settings.api
        ip_hash = keyed_hash(self.secret, "ip", client)
        throttle(self.repo.throttle_counts(ip_hash, email, WINDOW_SECONDS),
                 api.loket_per_address_per_hour, api.loket_per_email_per_hour,
                 "loket items")
        matches, lang = reverse_match(self.repo.driver, encoder, match, f"{title}. {text}")
        desks = self.desks()
        routes = route(desks, encoder, f"{title}. {text}")
        item_id = uuid.uuid4().hex
        code = new_code()
        item = {"id": item_id, "kind": kind, "title": title, "text": text, "kvk": kvk_number,
                "email": email, "ip_hash": ip_hash,
                "confirm_hash": keyed_hash(self.secret, "loket", code), "ttl": self.ttl,
                "lang": lang, "matches": _json(matches),
                "concepts": [c["id"] for c in matches.get("concepts", [])]}

        def on_done(tx: ManagedTransaction) -> None:
            audit.record(tx, "anonymous", "anonymous", "loket.submit_anonymous", "loket",
                         item_id, None, {"kind": kind, "title": title, "kvk_number": kvk_number,
                          "status": "new", "confirmed": False,
                          "routed_to": [r["desk"] for r in routes]},
                         kvk_number=kvk_number)

        self.repo.create_anonymous(item, routes, on_done)
        link = f"{self.settings.mail.public_url}/{CONFIRM_PATH}?code={code}"
        hours = f"{api.code_ttl_hours:g}"
        names = with_names(routes, desks)
        mail_id = self.mailer.queue(Mail(
            to=email, kind="loket_confirm", ref=item_id,
            subject_nl="Bevestig uw bericht aan het Paraat-loket",
            subject_en="Confirm your message to the Paraat desk",
            body_nl=(f"Goedendag,\n\nU stuurde het loket: \"{title}\". Bevestig uw e-mailadres "
                     f"met deze link; pas dan ziet de balie uw bericht:\n\n{link}\n\n"
                     f"Of vul deze code in: {code}\n\nHet gaat naar: "
                     + "; ".join(f"{r['name_nl']} ({r['reason']})" for r in names)
                     + f".\n\nDe link verloopt na {hours} uur. Niets verstuurd? Negeer deze "
                       f"mail; het bericht wordt dan verwijderd."),
            body_en=(f"Hello,\n\nYou sent the desk: \"{title}\". Confirm your e-mail address "
                     f"with this link; only then does the desk see your message:\n\n{link}\n\n"
                     f"Or enter this code: {code}\n\nIt goes to: "
                     + "; ".join(f"{r['name_en']} ({r['reason_en']})" for r in names)
                     + f".\n\nThe link expires after {hours} hours. Sent nothing? Ignore this "
                       f"mail; the message is then deleted.")))
        log.info("anonymous loket item %s routed to %s; confirmation mailed (outbox %s)",
                 item_id, [r["desk"] for r in routes], mail_id)
        return {"id": item_id, "status": "awaiting_confirmation", "routed_to": names,
                "detail": "Confirm your e-mail address with the link we sent; only then does a "
                          "desk see your message / bevestig uw e-mailadres met de link die we "
                          "stuurden; pas dan ziet een balie uw bericht."}, mail_id

    def confirm(self, code: str) -> tuple[dict[str, Any], list[str]]:
        """Confirm an anonymous item's address: the desks see it from now on and are told by
        mail. Returns the answer and the outbox ids of the desks' mails."""
        row = self.repo.by_confirm_hash(keyed_hash(self.secret, "loket", check_code(code)))
        if row is None:
            raise NotFoundError("Unknown code: check the link in the mail / onbekende code: "
                                "controleer de link in de mail.")
        if row["confirmed"]:
            raise ConflictError("This message was confirmed already / dit bericht is al "
                                "bevestigd.")
        if row["expired"]:
            raise ExpiredError("This link has expired; send the message again / deze link is "
                               "verlopen, stuur het bericht opnieuw.")
        item_id = row["id"]

        def on_done(tx: ManagedTransaction) -> None:
            audit.record(tx, "anonymous", "anonymous", "loket.confirm", "loket", item_id,
                         {"confirmed": False}, {"confirmed": True})

        if not self.repo.confirm(item_id, on_done):
            raise ConflictError("This message was confirmed already or its link expired / dit "
                                "bericht is al bevestigd of de link is verlopen.")
        routes = [r for r in self.repo.routes(item_id) if r["active"]]
        mail_ids = [self.notify_desk(r["desk"], item_id, row["title"], r["reason"],
                                     r.get("reason_en") or r["reason"]) for r in routes]
        log.info("loket item %s confirmed; desks %s told", item_id, [r["desk"] for r in routes])
        return {"id": item_id, "status": "confirmed", "routed_to": routes}, \
            [m for m in mail_ids if m]

    def route_item(self, item_id: str, title: str, text: str, encoder: Encoder | None
                   ) -> tuple[list[dict[str, Any]], list[str]]:
        """Route an item submitted with a token (confirmed by its token) and tell the desks;
        returns its routes and the outbox ids to deliver."""
        desks = self.desks()
        routes = route(desks, encoder, f"{title}. {text}")
        self.repo.route(item_id, routes, "routing")
        mail_ids = [self.notify_desk(r["desk"], item_id, title, r["reason"], r["reason_en"])
                    for r in routes]
        return self.repo.routes(item_id), [m for m in mail_ids if m]

    def notify_desk(self, desk_id: str, item_id: str, title: str, reason: str,
                    reason_en: str) -> str | None:
        desk = self.repo.get(desk_id)
        if desk is None or not desk.get("email"):
            return None
        link = f"{self.settings.mail.public_url}/{QUEUE_PATH}?desk={desk_id}"
        return self.mailer.queue(Mail(
            to=desk["email"], kind="desk_notify", ref=item_id,
            # No title in the subject: the outbox keeps subjects, and a title may be personal.
            subject_nl=f"Nieuw in de wachtrij van {desk['name_nl']}"[:200],
            subject_en=f"New in the queue of {desk['name_en']}"[:200],
            body_nl=(f"Er staat een nieuw loket-bericht voor {desk['name_nl']} klaar: "
                     f"\"{title}\".\nReden: {reason}\n\nOpen de wachtrij: {link}"),
            body_en=(f"A new loket message for {desk['name_en']} is waiting: \"{title}\".\n"
                     f"Reason: {reason_en}\n\nOpen the queue: {link}")))

    # -- queues and referrals ------------------------------------------------------------

    def queue(self, desk_id: str, status: str | None, limit: int, offset: int
              ) -> tuple[int, list[dict[str, Any]]]:
        self.desk(desk_id)
        total, rows = self.repo.queue(desk_id, status, limit, offset)
        routes = self.repo.routes_of([r["id"] for r in rows])
        for r in rows:
            r["notes"] = [_loads(n) for n in r["notes"]]
            r["routes"] = routes.get(r["id"], [])
        return total, rows

    def refer(self, item_id: str, to_desk: str, from_desk: str | None, note: str | None,
              actor: UserPublic, allowed_from: tuple[str, ...]) -> tuple[list[dict[str, Any]],
                                                                        str | None]:
        """Refer an item to another desk: status `doorverwezen`, the old desk's route made
        inactive, the new desk's added with the note as the reason, audited, the new desk
        told. Returns the item's routes and the outbox id."""
        from datetime import UTC, datetime

        target = self.desk(to_desk)
        if from_desk is not None:
            self.desk(from_desk)
            if from_desk == to_desk:
                raise ValidationError("to_desk: refer to another desk / verwijs naar een "
                                      "andere balie")
        by_nl = f" door {from_desk}" if from_desk else ""
        reason = f"doorverwezen{by_nl}" + (f": {note}" if note else "")
        reason_en = f"referred{' by ' + from_desk if from_desk else ''}" + (
            f": {note}" if note else "")
        note_json = _json({"status": "doorverwezen", "from_status": None, "note": note,
                           "author_id": actor.id, "author_role": actor.role,
                           "at": datetime.now(UTC).isoformat(), "to_desk": to_desk,
                           "from_desk": from_desk})

        def on_done(tx: ManagedTransaction) -> None:
            audit.record(tx, actor.id, actor.role, "loket.refer", "loket", item_id,
                         {"desk": from_desk}, {"status": "doorverwezen", "to_desk": to_desk,
                                               "note": note})

        outcome, before = self.repo.refer(item_id, to_desk, from_desk, list(allowed_from),
                                          note_json, reason, reason_en, actor.id, on_done)
        if outcome == "unknown":
            raise NotFoundError(f"No loket item {item_id}.")
        if outcome == "status":
            raise ConflictError(f"A loket item with status '{before}' cannot be referred "
                                f"(allowed from: {', '.join(allowed_from)}).")
        routes = self.repo.routes(item_id)
        title = (self.repo.item(item_id) or {}).get("title") or item_id
        mail_id = self.notify_desk(to_desk, item_id, title, reason, reason_en)
        log.info("loket item %s referred to %s by %s", item_id, target["id"], actor.id)
        return routes, mail_id

    def purge(self) -> int:
        n = self.repo.purge_unconfirmed(WINDOW_SECONDS)
        if n:
            log.info("purged %d unconfirmed loket item(s)", n)
        return n


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def _loads(value: str) -> Any:
    import json

    return json.loads(value)
