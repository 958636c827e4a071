"""Consistency checks for the curated seed dataset in ``ingest/data/seed/``.

The seed CSVs are hand-curated from the Drentse Agenda Defensie en Veiligheid
(1 juli 2025).  These tests make sure every file parses, ids are unique, every
cross-reference points at an existing row, every capability id exists in the
SKOS capability scheme (``ontology/capabilities.ttl``), coordinates lie in the
northern Netherlands and every row names its source.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[3]
SEED_DIR = ROOT / "ingest" / "data" / "seed"
CAPABILITIES_TTL = ROOT / "ontology" / "capabilities.ttl"
CAPABILITY_NS = "https://w3id.org/paraat/id/capability/"

# file -> (id column, required columns)
FILES: dict[str, tuple[str, list[str]]] = {
    "municipalities.csv": ("id", ["id", "name", "province", "lat", "lon", "source"]),
    "nld_areas.csv": ("id", ["id", "name_nl", "name_en", "source"]),
    "clusters.csv": (
        "id",
        ["id", "name", "kind", "nld_areas", "description_nl", "description_en", "source"],
    ),
    "ecosystems.csv": (
        "id",
        [
            "id", "name", "kind", "municipality", "lat", "lon", "nld_areas",
            "capabilities", "clusters", "description_nl", "description_en", "source",
        ],
    ),
    "knowledge_institutions.csv": (
        "id",
        [
            "id", "name", "kind", "municipality", "lat", "lon", "part_of",
            "capabilities", "ecosystems", "partner_of", "clusters", "description_nl",
            "description_en", "source",
        ],
    ),
    "sites.csv": (
        "id",
        [
            "id", "name", "kind", "municipality", "lat", "lon", "part_of", "area_ha",
            "status", "zoning", "access", "utilities", "co_use", "units", "capabilities",
            "clusters", "description_nl", "description_en", "source",
        ],
    ),
    "facilities.csv": (
        "id",
        [
            "id", "name", "kind", "municipality", "lat", "lon", "site", "operator", "status",
            "partners", "capabilities", "clusters", "description_nl", "description_en",
            "source",
        ],
    ),
    "programmes.csv": (
        "id",
        [
            "id", "name", "kind", "level", "status", "provider", "capabilities", "clusters",
            "description_nl", "description_en", "source",
        ],
    ),
    "military_facilities.csv": (
        "id",
        [
            "id", "name", "kind", "municipality", "lat", "lon", "units",
            "description_nl", "description_en", "source",
        ],
    ),
    "organisations.csv": (
        "id",
        ["id", "name", "kind", "municipality", "description_nl", "description_en", "source"],
    ),
    "desks.csv": (
        "id",
        ["id", "name_nl", "name_en", "description_nl", "description_en", "email", "source"],
    ),
    "companies.csv": (
        "kvk_number",
        [
            "kvk_number", "kvk_status", "name", "activity_nl", "description_nl",
            "description_en", "municipality", "website", "employees", "sbi_code",
            "capabilities", "clusters", "ecosystems", "source",
        ],
    ),
}

KINDS = {
    "clusters.csv": {"cluster", "ecosystem", "network"},
    "ecosystems.csv": {
        "campus", "innovation-hub", "industrial-park", "shared-factory", "airport",
        "logistics-hub", "research-institute", "business-association", "industry-cluster",
    },
    "knowledge_institutions.csv": {
        "university", "university-of-applied-sciences", "vocational", "research-group", "network",
        "research-institute", "campus",
    },
    "sites.csv": {
        "industrial-site", "business-park", "airport", "campus", "logistics-hub", "inland-port",
        "training-area", "barracks", "airspace", "railway", "brownfield",
    },
    "facilities.csv": {"production", "test", "training", "research"},
    "programmes.csv": {"education", "training", "research"},
    "military_facilities.csv": {
        "barracks", "ammunition-depot", "training-area", "brigade", "storage",
    },
}

NLD_AREAS = {
    "intelligente-systemen",
    "sensoren",
    "slimme-materialen",
    "ruimtevaarttechnologie",
    "quantumtechnologie",
}

DRENTHE_MUNICIPALITIES = {
    "Aa en Hunze", "Assen", "Borger-Odoorn", "Coevorden", "De Wolden", "Emmen",
    "Hoogeveen", "Meppel", "Midden-Drenthe", "Noordenveld", "Tynaarlo", "Westerveld",
}

SEED_COMPANIES = {
    "99000001": "Teijin",
    "99000002": "GKN Aerospace",
    "99000003": "Norit",
    "99000004": "Combimac",
    "99000005": "Dopple",
    "99000006": "Alumax",
    "99000007": "Skyline Aviation",
    "99000008": "Exosens-Photonis",
    "99000009": "Paques Biomaterials",
    "99000010": "Senbis",
    "99000011": "Hittech",
    "99000012": "Omnidrones",
}

# bounding box of the northern Netherlands
LAT_MIN, LAT_MAX = 52.4, 53.6
LON_MIN, LON_MAX = 5.7, 7.3

KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# (file, column, target file) for every |-separated reference column
REFERENCES = [
    ("ecosystems.csv", "municipality", "municipalities.csv"),
    ("knowledge_institutions.csv", "municipality", "municipalities.csv"),
    ("military_facilities.csv", "municipality", "municipalities.csv"),
    ("organisations.csv", "municipality", "municipalities.csv"),
    ("companies.csv", "municipality", "municipalities.csv"),
    ("clusters.csv", "nld_areas", "nld_areas.csv"),
    ("ecosystems.csv", "nld_areas", "nld_areas.csv"),
    ("ecosystems.csv", "clusters", "clusters.csv"),
    ("companies.csv", "clusters", "clusters.csv"),
    ("companies.csv", "ecosystems", ("ecosystems.csv", "sites.csv")),
    ("knowledge_institutions.csv", "ecosystems", "ecosystems.csv"),
    ("knowledge_institutions.csv", "part_of", "knowledge_institutions.csv"),
    ("knowledge_institutions.csv", "partner_of", "knowledge_institutions.csv"),
    ("knowledge_institutions.csv", "clusters", "clusters.csv"),
    ("ecosystems.csv", "part_of", "ecosystems.csv"),
    ("sites.csv", "municipality", "municipalities.csv"),
    ("sites.csv", "part_of", "sites.csv"),
    ("sites.csv", "clusters", "clusters.csv"),
    ("facilities.csv", "municipality", "municipalities.csv"),
    ("facilities.csv", "site", "sites.csv"),
    ("facilities.csv", "operator", "knowledge_institutions.csv"),
    ("facilities.csv", "partners", "organisations.csv"),
    ("facilities.csv", "clusters", "clusters.csv"),
    ("programmes.csv", "provider", "knowledge_institutions.csv"),
    ("programmes.csv", "clusters", "clusters.csv"),
]

CAPABILITY_COLUMNS = [
    ("clusters.csv", "capabilities"),
    ("ecosystems.csv", "capabilities"),
    ("knowledge_institutions.csv", "capabilities"),
    ("companies.csv", "capabilities"),
    ("sites.csv", "capabilities"),
    ("facilities.csv", "capabilities"),
    ("programmes.csv", "capabilities"),
]


def load(name: str) -> pd.DataFrame:
    """Read a seed CSV with every cell as a string and empty cells as ''."""
    return pd.read_csv(
        SEED_DIR / name, dtype=str, keep_default_na=False, encoding="utf-8"
    )


def split(value: str) -> list[str]:
    return [v.strip() for v in str(value).split("|") if v.strip()]


def ids_of(name: str) -> set[str]:
    return set(load(name)[FILES[name][0]])


def capability_ids() -> set[str]:
    """Capability ids from ontology/capabilities.ttl (skos:notation + concept IRIs)."""
    if not CAPABILITIES_TTL.exists():
        pytest.fail(
            f"{CAPABILITIES_TTL.relative_to(ROOT)} does not exist: the capability ids used in "
            "the seed data cannot be validated without the SKOS capability scheme"
        )
    ids: set[str] = set()
    try:
        from rdflib import Graph
        from rdflib.namespace import SKOS

        graph = Graph()
        graph.parse(CAPABILITIES_TTL, format="turtle")
        ids |= {str(o) for o in graph.objects(None, SKOS.notation)}
        for s in graph.subjects():
            if str(s).startswith(CAPABILITY_NS):
                ids.add(str(s)[len(CAPABILITY_NS):])
    except ImportError:  # pragma: no cover - rdflib is a project dependency
        text = CAPABILITIES_TTL.read_text(encoding="utf-8")
        ids |= set(re.findall(r'skos:notation\s+"([^"]+)"', text))
    if not ids:
        pytest.fail(f"no capability ids (skos:notation) found in {CAPABILITIES_TTL}")
    return ids


@pytest.mark.parametrize("name", sorted(FILES))
def test_csv_parses_with_expected_columns(name: str) -> None:
    path = SEED_DIR / name
    assert path.exists(), f"missing seed file {path}"
    df = load(name)
    assert len(df) > 0, f"{name} has no rows"
    missing = [c for c in FILES[name][1] if c not in df.columns]
    assert not missing, f"{name} lacks columns {missing}"


@pytest.mark.parametrize("name", sorted(FILES))
def test_ids_unique_and_well_formed(name: str) -> None:
    id_col = FILES[name][0]
    df = load(name)
    assert (df[id_col] != "").all(), f"{name}: empty {id_col}"
    dupes = df[id_col][df[id_col].duplicated()].tolist()
    assert not dupes, f"{name}: duplicate ids {dupes}"
    if id_col == "id":
        bad = [i for i in df[id_col] if not KEBAB.match(i)]
        assert not bad, f"{name}: ids not in kebab-case {bad}"


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_row_has_a_source(name: str) -> None:
    df = load(name)
    empty = df[FILES[name][0]][df["source"].str.strip() == ""].tolist()
    assert not empty, f"{name}: rows without source {empty}"


@pytest.mark.parametrize("name", sorted(KINDS))
def test_kinds_are_from_the_vocabulary(name: str) -> None:
    df = load(name)
    bad = sorted(set(df["kind"]) - KINDS[name])
    assert not bad, f"{name}: unknown kind values {bad}"


@pytest.mark.parametrize(("name", "column", "target"), REFERENCES)
def test_references_exist(name: str, column: str, target: str | tuple[str, ...]) -> None:
    known = set().union(*(ids_of(t) for t in ((target,) if isinstance(target, str) else target)))
    df = load(name)
    id_col = FILES[name][0]
    dangling = [
        (row[id_col], ref)
        for _, row in df.iterrows()
        for ref in split(row[column])
        if ref not in known
    ]
    assert not dangling, f"{name}.{column} references unknown {target} ids: {dangling}"


def test_no_self_part_of() -> None:
    for name in ("knowledge_institutions.csv", "ecosystems.csv", "sites.csv"):
        df = load(name)
        selfref = [r["id"] for _, r in df.iterrows() if r["id"] in split(r["part_of"])]
        assert not selfref, f"{name}: rows that are part_of themselves {selfref}"


@pytest.mark.parametrize(("name", "column"), CAPABILITY_COLUMNS)
def test_capability_ids_exist_in_ontology(name: str, column: str) -> None:
    known = capability_ids()
    df = load(name)
    id_col = FILES[name][0]
    unknown = [
        (row[id_col], cap)
        for _, row in df.iterrows()
        for cap in split(row[column])
        if cap not in known
    ]
    assert not unknown, f"{name}.{column} uses capability ids not in capabilities.ttl: {unknown}"


def test_nld_areas_are_the_five_areas() -> None:
    assert ids_of("nld_areas.csv") == NLD_AREAS


def test_every_cluster_has_an_nld_area() -> None:
    df = load("clusters.csv")
    missing = [r["id"] for _, r in df.iterrows() if not split(r["nld_areas"])]
    assert not missing, f"clusters without NLD area: {missing}"


def test_every_company_has_capability_and_municipality() -> None:
    df = load("companies.csv")
    no_cap = [r["name"] for _, r in df.iterrows() if not split(r["capabilities"])]
    no_mun = [r["name"] for _, r in df.iterrows() if not r["municipality"].strip()]
    assert not no_cap, f"companies without capability: {no_cap}"
    assert not no_mun, f"companies without municipality: {no_mun}"


def test_seed_companies_use_placeholder_kvk_numbers() -> None:
    df = load("companies.csv")
    assert set(df["kvk_number"]) == set(SEED_COMPANIES)
    for _, row in df.iterrows():
        assert re.fullmatch(r"990000\d\d", row["kvk_number"])
        assert row["kvk_status"] == "placeholder"
        assert SEED_COMPANIES[row["kvk_number"]].lower() in row["name"].lower(), (
            f"kvk {row['kvk_number']} should be {SEED_COMPANIES[row['kvk_number']]}, "
            f"found {row['name']}"
        )
        assert row["activity_nl"].strip(), f"{row['name']} lacks activity_nl"


@pytest.mark.parametrize(
    "name",
    ["municipalities.csv", "ecosystems.csv", "knowledge_institutions.csv",
     "military_facilities.csv", "sites.csv", "facilities.csv"],
)
def test_coordinates_in_northern_netherlands(name: str) -> None:
    df = load(name)
    id_col = FILES[name][0]
    for _, row in df.iterrows():
        lat, lon = row["lat"].strip(), row["lon"].strip()
        assert bool(lat) == bool(lon), (
            f"{name} {row[id_col]}: lat/lon must be both set or both empty")
        if not lat:
            continue
        assert LAT_MIN <= float(lat) <= LAT_MAX, f"{name} {row[id_col]}: lat {lat} outside box"
        assert LON_MIN <= float(lon) <= LON_MAX, f"{name} {row[id_col]}: lon {lon} outside box"


def test_located_rows_have_coordinates() -> None:
    for name in ("municipalities.csv", "ecosystems.csv", "military_facilities.csv",
                 "sites.csv", "facilities.csv"):
        df = load(name)
        missing = [r["id"] for _, r in df.iterrows() if not r["lat"].strip()]
        assert not missing, f"{name}: rows without coordinates {missing}"


def test_all_twelve_drenthe_municipalities_present() -> None:
    df = load("municipalities.csv")
    drenthe = set(df.loc[df["province"] == "Drenthe", "name"])
    assert drenthe == DRENTHE_MUNICIPALITIES


def test_each_entity_lives_in_exactly_one_file() -> None:
    """An id may appear in only one of the entity files (e.g. SUSPACC)."""
    seen: dict[str, str] = {}
    clashes = []
    for name in (
        "ecosystems.csv",
        "knowledge_institutions.csv",
        "military_facilities.csv",
        "organisations.csv",
        "sites.csv",
        "facilities.csv",
        "programmes.csv",
    ):
        for id_ in ids_of(name):
            if id_ in seen:
                clashes.append((id_, seen[id_], name))
            seen[id_] = name
    assert not clashes, f"ids defined in more than one file: {clashes}"


def test_desks_are_the_agendas_partners_with_an_address() -> None:
    """The loket's desks (issue 20): the partners the agenda names, each with a plain address
    and a description in both languages."""
    df = load("desks.csv")
    assert set(df["id"]) == {"ibdo", "nom-bdd", "mindbase-noord", "founded", "regioteam-noord",
                             "veiligheidscampus", "brancheorganisaties"}
    email = re.compile(r"^[A-Za-z0-9.!#$%&*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
    for _, row in df.iterrows():
        assert email.fullmatch(row["email"]), row["id"]
        assert len(row["description_nl"]) > 80 and len(row["description_en"]) > 80, row["id"]
        assert row["source"].startswith("Drentse Agenda Defensie en Veiligheid"), row["id"]
