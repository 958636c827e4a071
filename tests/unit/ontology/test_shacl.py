"""Company-registration validation: shapes.ttl rules via pyshacl, mapped back to record fields."""

from __future__ import annotations

import math
import time
from typing import Any

import pytest
from rdflib import SH, Literal

from ontology.concepts import shapes_graph
from ontology.validation import (
    FIELDS,
    Violation,
    municipality_id,
    validate_companies,
    validate_company,
)
from ontology.vocab import PA

GOOD: dict[str, Any] = {
    "kvk_number": "99000001",
    "name": "Teijin Aramid",
    "description": "Productie van aramidevezels (Twaron) en pulp voor hightech en defensie.",
    "website": "https://www.teijinaramid.com/nl/",
    "employees": 1200,
    "municipality": "Emmen",
    "capabilities": ["aramid-fibres", "ballistic-protection"],
}

# Words that must appear in the nl and en message so a user knows which field failed.
FIELD_WORDS = {
    "kvk_number": ("KvK", "KvK"),
    "name": ("naam", "name"),
    "description": ("omschrijving", "description"),
    "website": ("website", "website"),
    "employees": ("medewerkers", "employees"),
    "capabilities": ("capability", "capability"),
    "municipality": ("gemeente", "municipality"),
}


def with_(**changes: Any) -> dict[str, Any]:
    record = dict(GOOD)
    for key, value in changes.items():
        if value is _DROP:
            record.pop(key)
        else:
            record[key] = value
    return record


_DROP = object()


def test_good_record_conforms() -> None:
    assert validate_company(GOOD) == []


@pytest.mark.parametrize(
    "record",
    [
        with_(website=_DROP, employees=_DROP, municipality=_DROP),
        with_(website=None, employees=None, municipality=""),
        with_(website=math.nan, employees=math.nan, municipality=math.nan),  # empty CSV cells
        with_(employees=0),
        with_(employees="12"),
        with_(employees=12.0),
        with_(kvk_number=" 01234567 "),
        with_(website="http://EXAMPLE.nl"),
        with_(website="https://sub.example.co.uk:8443/pad/naar?q=1#top"),
        with_(capabilities="aramid-fibres; night-vision"),
        with_(capabilities=("radar",)),
        with_(municipality="Aa en Hunze"),
        with_(name="x" * 200),
        with_(description="d" * 20),
        with_(description="d" * 5000),
        with_(unknown_key="ignored"),
    ],
)
def test_valid_variants_conform(record: dict[str, Any]) -> None:
    assert validate_company(record) == []


@pytest.mark.parametrize(
    ("record", "field", "value"),
    [
        pytest.param(with_(kvk_number=_DROP), "kvk_number", None, id="missing-kvk"),
        pytest.param(with_(kvk_number="   "), "kvk_number", None, id="blank-kvk"),
        pytest.param(with_(kvk_number="1234567"), "kvk_number", "1234567", id="7-digit-kvk"),
        pytest.param(with_(kvk_number="123456789"), "kvk_number", "123456789", id="9-digit-kvk"),
        pytest.param(with_(kvk_number="1234567A"), "kvk_number", "1234567A", id="letters-kvk"),
        pytest.param(with_(kvk_number=1234567), "kvk_number", "1234567", id="int-kvk-lost-zero"),
        pytest.param(with_(name=_DROP), "name", None, id="missing-name"),
        pytest.param(with_(name="  "), "name", None, id="blank-name"),
        pytest.param(with_(name="x" * 201), "name", "x" * 201, id="long-name"),
        pytest.param(with_(description=_DROP), "description", None, id="missing-description"),
        pytest.param(with_(description="Te kort."), "description", "Te kort.", id="short-desc"),
        pytest.param(with_(description="d" * 5001), "description", "d" * 5001, id="long-desc"),
        pytest.param(with_(website="www.example.nl"), "website", "www.example.nl", id="no-scheme"),
        pytest.param(with_(website="ftp://example.nl"), "website", "ftp://example.nl", id="ftp"),
        pytest.param(with_(website="https://"), "website", "https://", id="no-host"),
        pytest.param(
            with_(website="https://localhost"), "website", "https://localhost", id="no-tld"
        ),
        pytest.param(
            with_(website="javascript:alert(1)"), "website", "javascript:alert(1)", id="js-url"
        ),
        pytest.param(
            with_(website="https://exa mple.nl"), "website", "https://exa mple.nl", id="space-url"
        ),
        pytest.param(with_(employees=-1), "employees", "-1", id="negative-employees"),
        pytest.param(with_(employees="veel"), "employees", "veel", id="text-employees"),
        pytest.param(with_(employees=2.5), "employees", "2.5", id="fraction-employees"),
        pytest.param(with_(employees=True), "employees", "True", id="bool-employees"),
        pytest.param(with_(capabilities=[]), "capabilities", None, id="no-capability"),
        pytest.param(with_(capabilities=_DROP), "capabilities", None, id="missing-capabilities"),
        pytest.param(
            with_(capabilities=["aramid-fibres", "laser-swords"]),
            "capabilities",
            "laser-swords",
            id="unknown-capability",
        ),
        pytest.param(
            with_(capabilities=["quantumtechnologie"]),
            "capabilities",
            "quantumtechnologie",
            id="nld-area-is-not-a-capability",
        ),
        pytest.param(
            with_(capabilities=["https://example.org/armour"]),
            "capabilities",
            "https://example.org/armour",
            id="foreign-iri",
        ),
        pytest.param(with_(municipality="!!!"), "municipality", "!!!", id="bad-municipality"),
    ],
)
def test_each_rule_rejects_with_bilingual_field_message(
    record: dict[str, Any], field: str, value: str | None
) -> None:
    violations = validate_company(record)
    assert len(violations) == 1, violations
    v = violations[0]
    assert v.field == field
    assert v.value == value
    word_nl, word_en = FIELD_WORDS[field]
    assert word_nl.lower() in v.message_nl.lower()
    assert word_en.lower() in v.message_en.lower()
    assert v.message_nl != v.message_en  # really two languages, not a copy


