"""`paraat ingest companies FILE`: a company registry (CSV/XLSX) into the graph.

Every row is validated by the ontology's SHACL shapes (the same rules the API uses); a bad row
goes to the report with its row number, field and reason and never stops the good rows. Rows
with the same KvK number merge; different KvK numbers with near-identical names in the same
municipality are flagged for a person to look at, never merged silently.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from neo4j import Driver
from neo4j import exceptions as neo4j_exc
from pydantic import ValidationError as PydanticValidationError
from rapidfuzz import fuzz

from graph.repositories.companies import CompanyRepository
from ingest.companies import CompanyRecord, RunContext, WriteStats, write_companies
from ingest.errors import IngestError
from ingest.readers import RawRow, read_registry
from matching.encoders.base import Encoder
from matching.encoders.cache import EmbeddingCache
from ontology.taxonomy import Taxonomy, load_taxonomy
from ontology.validation import municipality_id, validate_companies

log = logging.getLogger(__name__)

NAME_SIMILARITY = 92  # rapidfuzz token_sort_ratio at or above which two names look the same
_LEGAL_FORMS = re.compile(r"\b(b\.?v\.?|n\.?v\.?|v\.?o\.?f\.?|holding|groep|group)\b", re.I)


@dataclass
class Rejection:
    row: int
    field: str
    reason_nl: str
    reason_en: str
    value: str | None = None


@dataclass
class DuplicateFlag:
    row: int
    kvk_number: str
    name: str
    other_kvk: str
    other_name: str
    municipality: str
    score: float
    where: str  # "file" or "graph"


@dataclass
class ImportSummary:
    file: str
    rows: int = 0
    valid: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    merged_duplicates: int = 0
    flagged_duplicates: int = 0
    embedded: int = 0
    seconds: float = 0.0
    dry_run: bool = False
    encoding: str | None = None
    delimiter: str | None = None
    rejections: list[Rejection] = field(default_factory=list)
    flags: list[DuplicateFlag] = field(default_factory=list)
    report_path: str | None = None

    def headline(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("rejections")
        d.pop("flags")
        return d


def normalise_kvk(v: str) -> str:
    """KvK numbers arrive as '1234 5678', '12.34.56.78' or '12345678.0' from Excel."""
    v = v.strip()
    if re.fullmatch(r"\d+\.0", v):
        v = v[:-2]
    return re.sub(r"[\s.\-]", "", v)


def _list(v: str) -> list[str]:
    return [x.strip() for x in re.split(r"[|;,]", v) if x.strip()] if v else []


def _record_dict(row: RawRow) -> dict[str, Any]:
    v = row.values
    website = v.get("website", "").strip()
    if website and not re.match(r"^[a-z][a-z0-9+.-]*://", website, re.I):
        website = f"https://{website}"
    employees: Any = v.get("employees", "").strip() or None
    if isinstance(employees, str) and re.fullmatch(r"\d+(\.0)?", employees):
        employees = int(float(employees))
    return {
        "kvk_number": normalise_kvk(v.get("kvk_number", "")),
        "name": v.get("name", "").strip(),
        "description": v.get("description", "").strip(),
        "description_en": v.get("description_en", "").strip() or None,
        "municipality": v.get("municipality", "").strip() or None,
        "website": website or None,
        "employees": employees,
        "sbi_code": v.get("sbi_code", "").strip() or None,
        "capabilities": _list(v.get("capabilities", "")),
    }


def _simplify(name: str) -> str:
    return " ".join(_LEGAL_FORMS.sub(" ", name.lower()).split())


def validate_rows(rows: list[RawRow], taxonomy: Taxonomy
                  ) -> tuple[list[tuple[int, CompanyRecord]], list[Rejection]]:
    """SHACL for the rules people see, pydantic for the types the writer needs."""
    dicts = [_record_dict(r) for r in rows]
    problems = validate_companies(dicts)
    good: list[tuple[int, CompanyRecord]] = []
    rejected: list[Rejection] = []
    for i, (raw, d) in enumerate(zip(rows, dicts, strict=True)):
        # A registry need not declare capabilities (they are inferred from the description),
        # so the shape's "at least one" rule applies only to registrations; declared ones
        # must still exist in the scheme.
        issues = [p for p in problems.get(i, [])
                  if not (p.field == "capabilities" and not d["capabilities"])]
        if issues:
            for p in issues:
                rejected.append(Rejection(raw.row_number, p.field, p.message_nl, p.message_en,
                                          p.value))
            continue
        try:
            good.append((raw.row_number, CompanyRecord(**d)))
        except PydanticValidationError as e:
            err = e.errors()[0]
            fld = str(err["loc"][0]) if err["loc"] else "row"
            rejected.append(Rejection(raw.row_number, fld, f"ongeldige waarde: {err['msg']}",
                                      f"invalid value: {err['msg']}", str(d.get(fld))))
    return good, rejected


def merge_same_kvk(records: list[tuple[int, CompanyRecord]]
                   ) -> tuple[list[tuple[int, CompanyRecord]], int]:
    """Later rows fill or override earlier rows of the same KvK number."""
    by_kvk: dict[str, tuple[int, CompanyRecord]] = {}
    merged = 0
    for row, rec in records:
        if rec.kvk_number in by_kvk:
            first_row, first = by_kvk[rec.kvk_number]
            update = {k: v for k, v in rec.model_dump().items() if v not in (None, "", [])}
            by_kvk[rec.kvk_number] = (first_row, first.model_copy(update=update))
            merged += 1
        else:
            by_kvk[rec.kvk_number] = (row, rec)
    return list(by_kvk.values()), merged


def flag_similar_names(records: list[tuple[int, CompanyRecord]], driver: Driver | None
                       ) -> list[DuplicateFlag]:
    flags: list[DuplicateFlag] = []
    by_mun: dict[str, list[tuple[int, CompanyRecord]]] = {}
    for row, rec in records:
        if rec.municipality:
            by_mun.setdefault(rec.municipality, []).append((row, rec))
    existing: dict[str, list[tuple[str, str]]] = {}
    if driver is not None and by_mun:
        for r in CompanyRepository(driver).names_in(sorted(by_mun)):
            existing.setdefault(r["municipality"], []).append((r["kvk"], r["name"]))
    for mun, group in by_mun.items():
        simple = [(_simplify(rec.name), row, rec) for row, rec in group]
        for i, (a, row, rec) in enumerate(simple):
            for b, _row2, rec2 in simple[i + 1:]:
                score = fuzz.token_sort_ratio(a, b)
                if rec.kvk_number != rec2.kvk_number and score >= NAME_SIMILARITY:
                    flags.append(DuplicateFlag(_row2, rec2.kvk_number, rec2.name,
                                               rec.kvk_number, rec.name, mun, score, "file"))
            for kvk, name in existing.get(mun, []):
                if kvk == rec.kvk_number:
                    continue
                score = fuzz.token_sort_ratio(a, _simplify(name))
                if score >= NAME_SIMILARITY:
                    flags.append(DuplicateFlag(row, rec.kvk_number, rec.name, kvk, name, mun,
                                               score, "graph"))
    return flags


def write_report(summary: ImportSummary, path: Path) -> Path:
    """One CSV a person can open in Excel: rejected rows and flagged look-alikes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["kind", "row", "field", "reason_nl", "reason_en", "value"])
        for r in summary.rejections:
            w.writerow(["rejected", r.row, r.field, r.reason_nl, r.reason_en, r.value or ""])
        for fl in summary.flags:
            w.writerow(["possible_duplicate", fl.row, "name",
                        f"lijkt op {fl.other_name} ({fl.other_kvk}) in {fl.municipality}",
                        f"looks like {fl.other_name} ({fl.other_kvk}) in {fl.municipality}",
                        f"{fl.name} ({fl.kvk_number}), score {fl.score:.0f}"])
    return path


