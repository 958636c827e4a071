"""Constraints and indexes, applied idempotently on connect; schema facts kept in the graph.

The embedding model and its dimension are recorded in a `(:ParaatMeta {key: 'schema'})` node.
A different model (even one with the same dimension) means different vector spaces, so Paraat
refuses to mix them and asks for `paraat reindex` instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from neo4j import Driver

from graph import queries
from graph.errors import SchemaError

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
META_KEY = "schema"


@dataclass(frozen=True)
class EmbeddingSpec:
    model: str
    dimension: int


def get_meta(driver: Driver) -> dict[str, Any]:
    records, _, _ = driver.execute_query(queries.GET_META, key=META_KEY)
    return dict(records[0]["meta"]) if records else {}


def _vector_dims(driver: Driver) -> dict[str, int]:
    records, _, _ = driver.execute_query(queries.SHOW_INDEXES)
    dims: dict[str, int] = {}
    for r in records:
        if r["type"] == "VECTOR":
            cfg = (r["options"] or {}).get("indexConfig", {})
            dims[r["name"]] = int(cfg.get("vector.dimensions"))
    return dims


def _count_embeddings(driver: Driver) -> int:
    records, _, _ = driver.execute_query(queries.COUNT_EMBEDDINGS)
    return int(records[0]["n"])


def apply_schema(driver: Driver, embedding: EmbeddingSpec | None = None) -> dict[str, Any]:
    """Create what is missing; raise SchemaError if stored embeddings came from another model."""
    for stmt in queries.CONSTRAINTS:
        driver.execute_query(stmt)
    for stmt in (*queries.PROPERTY_INDEXES, *queries.FULLTEXT_INDEXES):
        driver.execute_query(stmt)
    meta = get_meta(driver)
    props: dict[str, Any] = {"version": SCHEMA_VERSION}
    if embedding is not None:
        if not isinstance(embedding.dimension, int) or not 1 <= embedding.dimension <= 4096:
            raise SchemaError(f"Invalid embedding dimension {embedding.dimension!r}.")
        stored_model = meta.get("embedding_model")
        if stored_model and stored_model != embedding.model and _count_embeddings(driver):
            raise SchemaError(
                f"The graph holds embeddings of model {stored_model!r} "
                f"({meta.get('embedding_dimension')} dims) but Paraat is set to "
                f"{embedding.model!r} ({embedding.dimension} dims): run `paraat reindex` "
                "to re-embed, or set PARAAT_EMBED_MODEL back."
            )
        dims = _vector_dims(driver)
        for name in (queries.COMPANY_VECTOR_INDEX, queries.CAPABILITY_VECTOR_INDEX):
            if name in dims and dims[name] != embedding.dimension:
                if _count_embeddings(driver):
                    raise SchemaError(
                        f"Vector index {name} has {dims[name]} dimensions, the encoder "
                        f"{embedding.dimension}: run `paraat reindex`."
                    )
                driver.execute_query(queries.DROP_VECTOR_INDEX[name])
        for name, label in ((queries.COMPANY_VECTOR_INDEX, "Company"),
                            (queries.CAPABILITY_VECTOR_INDEX, "Capability")):
            driver.execute_query(queries.VECTOR_INDEX_TEMPLATE.format(
                name=name, label=label, dim=int(embedding.dimension)))
        props |= {"embedding_model": embedding.model, "embedding_dimension": embedding.dimension}
    driver.execute_query(queries.SET_META, key=META_KEY, props=props)
    driver.execute_query(queries.AWAIT_INDEXES, seconds=300)
    return get_meta(driver)


def reset_embeddings(driver: Driver, embedding: EmbeddingSpec, batch: int = 10_000) -> int:
    """Drop vector indexes and stored vectors so a new model can be applied cleanly."""
    cleared = 0
    while True:
        records, _, _ = driver.execute_query(queries.CLEAR_EMBEDDINGS_BATCH, limit=batch)
        n = int(records[0]["cleared"])
        cleared += n
        if n == 0:
            break
    for stmt in queries.DROP_VECTOR_INDEX.values():
        driver.execute_query(stmt)
    driver.execute_query(queries.SET_META, key=META_KEY,
                         props={"embedding_model": None, "embedding_dimension": None})
    apply_schema(driver, embedding)
    return cleared


def describe(driver: Driver) -> dict[str, Any]:
    """Names of constraints and indexes, for status output and idempotency tests."""
    cons, _, _ = driver.execute_query(queries.SHOW_CONSTRAINTS)
    idx, _, _ = driver.execute_query(queries.SHOW_INDEXES)
    return {
        "constraints": sorted(r["name"] for r in cons),
        "indexes": sorted((r["name"], r["type"]) for r in idx),
        "meta": get_meta(driver),
    }


def clear_graph(driver: Driver, batch: int = 10_000) -> int:
    """Delete every node (schema stays); used by `paraat reset` and tests."""
    total = 0
    while True:
        records, _, _ = driver.execute_query(queries.DELETE_ALL_BATCH, limit=batch)
        n = int(records[0]["deleted"])
        total += n
        if n == 0:
            return total
