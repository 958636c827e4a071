"""Sign-up in headless Chromium against the real API (`paraat serve api`, mail through the
test SMTP server on loopback) and the real UI: "Bedrijf registreren" without a token -> the
mail arrives -> its link opens the UI -> the token is shown once -> logging in with it works.
`sign_up()` is the reusable walk (the profile-visibility test continues from it)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from neo4j import Driver

from graph.schema import apply_schema, clear_graph
from graph.server import free_port

# The Chromium and Playwright fixtures of the main browser test, shared.
from tests.browser.test_e2e import (  # noqa: F401  (fixtures)
    SHOTS,
    WAIT_MS,
    _stop,
    _wait,
    browser,
    chromium,
    launch,
)
from tests.conftest import TEST_EMBEDDING, Neo4jTarget, SmtpInbox, mail_text

pytestmark = [pytest.mark.browser, pytest.mark.integration]

SECRET = "browser-signup-secret-0123456789"


@dataclass
class MailStack:
    api: str
    ui: str
    smtp: SmtpInbox


@pytest.fixture(scope="module")
def mail_stack(chromium: str, neo4j_target: Neo4jTarget,  # noqa: F811
               session_driver: Driver, smtp_server: SmtpInbox,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[MailStack]:
    clear_graph(session_driver)
    apply_schema(session_driver, TEST_EMBEDDING)
    api_port, ui_port = free_port(), free_port()
    api_url, ui_url = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{ui_port}"
    env = {**os.environ, "NEO4J_URI": neo4j_target.uri, "NEO4J_USER": neo4j_target.user,
           "NEO4J_PASSWORD": neo4j_target.password, "PARAAT_API_SECRET": SECRET,
           "PARAAT_API_RATE_LIMIT_PER_MINUTE": "0",
           "PARAAT_SMTP_HOST": smtp_server.host, "PARAAT_SMTP_PORT": str(smtp_server.port),
           "PARAAT_MAIL_FROM": "Paraat <paraat@test.example>", "PARAAT_PUBLIC_URL": ui_url,
           "PARAAT_DATA_DIR": str(tmp_path_factory.mktemp("paraat-data")),
           "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    logs = tmp_path_factory.mktemp("signup-logs")
    api, ui = launch(env, logs, api_port, ui_port)
    try:
        _wait(f"{api_url}/health", api, "the API")
        _wait(f"{ui_url}/_stcore/health", ui, "the UI")
        SHOTS.mkdir(parents=True, exist_ok=True)
        yield MailStack(api_url, ui_url, smtp_server)
    finally:
        _stop(ui)
        _stop(api)
        log = (logs / "api.log").read_text(encoding="utf-8", errors="replace")
        assert "Traceback" not in log, log[-3000:]


@pytest.fixture
def mail_page(browser: Any, mail_stack: MailStack) -> Iterator[Any]:  # noqa: F811
    ctx = browser.new_context(viewport={"width": 1400, "height": 1600}, locale="nl-NL")
    pg = ctx.new_page()
    pg.set_default_timeout(WAIT_MS)
    try:
        yield pg
    finally:
        ctx.close()


def sign_up(pg: Any, stack: MailStack, kvk: str, email: str) -> str:
    """Walk "Bedrijf registreren" without a token, open the mailed link, take the token shown
    once and log in with it; returns the token."""
    stack.smtp.clear()
    pg.goto(stack.ui)
    pg.get_by_test_id("stSidebarNav").get_by_role("link", name="Bedrijf registreren").click()
    pg.get_by_role("heading", name="Bedrijf registreren").first.wait_for()
    pg.get_by_label("KvK-nummer (8 cijfers)").fill(kvk)
    pg.get_by_label("Bedrijfsnaam").fill("Veenkoloniale Pantsertechniek B.V.")
    pg.get_by_label("Uw naam").fill("Jan Hoving")
    pg.get_by_label("E-mailadres").fill(email)
    pg.get_by_role("button", name="Link aanvragen").click()
    pg.get_by_text("Bekijk uw mail").wait_for()
    pg.screenshot(path=str(SHOTS / "signup-requested.png"), full_page=True)

    [mail] = stack.smtp.wait_for(email, timeout=60)
    text = mail_text(mail)
    assert "Beste Jan Hoving" in text and "Dear Jan Hoving" in text
    link = re.search(re.escape(stack.ui) + r"/aanmelden\?code=[A-Za-z0-9_-]+", text)
    assert link, text
    pg.goto(link.group(0))
    pg.get_by_role("button", name="Bevestigen en token ontvangen").click()
    pg.get_by_text("Uw toegangstoken").wait_for()
    token = str(pg.locator("[data-testid='stCode'] code").first.inner_text()).strip()
    assert token.startswith("pa_"), token
    pg.screenshot(path=str(SHOTS / "signup-token.png"), full_page=True)
    pg.get_by_role("button", name="Inloggen met dit token").click()
    pg.get_by_text("Ingelogd als").wait_for()
    return token


def test_sign_up_in_the_browser(mail_page: Any, mail_stack: MailStack,
                                session_driver: Driver) -> None:
    token = sign_up(mail_page, mail_stack, "12345670", "jan@veenpantser.example.nl")
    assert mail_page.get_by_text("bedrijf").count() > 0
    records, _, _ = session_driver.execute_query(
        "MATCH (u:User {role: 'company', kvk_number: '12345670'}) RETURN count(u) AS n")
    assert records[0]["n"] == 1
    assert token


def test_sign_up_then_keep_a_field_from_anonymous_readers(
        mail_page: Any, mail_stack: MailStack, session_driver: Driver) -> None:
    """Issue 20's walk in one go: a seed company without an account signs itself up (mail,
    link, token), sets its descriptions to Defence only in its profile form, and an anonymous
    reader's company page and the API no longer show them."""
    from ingest.seed import load_seed
    from tests.browser.test_e2e import choose, goto, logout

    load_seed(session_driver)  # the profiles; no account exists for Combimac
    kvk, private = "99000004", "pompen, ventilatoren, lieren"
    pg = mail_page
    token = sign_up(pg, mail_stack, kvk, "inkoop@combimac.example.nl")
    goto(pg, "Bedrijf registreren / mijn profiel")
    pg.get_by_text("Wie ziet wat").wait_for()
    choose(pg, "Omschrijving", "alleen Defensie")
    choose(pg, "Omschrijving (Engels)", "alleen Defensie")
    pg.get_by_role("button", name="Zichtbaarheid opslaan").click()
    pg.get_by_text("Opgeslagen.").wait_for()
    pg.screenshot(path=str(SHOTS / "signup-profile-visibility.png"), full_page=True)
    logout(pg)

    goto(pg, "Bedrijfsprofiel")
    box = pg.get_by_label("KvK-nummer")
    box.fill(kvk)
    box.press("Enter")
    pg.get_by_role("heading", name="Combimac").wait_for()
    pg.wait_for_timeout(500)
    assert private not in pg.inner_text("body")
    anon = httpx.get(f"{mail_stack.api}/companies/{kvk}", timeout=30).json()
    assert anon["name"] == "Combimac"
    assert anon["description"] is None and anon["description_en"] is None
    own = httpx.get(f"{mail_stack.api}/companies/{kvk}", timeout=30,
                    headers={"Authorization": f"Bearer {token}"}).json()
    assert private in own["description"]
