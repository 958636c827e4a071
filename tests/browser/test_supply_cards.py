"""Issue 19 in headless Chromium: a site and a programme as search results, each card with its
kind (icon + label) and attributes (a site's area, access and co-use; a programme's level,
provider and status), and the explorer starting from a site. The same stack as test_e2e
(real API on the test Neo4j with the seed, real UI), started for this module."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.test_e2e import (  # noqa: F401  (fixtures)
    Stack,
    browser,
    chromium,
    goto,
    login,
    page,
    search,
    shot,
    stack,
)

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def card_of_first(pg: Any) -> Any:
    heading = pg.locator("h4").filter(has_text=re.compile(r"^1\. ")).first
    return pg.locator("[class*='st-key-hit_']").filter(has=heading).first


def test_a_site_result_card_shows_area_access_and_co_use(page: Any, stack: Stack) -> None:  # noqa: F811
    login(page, stack.tokens["bizdev"])
    goto(page, "Leveranciers zoeken")
    search(page, "100 hectare bij de A37")
    card = card_of_first(page)
    text = card.inner_text()
    assert "📍 locatie" in text, text
    assert "Rundedal" in text
    for label in ("Oppervlak:", "Ontsluiting:", "Medegebruik:"):
        assert label in text, text
    assert re.search(r"\d+ ha", text)
    assert "weg / snelweg" in text
    assert "Eisen uit de vraag" in text and "✓" in text
    assert card.get_by_role("button", name="Op shortlist zetten").count() == 0
    shot(page, "zoeken-locatie")


def test_a_programme_result_card_shows_level_provider_and_status(page: Any,  # noqa: F811
                                                                 stack: Stack) -> None:  # noqa: F811
    login(page, stack.tokens["bizdev"])
    goto(page, "Leveranciers zoeken")
    search(page, "opleiding voor reservisten")
    text = card_of_first(page).inner_text()
    assert "📚 programma" in text, text
    for label in ("Niveau:", "Aanbieder:", "Status:"):
        assert label in text, text
    shot(page, "zoeken-programma")


def test_the_explorer_starts_from_a_site(page: Any, stack: Stack) -> None:  # noqa: F811
    login(page, stack.tokens["bizdev"])
    goto(page, "Clusters verkennen")
    page.get_by_label(re.compile("^Zoek een startpunt")).fill("Rundedal")
    page.keyboard.press("Enter")
    page.get_by_text(re.compile(r"Uitgeklapt: .*Rundedal")).first.wait_for()
    shot(page, "verkennen-vanaf-locatie")
    page.get_by_text("Kaart", exact=True).click()
    page.get_by_text("Locaties", exact=True).wait_for()
    # The sites table is a data grid drawn after the heading: its accessible cells arrive a
    # moment later (an immediate count raced it in CI), so wait for the site's row.
    table = page.locator("[data-testid='stDataFrame']").last
    table.wait_for()
    table.get_by_text("Rundedal").first.wait_for(state="attached")
    assert table.get_by_text("Rundedal").count() >= 1
    shot(page, "kaart-locaties")
