"""Reading company registries as people actually hand them over: Dutch Excel exports.

CSV files come in UTF-8 (with or without BOM) or cp1252, separated by `;`, `,`, tab or `|`,
with quoted newlines. XLSX sheets may have a title block above the header. Every row keeps
its spreadsheet row number so a rejection report points at the line a person can find.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import logging
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ingest.errors import IngestError

log = logging.getLogger(__name__)

STANDARD_COLUMNS = ("kvk_number", "name", "description", "municipality", "website",
                    "employees", "sbi_code")
REQUIRED_COLUMNS = ("kvk_number", "name", "description")
OPTIONAL_EXTRA = ("capabilities", "clusters", "ecosystems", "description_en", "kvk_status",
                  "contact_email", "activity")

# Headers Dutch exports commonly use; a mapping file can add more.
DEFAULT_ALIASES = {
    "kvk": "kvk_number", "kvk-nummer": "kvk_number", "kvknummer": "kvk_number",
    "kvk nummer": "kvk_number", "kvk_nummer": "kvk_number",
    "naam": "name", "bedrijfsnaam": "name", "handelsnaam": "name", "company": "name",
    "omschrijving": "description", "beschrijving": "description", "activiteiten": "description",
    "gemeente": "municipality", "plaats": "municipality",
    "website": "website", "url": "website", "internet": "website",
    "medewerkers": "employees", "werknemers": "employees", "aantal medewerkers": "employees",
    "sbi": "sbi_code", "sbi-code": "sbi_code", "sbi code": "sbi_code",
    "capaciteiten": "capabilities",
}

MAX_LINE_CHARS = 1_000_000  # one physical CSV line
_HEADER_LIKE = re.compile(r"[^\W\d][\w .()#/-]{0,39}")
MAX_COLUMNS = 200
MAX_CELL_CHARS = 20_000
XLSX_MAX_UNCOMPRESSED = 256 * 1024 * 1024
XLSX_MAX_RATIO = 200


@dataclass
class RawRow:
    row_number: int  # as a person sees it in the file (header = its own line number)
    values: dict[str, str]


@dataclass
class ReadResult:
    rows: list[RawRow]
    columns: list[str]
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int = 1
    warnings: list[str] = field(default_factory=list)


def load_mapping(path: Path | None) -> dict[str, str]:
    """A YAML mapping `{their header: our column}`; ours must be a known column."""
    if path is None:
        return {}
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise IngestError(f"Cannot read mapping file {path}: {e}") from e
    except yaml.YAMLError as e:
        # The problem and the line, never a snippet of the file's content.
        mark = getattr(e, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(e, "problem", None) or "invalid YAML"
        raise IngestError(f"Mapping file {path} is not valid YAML{where}: {problem}.") from e
    if isinstance(data, dict) and "columns" in data:
        data = data["columns"]
    if not isinstance(data, dict):
        raise IngestError(f"Mapping file {path} must map source headers to Paraat columns.")
    known = set(STANDARD_COLUMNS) | set(OPTIONAL_EXTRA)
    out: dict[str, str] = {}
    for src, dst in data.items():
        if str(dst) not in known:
            raise IngestError(
                f"Mapping file {path}: {dst!r} is not a Paraat column "
                f"(known: {', '.join(sorted(known))})."
            )
        out[_norm_header(str(src))] = str(dst)
    return out


def _norm_header(h: str) -> str:
    return " ".join(str(h).replace("\ufeff", "").strip().lower().split())


def _map_headers(headers: list[str], mapping: dict[str, str]) -> list[str]:
    out = []
    for h in headers:
        n = _norm_header(h)
        out.append(mapping.get(n) or DEFAULT_ALIASES.get(n) or n.replace(" ", "_"))
    return out


def _detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) or Windows-1252, decided by reading the file in 1 MiB
    chunks through an incremental decoder: memory stays bounded whatever the file size."""
    with open(path, "rb") as f:
        if b"\x00" in f.read(4096):
            raise IngestError(f"{path.name} is binary, not a CSV text file.")
        for enc in ("utf-8-sig", "cp1252"):
            f.seek(0)
            dec = codecs.getincrementaldecoder(enc)()
            try:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    dec.decode(chunk)
                dec.decode(b"", final=True)
                return enc
            except UnicodeDecodeError:
                continue
    raise IngestError(f"{path.name} is neither UTF-8 nor Windows-1252 text.")


