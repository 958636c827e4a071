"""The `mail` settings section reads the documented variables; without an SMTP host mail goes
to the log."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from core.settings import MailSettings, Settings


def test_mail_section_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in {"PARAAT_SMTP_HOST": "smtp.drenthe.nl", "PARAAT_SMTP_PORT": "587",
                 "PARAAT_SMTP_USER": "paraat", "PARAAT_SMTP_PASSWORD": "geheim",
                 "PARAAT_SMTP_STARTTLS": "true", "PARAAT_MAIL_FROM": "Paraat <p@drenthe.nl>",
                 "PARAAT_PUBLIC_URL": "https://paraat.drenthe.nl/",
                 "PARAAT_MAIL_RETRY_SECONDS": "30"}.items():
        monkeypatch.setenv(k, v)
    m = Settings().mail
    assert (m.smtp_host, m.smtp_port, m.smtp_user, m.smtp_starttls) == \
        ("smtp.drenthe.nl", 587, "paraat", True)
    assert m.smtp_password is not None and m.smtp_password.get_secret_value() == "geheim"
    assert "geheim" not in repr(m)
    assert m.public_url == "https://paraat.drenthe.nl" and m.retry_seconds == 30
    assert not m.log_only


def test_without_a_host_mail_is_logged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARAAT_SMTP_HOST", "  ")
    assert MailSettings().log_only


def test_a_public_url_needs_a_scheme() -> None:
    with pytest.raises(ValidationError):
        MailSettings(public_url="paraat.drenthe.nl")
