"""Reminders before a claim expires or a profile goes stale, sent through the outbox to a
real SMTP server (aiosmtpd on loopback, started by the tests) and by `paraat reminders send`."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from neo4j import Driver

from app.services.mail import Mailer
from app.services.reminders import send_reminders
from core.settings import Settings
from graph.repositories.outbox import OutboxRepository
from graph.repositories.profiles import ProfileRepository
from ingest.seed import load_seed
from tests.conftest import SmtpInbox, mail_text

pytestmark = [pytest.mark.integration]

TEIJIN, NORIT = "99000001", "99000003"
TEIJIN_MAIL, NORIT_MAIL = "kwaliteit@teijin.example", "info@norit.example"


def _day(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


def _audit() -> dict[str, object]:
    return {"id": os.urandom(8).hex(), "actor_id": "test", "actor_role": "admin",
            "action": "claim.declare", "entity": "claim", "entity_id": "x", "kvk_number": None,
            "before": None, "after": None}


def test_reminders_mailed_once_per_expiry_and_by_the_cli(driver: Driver, smtp: SmtpInbox,
                                                         neo4j_env: dict[str, str]) -> None:
    load_seed(driver)
    repo = ProfileRepository(driver)
    # Teijin signed up with an address; Norit has one on the company
    driver.execute_query("CREATE (:SignupRequest {id: 's1', kvk_number: $k, email: $e, "
                         "status: 'verified'})", k=TEIJIN, e=TEIJIN_MAIL)
    driver.execute_query("MATCH (c:Company {kvk_number: $k}) SET c.email = $e, "
                         "c.last_verified = datetime() - duration({days: 350})",
                         k=NORIT, e=NORIT_MAIL)
    repo.upsert_claim(TEIJIN, "iso9001", None, _day(10), "test", _audit())
    repo.upsert_claim(TEIJIN, "aqap2110", None, _day(200), "test", _audit())  # not yet due
    settings = Settings(profile_stale_days=365, profile_reminder_days=30,
                        mail=smtp.mail_settings())
    mailer = Mailer(settings.mail, OutboxRepository(driver))

    report = send_reminders(repo, mailer, settings)
    assert (report.claims, report.stale, report.mails) == (1, 1, 2), report
    [teijin] = smtp.wait_for(TEIJIN_MAIL)
    assert "ISO 9001" in teijin["Subject"] and _day(10) in teijin["Subject"]
    body = mail_text(teijin)
    assert "verloopt op" in body and "expires on" in body and "http://paraat.test/" in body
    [norit] = smtp.wait_for(NORIT_MAIL)
    assert "Norit" in norit["Subject"] and "verouderd" in mail_text(norit)

    # once per expiry date: nothing new on a second run, a new date gets a new reminder
    assert send_reminders(repo, mailer, settings).mails == 0
    repo.upsert_claim(TEIJIN, "iso9001", None, _day(20), "test", _audit())
    assert send_reminders(repo, mailer, settings).mails == 1
    assert len(smtp.wait_for(TEIJIN_MAIL, count=2)) == 2

    # the command: the same through real SMTP, a usage error on bad input
    repo.upsert_claim(TEIJIN, "iso9001", None, _day(5), "test", _audit())
    env = {**os.environ, **neo4j_env, "PARAAT_SMTP_HOST": smtp.host,
           "PARAAT_SMTP_PORT": str(smtp.port), "PARAAT_MAIL_FROM": "paraat@test.example"}
    run = subprocess.run([sys.executable, "-m", "app.cli", "reminders", "send", "--dry-run"],
                         capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "1 expiring claim" in run.stdout
    assert len(smtp.wait_for(TEIJIN_MAIL, count=2)) == 2  # a dry run sends nothing
    run = subprocess.run([sys.executable, "-m", "app.cli", "reminders", "send"],
                         capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "1 reminder mail" in run.stdout
    assert _day(5) in smtp.wait_for(TEIJIN_MAIL, count=3)[-1]["Subject"]
    run = subprocess.run([sys.executable, "-m", "app.cli", "reminders", "send", "--days", "-4"],
                         capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 2 and "--days" in run.stderr and "Traceback" not in run.stderr