def import_registry(
    driver: Driver | None,
    path: Path,
    *,
    mapping: Path | None = None,
    source: str | None = None,
    dry_run: bool = False,
    encoder: Encoder | None = None,
    cache: EmbeddingCache | None = None,
    taxonomy: Taxonomy | None = None,
    batch_size: int = 500,
    report_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """Read, validate, deduplicate and (unless dry_run) write; never half-writes a batch."""
    t0 = time.perf_counter()
    path = Path(path)
    tax = taxonomy or load_taxonomy()
    read = read_registry(path, mapping)
    summary = ImportSummary(file=str(path), rows=len(read.rows), dry_run=dry_run,
                            encoding=read.encoding, delimiter=read.delimiter)
    good, rejected = validate_rows(read.rows, tax)
    good, merged = merge_same_kvk(good)
    summary.rejections = rejected
    summary.rejected = len({r.row for r in rejected})
    summary.merged_duplicates = merged
    summary.valid = len(good)
    summary.flags = flag_similar_names(good, driver)
    summary.flagged_duplicates = len(summary.flags)
    src = source or path.name
    for _, rec in good:
        rec.source = src
    if not dry_run:
        if driver is None:
            raise ValueError("a driver is needed unless dry_run")
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
        file_hash = digest.hexdigest()
        ctx = RunContext(source=src, file=path.name, file_hash=file_hash)
        runs = CompanyRepository(driver)
        runs.create_import_run(id=ctx.run_id, source=src, file=path.name,
                               file_hash=file_hash, now=ctx.now)
        done = 0

        def _progress(n: int) -> None:
            nonlocal done
            done += n
            if progress:
                progress(done, len(good))

        try:
            stats: WriteStats = write_companies(
                driver, [rec for _, rec in good], tax, ctx, encoder=encoder, cache=cache,
                batch_size=batch_size, progress=_progress)
        except (neo4j_exc.ServiceUnavailable, neo4j_exc.SessionExpired) as e:
            # Each batch is one transaction and every write a MERGE: what committed stays,
            # the rest is not there, and re-running the same file converges (issue 8 faults).
            raise IngestError(
                f"Neo4j went away during the import of {path.name} after {done} of "
                f"{len(good)} companies were written ({type(e).__name__}); run the same "
                "import again once Neo4j is back: it completes without duplicates."
            ) from e
        summary.created, summary.updated = stats.created, stats.updated
        summary.unchanged, summary.embedded = stats.unchanged, stats.embedded
        runs.finish_import_run(ctx.run_id, {
            "status": "done", "created": stats.created, "updated": stats.updated,
            "rejected": summary.rejected, "flagged": summary.flagged_duplicates})
    summary.seconds = round(time.perf_counter() - t0, 3)
    if report_dir is not None and (summary.rejections or summary.flags):
        name = f"{path.stem}-report.csv"
        summary.report_path = str(write_report(summary, report_dir / name))
    return summary


__all__ = ["import_registry", "ImportSummary", "Rejection", "DuplicateFlag", "municipality_id"]
