"""Area and access recognised in a question's text, and how they weigh on a node."""

from __future__ import annotations

import pytest

from matching.constraints import (
    LIFT,
    MISS,
    Constraints,
    check,
    parse_constraints,
    resolve_access,
    resolve_kinds,
)


@pytest.mark.parametrize(("text", "area"), [
    ("100 hectare voor grootschalige productie", 100.0),
    ("100 ha bij de A37", 100.0),
    ("we need 50 hectares next to a motorway", 50.0),
    ("een terrein van 12,5 ha", 12.5),
    ("1.500 ha", 1500.0),
    ("50.000 m2 bedrijfsruimte", 5.0),
    ("2 km² oefenterrein", 200.0),
    ("tussen 20 ha en 80 hectare", 80.0),
])
def test_area_is_read_in_hectares(text: str, area: float) -> None:
    c = parse_constraints(text)
    assert c.min_area_ha == pytest.approx(area)
    assert c.matched["area"]


@pytest.mark.parametrize("text", [
    "100 onderdelen per week", "drones voor surveillance", "hardheid 60 HRC", "a 100 ton press"])
def test_numbers_without_an_area_unit_are_no_area(text: str) -> None:
    assert parse_constraints(text).min_area_ha is None


@pytest.mark.parametrize(("text", "modes"), [
    ("terrein met spooraansluiting", ("rail",)),
    ("a site with rail access", ("rail",)),
    ("locatie aan de binnenvaart", ("water",)),
    ("a site next to an inland waterway", ("water",)),
    ("bereikbaar over water", ("water",)),
    ("100 hectare bij de A37", ("road",)),
    ("een kavel direct aan de snelweg", ("road",)),
    ("a plot close to a motorway and a railway", ("road", "rail")),
    ("a location with road and rail", ("road", "rail")),
    ("ruimte voor een hangaar op een luchthaven", ("air",)),
    ("a site with air access", ("air",)),
    ("Euroterminal: overslag tussen spoor, binnenvaart en weg", ("rail", "water")),
])
def test_access_modes_are_recognised(text: str, modes: tuple[str, ...]) -> None:
    assert parse_constraints(text).access == modes


@pytest.mark.parametrize("text", [
    "waterzuivering voor kampementen", "water purification units", "waterstof opslag",
    "air defence radar", "luchtverdediging", "supplier of composite parts", "support",
    "opleiding voor reservisten",
    # an access word in a question about a company's service, not about a place
    "Moving heavy equipment by rail and inland waterway towards Germany",
    "Temperature-controlled road transport of medicines", "off-road vehicle for a site",
    "Snelle boten voor patrouilles op binnenwateren en in havens",
    "water en medicijnen naar een afgelegen eenheid"])
def test_no_access_where_none_is_asked(text: str) -> None:
    assert parse_constraints(text).access == ()


def test_a_site_meeting_the_constraints_is_lifted_and_one_missing_them_lowered() -> None:
    c = parse_constraints("100 hectare bij de A37")
    factor, found = check({"area_ha": 150, "access": ["road", "rail"]}, c)
    assert factor == pytest.approx(1 + LIFT)
    assert [f["met"] for f in found] == [True, True]
    assert "150 ha voldoet" in found[0]["text"]
    factor, found = check({"area_ha": 20, "access": ["road"]}, c, lang="en")
    assert factor == MISS
    assert "too small" in found[0]["text"]
    # a company has neither attribute: left alone, but the explanation says so
    factor, found = check({}, c)
    assert factor == 1.0 and [f["met"] for f in found] == [None, None]
    assert check({"area_ha": 150}, Constraints()) == (1.0, [])


def test_access_stored_as_text_counts_too() -> None:
    factor, _ = check({"access": "road;water"}, parse_constraints("een terrein aan het water"))
    assert factor > 1


def test_filter_values_resolve_by_dutch_and_english_names() -> None:
    assert resolve_access(["spoor", "Binnenvaart", "road", "rail"]) == (
        ["rail", "water", "road"], [])
    assert resolve_access(["teleport"]) == ([], ["teleport"])
    assert resolve_access(None) == (None, [])
    assert resolve_kinds(["site", "Programme", "sites", "KnowledgeInstitution"]) == (
        ["site", "programme", "institution"], [])
    assert resolve_kinds(["spaceship"]) == ([], ["spaceship"])
