"""Writing companies: the import's batches (one transaction each), their embeddings, the
import-run bookkeeping, and the few reads the import needs (hashes, names, counts)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from neo4j import ManagedTransaction, Record

from graph.queries import bulk as bulk_q
from graph.queries import companies as companies_q
from graph.repositories.base import Repository


class CompanyRepository(Repository):
    """Rows arrive prepared (`ingest.companies.prepare`) and travel as `UNWIND $rows`."""

    def existing_hashes(self, kvks: list[str]) -> dict[str, tuple[str | None, str | None]]:
        """kvk -> (record hash, embedding hash) of the companies that exist."""
        records = self._write(companies_q.EXISTING_COMPANY_HASHES, kvks=kvks)
        return {r["kvk"]: (r["record_hash"], r["embedding_hash"]) for r in records}

    def write_batch(self, *, fresh: list[dict[str, Any]], rest: list[dict[str, Any]],
                    create_keys: tuple[str, ...], municipalities: list[tuple[str, str]],
                    params: dict[str, Any], embeddings: list[dict[str, Any]] | None,
                    in_tx: Callable[[ManagedTransaction], object] | None = None
                    ) -> tuple[int, dict[str, bool]]:
        """One transaction: `fresh` rows created (only `create_keys` travel), `rest` merged
        and the changed ones re-linked, groups and embeddings set, then `in_tx` (the API's
        bookkeeping, so it commits or rolls back with the write). Returns the number
        created from `fresh` and, per changed row of `rest`, whether MERGE created it."""

        def work(tx: ManagedTransaction) -> tuple[int, dict[str, bool]]:
            if municipalities:
                tx.run(companies_q.ENSURE_MUNICIPALITIES,
                       rows=[{"id": m, "name": n} for m, n in municipalities]).consume()
            created = 0
            if fresh:
                rec = tx.run(companies_q.CREATE_COMPANIES, rows=[
                    {k: r[k] for k in create_keys} for r in fresh], **params).single()
                created = int(rec["created"]) if rec else 0
            changed: dict[str, bool] = {}
            if rest:
                changed = {r["kvk"]: r["created"]
                           for r in tx.run(companies_q.UPSERT_COMPANIES, rows=rest, **params)}
            relink = [r for r in rest if r["kvk_number"] in changed]
            if relink:
                tx.run(companies_q.LINK_COMPANIES, rows=relink).consume()
            grouped = [r for r in [*fresh, *relink]
                       if r["clusters"] is not None or r["ecosystems"] is not None]
            if grouped:
                tx.run(companies_q.LINK_COMPANY_GROUPS, rows=[
                    {**r, "clusters": r["clusters"] or [], "ecosystems": r["ecosystems"] or []}
                    for r in grouped]).consume()
            if embeddings:
                tx.run(companies_q.SET_COMPANY_EMBEDDINGS, rows=embeddings).consume()
            if in_tx is not None:
                in_tx(tx)
            return created, changed

        with self.driver.session(database=self.database) as session:
            return session.execute_write(work)

    def upsert_one_by_one(self, rows: list[dict[str, Any]], params: dict[str, Any]) -> None:
        """One MERGE per company per transaction, as naive code would write (the ingest
        benchmark's baseline)."""
        for r in rows:
            self._write(companies_q.UPSERT_COMPANIES, rows=[r], **params)
            self._write(companies_q.LINK_COMPANIES, rows=[r])

    def set_embeddings(self, rows: list[dict[str, Any]]) -> None:
        """rows: kvk_number, embedding, hash."""
        self._write(companies_q.SET_COMPANY_EMBEDDINGS, rows=rows)

    def without_embedding(self, limit: int) -> list[Record]:
        return self._write(companies_q.COMPANIES_WITHOUT_EMBEDDING, limit=limit)

    def count(self) -> int:
        return int(self._write(companies_q.COUNT_COMPANIES)[0]["n"])

    def any_company(self) -> bool:
        return bool(self._write(bulk_q.ANY_COMPANY))

    def names_in(self, municipalities: list[str]) -> list[Record]:
        """kvk, name, municipality of the companies in these municipalities."""
        return self._write(companies_q.COMPANY_NAMES_IN, municipalities=municipalities)

    def create_import_run(self, *, id: str, source: str, file: str, file_hash: str,
                          now: Any) -> None:
        self._write(companies_q.CREATE_IMPORT_RUN, id=id, source=source, file=file,
                    file_hash=file_hash, now=now)

    def finish_import_run(self, id: str, props: dict[str, Any]) -> None:
        self._write(companies_q.FINISH_IMPORT_RUN, id=id, props=props)
