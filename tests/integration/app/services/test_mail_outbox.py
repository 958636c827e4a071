"""The mailer against a real SMTP server on loopback (aiosmtpd) and the real outbox in Neo4j:
delivered mails, bilingual text, a failed send kept and retried, log-only mode."""

from __future__ import annotations

import logging

import pytest
from neo4j import Driver

from app.services.mail import ENGLISH_BELOW, Mail, Mailer, valid_address
from core.settings import MailSettings
from graph.repositories.outbox import OutboxRepository
from graph.server import free_port
from tests.conftest import SmtpInbox, mail_text

pytestmark = pytest.mark.integration


def a_mail(to: str = "ondernemer@example.nl") -> Mail:
    return Mail(to=to, subject_nl="Uw code", subject_en="Your code",
                body_nl="Beste ondernemer, uw code is 1234.", body_en="Dear entrepreneur, "
                "your code is 1234.", kind="test", ref="r1")


def test_a_mail_arrives_in_dutch_with_english_below(driver: Driver, smtp: SmtpInbox) -> None:
    mailer = Mailer(smtp.mail_settings(), OutboxRepository(driver))
    row = mailer.send(a_mail())
    assert row["status"] == "sent" and row["attempts"] == 1
    [msg] = smtp.wait_for("ondernemer@example.nl")
    assert msg["Subject"] == "Uw code / Your code"
    assert msg["From"] == "Paraat <paraat@test.example>"
    text = mail_text(msg)
    assert text.index("Beste ondernemer") < text.index(ENGLISH_BELOW) < text.index("Dear")
    stored = OutboxRepository(driver).get(row["id"])
    assert stored is not None and stored["status"] == "sent" and stored["body"] is None


def test_a_failed_send_is_kept_reported_and_retried(driver: Driver, smtp: SmtpInbox,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    dead = MailSettings(smtp_host="127.0.0.1", smtp_port=free_port(), attempts_per_try=2,
                        smtp_timeout=2, retry_seconds=300, max_attempts=5)
    outbox = OutboxRepository(driver)
    with caplog.at_level(logging.ERROR, logger="app.services.mail"):
        row = Mailer(dead, outbox).send(a_mail("later@example.nl"))
    assert row["status"] == "failed" and row["attempts"] == 2
    assert "ConnectionRefusedError" in (row["last_error"] or "")
    assert any("failed after 2 attempt" in r.getMessage() for r in caplog.records)
    total, listed = outbox.page("failed", None, 10, 0)
    assert total == 1 and listed[0]["to"] == "later@example.nl"

    # Not due yet: the retry waits retry_seconds; then the live server gets it.
    live = Mailer(smtp.mail_settings(retry_seconds=300, max_attempts=5), outbox)
    assert live.retry_due() == {"sent": 0, "logged": 0, "failed": 0}
    driver.execute_query("MATCH (m:OutboxMail) SET m.next_attempt_at = datetime() "
                         "- duration('PT1S')")
    assert live.retry_due()["sent"] == 1
    smtp.wait_for("later@example.nl")
    stored = outbox.get(row["id"])
    assert stored is not None and stored["status"] == "sent" and stored["attempts"] == 3
    assert live.retry_due()["sent"] == 0  # sent once, never again


def test_gives_up_after_max_attempts(driver: Driver) -> None:
    dead = MailSettings(smtp_host="127.0.0.1", smtp_port=free_port(), attempts_per_try=1,
                        smtp_timeout=2, retry_seconds=300, max_attempts=2)
    outbox = OutboxRepository(driver)
    mailer = Mailer(dead, outbox)
    row = mailer.send(a_mail())
    driver.execute_query("MATCH (m:OutboxMail) SET m.next_attempt_at = datetime() "
                         "- duration('PT1S')")
    assert mailer.retry_due()["failed"] == 1
    driver.execute_query("MATCH (m:OutboxMail) SET m.next_attempt_at = datetime() "
                         "- duration('PT1S')")
    assert mailer.retry_due() == {"sent": 0, "logged": 0, "failed": 0}
    stored = outbox.get(row["id"])
    assert stored is not None and stored["status"] == "failed" and stored["attempts"] == 2


def test_without_smtp_the_mail_goes_to_the_log(driver: Driver,
                                               caplog: pytest.LogCaptureFixture) -> None:
    mailer = Mailer(MailSettings(smtp_host=None), OutboxRepository(driver))
    assert mailer.log_only and "written to the API's log" in mailer.describe()
    with caplog.at_level(logging.WARNING, logger="app.services.mail"):
        row = mailer.send(a_mail())
    assert row["status"] == "logged"
    assert any("Beste ondernemer" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("address,ok", [
    ("a@b.nl", True), ("info@bedrijf.example.com", True), ("no-at.nl", False),
    ("a@b", False), ("a@b.nl\r\nBcc: x@y.nl", False), ("A <a@b.nl>", False), ("", False),
    ("a@b.nl\n", False), ("é@ü.nl", False), ("a@b..nl", False),
])
def test_valid_address(address: str, ok: bool) -> None:
    assert valid_address(address) is ok
