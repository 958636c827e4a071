"""Supply nodes other than companies (sites, facilities, institutions, programmes): the derived
text fields and embeddings the seed and RDF import write, and the reads ranking needs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graph.queries import schema as schema_q
from graph.queries import seed as seed_q
from graph.queries import supply as supply_q
from graph.repositories.base import Repository


class SupplyRepository(Repository):
    def upsert(self, label: str, rows: list[dict[str, Any]]) -> dict[str, bool]:
        """id -> created, for the rows whose content changed (unchanged rows are skipped)."""
        if label not in seed_q.SUPPLY_LABELS:
            raise ValueError(f"{label} is not a supply label")
        records = self._write(seed_q.UPSERT_ENTITY[label], rows=rows)
        return {r["id"]: bool(r["created"]) for r in records}

    def link(self, key: tuple[str, str, str], rows: list[dict[str, Any]]) -> None:
        self._write(seed_q.LINK_ENTITY[key], rows=rows)

    def ids_under_other_labels(self, rows: Sequence[dict[str, str]]) -> dict[str, str]:
        """id -> the label it already has, for ids of `rows` ({id, label}) taken by another
        supply kind."""
        return {r["id"]: r["label"]
                for r in self._read(supply_q.SUPPLY_IDS_ELSEWHERE, rows=list(rows))}

    def text_sources(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self._read(supply_q.SUPPLY_TEXT_SOURCES)]

    def set_concept_terms(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self._write(supply_q.SET_SUPPLY_CONCEPT_TERMS, rows=rows)

    def set_embeddings(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self._write(supply_q.SET_SUPPLY_EMBEDDINGS, rows=rows)

    def await_fulltext(self) -> None:
        self._write(schema_q.AWAIT_FULLTEXT_REFRESH)

    def count_by_kind(self) -> dict[str, int]:
        """API kind name -> number of supply nodes (companies included)."""
        by_label = {r["label"]: int(r["n"]) for r in self._read(supply_q.COUNT_SUPPLY_BY_KIND)}
        return {kind: by_label.get(label, 0) for kind, label in supply_q.KIND_LABELS.items()}

    def get(self, id_: str) -> dict[str, Any] | None:
        records = self._read(supply_q.GET_SUPPLY, id=id_)
        return dict(records[0]) if records else None

    def dense(self, vector: Sequence[float], labels: Sequence[str],
              limit: int = 50) -> list[dict[str, Any]]:
        """Cosine similarity of the non-company supply nodes of `labels` to a query vector."""
        return [dict(r) for r in self._read(supply_q.SUPPLY_DENSE, vector=list(vector),
                                            labels=list(labels), limit=limit)]

    def fulltext(self, query: str, labels: Sequence[str], *, english: bool = False,
                 limit: int = 50) -> list[dict[str, Any]]:
        """Lucene hits (Dutch or English analyzer) among the non-company supply nodes."""
        index = (schema_q.SUPPLY_FULLTEXT_INDEX_EN if english
                 else schema_q.SUPPLY_FULLTEXT_INDEX)
        return [dict(r) for r in self._read(supply_q.SUPPLY_FULLTEXT, index=index, text=query,
                                            labels=list(labels), limit=limit)]
