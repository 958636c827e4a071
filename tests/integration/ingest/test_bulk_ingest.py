"""Bulk mode of write_companies: full-text indexes built after the data, same graph as the
incremental path, and indexes restored after a failure or a killed load."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from neo4j import Driver
from neo4j import exceptions as neo4j_exc

from graph.queries import bulk as bulk_q
from graph.queries import matching as matching_q
from graph.queries import schema as schema_q
from graph.schema import clear_graph
from ingest.companies import (
    CompanyRecord,
    PreparedBatch,
    RunContext,
    prepare_batches,
    write_companies,
    write_prepared,
)
from ingest.ontology_loader import load_ontology
from ingest.synthetic import generate
from ontology.taxonomy import load_taxonomy
from tests.integration.ingest.test_ingest import snapshot

NAMES = [schema_q.COMPANY_FULLTEXT_INDEX, schema_q.COMPANY_FULLTEXT_INDEX_EN]


def fulltext_online(driver: Driver) -> set[str]:
    rows, _, _ = driver.execute_query(schema_q.SHOW_INDEXES)
    return {r["name"] for r in rows if r["name"] in NAMES and r["state"] == "ONLINE"}


def lexical_hits(driver: Driver, term: str) -> set[str]:
    rows, _, _ = driver.execute_query(matching_q.MATCH_LEXICAL_ALL, question={"lucene": term},
                                     k=500, limit=500)
    return {r["kvk"] for r in rows}


def assert_rerun_equals_a_clean_run(driver: Driver, records: list[CompanyRecord]) -> None:
    """Re-run the import over what a failure left, then compare with a clean run."""
    tax = load_taxonomy()
    write_companies(driver, records, tax, RunContext(source="t"), batch_size=40)
    rerun = snapshot(driver)
    clear_graph(driver)
    load_ontology(driver, tax)
    write_companies(driver, records, tax, RunContext(source="t"), batch_size=40)
    assert snapshot(driver) == rerun


def test_bulk_load_equals_incremental_and_rebuilds_the_fulltext_indexes(driver: Driver
                                                                         ) -> None:
    tax = load_taxonomy()
    load_ontology(driver, tax)
    records = list(generate(120, tax, seed=11))
    stats = write_companies(driver, records, tax, RunContext(source="t"), batch_size=40,
                            bulk=None)
    assert stats.created == 120
    assert stats.bulk, "an empty graph and a full batch should load in bulk"
    assert stats.index_seconds > 0
    assert fulltext_online(driver) == set(NAMES)
    name_word = records[0].name.split()[0]
    assert records[0].kvk_number in lexical_hits(driver, name_word)
    bulk = snapshot(driver)

    clear_graph(driver)
    load_ontology(driver, tax)
    stats = write_companies(driver, records, tax, RunContext(source="t"), batch_size=40,
                            bulk=False)
    assert not stats.bulk
    assert snapshot(driver) == bulk
    assert records[0].kvk_number in lexical_hits(driver, name_word)


def test_small_or_non_empty_loads_keep_the_incremental_path(driver: Driver) -> None:
    tax = load_taxonomy()
    stats = write_companies(driver, generate(10, tax, seed=2), tax, RunContext(source="t"),
                            batch_size=40, bulk=None)  # fewer rows than one batch
    assert not stats.bulk
    stats = write_companies(driver, generate(100, tax, seed=3), tax, RunContext(source="t"),
                            batch_size=40, bulk=None)  # the graph already holds companies
    assert not stats.bulk
    clear_graph(driver)
    stats = write_companies(driver, generate(100, tax, seed=4), tax, RunContext(source="t"),
                            batch_size=40)  # empty graph, but the default is incremental
    assert not stats.bulk
    assert fulltext_online(driver) == set(NAMES)


def test_a_failing_bulk_load_restores_the_indexes_and_a_rerun_converges(driver: Driver
                                                                         ) -> None:
    tax = load_taxonomy()
    load_ontology(driver, tax)
    records = list(generate(120, tax, seed=5))

    def crash(i: int) -> None:
        if i == 1:
            raise RuntimeError("injected crash after the second batch")

    with pytest.raises(RuntimeError):
        write_companies(driver, records, tax, RunContext(source="t"), batch_size=40,
                        bulk=True, after_batch=crash)
    assert fulltext_online(driver) == set(NAMES), "the finally clause rebuilds them"
    assert_rerun_equals_a_clean_run(driver, records)


def test_indexes_missing_after_a_killed_bulk_load_come_back_on_the_next_import(
        driver: Driver) -> None:
    tax = load_taxonomy()
    records = list(generate(60, tax, seed=9))
    write_companies(driver, records[:30], tax, RunContext(source="t"), batch_size=40)
    for stmt in bulk_q.DROP_FULLTEXT_INDEXES:  # what SIGKILL mid-bulk-load leaves behind
        driver.execute_query(stmt)
    assert fulltext_online(driver) == set()
    write_companies(driver, records, tax, RunContext(source="t"), batch_size=40)
    driver.execute_query(schema_q.AWAIT_INDEXES, seconds=120)
    assert fulltext_online(driver) == set(NAMES)
    assert records[40].kvk_number in lexical_hits(driver, records[40].name.split()[0])


def test_concurrent_imports_of_the_same_new_companies_converge(driver: Driver) -> None:
    """Four imports of the same 30 new companies at once: each plans CREATE for all of
    them, all but one hit the uniqueness constraint and redo the batch with MERGE."""
    tax = load_taxonomy()
    clear_graph(driver)
    load_ontology(driver, tax)
    records = list(generate(30, tax, seed=5))
    with ThreadPoolExecutor(4) as pool:
        stats = list(pool.map(
            lambda i: write_companies(driver, records, tax, RunContext(source=f"t{i}"),
                                      batch_size=30, bulk=False), range(4)))
    assert sum(s.created for s in stats) == 30
    rows, _, _ = driver.execute_query(
        "MATCH (c:Company) OPTIONAL MATCH (c)-[r:LOCATED_IN]->() "
        "WITH c, count(r) AS n RETURN count(c) AS companies, max(n) AS links")
    assert (rows[0]["companies"], rows[0]["links"]) == (30, 1)


# --------------------------------------------------------------------------- two writers


def test_two_writers_write_the_graph_one_writer_writes_and_report_in_order(driver: Driver
                                                                          ) -> None:
    tax = load_taxonomy()
    clear_graph(driver)
    load_ontology(driver, tax)
    records = list(generate(200, tax, seed=21))
    write_companies(driver, records, tax, RunContext(source="t"), batch_size=40, writers=1)
    one = snapshot(driver)

    clear_graph(driver)
    load_ontology(driver, tax)
    seen: list[int] = []
    sizes: list[int] = []
    stats = write_companies(driver, records, tax, RunContext(source="t"), batch_size=40,
                            writers=2, after_batch=seen.append, progress=sizes.append)
    assert stats.created == 200 and stats.write_seconds > 0
    assert seen == [0, 1, 2, 3, 4], "batches are reported in input order"
    assert sizes == [40] * 5
    assert snapshot(driver) == one


def test_a_failing_batch_stops_the_writers_keeps_whole_batches_and_a_rerun_converges(
        driver: Driver) -> None:
    """Batch 1 of 5 is refused by Neo4j (a map is no property value): the batches already
    in flight commit or roll back whole, no new one starts, the error reaches the caller."""
    tax = load_taxonomy()
    clear_graph(driver)
    load_ontology(driver, tax)
    records = list(generate(200, tax, seed=22))
    batches = list(prepare_batches(driver, records, tax, batch_size=40))
    bad = PreparedBatch(1, [dict(r) for r in batches[1].rows], None, set())
    bad.rows[7] = {**bad.rows[7], "props": {**bad.rows[7]["props"], "name": {"no": "map"}}}
    with pytest.raises(neo4j_exc.Neo4jError):
        write_prepared(driver, [batches[0], bad, *batches[2:]], RunContext(source="t"),
                       writers=2)
    kvks = {r[0] for r in driver.execute_query("MATCH (c:Company) RETURN c.kvk_number")[0]}
    per_batch = [len(kvks & {r["kvk_number"] for r in b.rows}) for b in batches]
    assert per_batch[0] == 40 and per_batch[1] == 0, per_batch
    assert all(n in (0, 40) for n in per_batch), f"a batch was half-written: {per_batch}"
    assert per_batch[3:] == [0, 0], "no batch may start after the failure was seen"
    assert_rerun_equals_a_clean_run(driver, records)
