"""The company write path shared by the seed, registry and synthetic pipelines.

Records are prepared in Python (capabilities inferred, search texts, content hash), then
written in `UNWIND $rows` batches, one transaction per batch: the node, its municipality,
capabilities, clusters and (if given) its embedding. A batch is all-or-nothing, and because
every write is a MERGE keyed on the KvK number and unchanged content is left untouched, a
re-run after a crash converges to the graph of a clean run.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from neo4j import Driver, ManagedTransaction
from neo4j import exceptions as neo4j_exc
from pydantic import BaseModel, ConfigDict, Field, field_validator

from graph.errors import is_constraint_violation
from graph.limits import MAX_EMPLOYEES
from graph.queries import schema as schema_q
from graph.repositories.admin import AdminRepository
from graph.repositories.base import batched
from graph.repositories.companies import CompanyRepository
from matching.encoders.base import Encoder
from matching.encoders.cache import EmbeddingCache, encode_passages_cached, text_hash
from matching.encoders.composite import concept_block
from matching.text import concept_terms, embedding_text, infer_capabilities, record_hash
from ontology.taxonomy import Taxonomy
from ontology.validation import municipality_id

log = logging.getLogger(__name__)

DEFAULT_BATCH = 2000
# Transactions in flight during an import: Neo4j commits one batch while it runs the next
# (`paraat bench ingest` measures 1 against 2 writers in the same run; docs/scaling.md).
DEFAULT_WRITERS = 2
# The keys CREATE_COMPANIES reads; only these travel over Bolt for new companies (the full row
# also carries the embedding text and ids for the other queries). Checked by
# tests/unit/test_bulk_ingest.py against the query text.
CREATE_KEYS = ("kvk_number", "props", "record_hash", "source", "municipality", "capabilities")


class CompanyRecord(BaseModel):
    """A company as the pipelines hand it to the writer (already validated)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    kvk_number: str = Field(pattern=r"^\d{8}$")
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=5000)
    description_en: str | None = None
    activity: str | None = None
    municipality: str | None = None
    website: str | None = None
    employees: int | None = Field(default=None, ge=0, le=MAX_EMPLOYEES)
    sbi_code: str | None = None
    kvk_status: str | None = None
    capabilities: list[str] = Field(default_factory=list)  # declared
    clusters: list[str] | None = None
    ecosystems: list[str] | None = None
    source: str | None = None
    synthetic: bool = False

    @field_validator("municipality")
    @classmethod
    def _municipality_id(cls, v: str | None) -> str | None:
        return municipality_id(v) if v else None


