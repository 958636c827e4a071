"""What a site's, programme's and facility's card shows (app/ui/supply.py), in Dutch."""

from __future__ import annotations

from app.ui import supply


def test_a_site_card_shows_area_access_and_co_use() -> None:
    lines = dict(supply.attribute_lines("site", {
        "area_ha": 150.0, "access": ["road", "rail"], "co_use": "limited",
        "status": "available", "zoning": "XXL-bedrijventerrein"}))
    assert lines["Oppervlak"] == "150 ha"
    assert lines["Ontsluiting"] == "weg / snelweg, spoor"
    assert lines["Medegebruik"] == "beperkt (afgebakend)"
    assert lines["Status"] == "beschikbaar" and lines["Bestemming"] == "XXL-bedrijventerrein"


def test_a_site_without_attributes_says_they_are_unknown() -> None:
    lines = dict(supply.attribute_lines("site", {}))
    assert [lines[k] for k in ("Oppervlak", "Ontsluiting", "Medegebruik")] == ["onbekend"] * 3


def test_a_programme_card_shows_level_provider_and_status() -> None:
    lines = dict(supply.attribute_lines("programme", {
        "level": ["HBO", "WO"], "providers": ["NHL Stenden", "Rijksuniversiteit Groningen"],
        "status": "in_development"}))
    assert lines == {"Niveau": "HBO, WO",
                     "Aanbieder": "NHL Stenden, Rijksuniversiteit Groningen",
                     "Status": "in ontwikkeling"}


def test_kind_labels_have_an_icon_and_companies_no_extra_lines() -> None:
    assert supply.kind_label("site") == "📍 locatie"
    assert supply.kind_label("programme") == "📚 programma"
    assert supply.kind_label(None) == "🏭 bedrijf"
    assert supply.attribute_lines("company", {"area_ha": 3}) == []
    md = supply.attributes_markdown("facility", {"kind": "production", "status": "running"})
    assert "**Soort faciliteit:** production" in md and "loopt" in md
