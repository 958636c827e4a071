"""Schema: idempotent, versioned, and strict about embedding models."""

from __future__ import annotations

import pytest
from neo4j import Driver

from graph import queries
from graph.errors import SchemaError
from graph.schema import SCHEMA_VERSION, EmbeddingSpec, apply_schema, describe, reset_embeddings

from ..conftest import TEST_EMBEDDING


def test_apply_twice_gives_the_same_schema(driver: Driver) -> None:
    first = describe(driver)
    apply_schema(driver, TEST_EMBEDDING)
    second = describe(driver)
    assert first["constraints"] == second["constraints"]
    assert first["indexes"] == second["indexes"]
    names = {name for name, _ in second["indexes"]}
    assert {queries.COMPANY_VECTOR_INDEX, queries.COMPANY_FULLTEXT_INDEX,
            queries.COMPANY_FULLTEXT_INDEX_EN} <= names
    assert "company_kvk_number_unique" in second["constraints"]
    assert len(second["constraints"]) == len(queries.NODE_KEYS)
    assert second["meta"]["version"] == SCHEMA_VERSION
    assert second["meta"]["embedding_model"] == TEST_EMBEDDING.model


def test_vector_index_takes_the_encoder_dimension(driver: Driver) -> None:
    rows, _, _ = driver.execute_query(queries.SHOW_INDEXES)
    vec = {r["name"]: r["options"]["indexConfig"] for r in rows if r["type"] == "VECTOR"}
    assert vec[queries.COMPANY_VECTOR_INDEX]["vector.dimensions"] == TEST_EMBEDDING.dimension
    assert vec[queries.COMPANY_VECTOR_INDEX]["vector.similarity_function"] == "COSINE"


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
    rows, _, _ = driver.execute_query(queries.SHOW_INDEXES)
    dims = {r["name"]: r["options"]["indexConfig"]["vector.dimensions"]
            for r in rows if r["type"] == "VECTOR"}
    assert dims[queries.COMPANY_VECTOR_INDEX] == 768
    assert describe(driver)["meta"]["embedding_model"] == "st:some-768-model"
