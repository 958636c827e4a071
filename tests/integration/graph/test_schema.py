"""Schema: idempotent, versioned, and strict about embedding models."""

from __future__ import annotations

from typing import Any, cast

import pytest
from neo4j import Driver

from graph.errors import SchemaError
from graph.queries import schema as schema_q
from graph.schema import (
    SCHEMA_VERSION,
    STATEMENTS_DIGEST,
    EmbeddingSpec,
    apply_schema,
    describe,
    reset_embeddings,
)
from tests.conftest import TEST_EMBEDDING


def test_apply_twice_gives_the_same_schema(driver: Driver) -> None:
    first = describe(driver)
    apply_schema(driver, TEST_EMBEDDING)
    second = describe(driver)
    assert first["constraints"] == second["constraints"]
    assert first["indexes"] == second["indexes"]
    names = {name for name, _ in second["indexes"]}
    assert {schema_q.COMPANY_VECTOR_INDEX, schema_q.COMPANY_FULLTEXT_INDEX,
            schema_q.COMPANY_FULLTEXT_INDEX_EN} <= names
    assert "company_kvk_number_unique" in second["constraints"]
    assert len(second["constraints"]) == len(schema_q.NODE_KEYS)
    assert second["meta"]["version"] == SCHEMA_VERSION
    assert second["meta"]["embedding_model"] == TEST_EMBEDDING.model


def test_vector_index_takes_the_encoder_dimension(driver: Driver) -> None:
    rows, _, _ = driver.execute_query(schema_q.SHOW_INDEXES)
    vec = {r["name"]: r["options"]["indexConfig"] for r in rows if r["type"] == "VECTOR"}
    assert vec[schema_q.COMPANY_VECTOR_INDEX]["vector.dimensions"] == TEST_EMBEDDING.dimension
    assert vec[schema_q.COMPANY_VECTOR_INDEX]["vector.similarity_function"] == "COSINE"


def test_uniqueness_is_enforced(driver: Driver) -> None:
    driver.execute_query("CREATE (:Company {kvk_number: '12345678'})")
    with pytest.raises(Exception, match="already exists"):
        driver.execute_query("CREATE (:Company {kvk_number: '12345678'})")


def test_model_change_requires_reindex(driver: Driver) -> None:
    driver.execute_query("CREATE (:Company {kvk_number: '12345678', embedding: $v})",
                         v=[0.1] * TEST_EMBEDDING.dimension)
    other = EmbeddingSpec(model="minilm", dimension=TEST_EMBEDDING.dimension)
    with pytest.raises(SchemaError, match="paraat reindex"):
        apply_schema(driver, other)
    bigger = EmbeddingSpec(model="st:some-768-model", dimension=768)
    with pytest.raises(SchemaError, match="reindex"):
        apply_schema(driver, bigger)

    cleared = reset_embeddings(driver, bigger)
    assert cleared == 1
    rows, _, _ = driver.execute_query(schema_q.SHOW_INDEXES)
    dims = {r["name"]: r["options"]["indexConfig"]["vector.dimensions"]
            for r in rows if r["type"] == "VECTOR"}
    assert dims[schema_q.COMPANY_VECTOR_INDEX] == 768
    assert describe(driver)["meta"]["embedding_model"] == "st:some-768-model"


class _Counting:
    """The real driver, with the queries sent through it written down."""

    def __init__(self, driver: Driver) -> None:
        self._driver = driver
        self.queries: list[str] = []

    def execute_query(self, query: str, *args: Any, **kwargs: Any) -> Any:
        self.queries.append(query)
        return self._driver.execute_query(query, *args, **kwargs)


def test_a_second_apply_only_checks(driver: Driver) -> None:
    # Every CLI command applies the schema on connect: once it is in place, two reads
    # (meta, SHOW INDEXES) replace ~30 schema transactions and a write.
    counting = _Counting(driver)
    meta = apply_schema(cast(Driver, counting), TEST_EMBEDDING)
    assert len(counting.queries) == 2, counting.queries
    assert not any(q.lstrip().upper().startswith(("CREATE", "MERGE", "DROP", "CALL"))
                   for q in counting.queries)
    assert meta["embedding_model"] == TEST_EMBEDDING.model
    assert meta["statements"] == STATEMENTS_DIGEST


@pytest.mark.parametrize("drop", [
    f"DROP INDEX {schema_q.COMPANY_FULLTEXT_INDEX}",  # as a bulk import does, then crashes
    "DROP CONSTRAINT capability_id_unique",
    f"DROP INDEX {schema_q.CAPABILITY_VECTOR_INDEX}",
])
def test_the_check_notices_what_is_missing(driver: Driver, drop: str) -> None:
    before = describe(driver)
    driver.execute_query(drop)
    counting = _Counting(driver)
    apply_schema(cast(Driver, counting), TEST_EMBEDDING)
    assert len(counting.queries) > 2  # a full apply
    after = describe(driver)
    assert (after["constraints"], after["indexes"]) == (before["constraints"],
                                                        before["indexes"])


def test_new_statements_or_another_model_mean_a_full_apply(driver: Driver) -> None:
    driver.execute_query(schema_q.SET_META, key="schema", props={"statements": "older"})
    counting = _Counting(driver)
    apply_schema(cast(Driver, counting), TEST_EMBEDDING)
    assert len(counting.queries) > 2
    assert describe(driver)["meta"]["statements"] == STATEMENTS_DIGEST
    # Another model with no embeddings stored is taken over (in full, not by the check).
    counting = _Counting(driver)
    other = EmbeddingSpec(model="minilm", dimension=TEST_EMBEDDING.dimension)
    assert apply_schema(cast(Driver, counting), other)["embedding_model"] == "minilm"
    assert len(counting.queries) > 2