@dataclass
class WriteStats:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    embedded: int = 0
    write_seconds: float = 0.0
    embed_seconds: float = 0.0
    # Waiting for the full-text indexes: the eventually consistent refresh after the last
    # batch, or in bulk mode building them on the full graph.
    index_seconds: float = 0.0
    bulk: bool = False

    def add(self, other: WriteStats) -> None:
        for k in ("created", "updated", "unchanged", "embedded"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        self.write_seconds += other.write_seconds
        self.index_seconds += other.index_seconds
        self.embed_seconds += other.embed_seconds


@dataclass
class RunContext:
    source: str
    file: str | None = None
    file_hash: str | None = None
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    now: str = field(default_factory=lambda: datetime.now(UTC).isoformat())


def prepare(record: CompanyRecord, taxonomy: Taxonomy) -> dict[str, Any]:
    """The row the Cypher batch receives, with its content hash."""
    text = " ".join(x for x in (record.name, record.description, record.description_en or "")
                    if x)
    declared = [c for c in dict.fromkeys(record.capabilities) if c in taxonomy.capabilities]
    caps: dict[str, dict[str, Any]] = {
        cid: {"id": cid, "source": "declared", "confidence": 1.0, "evidence": None}
        for cid in declared
    }
    hits = taxonomy.find_in_text(text)
    for inf in infer_capabilities(text, taxonomy, hits):
        caps.setdefault(inf.id, {"id": inf.id, "source": "inferred",
                                 "confidence": inf.confidence, "evidence": inf.evidence})
    props = {
        "name": record.name,
        "description": record.description,
        "description_en": record.description_en,
        "activity": record.activity,
        "website": record.website,
        "employees": record.employees,
        "sbi_code": record.sbi_code,
        "kvk_status": record.kvk_status or "registered",
        "synthetic": record.synthetic,
        "concept_terms": concept_terms(text, list(caps), taxonomy, hits),
    }
    content = {**props, "municipality": record.municipality,
               "capabilities": sorted(caps.items()),
               # sorted: the order of links carries no meaning (RDF round trips lose it)
               "clusters": sorted(record.clusters) if record.clusters is not None else None,
               "ecosystems": sorted(record.ecosystems) if record.ecosystems is not None
               else None}
    return {
        "kvk_number": record.kvk_number,
        "props": props,
        "record_hash": record_hash(content),
        "source": record.source,
        "municipality": record.municipality,
        "municipality_name": record.municipality,
        "capabilities": sorted(caps.values(), key=lambda c: c["id"]),
        "capability_ids": sorted(caps),
        "embedding_text": embedding_text(record.name, record.description),
        "clusters": record.clusters,
        "ecosystems": record.ecosystems,
    }


class CompanyWriter:
    """Writes prepared company rows; one transaction per batch."""

    def __init__(self, driver: Driver, database: str | None = None) -> None:
        self.repo = CompanyRepository(driver, database)

    def existing_hashes(self, kvks: Sequence[str]) -> dict[str, tuple[str | None, str | None]]:
        return self.repo.existing_hashes(list(kvks))

    def write_batch(self, rows: list[dict[str, Any]], ctx: RunContext,
                    embeddings: list[dict[str, Any]] | None = None,
                    existing: set[str] | None = None,
                    in_tx: Callable[[ManagedTransaction], object] | None = None
                    ) -> tuple[int, int]:
        """One transaction: new rows are created, changed rows merged and re-linked.
        `in_tx` runs last in the same transaction (the API's approval and audit), so the
        company write and its bookkeeping commit or roll back together."""
        if in_tx is not None:
            # A single write from the API races other requests for the same KvK number:
            # MERGE waits on the uniqueness lock and then matches, so no constraint
            # error ever has to travel out of (and roll back) a transaction function.
            return self._write(rows, ctx, embeddings, None, in_tx)
        try:
            return self._write(rows, ctx, embeddings, existing, in_tx)
        except (neo4j_exc.ConstraintError, neo4j_exc.ResultFailedError) as e:
            # The driver may report the constraint error as a failed result on rollback.
            if not is_constraint_violation(e):
                raise
            log.info("a company appeared meanwhile; redoing the batch with MERGE")
            return self._write(rows, ctx, embeddings, None, in_tx)

    def _write(self, rows: list[dict[str, Any]], ctx: RunContext,
               embeddings: list[dict[str, Any]] | None, existing: set[str] | None,
               in_tx: Callable[[ManagedTransaction], object] | None = None
               ) -> tuple[int, int]:
        fresh = [r for r in rows if r["kvk_number"] not in existing] if existing is not None \
            else []
        rest = [r for r in rows if r["kvk_number"] in existing] if existing is not None \
            else rows
        municipalities = sorted({(r["municipality"], r["municipality_name"]) for r in rows
                                 if r["municipality"]})
        params: dict[str, Any] = {"now": ctx.now, "run_id": ctx.run_id, "file_hash": ctx.file_hash,
                  "source": ctx.source}

        created, changed = self.repo.write_batch(
            fresh=fresh, rest=rest, create_keys=CREATE_KEYS, municipalities=municipalities,
            params=params, embeddings=embeddings, in_tx=in_tx)
        created += sum(1 for v in changed.values() if v)
        return created, len(changed) - sum(1 for v in changed.values() if v)


def row_vectors(rows: list[dict[str, Any]], encoder: Encoder,
                cache: EmbeddingCache | None = None) -> dict[str, tuple[np.ndarray, str]]:
    """kvk -> (vector, text hash) for the rows; the cache spares re-encoding."""
    texts = [r["embedding_text"] for r in rows]
    vectors = encode_passages_cached(encoder, texts, cache)
    return {r["kvk_number"]: (vectors[i], text_hash(t, encoder.name))
            for i, (r, t) in enumerate(zip(rows, texts, strict=True))}


def embed_rows(rows: list[dict[str, Any]], encoder: Encoder, known: dict[str, str | None],
               cache: EmbeddingCache | None = None) -> list[dict[str, Any]]:
    """Embeddings for rows whose text changed (by hash)."""
    todo = [r for r in rows
            if known.get(r["kvk_number"]) != text_hash(r["embedding_text"], encoder.name)]
    if not todo:
        return []
    vecs = row_vectors(todo, encoder, cache)
    return [{"kvk_number": k, "embedding": v.astype(float).tolist(), "hash": h}
            for k, (v, h) in vecs.items()]


# Passage-to-concept cosine (multilingual-e5) below which a label hit is probably a word
# shared by accident ("Club Nightvision"), and above which the text is about the concept even
# without naming it. Measured on the labelled registry (matching/eval): genuine suppliers
# score 0.83-0.88 on their concept, look-alikes 0.80-0.83.
SEMANTIC_LOW, SEMANTIC_HIGH, EMBEDDING_INFER = 0.78, 0.86, 0.845
_CONCEPT_VECTORS: dict[str, tuple[list[str], np.ndarray]] = {}


def concept_vectors(encoder: Encoder, taxonomy: Taxonomy,
                    cache: EmbeddingCache | None = None) -> tuple[list[str], np.ndarray]:
    """The capability concepts' embeddings (as in the graph's capability index), per model."""
    from ingest.ontology_loader import concept_text

    key = f"{encoder.name}:{taxonomy.version}:{len(taxonomy.capabilities)}"
    if key not in _CONCEPT_VECTORS:
        ids = list(taxonomy.capabilities)
        rows = [{"kvk_number": cid, "embedding_text": concept_text(taxonomy.capabilities[cid])}
                for cid in ids]
        vecs = row_vectors(rows, encoder, cache)
        _CONCEPT_VECTORS[key] = (ids, concept_block(encoder, np.stack([vecs[cid][0]
                                                                      for cid in ids])))
    return _CONCEPT_VECTORS[key]


def refine_capabilities(row: dict[str, Any], vector: np.ndarray, ids: list[str],
                        matrix: np.ndarray) -> None:
    """Weigh label-inferred capabilities by how much the text is about them, and infer the
    closest concept from the embedding when no label named it."""
    sims = matrix @ vector
    sim = dict(zip(ids, (float(x) for x in sims), strict=True))
    for cap in row["capabilities"]:
        if cap["source"] == "inferred":
            f = min(1.0, max(0.1, (sim[cap["id"]] - SEMANTIC_LOW)
                             / (SEMANTIC_HIGH - SEMANTIC_LOW)))
            cap["confidence"] = round(cap["confidence"] * f, 3)
    best = int(np.argmax(sims))
    held = {c["id"] for c in row["capabilities"]}
    if sims[best] >= EMBEDDING_INFER and ids[best] not in held:
        conf = round(0.5 * min(1.0, (float(sims[best]) - EMBEDDING_INFER) / 0.03 + 0.5), 3)
        row["capabilities"].append({"id": ids[best], "source": "inferred", "confidence": conf,
                                    "evidence": f"embedding:{float(sims[best]):.3f}"})
        row["capabilities"].sort(key=lambda c: c["id"])
        row["capability_ids"] = sorted(held | {ids[best]})


@dataclass
class PreparedBatch:
    """A batch ready for the graph: rows, their new embeddings, which KvK numbers exist."""

    index: int
    rows: list[dict[str, Any]]
    embeddings: list[dict[str, Any]] | None
    existing: set[str]


def prepare_batches(
    driver: Driver,
    records: Iterable[CompanyRecord],
    taxonomy: Taxonomy,
    *,
    encoder: Encoder | None = None,
    cache: EmbeddingCache | None = None,
    batch_size: int = DEFAULT_BATCH,
    stats: WriteStats | None = None,
) -> Iterator[PreparedBatch]:
    """Prepare (and embed) records batch by batch, lazily, for `write_prepared`."""
    writer = CompanyWriter(driver)
    stats = stats if stats is not None else WriteStats()
    for i, batch in enumerate(batched(records, batch_size)):
        rows = [prepare(r, taxonomy) for r in batch]
        known = writer.existing_hashes([r["kvk_number"] for r in rows])
        embeddings: list[dict[str, Any]] | None = None
        if encoder is not None:
            t0 = time.perf_counter()
            changed = [r for r in rows
                       if known.get(r["kvk_number"], (None, None))[0] != r["record_hash"]]
            vecs = row_vectors(changed, encoder, cache) if changed else {}
            ids, matrix = concept_vectors(encoder, taxonomy, cache)
            embeddings = []
            for r in changed:
                vec, h = vecs[r["kvk_number"]]
                refine_capabilities(r, concept_block(encoder, vec), ids, matrix)
                if known.get(r["kvk_number"], (None, None))[1] != h:
                    embeddings.append({"kvk_number": r["kvk_number"],
                                       "embedding": vec.astype(float).tolist(), "hash": h})
            stats.embed_seconds += time.perf_counter() - t0
            stats.embedded += len(embeddings)
        yield PreparedBatch(i, rows, embeddings, set(known))


class _BusyClock:
    """Wall time during which at least one write was in flight (writes overlap)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active = 0
        self._since = 0.0
        self.seconds = 0.0

    def __enter__(self) -> None:
        with self._lock:
            if self._active == 0:
                self._since = time.perf_counter()
            self._active += 1

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._active -= 1
            if self._active == 0:
                self.seconds += time.perf_counter() - self._since


def write_prepared(
    driver: Driver,
    batches: Iterable[PreparedBatch],
    ctx: RunContext,
    *,
    writers: int = 1,
    stats: WriteStats | None = None,
    progress: Callable[[int], None] | None = None,
    after_batch: Callable[[int], None] | None = None,
    in_tx: Callable[[ManagedTransaction], object] | None = None,
) -> WriteStats:
    """Write prepared batches, one transaction each, with up to `writers` in flight.

    With two writers Neo4j commits one batch while it executes the next, and the caller's
    thread prepares the batch after that (2 cores: `paraat bench ingest` measures 1 vs 2).
    Batches are reported (progress, after_batch) in input order. On a failure the batches in
    flight finish or roll back, nothing new starts, and the error is raised: every batch is
    all-or-nothing, so a re-run converges as with one writer."""
    writer = CompanyWriter(driver)
    stats = stats if stats is not None else WriteStats()
    clock = _BusyClock()

    def write(b: PreparedBatch) -> tuple[int, int]:
        with clock:
            return writer.write_batch(b.rows, ctx, b.embeddings, existing=b.existing,
                                      in_tx=in_tx)

    def settle(b: PreparedBatch, fut: Future[tuple[int, int]]) -> None:
        created, updated = fut.result()
        stats.created += created
        stats.updated += updated
        stats.unchanged += len(b.rows) - created - updated
        if progress:
            progress(len(b.rows))
        if after_batch:
            after_batch(b.index)

    in_flight = max(1, writers)
    pending: deque[tuple[PreparedBatch, Future[tuple[int, int]]]] = deque()
    with ThreadPoolExecutor(max_workers=in_flight, thread_name_prefix="paraat-write") as pool:
        try:
            for b in batches:
                while len(pending) >= in_flight:
                    settle(*pending.popleft())
                pending.append((b, pool.submit(write, b)))
            while pending:
                settle(*pending.popleft())
        finally:
            for _, fut in pending:
                fut.cancel()
    stats.write_seconds += clock.seconds
    return stats


def _write_companies(
    driver: Driver,
    records: Iterable[CompanyRecord],
    taxonomy: Taxonomy,
    ctx: RunContext,
    *,
    encoder: Encoder | None = None,
    cache: EmbeddingCache | None = None,
    batch_size: int = DEFAULT_BATCH,
    writers: int = 1,
    progress: Callable[[int], None] | None = None,
    after_batch: Callable[[int], None] | None = None,
    in_tx: Callable[[ManagedTransaction], object] | None = None,
) -> WriteStats:
    """Prepare, embed and write records batch by batch; returns what changed."""
    stats = WriteStats()
    batches = prepare_batches(driver, records, taxonomy, encoder=encoder, cache=cache,
                              batch_size=batch_size, stats=stats)
    return write_searchable(driver, batches, ctx, writers=writers, stats=stats,
                            progress=progress, after_batch=after_batch, in_tx=in_tx)


def write_searchable(
    driver: Driver,
    batches: Iterable[PreparedBatch],
    ctx: RunContext,
    *,
    stats: WriteStats,
    writers: int = 1,
    progress: Callable[[int], None] | None = None,
    after_batch: Callable[[int], None] | None = None,
    in_tx: Callable[[ManagedTransaction], object] | None = None,
) -> WriteStats:
    """`write_prepared`, then wait until the eventually consistent full-text indexes show
    the write: the import's whole write path, which `paraat bench ingest` times too."""
    write_prepared(driver, batches, ctx, writers=writers, stats=stats, progress=progress,
                   after_batch=after_batch, in_tx=in_tx)
    t0 = time.perf_counter()
    AdminRepository(driver).await_fulltext_refresh()
    stats.index_seconds += time.perf_counter() - t0
    return stats


def write_companies(
    driver: Driver,
    records: Iterable[CompanyRecord],
    taxonomy: Taxonomy,
    ctx: RunContext,
    *,
    batch_size: int = DEFAULT_BATCH,
    bulk: bool | None = False,
    writers: int = DEFAULT_WRITERS,
    **kwargs: Any,
) -> WriteStats:
    """Prepare, embed and write records batch by batch; returns what changed.

    Bulk mode (opt-in: `bulk=True`, or `None` for "when the graph holds no company yet and
    the input fills a whole batch") drops the two company full-text indexes, writes, and
    builds them once on the full graph (`stats.index_seconds`). It is not the default: the
    write itself is 0.9-1.5x faster, but with the build included it is no faster than
    updating Lucene batch by batch (`paraat bench ingest`, docs/scaling.md section 2), and
    search finds nothing while it runs. The indexes come back in a `finally`; should the
    process die first, the next write_companies (any import) or `apply_schema` re-creates
    them (`IF NOT EXISTS`). Batches stay one transaction each, so a re-run converges exactly
    as in normal mode."""
    it = iter(records)
    head = list(itertools.islice(it, batch_size))
    if bulk is None:
        bulk = len(head) >= batch_size and not CompanyRepository(driver).any_company()
    return with_fulltext_indexes(driver, bulk, lambda: _write_companies(
        driver, itertools.chain(head, it), taxonomy, ctx, batch_size=batch_size,
        writers=writers, **kwargs))


def with_fulltext_indexes(driver: Driver, bulk: bool, write: Callable[[], WriteStats]
                          ) -> WriteStats:
    """Run `write` with the company full-text indexes kept up to date (normal mode), or
    dropped and built once afterwards (bulk mode, see `write_companies`)."""
    admin = AdminRepository(driver)
    if not bulk:
        names = [schema_q.COMPANY_FULLTEXT_INDEX, schema_q.COMPANY_FULLTEXT_INDEX_EN]
        if admin.fulltext_indexes_present(names) < len(names):
            # a bulk load was killed before it re-built them
            log.warning("company full-text indexes missing: re-creating them")
            admin.create_fulltext_indexes()
        return write()
    log.info("bulk load into an empty graph: full-text indexes are built after the data")
    admin.drop_fulltext_indexes()
    try:
        stats = write()
    finally:
        t0 = time.perf_counter()
        admin.create_fulltext_indexes()
        admin.await_indexes(24 * 3600)
        index_seconds = time.perf_counter() - t0
    stats.index_seconds += index_seconds
    stats.bulk = True
    return stats


def reembed_all(driver: Driver, encoder: Encoder, cache: EmbeddingCache | None = None,
                batch: int = 256) -> int:
    """Embed every company that has no vector (after `reset_embeddings`), batch by batch."""
    repo = CompanyRepository(driver)
    done = 0
    while True:
        records = repo.without_embedding(batch)
        if not records:
            return done
        rows = [{"kvk_number": r["kvk"], "embedding_text": embedding_text(r["name"],
                                                                           r["description"])}
                for r in records]
        emb = embed_rows(rows, encoder, {}, cache)
        repo.set_embeddings(emb)
        done += len(emb)
