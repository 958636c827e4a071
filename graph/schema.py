"""Constraints and indexes, applied idempotently on connect; schema facts kept in the graph.

The embedding model and its dimension are recorded in a `(:ParaatMeta {key: 'schema'})` node.
A different model (even one with the same dimension) means different vector spaces, so Paraat
refuses to mix them and asks for `paraat reindex` instead.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from neo4j import Driver

from graph.errors import SchemaError
from graph.queries import schema as schema_q

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
META_KEY = "schema"


@dataclass(frozen=True)
class EmbeddingSpec:
    model: str
    dimension: int


def get_meta(driver: Driver) -> dict[str, Any]:
    records, _, _ = driver.execute_query(schema_q.GET_META, key=META_KEY)
    return dict(records[0]["meta"]) if records else {}


def _vector_dims(driver: Driver) -> dict[str, int]:
    records, _, _ = driver.execute_query(schema_q.SHOW_INDEXES)
    dims: dict[str, int] = {}
    for r in records:
        if r["type"] == "VECTOR":
            cfg = (r["options"] or {}).get("indexConfig", {})
            dims[r["name"]] = int(cfg.get("vector.dimensions"))
    return dims


def _count_embeddings(driver: Driver) -> int:
    records, _, _ = driver.execute_query(schema_q.COUNT_EMBEDDINGS)
    return int(records[0]["n"])


_BASE_STATEMENTS = (*schema_q.CONSTRAINTS, *schema_q.PROPERTY_INDEXES, *schema_q.FULLTEXT_INDEXES)
_CREATED_NAME = re.compile(r"^CREATE (?:CONSTRAINT|(?:FULLTEXT |VECTOR )?INDEX) (\w+) ")
# A constraint's backing index has the constraint's name, so SHOW INDEXES lists them all.
_BASE_NAMES = frozenset(m.group(1) for s in _BASE_STATEMENTS if (m := _CREATED_NAME.match(s)))


def _statements_digest() -> str:
    """Digest of the schema code itself (this module and graph/queries/schema.py, where every
    statement it applies lives): any change to them, a new index in a tuple of its own
    included, makes the next apply a full one."""
    h = hashlib.sha256(str(SCHEMA_VERSION).encode())
    try:
        for source in (__file__, schema_q.__file__):
            h.update(Path(source).read_bytes())
    except (OSError, TypeError):  # no source files (a frozen build): the statements
        h.update("\n".join((*_BASE_STATEMENTS, schema_q.VECTOR_INDEX_TEMPLATE)).encode())
    return h.hexdigest()[:16]


# Stored in the meta node by a full apply: a later apply by the same code only checks.
STATEMENTS_DIGEST = _statements_digest()


def _schema_ready(driver: Driver, embedding: EmbeddingSpec | None) -> dict[str, Any] | None:
    """The meta when a full apply with these statements and this model ran before and every
    index it made is still there and online (two reads); None when a full apply is due.

    A full apply is ~30 schema transactions and a write, ~0.2-0.4 s of every CLI command;
    checking instead keeps the guarantees: an index dropped since (a bulk import drops the
    full-text ones) or still populating, a new statement or another model all fail the check.
    """
    meta = get_meta(driver)
    if meta.get("statements") != STATEMENTS_DIGEST:
        return None
    if embedding is not None and (meta.get("embedding_model"),
                                  meta.get("embedding_dimension")) != (embedding.model,
                                                                       embedding.dimension):
        return None
    records, _, _ = driver.execute_query(schema_q.SHOW_INDEXES)
    online: dict[str, dict[str, Any]] = {
        r["name"]: dict(r.get("options") or {}) for r in records if r["state"] == "ONLINE"}
    if not _BASE_NAMES <= online.keys():
        return None
    if embedding is not None:
        for name in (schema_q.COMPANY_VECTOR_INDEX, schema_q.CAPABILITY_VECTOR_INDEX):
            cfg = (online.get(name) or {}).get("indexConfig") or {}
            if cfg.get("vector.dimensions") != embedding.dimension:
                return None
    return meta


def apply_schema(driver: Driver, embedding: EmbeddingSpec | None = None) -> dict[str, Any]:
    """Create what is missing; raise SchemaError if stored embeddings came from another model."""
    ready = _schema_ready(driver, embedding)
    if ready is not None:
        return ready
    for stmt in schema_q.CONSTRAINTS:
        driver.execute_query(stmt)
    for stmt in (*schema_q.PROPERTY_INDEXES, *schema_q.FULLTEXT_INDEXES):
        driver.execute_query(stmt)
    _label_companies_as_supply(driver)
    meta = get_meta(driver)
    props: dict[str, Any] = {"version": SCHEMA_VERSION, "statements": STATEMENTS_DIGEST}
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
        for name in (schema_q.COMPANY_VECTOR_INDEX, schema_q.CAPABILITY_VECTOR_INDEX):
            if name in dims and dims[name] != embedding.dimension:
                if _count_embeddings(driver):
                    raise SchemaError(
                        f"Vector index {name} has {dims[name]} dimensions, the encoder "
                        f"{embedding.dimension}: run `paraat reindex`."
                    )
                driver.execute_query(schema_q.DROP_VECTOR_INDEX[name])
        for name, label in ((schema_q.COMPANY_VECTOR_INDEX, "Company"),
                            (schema_q.CAPABILITY_VECTOR_INDEX, "Capability")):
            driver.execute_query(schema_q.VECTOR_INDEX_TEMPLATE.format(
                name=name, label=label, dim=int(embedding.dimension)))
        props |= {"embedding_model": embedding.model, "embedding_dimension": embedding.dimension}
    driver.execute_query(schema_q.SET_META, key=META_KEY, props=props)
    driver.execute_query(schema_q.AWAIT_INDEXES, seconds=300)
    return get_meta(driver)


def _label_companies_as_supply(driver: Driver, batch: int = 10_000) -> int:
    """Older graphs hold companies without the `Supply` label (issue 19); idempotent."""
    total = 0
    while True:
        records, _, _ = driver.execute_query(schema_q.LABEL_COMPANIES_AS_SUPPLY_BATCH,
                                             limit=batch)
        n = int(records[0]["labelled"])
        total += n
        if n < batch:
            return total


def reset_embeddings(driver: Driver, embedding: EmbeddingSpec, batch: int = 10_000) -> int:
    """Drop vector indexes and stored vectors so a new model can be applied cleanly."""
    cleared = 0
    while True:
        records, _, _ = driver.execute_query(schema_q.CLEAR_EMBEDDINGS_BATCH, limit=batch)
        n = int(records[0]["cleared"])
        cleared += n
        if n == 0:
            break
    for stmt in schema_q.DROP_VECTOR_INDEX.values():
        driver.execute_query(stmt)
    driver.execute_query(schema_q.SET_META, key=META_KEY,
                         props={"embedding_model": None, "embedding_dimension": None})
    apply_schema(driver, embedding)
    return cleared


def describe(driver: Driver) -> dict[str, Any]:
    """Names of constraints and indexes, for status output and idempotency tests."""
    cons, _, _ = driver.execute_query(schema_q.SHOW_CONSTRAINTS)
    idx, _, _ = driver.execute_query(schema_q.SHOW_INDEXES)
    return {
        "constraints": sorted(r["name"] for r in cons),
        "indexes": sorted((r["name"], r["type"]) for r in idx),
        "meta": get_meta(driver),
    }


def clear_graph(driver: Driver, batch: int = 10_000) -> int:
    """Delete every node (schema stays); used by `paraat reset` and tests."""
    total = 0
    while True:
        records, _, _ = driver.execute_query(schema_q.DELETE_ALL_BATCH, limit=batch)
        n = int(records[0]["deleted"])
        total += n
        if n == 0:
            return total
