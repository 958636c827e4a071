"""Sign-up without an admin (issue 20, item 1). A company asks with its KvK number, name, contact
and e-mail; Paraat mails a one-time code (a link to the UI), and using that code makes a
company account bound to that KvK number and shows its token once. A KvK number that already
has an active company account is never handed out silently: the verified request waits for an
admin (`review`), who approves (a fresh code is mailed) or rejects it.

Codes and tokens are stored only as HMACs under the API secret; client addresses only as HMACs
too, for the per-address throttle. A refused request (bad input, throttled) stores nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from neo4j import ManagedTransaction

from app.services import audit
from app.services.mail import Mail, Mailer, valid_address
from app.services.users import UserPublic, hash_token, new_token
from core.errors import ConflictError, NotFoundError, ParaatError, ValidationError
from core.settings import Settings
from graph.repositories.signup import SignupRepository

log = logging.getLogger(__name__)

WINDOW_SECONDS = 3600
KVK = re.compile(r"[0-9]{8}")
CODE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
CODE_CHARS = re.compile(r"[A-Za-z0-9_-]{20,100}")
SIGNUP_PATH = "aanmelden"


class ThrottledError(ParaatError):
    """Too many requests from one client address or for one e-mail address (429)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ExpiredError(ParaatError):
    """A one-time code whose time ran out (410)."""


