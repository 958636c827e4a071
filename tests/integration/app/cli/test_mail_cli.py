"""`paraat mail test|outbox|retry` as an admin runs them: a real process, the test Neo4j and
the test SMTP server; bad input is one line and exit code 1."""

from __future__ import annotations

import subprocess
import sys

import pytest
from neo4j import Driver

from graph.server import free_port
from tests.conftest import SmtpInbox

pytestmark = pytest.mark.integration


def paraat(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app.cli", "mail", *args], env=env,
                          capture_output=True, text=True, timeout=120)


def test_mail_test_outbox_and_retry(driver: Driver, neo4j_env: dict[str, str],
                                    smtp: SmtpInbox) -> None:
    import os

    base = {**os.environ, **neo4j_env, "PARAAT_SMTP_HOST": smtp.host,
            "PARAAT_MAIL_ATTEMPTS_PER_TRY": "1", "PARAAT_SMTP_TIMEOUT": "3"}
    ok = paraat({**base, "PARAAT_SMTP_PORT": str(smtp.port)}, "test", "beheer@drenthe.example")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("sent")
    assert "Paraat" in smtp.wait_for("beheer@drenthe.example")[0]["Subject"]

    dead = paraat({**base, "PARAAT_SMTP_PORT": str(free_port())}, "test", "x@drenthe.example")
    # The mailer's ERROR report, then the command's one line.
    assert dead.returncode == 1 and "Traceback" not in dead.stderr
    assert dead.stderr.strip().splitlines()[-1].startswith("paraat: the test mail failed")
    listed = paraat(base, "outbox", "--status", "failed")
    assert listed.returncode == 0 and "x@drenthe.example" in listed.stdout
    assert "ConnectionRefusedError" in listed.stdout

    driver.execute_query("MATCH (m:OutboxMail) SET m.next_attempt_at = datetime() - "
                         "duration('PT1S')")
    again = paraat({**base, "PARAAT_SMTP_PORT": str(smtp.port)}, "retry")
    assert again.returncode == 0 and "sent: 1" in again.stdout, again.stdout + again.stderr
    smtp.wait_for("x@drenthe.example")

    bad = paraat(base, "outbox", "--status", "lost")
    assert bad.returncode == 1 and bad.stderr.strip().startswith("paraat:")
    bad = paraat(base, "test", "not an address")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
