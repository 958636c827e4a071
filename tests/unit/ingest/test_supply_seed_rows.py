"""The supply seed files (issue 19) without a database: the rows pass the checks the seed
pipeline runs before writing (SHACL, links, unique ids), duplicates are handled, the agenda's
links are there, and the supply evaluation set points at real nodes of the right kind."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from ingest.errors import IngestError
from ingest.seed import ENTITY_FILES, LOAD_ORDER, SUPPLY_FILES, read_seed_csv, seed_dir
from ingest.supply import prepare_supply, supply_text
from ontology.taxonomy import Taxonomy, load_taxonomy

ROOT = Path(__file__).resolve().parents[3]
EVAL_FILE = ROOT / "matching" / "eval" / "supply_questions.jsonl"
KIND_FILE = {"site": "sites.csv", "facility": "facilities.csv",
             "institution": "knowledge_institutions.csv", "programme": "programmes.csv"}
AGENDA = "Drentse Agenda Defensie en Veiligheid (1 juli 2025)"


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return load_taxonomy()


def frames() -> dict[str, pd.DataFrame]:
    return {name: read_seed_csv(name) for name in LOAD_ORDER}


def test_the_seed_supply_files_pass_every_check(tax: Taxonomy) -> None:
    plan = prepare_supply(frames(), seed_dir(), tax)
    assert {label: len(rows) for label, rows in plan.entities.items()} == {
        ENTITY_FILES[n][0]: len(read_seed_csv(n)) for n in SUPPLY_FILES}
    assert plan.dropped_duplicates == 0
    for rows in plan.entities.values():
        for row in rows:
            assert row["props"]["file_hash"] and len(row["record_hash"]) == 32


@pytest.mark.parametrize("name", SUPPLY_FILES)
def test_rows_are_bilingual_own_words_with_agenda_provenance(name: str) -> None:
    for r in read_seed_csv(name).to_dict("records"):
        assert r["source"].startswith(AGENDA), r["id"]
        assert len(r["description_nl"]) >= 40 and len(r["description_en"]) >= 40, r["id"]
        assert r["description_nl"] != r["description_en"], r["id"]


@pytest.mark.parametrize("name", ["sites.csv", "facilities.csv", "programmes.csv"])
def test_every_offer_has_a_capability(name: str) -> None:
    df = read_seed_csv(name)
    assert not df[df["capabilities"] == ""]["id"].tolist()


def test_sites_carry_their_attributes() -> None:
    sites = read_seed_csv("sites.csv").set_index("id")
    assert float(sites.loc["rundedal", "area_ha"]) == 150
    assert sites.loc["groningen-airport-eelde", "co_use"] == "limited"
    assert set(sites.loc["euroterminal-coevorden", "access"].split("|")) == {
        "road", "rail", "water"}
    assert sites.loc["business-park-bravo", "part_of"] == "groningen-airport-eelde"
    assert "rail" in sites.loc["nedersaksenlijn", "access"]


def test_institutions_are_tied_to_the_clusters_the_agenda_names() -> None:
    ki = read_seed_csv("knowledge_institutions.csv").set_index("id")
    for i in ("rijksuniversiteit-groningen", "hanzehogeschool-groningen",
              "lectoraat-sensortechnologie-hanze", "nhl-stenden", "astron"):
        assert "cluster-sensortechnologie" in ki.loc[i, "clusters"].split("|"), i
    for i in ("rijksuniversiteit-groningen", "nhl-stenden", "dcterra"):
        assert "veiligheidscampus-assen" in ki.loc[i, "partner_of"].split("|"), i


def _change(name: str, edit: object) -> dict[str, pd.DataFrame]:
    f = frames()
    f[name] = edit(f[name])  # type: ignore[operator]
    return f


def test_exact_duplicate_dropped_conflicts_refused(tax: Taxonomy) -> None:
    plan = prepare_supply(_change("sites.csv", lambda df: pd.concat([df, df.iloc[[2]]])),
                          seed_dir(), tax)
    assert plan.dropped_duplicates == 1
    assert len(plan.entities["Site"]) == len(read_seed_csv("sites.csv"))
    with pytest.raises(IngestError, match="appears twice with different content"):
        prepare_supply(_change("sites.csv", lambda df: pd.concat(
            [df, df.iloc[[2]].assign(description_nl="x" * 60)])), seed_dir(), tax)
    with pytest.raises(IngestError, match="unique across the supply kinds"):
        prepare_supply(_change("programmes.csv", lambda df: pd.concat(
            [df, df.iloc[[0]].assign(id="astron")])), seed_dir(), tax)
    with pytest.raises(IngestError, match="the id is empty"):
        prepare_supply(_change("facilities.csv", lambda df: df.assign(
            id=df["id"].where(df.index != 1, ""))), seed_dir(), tax)


@pytest.mark.parametrize(("name", "column", "value", "message"), [
    ("sites.csv", "status", "sold", "status is available, in_use"),
    ("sites.csv", "area_ha", "-5", "positive number of hectares"),
    ("sites.csv", "co_use", "maybe", "Co-use is none, exploring, limited or open"),
    ("sites.csv", "lat", "12.5", "latitude must be a decimal within the Netherlands"),
    ("facilities.csv", "kind", "warehouse", "production, test, training or research"),
    ("facilities.csv", "operator", "veiligheidsregio-drenthe", "unknown KnowledgeInstitution"),
    ("programmes.csv", "level", "PhD", "The level is VO, MBO, HBO or WO"),
    ("programmes.csv", "description_en", "too short", "English description of 40"),
    ("programmes.csv", "provider", "nom", "unknown KnowledgeInstitution"),
    ("knowledge_institutions.csv", "kind", "ministry", "kind of knowledge institution"),
])
def test_a_bad_value_is_named(tax: Taxonomy, name: str, column: str, value: str,
                              message: str) -> None:
    bad = _change(name, lambda df: df.assign(**{column: df[column].where(df.index != 0, value)}))
    with pytest.raises(IngestError, match=message):
        prepare_supply(bad, seed_dir(), tax)


def test_embedding_text_has_both_languages() -> None:
    text = supply_text({"name": "X", "description_nl": "een terrein", "description_en": "a site"})
    assert text == "X. een terrein a site"


def test_supply_eval_set_is_labelled_with_real_nodes() -> None:
    rows = [json.loads(line) for line in EVAL_FILE.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 36
    assert len({r["id"] for r in rows}) == len(rows)
    langs = Counter(r["lang"] for r in rows)
    assert langs["nl"] == langs["en"] == len(rows) // 2
    ids = {kind: set(read_seed_csv(f)["id"]) for kind, f in KIND_FILE.items()}
    per_kind: Counter[str] = Counter()
    for r in rows:
        assert r["question"].strip() and r["relevant"], r["id"]
        for label in r["relevant"]:
            kind, _, node = label.partition(":")
            assert node in ids[kind], (r["id"], label)
        assert r["kind"] == r["relevant"][0].split(":")[0]
        per_kind[r["kind"]] += 1
    assert all(per_kind[k] >= 6 for k in KIND_FILE), per_kind