def _sniff_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t|").delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        counts = {d: first.count(d) for d in ";,\t|"}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def max_file_bytes() -> int:
    """The PARAAT_INGEST_MAX_FILE_BYTES setting: the limit when a caller names none."""
    from core.settings import get_settings

    return get_settings().ingest.max_file_bytes


def _check_size(path: Path, limit: int | None) -> None:
    limit = max_file_bytes() if limit is None else limit
    size = path.stat().st_size
    if size > limit:
        raise IngestError(f"{path.name} is {size / 2**20:.0f} MiB; the limit is "
                          f"{limit / 2**20:.0f} MiB (PARAAT_INGEST_MAX_FILE_BYTES).")


def _bounded_lines(f: io.TextIOBase, name: str) -> Iterator[str]:
    """Physical lines, each at most MAX_LINE_CHARS: a file that is one endless line (or a row
    of a million columns) is refused without ever holding it in memory."""
    while True:
        line = f.readline(MAX_LINE_CHARS + 1)
        if not line:
            return
        if len(line) > MAX_LINE_CHARS and not line.endswith(("\n", "\r")):
            raise IngestError(f"{name} has a line longer than {MAX_LINE_CHARS} characters; "
                              "refused (is it really a registry CSV?).")
        yield line


@dataclass
class CsvStream:
    """An open CSV registry: the header is read and checked, rows come one at a time."""

    columns: list[str]
    encoding: str
    delimiter: str
    rows: Iterator[RawRow]


@contextlib.contextmanager
def stream_csv(path: Path, mapping: dict[str, str] | None = None, *,
               max_bytes: int | None = None) -> Iterator[CsvStream]:
    """`with stream_csv(path) as s: for row in s.rows: ...` reads one row at a time, so
    memory does not grow with the file (measured in tests/integration/test_bad_input.py)."""
    _check_size(path, max_bytes)
    enc = _detect_encoding(path)
    with open(path, encoding=enc, newline="") as f:
        delim = _sniff_delimiter(f.read(20_000))
        f.seek(0)
        reader = csv.reader(_bounded_lines(f, path.name), delimiter=delim)
        try:
            header = next(reader)
        except StopIteration as e:
            raise IngestError(f"{path.name} is empty.") from e
        except csv.Error as e:
            raise IngestError(f"{path.name} is not valid CSV: {e}") from e
        if len(header) > MAX_COLUMNS:
            raise IngestError(f"{path.name} has {len(header)} columns; at most {MAX_COLUMNS} "
                              "are accepted.")
        columns = _map_headers(header, mapping or {})
        _check_required(columns, path.name)

        def rows() -> Iterator[RawRow]:
            try:
                start = reader.line_num + 1
                for rec in reader:
                    # A quoted newline spans lines: report the line the record starts on.
                    line, start = start, reader.line_num + 1
                    if len(rec) > MAX_COLUMNS:
                        raise IngestError(f"{path.name}, line {line}: {len(rec)} fields; at "
                                          f"most {MAX_COLUMNS} are accepted.")
                    if not any(c.strip() for c in rec):
                        continue
                    yield RawRow(line, _row_dict(columns, rec))
            except csv.Error as e:
                raise IngestError(f"{path.name}, line {reader.line_num}: {e}") from e

        yield CsvStream(columns, enc, delim, rows())


