"""Outgoing mail: Dutch first, English below, through SMTP or, without `PARAAT_SMTP_HOST`,
into the log. Every mail is an `(:OutboxMail)` node before it is tried, so a failed send is
retried (at once a few times, then by the outbox worker) and stays listed with its error
(`GET /admin/outbox`, `paraat mail outbox`) instead of being lost.

Use: `Mailer(settings.mail, OutboxRepository(driver))`; `mailer.send(mail)` queues and tries
at once; `queue()` + `deliver()` lets an API route answer before the SMTP round trip.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from core.settings import MailSettings
from graph.repositories.outbox import OutboxRepository

log = logging.getLogger(__name__)

ENGLISH_BELOW = "— English below —"
# Statuses of an (:OutboxMail): queued (not tried yet), sent, logged (no SMTP: written to the
# log), failed (tried; retried until max_attempts, then it stays failed and is reported).
STATUSES = ("queued", "sent", "logged", "failed")


@dataclass(frozen=True)
class Mail:
    """One mail in both languages; `kind` names what it is for (signup, loket_confirm,
    reminder …), `ref` the node it concerns (for the outbox list)."""

    to: str
    subject_nl: str
    subject_en: str
    body_nl: str
    body_en: str
    kind: str
    ref: str | None = None

    @property
    def subject(self) -> str:
        return f"{self.subject_nl} / {self.subject_en}"

    @property
    def body(self) -> str:
        return (f"{self.body_nl.rstrip()}\n\n{ENGLISH_BELOW}\n\n{self.body_en.rstrip()}\n"
                f"\n-- \nParaat · Drenthe\n")


# A plain ASCII `local@domain.tld`: nothing that could break a header or name a second
# recipient (the API's schema states the same pattern, with maxLength 254).
EMAIL_PATTERN = r"^[A-Za-z0-9.!#$%&*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"
_EMAIL = re.compile(EMAIL_PATTERN)


def valid_address(address: str) -> bool:
    """A plain `local@domain.tld` address without header-breaking characters."""
    return isinstance(address, str) and len(address) <= 254 and bool(_EMAIL.fullmatch(address))


def describe(s: MailSettings) -> str:
    """One line for the start-up log: where mails go."""
    if s.log_only:
        return ("mail: no PARAAT_SMTP_HOST set, so every mail (sign-up codes, loket "
                "confirmations, reminders) is written to the API's log instead of sent")
    tls = " with STARTTLS" if s.smtp_starttls else ""
    return f"mail: SMTP {s.smtp_host}:{s.smtp_port}{tls}, from {s.mail_from}"


class MailError(Exception):
    """A send failed (the message says why); the outbox keeps the mail for a retry."""


class Mailer:
    """Sends mails through the outbox. Safe to share between threads."""

    def __init__(self, settings: MailSettings, outbox: OutboxRepository) -> None:
        self.settings = settings
        self.outbox = outbox

    @property
    def log_only(self) -> bool:
        return self.settings.log_only

    def describe(self) -> str:
        return describe(self.settings)

    # -- queue and deliver ---------------------------------------------------------------

    def queue(self, mail: Mail) -> str:
        """Store the mail in the outbox (status queued); returns its id."""
        mid = uuid.uuid4().hex
        self.outbox.create(id=mid, kind=mail.kind, to=mail.to, subject=mail.subject,
                           body=mail.body, ref=mail.ref)
        return mid

    def send(self, mail: Mail) -> dict[str, Any]:
        """Queue and try at once; returns the outbox row (status sent, logged or failed)."""
        return self.deliver(self.queue(mail))

    def deliver(self, mail_id: str) -> dict[str, Any]:
        """Try one queued or failed mail now, `attempts_per_try` times with a short pause.
        Never raises for a send failure: the outcome is in the outbox and the log."""
        row = self.outbox.get(mail_id)
        if row is None:
            raise LookupError(f"no outbox mail {mail_id!r}")
        if row["status"] in ("sent", "logged"):
            return row
        return self._try(row)

    def _try(self, row: dict[str, Any]) -> dict[str, Any]:
        s = self.settings
        if s.log_only:
            log.warning("MAIL (not sent, no SMTP configured) to %s\nSubject: %s\n\n%s",
                        row["to"], row["subject"], row["body"])
            result = self.outbox.result(row["id"], "logged", 1, None, s.retry_seconds)
            self.outbox.forget_body(row["id"])
            return {**row, **(result or {})}
        error = ""
        tries = 0
        for attempt in range(s.attempts_per_try):
            tries += 1
            try:
                self._smtp_send(row["to"], row["subject"], row["body"])
            except (OSError, smtplib.SMTPException, MailError) as e:
                error = f"{type(e).__name__}: {e}"[:500]
                if attempt + 1 < s.attempts_per_try:
                    time.sleep(min(0.25 * 2 ** attempt, 2.0))
                continue
            result = self.outbox.result(row["id"], "sent", tries, None, s.retry_seconds)
            self.outbox.forget_body(row["id"])
            log.info("mail %s (%s) sent to %s", row["id"], row.get("kind"), row["to"])
            return {**row, **(result or {})}
        result = self.outbox.result(row["id"], "failed", tries, error, s.retry_seconds)
        attempts = (result or {}).get("attempts", tries)
        final = attempts >= s.max_attempts
        log.error("mail %s (%s) to %s failed after %d attempt(s)%s: %s", row["id"],
                  row.get("kind"), row["to"], attempts,
                  " — giving up, it stays in the outbox as failed" if final
                  else f"; retried in {s.retry_seconds:.0f} s", error)
        return {**row, **(result or {})}

    def _smtp_send(self, to: str, subject: str, body: str) -> None:
        s = self.settings
        msg = EmailMessage()
        msg["From"] = s.mail_from
        msg["To"] = to
        msg["Subject"] = subject
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(domain="paraat")
        msg.set_content(body, charset="utf-8")
        assert s.smtp_host is not None
        with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout) as smtp:
            if s.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.smtp_user:
                password = s.smtp_password.get_secret_value() if s.smtp_password else ""
                smtp.login(s.smtp_user, password)
            refused = smtp.send_message(msg)
            if refused:
                raise MailError(f"recipient refused: {refused}")

    # -- retries -------------------------------------------------------------------------

    def retry_due(self, limit: int = 50) -> dict[str, int]:
        """Try every queued or failed mail whose retry time has come; counts per outcome."""
        s = self.settings
        # The lease covers the immediate tries of every claimed mail.
        lease = int(limit * s.attempts_per_try * (s.smtp_timeout + 2)) + 60
        counts = {"sent": 0, "logged": 0, "failed": 0}
        for row in self.outbox.claim_due(s.max_attempts, limit, lease):
            row = self._try({**row, "status": "queued"})
            counts[row.get("status", "failed")] = counts.get(row.get("status", "failed"), 0) + 1
        return counts


class OutboxWorker:
    """A daemon thread that retries due mails every `retry_seconds` (the API runs one), and
    runs the housekeeping `jobs` given (forgetting expired codes) at the same pace."""

    def __init__(self, mailer: Mailer, interval: float | None = None,
                 jobs: list[Callable[[], Any]] | None = None) -> None:
        self.mailer = mailer
        self.interval = interval or mailer.settings.retry_seconds
        self.jobs = list(jobs or [])
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="paraat-outbox", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                counts = self.mailer.retry_due()
                if any(counts.values()):
                    log.info("outbox retry: %s", counts)
                for job in self.jobs:
                    job()
            except Exception:  # the worker must outlive a database hiccup
                log.exception("outbox retry failed; trying again in %.0f s", self.interval)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