def keyed_hash(secret: str, purpose: str, value: str) -> str:
    """HMAC-SHA256 of `value` under the API secret, separated by purpose."""
    return hmac.new(secret.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def new_code() -> str:
    return secrets.token_urlsafe(24)


def check_kvk(kvk: str) -> str:
    kvk = kvk.strip()
    if not KVK.fullmatch(kvk):
        raise ValidationError("kvk_number: a KvK number has exactly 8 digits / "
                              "een KvK-nummer heeft precies 8 cijfers")
    return kvk


def check_email(email: str) -> str:
    email = email.strip()
    if not valid_address(email):
        raise ValidationError("email: not a valid e-mail address / geen geldig e-mailadres")
    return email.lower()


def check_code(code: str) -> str:
    code = code.strip()
    if not CODE_CHARS.fullmatch(code):
        raise NotFoundError("Unknown code: check the link in the mail / onbekende code: "
                            "controleer de link in de mail.")
    return code


def throttle(counts: tuple[int, int], per_address: int, per_email: int, what: str) -> None:
    by_address, by_email = counts
    if by_address >= per_address:
        raise ThrottledError(f"Too many {what} from this address; try again within an hour / "
                             f"te veel aanvragen vanaf dit adres, probeer het over een uur "
                             f"opnieuw.", WINDOW_SECONDS)
    if by_email >= per_email:
        raise ThrottledError(f"Too many {what} for this e-mail address; try again within an "
                             f"hour / te veel aanvragen voor dit e-mailadres, probeer het over "
                             f"een uur opnieuw.", WINDOW_SECONDS)


@dataclass(frozen=True)
class SignupOutcome:
    """`account`: the user and its token (shown once); `review`: waits for an admin."""

    status: str
    request_id: str
    kvk_number: str
    user: UserPublic | None = None
    token: str | None = None


class SignupService:
    def __init__(self, repo: SignupRepository, mailer: Mailer, settings: Settings) -> None:
        self.repo = repo
        self.mailer = mailer
        self.settings = settings
        self.secret = settings.api.secret.get_secret_value()
        self.ttl = int(settings.api.code_ttl_hours * 3600)

    def _hash(self, code: str) -> str:
        return keyed_hash(self.secret, "signup", code)

    def link(self, code: str) -> str:
        return f"{self.settings.mail.public_url}/{SIGNUP_PATH}?code={code}"

    # -- request -------------------------------------------------------------------------

    def request(self, *, kvk_number: str, company_name: str, email: str, contact_name: str,
                client: str) -> tuple[dict[str, Any], str]:
        """Store the request and queue its mail; returns the answer and the outbox id (the
        caller delivers it, after answering). The answer never says whether the number
        already has an account."""
        kvk = check_kvk(kvk_number)
        address = check_email(email)
        ip_hash = keyed_hash(self.secret, "ip", client)
        api = self.settings.api
        throttle(self.repo.throttle_counts(ip_hash, address, WINDOW_SECONDS),
                 api.signup_per_address_per_hour, api.signup_per_email_per_hour, "sign-ups")
        code = new_code()
        rid = uuid.uuid4().hex
        row = self.repo.create(id=rid, kvk_number=kvk, company_name=company_name.strip(),
                               email=address, contact_name=contact_name.strip(),
                               code_hash=self._hash(code), ttl_seconds=self.ttl,
                               ip_hash=ip_hash)
        mail_id = self.mailer.queue(self.code_mail(address, contact_name.strip(),
                                                   company_name.strip(), kvk, code, rid))
        log.info("sign-up %s for KvK %s requested; code mailed (outbox %s)", rid, kvk, mail_id)
        return {"status": "mailed", "expires_at": row["expires_at"],
                "detail": "Check your mail: the link in it works once, for "
                          f"{api.code_ttl_hours:g} hours / bekijk uw mail: de link werkt één "
                          f"keer, {api.code_ttl_hours:g} uur lang."}, mail_id

    def code_mail(self, to: str, contact: str, company: str, kvk: str, code: str, rid: str,
                  approved: bool = False) -> Mail:
        hours = f"{self.settings.api.code_ttl_hours:g}"
        link = self.link(code)
        intro_nl = ("Een beheerder heeft uw aanvraag goedgekeurd. " if approved else "") + (
            f"Er is Paraat-toegang aangevraagd voor {company} (KvK {kvk}).")
        intro_en = ("An administrator approved your request. " if approved else "") + (
            f"Paraat access was requested for {company} (KvK {kvk}).")
        return Mail(
            to=to, kind="signup_code", ref=rid,
            subject_nl="Bevestig uw aanmelding bij Paraat",
            subject_en="Confirm your Paraat sign-up",
            body_nl=(f"Beste {contact},\n\n{intro_nl} Open deze link om uw e-mailadres te "
                     f"bevestigen en uw API-sleutel te ontvangen:\n\n{link}\n\n"
                     f"Of vul deze code in: {code}\n\nDe link werkt één keer en verloopt na "
                     f"{hours} uur. Heeft u dit niet aangevraagd? Dan kunt u deze mail "
                     f"negeren."),
            body_en=(f"Dear {contact},\n\n{intro_en} Open this link to confirm your e-mail "
                     f"address and receive your API token:\n\n{link}\n\nOr enter this code: "
                     f"{code}\n\nThe link works once and expires after {hours} hours. Did "
                     f"not ask for this? Then ignore this mail."))

    # -- verify --------------------------------------------------------------------------

    def verify(self, code: str) -> SignupOutcome:
        """Use a code: a company account (token shown once) or, for a KvK number that has
        one, a request in review. A used code is a conflict, an expired one gone."""
        code_hash = self._hash(check_code(code))
        req = self.repo.by_code(code_hash)
        if req is None:
            raise NotFoundError("Unknown code: check the link in the mail / onbekende code: "
                                "controleer de link in de mail.")
        kvk = req["kvk_number"]
        token = new_token()
        uid = uuid.uuid4().hex[:16]
        name = f"{req['company_name']} ({req['contact_name']})"[:200]
        user = UserPublic(id=uid, name=name, role="company", kvk_number=kvk)
        approved = req["status"] == "approved"

        def on_account(tx: ManagedTransaction) -> None:
            audit.record(tx, "anonymous", "anonymous", "signup.verify", "signup", req["id"],
                         {"status": req["status"]}, {"status": "verified", "user_id": uid},
                         kvk_number=kvk)
            audit.record(tx, "anonymous", "anonymous", "user.create", "user", uid, None,
                         {**user.model_dump(), "via": "signup"}, kvk_number=kvk)

        def on_review(tx: ManagedTransaction) -> None:
            audit.record(tx, "anonymous", "anonymous", "signup.review", "signup", req["id"],
                         {"status": req["status"]}, {"status": "review"}, kvk_number=kvk)

        outcome = self.repo.use_code(
            req["id"], kvk, code_hash,
            {"id": uid, "name": name, "token_hash": hash_token(token, self.secret)},
            allow_existing=approved, on_account=on_account, on_review=on_review)
        if outcome == "used":
            raise ConflictError("This code was used already; request a new one / deze code is "
                                "al gebruikt, vraag een nieuwe aan.")
        if outcome == "expired":
            raise ExpiredError("This code has expired; request a new one / deze code is "
                               "verlopen, vraag een nieuwe aan.")
        if outcome == "unknown":
            raise NotFoundError("Unknown code / onbekende code.")
        if outcome == "review":
            log.info("sign-up %s: KvK %s already has an account, sent to review", req["id"], kvk)
            return SignupOutcome("review", req["id"], kvk)
        log.info("sign-up %s verified: company user %s for KvK %s", req["id"], uid, kvk)
        return SignupOutcome("account", req["id"], kvk, user=user, token=token)

    # -- review --------------------------------------------------------------------------

    def get(self, request_id: str) -> dict[str, Any]:
        row = self.repo.get(request_id)
        if row is None:
            raise NotFoundError(f"No sign-up request {request_id}.")
        return row

    def decide(self, request_id: str, actor: UserPublic, approve: bool, note: str | None
               ) -> tuple[dict[str, Any], str]:
        """An admin approves (a fresh code is mailed: the requester then gets an account
        beside the existing one) or rejects (the requester is told). Returns the request
        and the outbox id of the mail."""
        req = self.get(request_id)
        if req["status"] != "review":
            raise ConflictError(f"Sign-up request {request_id} is {req['status']}, not in review.")
        code = new_code() if approve else None
        status = "approved" if approve else "rejected"

        def on_done(tx: ManagedTransaction) -> None:
            audit.record(tx, actor.id, actor.role, f"signup.{'approve' if approve else 'reject'}",
                         "signup",
                         request_id, {"status": "review"}, {"status": status, "note": note},
                         kvk_number=req["kvk_number"])

        if not self.repo.decide(request_id, status, actor.id, note,
                                self._hash(code) if code else None, self.ttl, on_done):
            raise ConflictError(f"Sign-up request {request_id} was decided meanwhile.")
        if code:
            mail = self.code_mail(req["email"], req["contact_name"], req["company_name"],
                                  req["kvk_number"], code, request_id, approved=True)
        else:
            reason_nl = f"\n\nToelichting: {note}" if note else ""
            reason_en = f"\n\nNote: {note}" if note else ""
            mail = Mail(
                to=req["email"], kind="signup_rejected", ref=request_id,
                subject_nl="Uw aanmelding bij Paraat", subject_en="Your Paraat sign-up",
                body_nl=(f"Beste {req['contact_name']},\n\nVoor KvK {req['kvk_number']} "
                         f"bestaat al een account. Een beheerder heeft uw aanvraag voor een "
                         f"tweede account afgewezen.{reason_nl}"),
                body_en=(f"Dear {req['contact_name']},\n\nKvK {req['kvk_number']} already "
                         f"has an account. An administrator declined your request for a "
                         f"second one.{reason_en}"))
        mail_id = self.mailer.queue(mail)
        log.info("sign-up %s %s by %s", request_id, status, actor.id)
        return self.get(request_id), mail_id

    def page(self, status: str | None, limit: int, offset: int
             ) -> tuple[int, list[dict[str, Any]]]:
        return self.repo.page(status, limit, offset)

    def purge(self) -> int:
        """Forget requests whose code expired unused (after the throttle window)."""
        n = self.repo.purge_expired(WINDOW_SECONDS)
        if n:
            log.info("purged %d expired sign-up request(s)", n)
        return n
