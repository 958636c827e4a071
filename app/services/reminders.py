"""Reminders before a profile stops being trustworthy: a compliance claim that expires, and a
profile that goes stale (`profile_stale_days` after its last verification), each mailed
`profile_reminder_days` ahead to the company's addresses, once per expiry date or
verification. Run by `paraat reminders send` and, once a day, by the API's outbox worker (so
`paraat up` sends them). Mails go through the outbox (app/services/mail.py): a failed send is
retried there, never lost."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from app.services.mail import Mail, Mailer
from core.settings import Settings
from graph.repositories.profiles import ProfileRepository
from ontology.profile import CLAIM_KINDS

log = logging.getLogger(__name__)


@dataclass
class ReminderReport:
    claims: int = 0
    stale: int = 0
    mails: int = 0
    without_address: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = (f"{self.mails} reminder mail(s): {self.claims} expiring claim(s), "
                f"{self.stale} profile(s) going stale")
        if self.without_address:
            text += (f"; no address for {len(self.without_address)}: "
                     f"{', '.join(sorted(set(self.without_address)))}")
        return text


def claim_mail(to: str, row: dict[str, Any], url: str) -> Mail:
    nl, en = CLAIM_KINDS.get(row["kind"], (row["kind"], row["kind"]))
    return Mail(
        to=to, kind="reminder", ref=f"{row['kvk']}:{row['kind']}",
        subject_nl=f"{nl} van {row['name']} verloopt op {row['due']}",
        subject_en=f"{en} of {row['name']} expires on {row['due']}",
        body_nl=(f"Beste {row['name']},\n\nUw vermelding '{nl}' in Paraat verloopt op "
                 f"{row['due']}. Daarna telt zij niet meer mee als defensie zoekt op "
                 f"certificeringen. Werk de vervaldatum bij en voeg het nieuwe bewijs toe:\n"
                 f"{url}\n"),
        body_en=(f"Dear {row['name']},\n\nYour '{en}' claim in Paraat expires on {row['due']}. "
                 f"After that it no longer counts when Defence searches for certifications. "
                 f"Update the expiry date and add the new evidence:\n{url}\n"))


def stale_mail(to: str, row: dict[str, Any], url: str) -> Mail:
    return Mail(
        to=to, kind="reminder", ref=row["kvk"],
        subject_nl=f"Profiel van {row['name']} controleren vóór {row['due']}",
        subject_en=f"Please confirm the profile of {row['name']} before {row['due']}",
        body_nl=(f"Beste {row['name']},\n\nUw bedrijfsprofiel in Paraat is op {row['due']} "
                 f"langer dan een jaar niet bevestigd en wordt dan als verouderd getoond. "
                 f"Controleer en bevestig uw gegevens:\n{url}\n"),
        body_en=(f"Dear {row['name']},\n\nYour company profile in Paraat will be shown as out "
                 f"of date from {row['due']}. Please check and confirm your details:\n{url}\n"))


def send_reminders(repo: ProfileRepository, mailer: Mailer | None, settings: Settings,
                   today: date | None = None) -> ReminderReport:
    """Mail every reminder that is due (`mailer` None: a dry run that only counts)."""
    day = (today or datetime.now(UTC).date()).isoformat()
    days = settings.profile_reminder_days
    url = f"{settings.mail.public_url}/"
    report = ReminderReport()
    for row in repo.due_claim_reminders(day, days):
        report.claims += 1
        if not row["emails"]:
            report.without_address.append(row["kvk"])
            continue
        if mailer is not None:
            for to in row["emails"]:
                mailer.send(claim_mail(to, row, url))
                report.mails += 1
            repo.mark_claim_reminded(row["kvk"], row["kind"])
    for row in repo.due_stale_reminders(day, days, settings.profile_stale_days):
        report.stale += 1
        if not row["emails"]:
            report.without_address.append(row["kvk"])
            continue
        if mailer is not None:
            for to in row["emails"]:
                mailer.send(stale_mail(to, row, url))
                report.mails += 1
            repo.mark_stale_reminded(row["kvk"])
    if report.claims or report.stale:
        log.info("reminders: %s", report.line())
    return report


class DailyReminders:
    """A job for the API's outbox worker: sends the due reminders at most once a day."""

    def __init__(self, repo: ProfileRepository, mailer: Mailer, settings: Settings,
                 every_seconds: float = 24 * 3600) -> None:
        self.repo, self.mailer, self.settings = repo, mailer, settings
        self.every = every_seconds
        self._last = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> ReminderReport | None:
        with self._lock:
            if time.monotonic() - self._last < self.every and self._last:
                return None
            self._last = time.monotonic()
        return send_reminders(self.repo, self.mailer, self.settings)
