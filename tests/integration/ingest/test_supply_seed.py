"""The supply kinds of the seed (issue 19) against the real Neo4j: every node is `:Supply` with
its provenance, the links the agenda names are there, a second load changes nothing (not even
`imported_at`), a bad file writes nothing, and the text fields and vectors ranking needs exist."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from neo4j import Driver

from graph.repositories.supply import SupplyRepository
from graph.schema import EmbeddingSpec, apply_schema
from ingest.errors import IngestError
from ingest.seed import ENTITY_FILES, SUPPLY_FILES, load_seed, read_seed_csv, seed_dir
from ingest.supply import refresh_supply_text
from matching.encoders.base import Encoder
from matching.encoders.cache import EmbeddingCache
from ontology.taxonomy import load_taxonomy


def _rows(driver: Driver, query: str, **params: Any) -> list[dict[str, Any]]:
    records, _, _ = driver.execute_query(query, params)
    return [dict(r) for r in records]


def _supply_state(driver: Driver) -> list[tuple[Any, ...]]:
    return sorted(
        (r["id"], tuple(sorted(r["labels"])), tuple(sorted(r["props"].items())),
         tuple(sorted(r["rels"])))
        for r in _rows(driver, """
            MATCH (n:Supply) WHERE NOT n:Company
            RETURN n.id AS id, labels(n) AS labels, n {.*, embedding: null} AS props,
                   [(n)-[r]->(m) | type(r) + '>' + coalesce(m.id, m.kvk_number)] AS rels""")
    )


def test_supply_nodes_labels_provenance_and_rerun(driver: Driver) -> None:
    summary = load_seed(driver)
    for name in SUPPLY_FILES:
        label = ENTITY_FILES[name][0]
        n = len(read_seed_csv(name))
        assert summary[label] == n
        got = _rows(driver, f"MATCH (n:{label}:Supply) RETURN count(n) AS n")[0]["n"]
        assert got == n, label
    # companies are supply too
    assert _rows(driver, "MATCH (c:Company) WHERE NOT c:Supply RETURN count(c) AS n")[0]["n"] == 0
    missing = _rows(driver, """
        MATCH (n:Supply) WHERE NOT n:Company AND (n.source IS NULL OR n.imported_at IS NULL
              OR n.file_hash IS NULL OR n.record_hash IS NULL OR n.concept_terms IS NULL
              OR n.description_nl IS NULL OR n.description_en IS NULL)
        RETURN n.id AS id""")
    assert missing == []
    assert all(r["s"].startswith("Drentse Agenda Defensie en Veiligheid")
               for r in _rows(driver, "MATCH (n:Supply) WHERE NOT n:Company RETURN n.source AS s"))
    rundedal = _rows(driver, "MATCH (s:Site {id: 'rundedal'}) RETURN s {.*} AS s")[0]["s"]
    assert rundedal["area_ha"] == 150.0 and rundedal["access"] == ["road"]
    assert rundedal["status"] == "available"
    euro = _rows(driver, "MATCH (s:Site {id: 'euroterminal-coevorden'}) RETURN s.access AS a")
    assert set(euro[0]["a"]) == {"road", "rail", "water"}
    prog = _rows(driver, """MATCH (p:Programme {id: 'associate-degree-cybersafety'})
                            RETURN p.level AS level, p.status AS status,
                                   [(p)-[:PROVIDED_BY]->(i) | i.id] AS providers""")[0]
    assert prog["level"] == ["HBO"] and prog["status"] == "running"
    assert "nhl-stenden" in prog["providers"]
    # the agenda's links: the sensor cluster's knowledge partners, a facility on its site
    sensor = {r["id"] for r in _rows(driver, """
        MATCH (i:KnowledgeInstitution)-[:MEMBER_OF]->(:Cluster {id: 'cluster-sensortechnologie'})
        RETURN i.id AS id""")}
    assert {"rijksuniversiteit-groningen", "hanzehogeschool-groningen",
            "lectoraat-sensortechnologie-hanze", "nhl-stenden", "astron"} <= sensor
    assert _rows(driver, """MATCH (:Facility {id: 'gae-waterstof-testlocatie'})-[:LOCATED_AT]->
                            (s:Site) RETURN s.id AS id""") == [{"id": "groningen-airport-eelde"}]
    assert _rows(driver, """MATCH (:Company {kvk_number: '99000012'})-[:PART_OF]->(s:Site)
                            RETURN s.id AS id""") == [{"id": "groningen-airport-eelde"}]

    before = _supply_state(driver)
    again = load_seed(driver)
    assert again["supply_changed"] == 0
    assert _supply_state(driver) == before  # imported_at included: nothing was rewritten


def _copy_seed(tmp_path: Path) -> Path:
    d = tmp_path / "seed"
    shutil.copytree(seed_dir(), d)
    return d


def test_exact_duplicate_row_is_dropped(driver: Driver, tmp_path: Path) -> None:
    d = _copy_seed(tmp_path)
    df = pd.read_csv(d / "sites.csv", dtype=str, keep_default_na=False)
    pd.concat([df, df.iloc[[0]]]).to_csv(d / "sites.csv", index=False)
    summary = load_seed(driver, directory=d)
    assert summary["supply_duplicates_dropped"] == 1
    assert summary["Site"] == len(df)


@pytest.mark.parametrize(("file", "change", "message"), [
    ("sites.csv", lambda df: pd.concat([df, df.iloc[[0]].assign(name="Ander terrein")]),
     "appears twice with different content"),
    ("programmes.csv", lambda df: pd.concat([df, df.iloc[[0]].assign(id="rundedal")]),
     "ids are unique across the supply kinds"),
    ("sites.csv", lambda df: df.assign(access=df["access"].where(df.index != 0, "teleport")),
     "Access is road, rail, water or air"),
    ("programmes.csv", lambda df: df.assign(level=df["level"].where(df.index != 0, "")),
     "The level is VO, MBO, HBO or WO"),
    ("facilities.csv", lambda df: df.assign(site=df["site"].where(df.index != 0, "atlantis")),
     "unknown Site atlantis"),
    ("facilities.csv",
     lambda df: df.assign(capabilities=df["capabilities"].where(df.index != 0, "teleportation")),
     "unknown Capability teleportation"),
])
def test_bad_supply_file_writes_nothing(driver: Driver, tmp_path: Path, file: str,
                                        change: Any, message: str) -> None:
    d = _copy_seed(tmp_path)
    df = pd.read_csv(d / file, dtype=str, keep_default_na=False)
    change(df).to_csv(d / file, index=False)
    with pytest.raises(IngestError, match=message):
        load_seed(driver, directory=d)
    assert _rows(driver, "MATCH (n:Supply) WHERE NOT n:Company RETURN count(n) AS n")[0]["n"] == 0


def test_embeddings_fulltext_and_reads(driver: Driver, encoder: Encoder,
                                       cache: EmbeddingCache) -> None:
    apply_schema(driver, EmbeddingSpec(encoder.name, encoder.dimension))
    tax = load_taxonomy()
    first = load_seed(driver, encoder=encoder, taxonomy=tax, cache=cache)
    total = sum(len(read_seed_csv(n)) for n in SUPPLY_FILES)
    assert first["supply_embedded"] == total
    assert load_seed(driver, encoder=encoder, taxonomy=tax, cache=cache)["supply_embedded"] == 0
    dims = _rows(driver, """MATCH (n:Supply) WHERE NOT n:Company
                            RETURN DISTINCT size(n.embedding) AS d""")
    assert dims == [{"d": encoder.dimension}]

    repo = SupplyRepository(driver)
    labels = ["Site", "Facility", "KnowledgeInstitution", "Programme"]
    q = encoder.encode_queries(["100 hectare voor grootschalige productie bij een snelweg"])[0]
    top = repo.dense(q.astype(float).tolist(), labels, limit=3)
    assert "rundedal" in [r["id"] for r in top]
    hits = repo.fulltext("reservisten", labels)
    assert {"reservistenminoren", "reservistencentrum-noord-nederland"} <= {h["id"] for h in hits}
    hits_en = repo.fulltext("crisis simulation", labels, english=True)
    assert "crisissimulatieruimte-assen" in {h["id"] for h in hits_en}
    counts = repo.count_by_kind()
    assert counts["site"] == len(read_seed_csv("sites.csv")) and counts["company"] == 12
    card = repo.get("imo-locatie-noord")
    assert card is not None and card["label"] == "Facility"
    assert card["sites"] == ["oefenterrein-de-haar"] and card["municipality"] == "assen"
    assert repo.get("99000001") is None and repo.get("nope") is None

    # `paraat reindex` clears every vector; the supply nodes come back with the next refresh.
    driver.execute_query("MATCH (n:Supply) WHERE NOT n:Company "
                         "REMOVE n.embedding, n.embedding_hash")
    assert refresh_supply_text(driver, tax, encoder, cache) == total


def test_older_companies_get_the_supply_label_on_a_full_schema_apply(driver: Driver) -> None:
    driver.execute_query("CREATE (:Company {kvk_number: '12345678', name: 'Oud'})")
    driver.execute_query("MATCH (m:ParaatMeta {key: 'schema'}) SET m.statements = 'older'")
    apply_schema(driver)
    rows = _rows(driver, "MATCH (c:Company:Supply {kvk_number: '12345678'}) RETURN count(c) AS n")
    assert rows[0]["n"] == 1
