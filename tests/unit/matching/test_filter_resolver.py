"""The filter resolver (matching.filters), pure: ids and names in, ids or one clear error out."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from core.errors import ValidationError
from matching.errors import FilterError
from matching.filters import Choice, Choices, resolve_values, vocabulary
from matching.models import MatchFilters
from ontology.taxonomy import load_taxonomy

SEED = Path(__file__).resolve().parents[3] / "ingest" / "data" / "seed"


def _seed(name: str) -> list[Choice]:
    with open(SEED / f"{name}.csv", encoding="utf-8") as f:
        return [Choice(r["id"], (r["name"],)) for r in csv.DictReader(f)]


@pytest.fixture(scope="module")
def vocab() -> dict[str, Choices]:
    """The taxonomy's NLD areas and capabilities, and the seed's municipalities and clusters
    (what the graph holds after `paraat ingest seed`)."""
    out: dict[str, Choices] = dict(vocabulary(None, load_taxonomy(),
                                              ["nld_areas", "capabilities"]))
    out["municipalities"] = Choices("municipalities", _seed("municipalities"))
    out["clusters"] = Choices("clusters", _seed("clusters"))
    return out


@pytest.mark.parametrize("value", [
    "emmen", "Emmen", "EMMEN", " Emmen ", "émmen"])
def test_municipality_by_id_or_name_in_any_case_and_accent(vocab: dict[str, Choices],
                                                           value: str) -> None:
    assert resolve_values({"municipalities": [value]}, vocab) == {"municipalities": ["emmen"]}


@pytest.mark.parametrize("value,expected", [
    ("De Wolden", "de-wolden"), ("de-wolden", "de-wolden"), ("de wolden", "de-wolden"),
    ("DeWolden", "de-wolden"), ("Aa en Hunze", "aa-en-hunze"), ("aa-en-hunze", "aa-en-hunze"),
    ("Borger-Odoorn", "borger-odoorn"), ("borger odoorn", "borger-odoorn"),
])
def test_spaces_and_hyphens_fold(vocab: dict[str, Choices], value: str, expected: str) -> None:
    assert vocab["municipalities"].resolve(value) == expected


@pytest.mark.parametrize("value,expected", [
    ("sensoren", "sensoren"), ("Sensoren", "sensoren"), ("Sensors", "sensoren"),
    ("sensors", "sensoren"), ("Slimme materialen", "slimme-materialen"),
    ("smart materials", "slimme-materialen"), ("Intelligent Systems", "intelligente-systemen"),
])
def test_nld_area_by_dutch_or_english_label(vocab: dict[str, Choices], value: str,
                                            expected: str) -> None:
    assert vocab["nld_areas"].resolve(value) == expected


def test_capability_by_id_or_label_in_both_languages(vocab: dict[str, Choices]) -> None:
    tax = load_taxonomy()
    for concept in tax.capabilities.values():
        for label in (concept.id, concept.label("nl"), concept.label("en"),
                      concept.label("en").upper(), concept.label("nl").replace(" ", "-")):
            got = vocab["capabilities"].resolve(label)
            # a label two concepts share resolves to one of them, never to nothing
            assert got is not None, label
            if got != concept.id:
                other = tax.capabilities[got]
                assert label.casefold().replace("-", " ") in {
                    lb.casefold().replace("-", " ") for lb in (other.id, *other.all_labels())
                } or label == concept.id, (label, got)
    aramid = vocab["capabilities"].resolve("Aramid fibres")
    assert aramid == "aramid-fibres"


def test_cluster_by_id_or_name(vocab: dict[str, Choices]) -> None:
    assert vocab["clusters"].resolve("Greenwise Campus") == "greenwise-campus"
    assert vocab["clusters"].resolve("greenwise-campus") == "greenwise-campus"
    assert vocab["clusters"].resolve("GREENWISE campus") == "greenwise-campus"


def test_resolution_keeps_order_drops_duplicates_and_empty_lists(
        vocab: dict[str, Choices]) -> None:
    got = resolve_values({"municipalities": ["Emmen", "assen", "emmen", "EMMEN"],
                          "clusters": [], "nld_areas": None}, vocab)
    assert got == {"municipalities": ["emmen", "assen"], "clusters": None, "nld_areas": None}


def test_unknown_value_is_one_line_naming_close_choices(vocab: dict[str, Choices]) -> None:
    with pytest.raises(FilterError) as e:
        resolve_values({"municipalities": ["Emen"]}, vocab)
    msg = str(e.value)
    assert "\n" not in msg and "'Emen'" in msg and "municipality" in msg
    assert "Emmen (emmen)" in msg
    assert isinstance(e.value, ValidationError)  # the API answers 422


def test_every_unknown_value_of_every_filter_is_named_once(vocab: dict[str, Choices]) -> None:
    with pytest.raises(FilterError) as e:
        resolve_values({"municipalities": ["Emmen", "Atlantis"], "nld_areas": ["sensorz"],
                        "capabilities": ["nachtzicht", "zzzqqq"], "clusters": ["greenwise"]},
                       vocab)
    msg = str(e.value)
    assert "\n" not in msg
    for bad in ("'Atlantis'", "'sensorz'", "'zzzqqq'", "'greenwise'"):
        assert msg.count(bad) == 1, bad
    assert "'Emmen'" not in msg and "'nachtzicht'" not in msg
    assert "Sensoren / Sensors (sensoren)" in msg
    assert "(greenwise-campus)" in msg


def test_a_value_far_from_everything_still_names_valid_choices(
        vocab: dict[str, Choices]) -> None:
    msg = vocab["nld_areas"].unknown("§§§")
    named = [c.id for c in vocab["nld_areas"].choices if f"({c.id})" in msg]
    assert len(named) == 3


def test_graph_kinds_need_the_graph() -> None:
    with pytest.raises(ValueError, match="needs the graph"):
        vocabulary(None, load_taxonomy(), ["municipalities"])


def test_match_filters_unchanged_without_values() -> None:
    from matching.filters import resolve_filters

    f = MatchFilters(min_employees=5)
    assert resolve_filters(f, None, load_taxonomy()) is f
    got = resolve_filters(MatchFilters(nld_areas=["Sensors"], capabilities=["Nachtzicht"]),
                          None, load_taxonomy())
    assert got.nld_areas == ["sensoren"] and got.capabilities == ["night-vision"]


def test_a_long_or_odd_value_is_echoed_short_and_escaped(vocab: dict[str, Choices]) -> None:
    msg = vocab["municipalities"].unknown("x\n" * 500)
    assert "\n" not in msg and len(msg) < 400
    with pytest.raises(FilterError):
        resolve_values({"municipalities": ["", "  -- "]}, vocab)
