"""Property-based tests (hypothesis) for the registry importer's parsing and validation:
whatever bytes, encodings, delimiters and rows come in, the reader either returns rows or
raises IngestError (the documented error), validation puts every row either among the
accepted records or among the rejections, and valid records survive the round trip."""

from __future__ import annotations

import csv
import io
import string
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ingest.errors import IngestError
from ingest.readers import RawRow, read_registry
from ingest.registry import normalise_kvk, validate_rows
from ontology.taxonomy import load_taxonomy

TAX = load_taxonomy()
DELIMITERS = [";", ",", "\t", "|"]
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252"]
PROPS = settings(max_examples=40, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _write(data: bytes, suffix: str = ".csv") -> Path:
    d = Path(tempfile.mkdtemp(prefix="paraat-prop-"))
    path = d / f"registry{suffix}"
    path.write_bytes(data)
    return path


def _csv_bytes(rows: list[list[str]], delimiter: str, encoding: str,
               quoting: int = csv.QUOTE_MINIMAL) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, quoting=quoting, lineterminator="\r\n")
    w.writerows(rows)
    return buf.getvalue().encode(encoding)


# --------------------------------------------------------------------------- never crashes


@PROPS
@given(st.binary(max_size=3000), st.sampled_from([".csv", ".xlsx", ".txt"]))
def test_any_bytes_are_read_or_refused_with_ingest_error(data: bytes, suffix: str) -> None:
    path = _write(data, suffix)
    try:
        result = read_registry(path)
    except IngestError as e:
        assert str(e) and "\n" not in str(e)  # one clear line
        return
    assert all(isinstance(r, RawRow) for r in result.rows)
    assert {"kvk_number", "name", "description"} <= set(result.columns)


cells = st.text(max_size=40)  # any unicode: quotes, delimiters, newlines, NUL, surrogates…


@PROPS
@given(st.lists(st.lists(cells, min_size=0, max_size=6), max_size=8),
       st.sampled_from(DELIMITERS), st.sampled_from(ENCODINGS))
def test_random_rows_are_accepted_or_rejected_never_an_exception(
        rows: list[list[str]], delimiter: str, encoding: str) -> None:
    header = ["kvk_number", "name", "description", "municipality", "employees", "website"]
    try:
        data = _csv_bytes([header, *rows], delimiter, encoding)
    except (UnicodeEncodeError, csv.Error):
        assume(False)
        raise
    path = _write(data)
    try:
        result = read_registry(path)
    except IngestError:
        return
    numbers = [r.row_number for r in result.rows]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    good, rejected = validate_rows(result.rows, TAX)
    good_rows = {row for row, _ in good}
    rejected_rows = {r.row for r in rejected}
    assert good_rows.isdisjoint(rejected_rows)
    assert good_rows | rejected_rows == set(numbers)
    for r in rejected:
        assert r.field and r.reason_nl and r.reason_en


# --------------------------------------------------------------------------- round trip

SAFE = string.ascii_letters + string.digits + " .-'()&/éëïöüçÉ"
words = st.text(alphabet=SAFE, min_size=1, max_size=60).map(lambda s: " ".join(s.split()))


@st.composite
def valid_record(draw: st.DrawFn) -> dict[str, object]:
    digits = draw(st.from_regex(r"\A[0-9]{8}\Z", fullmatch=True))
    kvk_shown = draw(st.sampled_from([digits, f"{digits[:4]} {digits[4:]}",
                                      ".".join(digits[i:i + 2] for i in range(0, 8, 2))]))
    name = draw(words.filter(lambda s: s.strip() != ""))
    description = draw(st.text(alphabet=SAFE, min_size=20, max_size=300)
                       .map(lambda s: " ".join(s.split()))
                       .filter(lambda s: len(s) >= 20))
    employees = draw(st.none() | st.integers(min_value=0, max_value=100_000))
    return {"kvk": digits, "kvk_shown": kvk_shown, "name": name, "description": description,
            "employees": employees}


@PROPS
@given(st.lists(valid_record(), min_size=1, max_size=6, unique_by=lambda r: r["kvk"]),
       st.sampled_from(DELIMITERS), st.sampled_from(ENCODINGS),
       st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
       st.sampled_from([["KvK-nummer", "Bedrijfsnaam", "Omschrijving", "Medewerkers"],
                        ["kvk_number", "name", "description", "employees"]]))
def test_valid_records_round_trip(records: list[dict[str, object]], delimiter: str,
                                  encoding: str, quoting: int, header: list[str]) -> None:
    rows = [header] + [[str(r["kvk_shown"]), str(r["name"]), str(r["description"]),
                        "" if r["employees"] is None else str(r["employees"])]
                       for r in records]
    result = read_registry(_write(_csv_bytes(rows, delimiter, encoding, quoting)))
    assert result.delimiter == delimiter
    assert result.encoding == ("utf-8-sig" if encoding.startswith("utf-8") else "cp1252") \
        or (encoding == "cp1252" and result.encoding == "utf-8-sig")  # ASCII-only is both
    good, rejected = validate_rows(result.rows, TAX)
    assert rejected == []
    got = {rec.kvk_number: rec for _, rec in good}
    assert set(got) == {str(r["kvk"]) for r in records}
    for r in records:
        rec = got[str(r["kvk"])]
        assert rec.name == r["name"]
        assert rec.description == r["description"]
        assert rec.employees == r["employees"]


@given(st.from_regex(r"\A[0-9]{8}\Z", fullmatch=True),
       st.sampled_from(["{}", "{} ", " {}", "{}.0"]),
       st.sampled_from(["", " ", ".", "-"]))
def test_kvk_numbers_normalise_to_eight_digits(digits: str, wrap: str, sep: str) -> None:
    assume(not (sep and wrap == "{}.0"))  # Excel's float form has no separators
    shown = sep.join([digits[:4], digits[4:]]) if sep else digits
    assert normalise_kvk(wrap.format(shown)) == digits
