"""In the browser: a company sets its description to Defence only in its profile form, and an
anonymous reader's company page no longer shows it (the API leaves it out), while the name
stays. Same stack as test_e2e.py (real API, UI, Neo4j with the seed, Debian's chromium)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from neo4j import Driver

from app.services.users import UserCreate, create_user
from graph.repositories.users import UsersRepository
from tests.browser.test_e2e import (  # noqa: F401  (fixtures)
    SECRET,
    Stack,
    browser,
    choose,
    chromium,
    goto,
    login,
    logout,
    page,
    shot,
    stack,
)

pytestmark = [pytest.mark.browser, pytest.mark.integration]

TEIJIN = "99000001"
PRIVATE = "Japanse Teijin-concern"  # only in Teijin's Dutch description


def open_company(pg: Any, kvk: str) -> None:
    goto(pg, "Bedrijfsprofiel")
    box = pg.get_by_label("KvK-nummer")
    box.fill(kvk)
    box.press("Enter")
    pg.get_by_role("heading", name="Teijin Aramid").wait_for()


def test_defence_only_description_is_invisible_to_an_anonymous_reader(
        page: Any, stack: Stack, session_driver: Driver) -> None:  # noqa: F811
    _, token = create_user(UsersRepository(session_driver), UserCreate(
        name="Teijin kwaliteit", role="company", kvk_number=TEIJIN), SECRET)
    open_company(page, TEIJIN)
    page.get_by_text(PRIVATE, exact=False).first.wait_for()  # public before

    login(page, token)
    goto(page, "Bedrijf registreren / mijn profiel")
    page.get_by_text("Wie ziet wat").wait_for()
    choose(page, "Omschrijving", "alleen Defensie")
    choose(page, "Omschrijving (Engels)", "alleen Defensie")
    page.get_by_role("button", name="Zichtbaarheid opslaan").click()
    page.get_by_text("Opgeslagen.").wait_for()
    # a claim with its evidence, declared in the same page
    page.get_by_text("Certificeringen en verklaringen").first.wait_for()
    page.get_by_label("Code of nummer (optioneel)").fill("NL-QMS-77")
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(
        files=[{"name": "iso.pdf", "mimeType": "application/pdf",
                "buffer": b"%PDF-1.4\n%%EOF\n"}])
    page.get_by_text("iso.pdf").first.wait_for()  # uploaded to the UI before the submit
    page.get_by_role("button", name="Verklaring opslaan").click()
    claims: list[dict[str, Any]] = []
    for _ in range(120):  # the form's rerun writes the claim, then the evidence
        claims = httpx.get(f"{stack.api}/companies/{TEIJIN}", timeout=30, headers={
            "Authorization": f"Bearer {token}"}).json()["compliance_claims"]
        if claims and claims[0]["state"] == "evidence_uploaded":
            break
        page.wait_for_timeout(250)
    shot(page, "profiel-zichtbaarheid")
    assert [(x["kind"], x["value"], x["state"]) for x in claims] == [
        ("iso9001", "NL-QMS-77", "evidence_uploaded")]
    logout(page)

    open_company(page, TEIJIN)
    page.wait_for_timeout(500)
    assert PRIVATE not in page.inner_text("body")
    shot(page, "bedrijfsprofiel-anoniem")
    # the API agrees: nothing of the description for an anonymous reader, all for a scout
    anon = httpx.get(f"{stack.api}/companies/{TEIJIN}", timeout=30).json()
    assert anon["description"] is None and anon["description_en"] is None
    scout = httpx.get(f"{stack.api}/companies/{TEIJIN}", timeout=30, headers={
        "Authorization": f"Bearer {stack.tokens['scout']}"}).json()
    assert PRIVATE in scout["description"]