def read_csv(path: Path, mapping: dict[str, str] | None = None, *,
             max_bytes: int | None = None) -> ReadResult:
    with stream_csv(path, mapping, max_bytes=max_bytes) as stream:
        return ReadResult(list(stream.rows), stream.columns, stream.encoding, stream.delimiter)


def _row_dict(columns: list[str], values: list[Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for col, val in zip(columns, values, strict=False):
        if col in out and out[col]:
            continue
        s = "" if val is None else str(val)
        out[col] = s[:MAX_CELL_CHARS].strip()
    return out


def _check_required(columns: list[str], name: str) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        # Only what looks like a column name is echoed: the first line of a file that is no
        # registry at all (/etc/passwd, a key file) never ends up in a message or a log.
        shown = [c if _HEADER_LIKE.fullmatch(c) else "…" for c in columns[:12]]
        raise IngestError(
            f"{name}: required column(s) {', '.join(missing)} not found among the "
            f"{len(columns)} header column(s) ({', '.join(shown)}); use --mapping to rename "
            "headers."
        )


def _check_xlsx_safe(path: Path) -> None:
    """Refuse zip bombs before openpyxl inflates anything."""
    try:
        with zipfile.ZipFile(path) as z:
            total = sum(i.file_size for i in z.infolist())
            packed = max(1, sum(i.compress_size for i in z.infolist()))
    except zipfile.BadZipFile as e:
        raise IngestError(f"{path.name} is not a valid XLSX file.") from e
    if total > XLSX_MAX_UNCOMPRESSED or total / packed > XLSX_MAX_RATIO:
        raise IngestError(
            f"{path.name} unpacks to {total // 2**20} MiB (ratio {total // packed}:1); "
            "refused as a possible zip bomb."
        )


def read_xlsx(path: Path, mapping: dict[str, str] | None = None) -> ReadResult:
    from openpyxl import load_workbook

    _check_xlsx_safe(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for broken files
        raise IngestError(f"{path.name} could not be opened as XLSX: {e}") from e
    try:
        ws = wb.worksheets[0]
        it: Iterator[tuple[Any, ...]] = ws.iter_rows(values_only=True)
        header_row = 0
        columns: list[str] = []
        # The header is the first row (within 20) that names the required columns.
        for i, values in enumerate(it, start=1):
            if i > 20:
                break
            cand = _map_headers(["" if v is None else str(v) for v in values], mapping or {})
            if all(c in cand for c in REQUIRED_COLUMNS):
                header_row, columns = i, cand
                break
        if not header_row:
            raise IngestError(
                f"{path.name}: no header row with {', '.join(REQUIRED_COLUMNS)} in the first "
                "20 rows; use --mapping to rename headers."
            )
        if len(columns) > MAX_COLUMNS:
            raise IngestError(f"{path.name} has {len(columns)} columns; at most {MAX_COLUMNS}.")
        rows: list[RawRow] = []
        for i, values in enumerate(it, start=header_row + 1):
            vals = ["" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer()
                                          else str(v)) for v in values]
            if not any(v.strip() for v in vals):
                continue
            rows.append(RawRow(i, _row_dict(columns, vals)))
    finally:
        wb.close()
    return ReadResult(rows, columns, header_row=header_row)


def read_registry(path: Path, mapping_file: Path | None = None, *,
                  max_bytes: int | None = None) -> ReadResult:
    """Read a CSV or XLSX registry; raises IngestError (one line) if the file is unusable.
    Files over `max_bytes` (default: the `ingest.max_file_bytes` setting) are refused
    before any byte is read."""
    path = Path(path)
    if not path.is_file():
        raise IngestError(f"No such file: {path}")
    mapping = load_mapping(mapping_file)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        _check_size(path, max_bytes)
        return read_xlsx(path, mapping)
    if suffix in (".csv", ".txt", ".tsv", ""):
        return read_csv(path, mapping, max_bytes=max_bytes)
    raise IngestError(f"{path.name}: unsupported file type {suffix!r} (use .csv or .xlsx).")
