"""`paraat ingest seed`: everything the Drenthe agenda names, from `ingest/data/seed/*.csv`.

The ontology goes in first (companies and clusters point at its concepts). Every write is a
MERGE on the entity's key and every link set is replaced, so loading twice equals loading once.
"""

from __future__ import annotations

import hashlib
import logging
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
from neo4j import Driver

from graph.repositories.desks import DeskRepository
from graph.repositories.seed import SeedRepository
from ingest.companies import CompanyRecord, RunContext, write_companies
from ingest.errors import IngestError
from ingest.ontology_loader import load_ontology
from matching.encoders.base import Encoder
from matching.encoders.cache import EmbeddingCache
from ontology.taxonomy import Taxonomy, load_taxonomy
from ontology.validation import validate_companies

log = logging.getLogger(__name__)

SEED_SOURCE = "Drentse Agenda Defensie en Veiligheid (1 juli 2025)"

# file -> (label, columns copied as properties, links: column -> (relationship, target label))
ENTITY_FILES: dict[str, tuple[str, tuple[str, ...], dict[str, tuple[str, str]]]] = {
    "municipalities.csv": ("Municipality", ("name", "province", "main_town", "lat", "lon"), {}),
    "clusters.csv": ("Cluster", ("name", "kind", "description_nl", "description_en"), {
        "nld_areas": ("RELEVANT_TO", "NLDArea"),
        "capabilities": ("HAS_CAPABILITY", "Capability"),
    }),
    "ecosystems.csv": ("Ecosystem", ("name", "kind", "lat", "lon", "description_nl",
                                     "description_en"), {
        "municipality": ("LOCATED_IN", "Municipality"),
        "part_of": ("PART_OF", "Ecosystem"),
        "nld_areas": ("RELEVANT_TO", "NLDArea"),
        "capabilities": ("HAS_CAPABILITY", "Capability"),
        "clusters": ("MEMBER_OF", "Cluster"),
    }),
    "knowledge_institutions.csv": ("KnowledgeInstitution", (
        "name", "kind", "lat", "lon", "description_nl", "description_en"), {
        "municipality": ("LOCATED_IN", "Municipality"),
        "part_of": ("PART_OF", "KnowledgeInstitution"),
        "capabilities": ("HAS_CAPABILITY", "Capability"),
        "ecosystems": ("KNOWLEDGE_PARTNER", "Ecosystem"),
    }),
    "military_facilities.csv": ("MilitaryFacility", (
        "name", "kind", "lat", "lon", "units", "description_nl", "description_en"), {
        "municipality": ("LOCATED_IN", "Municipality"),
    }),
    "organisations.csv": ("Organisation", ("name", "kind", "description_nl", "description_en"), {
        "municipality": ("LOCATED_IN", "Municipality"),
    }),
}
# Order matters: targets of links must exist before the links.
LOAD_ORDER = ("municipalities.csv", "clusters.csv", "ecosystems.csv",
              "knowledge_institutions.csv", "military_facilities.csv", "organisations.csv")


def seed_dir() -> Path:
    return Path(str(resources.files("ingest") / "data" / "seed"))


def read_seed_csv(name: str, directory: Path | None = None) -> pd.DataFrame:
    path = (directory or seed_dir()) / name
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, ValueError) as e:
        raise IngestError(f"Cannot read seed file {path}: {e}") from e


def _split(v: str) -> list[str]:
    return [x.strip() for x in v.split("|") if x.strip()] if v else []


def _value(col: str, v: str) -> Any:
    if v == "":
        return None
    if col in ("lat", "lon"):
        return float(v)
    if col == "units":
        return _split(v)
    return v


