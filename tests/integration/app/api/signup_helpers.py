"""What the sign-up and anonymous-loket tests share: an API whose mail goes to the test SMTP
server, and the codes read from the mails that arrive there."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from neo4j import Driver

from app.api.main import create_app
from core.settings import ApiSettings, Settings
from tests.conftest import Neo4jTarget, SmtpInbox, mail_text, neo4j_settings
from tests.integration.api_helpers import SECRET


def mail_app(target: Neo4jTarget, driver: Driver, smtp: SmtpInbox, **api: Any) -> FastAPI:
    settings = Settings(neo4j=neo4j_settings(target),
                        api=ApiSettings(secret=SECRET, rate_limit_per_minute=0, **api),
                        mail=smtp.mail_settings())
    return create_app(settings, driver)


def code_from(message: Any, path: str) -> str:
    """The one-time code in the link `{public_url}/{path}?code=…` of a received mail."""
    text = mail_text(message)
    found = re.search(r"http://paraat\.test/" + re.escape(path) + r"\?code=([A-Za-z0-9_-]+)",
                      text)
    assert found, text
    return found.group(1)


def count(driver: Driver, query: str, **params: Any) -> int:
    records, _, _ = driver.execute_query(query, params)
    return int(records[0][0])