def test_required_and_format_messages_differ() -> None:
    (missing,) = validate_company(with_(kvk_number=_DROP))
    (malformed,) = validate_company(with_(kvk_number="123"))
    assert "verplicht" in missing.message_nl and "required" in missing.message_en
    assert "8 cijfers" in malformed.message_nl and "8 digits" in malformed.message_en


def test_all_problems_reported_in_field_order() -> None:
    record = {
        "kvk_number": "12AB",
        "description": "kort",
        "website": "www.x.nl",
        "employees": -3,
        "capabilities": ["radar", "laser-swords", "flux-capacitor"],
    }
    violations = validate_company(record)
    assert [(v.field, v.value) for v in violations] == [
        ("kvk_number", "12AB"),
        ("name", None),
        ("description", "kort"),
        ("website", "www.x.nl"),
        ("employees", "-3"),
        ("capabilities", "flux-capacitor"),
        ("capabilities", "laser-swords"),
    ]
    assert all(isinstance(v, Violation) for v in violations)


def test_empty_record_lists_every_required_field() -> None:
    fields = {v.field for v in validate_company({})}
    assert fields == {"kvk_number", "name", "description", "capabilities"}


def test_batch_maps_results_to_record_index() -> None:
    records = [GOOD, with_(kvk_number="1"), GOOD, with_(capabilities=["nope"], name="")]
    result = validate_companies(records)
    assert set(result) == {0, 1, 2, 3}
    assert result[0] == [] and result[2] == []
    assert [v.field for v in result[1]] == ["kvk_number"]
    assert [v.field for v in result[3]] == ["name", "capabilities"]
    assert validate_companies([]) == {}


def test_batch_agrees_with_single_validation() -> None:
    records = [with_(employees=-5), with_(website="nope"), GOOD]
    batch = validate_companies(records)
    assert [batch[i] for i in range(3)] == [validate_company(r) for r in records]


def test_validation_is_fast_enough_for_row_by_row_import() -> None:
    validate_company(GOOD)  # warm caches (Turtle parsing)
    bad = with_(kvk_number="x", capabilities=["nope"])
    start = time.perf_counter()
    for _ in range(20):
        validate_company(GOOD)
        validate_company(bad)
    per_record = (time.perf_counter() - start) / 40
    assert per_record < 0.1, f"{per_record * 1000:.1f} ms per record"  # target < 20 ms


def test_every_shape_rule_has_path_and_bilingual_message() -> None:
    g = shapes_graph()
    (company_shape,) = g.subjects(SH.targetClass, PA.Company)
    field_shapes = list(g.objects(company_shape, SH.property))
    assert len(field_shapes) == 11
    assert {g.value(s, SH.path) for s in field_shapes} == set(FIELDS.values())
    for shape in g.objects(None, SH.property):  # including nested ones
        assert g.value(shape, SH.path) is not None, shape
        langs = {m.language for m in g.objects(shape, SH.message) if isinstance(m, Literal)}
        assert {"nl", "en"} <= langs, shape


def test_municipality_id() -> None:
    assert municipality_id("Aa en Hunze") == "aa-en-hunze"
    assert municipality_id("Midden-Drenthe") == "midden-drenthe"
    assert municipality_id("'s-Hertogenbosch") == "s-hertogenbosch"
    assert municipality_id("Súdwest-Fryslân") == "sudwest-fryslan"
    assert municipality_id("!!!") == ""
