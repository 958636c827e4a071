"""The seed's reference entities (clusters, ecosystems, programmes …) and their links, by
label, as `UNWIND $rows` batches."""

from __future__ import annotations

from typing import Any

from graph.queries import seed as seed_q
from graph.repositories.base import Repository


class SeedRepository(Repository):

    def upsert_entities(self, label: str, rows: list[dict[str, Any]]) -> None:
        self._write(seed_q.UPSERT_ENTITY[label], rows=rows)

    def link_entities(self, key: tuple[str, str, str], rows: list[dict[str, Any]]) -> None:
        """key: (label, relationship type, target label); rows: id, targets."""
        self._write(seed_q.LINK_ENTITY[key], rows=rows)
