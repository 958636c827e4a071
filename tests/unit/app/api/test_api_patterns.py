"""The API schema says exactly what the server checks (issue 17): for generated input,
jsonschema_rs (the validator schemathesis and other schema tools use, with ECMA regexes and
\\p{L}) accepts a field's value exactly when the server does. A difference either way is a
schema-valid request refused or a schema-invalid one accepted."""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter, ValidationError

from app.api.list_models import LoketCreate, ShortlistCreate, WatchlistCreate
from app.api.models import Instant, RegistrationCreate, Rejection
from app.services.users import UserCreate
from matching import lexical
from matching.models import MatchRequest
from ontology.validation import validate_company

# What the rules turn on: whitespace pydantic strips and Python's isspace also counts, control
# characters, letters of several scripts, digits and number-like letters.
EDGE = list("\t\n\r \x0b\x0c\x1c\x1f\x00\x08\x7f\x85\xa0\u2000\u2028\u3000\ufeff"
            "aZéßЖ中½²Ⅻ0-./:?#@hHtTpPsS")
# Unassigned in Python's Unicode database (Cn) is left out: a letter added in a later Unicode
# version than Python 3.11's is one to the Rust regex engine and not (yet) to Python.
CHARS = st.sampled_from(EDGE) | st.characters(exclude_categories=("Cs", "Cn"))
TEXTS = st.text(CHARS, max_size=12) | st.text(st.sampled_from(EDGE), min_size=195,
                                              max_size=205)
FAST = settings(max_examples=300, derandomize=True, deadline=None)


@cache
def _validator(model: type[BaseModel]) -> Any:
    return jsonschema_rs.validator_for(model.model_json_schema())


def _schema_accepts(model: type[BaseModel], body: dict[str, Any]) -> bool:
    return bool(_validator(model).is_valid(body))


def _server_accepts(model: type[BaseModel], body: dict[str, Any]) -> bool:
    try:
        model.model_validate(body)
    except ValidationError:
        return False
    return True


FIELDS: list[tuple[type[BaseModel], dict[str, Any], str]] = [
    (LoketCreate, {"kind": "idee", "title": "t", "text": "ab"}, "title"),
    (LoketCreate, {"kind": "idee", "title": "t", "text": "ab"}, "text"),
    (WatchlistCreate, {"name": "n", "question": "ab"}, "name"),
    (WatchlistCreate, {"name": "n", "question": "ab"}, "question"),
    (ShortlistCreate, {"name": "n"}, "question"),
    (Rejection, {"reason": "r"}, "reason"),
    (MatchRequest, {"question": "ab"}, "question"),
    (UserCreate, {"name": "n", "role": "admin"}, "name"),
    (RegistrationCreate, {"kvk_number": "12345678", "name": "Bedrijf", "capabilities": ["radar"],
                          "description": "Wij maken sensoren voor drones."}, "municipality"),
]


@pytest.mark.parametrize("case", FIELDS, ids=[f"{c[0].__name__}.{c[2]}" for c in FIELDS])
def test_a_text_field_schema_agrees_with_the_model(
        case: tuple[type[BaseModel], dict[str, Any], str]) -> None:
    model, base, field = case
    assert _schema_accepts(model, base) and _server_accepts(model, base)

    @FAST
    @given(value=TEXTS)
    def agrees(value: str) -> None:
        body = {**base, field: value}
        assert _schema_accepts(model, body) == _server_accepts(model, body), repr(value)

    agrees()


def _shacl_accepts(field: str, value: str) -> bool:
    body = {"kvk_number": "12345678", "name": "Bedrijf", "capabilities": ["radar"],
            "description": "Wij maken sensoren voor drones.", field: value}
    try:
        profile = RegistrationCreate.model_validate(body)
    except ValidationError:
        return False
    return not validate_company(profile.model_dump())


WEBSITES = st.builds("".join, st.lists(st.sampled_from(
    ["http", "HTTPS", "s", "://", "www", ".", "example", "nl", "/", "?", "#", "@", " ", "\t",
     "\u3000", "\x0b", "a", "é"]), max_size=9))


@pytest.mark.parametrize("field", ["name", "description", "website"])
def test_the_shacl_rules_in_the_schema_agree_with_the_shapes(field: str) -> None:
    base = {"kvk_number": "12345678", "name": "Bedrijf", "capabilities": ["radar"],
            "description": "Wij maken sensoren voor drones."}
    values = WEBSITES if field == "website" else TEXTS | st.text(CHARS, min_size=15,
                                                                   max_size=25)

    @settings(max_examples=150, derandomize=True, deadline=None)
    @given(value=values)
    def agrees(value: str) -> None:
        schema = _schema_accepts(RegistrationCreate, {**base, field: value})
        assert schema == _shacl_accepts(field, value), repr(value)

    agrees()


TIMES = st.builds(
    "{:04d}-{:02d}-{:02d}{}".format, st.integers(0, 9999), st.integers(0, 13),
    st.integers(0, 32),
    st.none().map(lambda _: "") | st.builds(
        "T{:02d}:{:02d}{}{}".format, st.integers(0, 24), st.integers(0, 60),
        st.sampled_from(["", ":00", ":59.5", ":01.123456789", ":60"]),
        st.sampled_from(["", "Z", "z"]) | st.builds(
            "{}{:02d}:{:02d}".format, st.sampled_from("+-"), st.integers(0, 24),
            st.integers(0, 60))))


@FAST
@given(value=TIMES | st.text(CHARS, max_size=12))
def test_the_time_pattern_agrees_with_the_parser(value: str) -> None:
    pattern = TypeAdapter(Instant).json_schema()
    try:
        TypeAdapter(Instant).validate_python(value)
        parsed = True
    except ValidationError:
        parsed = False
    assert bool(jsonschema_rs.validator_for(pattern).is_valid(value)) == parsed, value


@given(value=st.text(CHARS, max_size=8))
@settings(max_examples=300, derandomize=True)
def test_has_word_is_the_word_pattern(value: str) -> None:
    schema = jsonschema_rs.validator_for({"type": "string", "pattern": lexical.WORD_PATTERN})
    assert lexical.has_word(value) == schema.is_valid(value), repr(value)