def entity_rows(df: pd.DataFrame, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = []
    for rec in df.to_dict("records"):
        props = {c: _value(c, rec.get(c, "")) for c in columns if c in rec}
        props["source"] = rec.get("source") or SEED_SOURCE
        rows.append({"id": rec["id"], "props": props})
    return rows


def company_records(df: pd.DataFrame) -> list[CompanyRecord]:
    out = []
    for rec in df.to_dict("records"):
        out.append(CompanyRecord(
            kvk_number=rec["kvk_number"], name=rec["name"],
            description=rec["description_nl"], description_en=rec.get("description_en") or None,
            activity=rec.get("activity_nl") or None, municipality=rec.get("municipality") or None,
            website=_website(rec.get("website", "")),
            employees=int(rec["employees"]) if rec.get("employees") else None,
            sbi_code=rec.get("sbi_code") or None, kvk_status=rec.get("kvk_status") or None,
            capabilities=_split(rec.get("capabilities", "")),
            clusters=_split(rec.get("clusters", "")),
            ecosystems=_split(rec.get("ecosystems", "")),
            source=rec.get("source") or SEED_SOURCE,
        ))
    return out


def _website(v: str) -> str | None:
    v = (v or "").strip()
    if not v:
        return None
    return v if v.startswith(("http://", "https://")) else f"https://{v}"


DESK_COLUMNS = ("id", "name_nl", "name_en", "description_nl", "description_en", "email",
                "source")


def desk_rows(directory: Path | None = None) -> list[dict[str, Any]]:
    """The loket's desks (desks.csv): the agenda's partners behind the portal."""
    df = read_seed_csv("desks.csv", directory)
    missing = [c for c in DESK_COLUMNS if c not in df.columns]
    if missing:
        raise IngestError(f"desks.csv lacks the column(s) {', '.join(missing)}")
    return [{c: (rec[c] or None) for c in DESK_COLUMNS} for rec in df.to_dict("records")]


def load_seed(driver: Driver, *, encoder: Encoder | None = None, taxonomy: Taxonomy | None = None,
              directory: Path | None = None, cache: EmbeddingCache | None = None
              ) -> dict[str, int]:
    """Load ontology + seed; returns node counts per kind written."""
    tax = taxonomy or load_taxonomy()
    summary: dict[str, int] = {}
    onto = load_ontology(driver, tax, encoder, cache)
    summary["capabilities"] = onto["capabilities"]
    summary["nld_areas"] = onto["nld_areas"]

    frames = {name: read_seed_csv(name, directory) for name in LOAD_ORDER}
    repo = SeedRepository(driver)
    for name in LOAD_ORDER:
        label, columns, links = ENTITY_FILES[name]
        df = frames[name]
        repo.upsert_entities(label, entity_rows(df, columns))
        summary[label] = len(df)
    for name in LOAD_ORDER:
        label, _, links = ENTITY_FILES[name]
        for col, (rel, target) in links.items():
            if col not in frames[name].columns:
                continue
            rows = [{"id": r["id"], "targets": _split(r[col])}
                    for r in frames[name].to_dict("records")]
            repo.link_entities((label, rel, target), rows)

    summary["Desk"] = DeskRepository(driver).upsert(desk_rows(directory))

    companies_df = read_seed_csv("companies.csv", directory)
    records = company_records(companies_df)
    problems = validate_companies([
        {**r.model_dump(), "municipality": r.municipality} for r in records])
    bad = {records[i].name: v for i, v in problems.items() if v}
    if bad:
        first = next(iter(bad.items()))
        raise IngestError(f"Seed company {first[0]} does not conform to the SHACL shapes: "
                          f"{first[1][0].field}: {first[1][0].message_en}")
    path = (directory or seed_dir()) / "companies.csv"
    ctx = RunContext(source=SEED_SOURCE, file="seed/companies.csv",
                     file_hash=hashlib.sha256(path.read_bytes()).hexdigest())
    stats = write_companies(driver, records, tax, ctx, encoder=encoder, cache=cache)
    summary["Company"] = len(records)
    summary["companies_created"] = stats.created
    summary["companies_updated"] = stats.updated
    return summary
