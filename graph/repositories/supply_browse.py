"""Reads of supply nodes for the explorer and the map (graph/queries/supply_browse.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graph.queries import supply_browse as q
from graph.repositories.base import Repository


class SupplyBrowseRepository(Repository):
    def find_nodes(self, text: str, labels: Sequence[str], limit: int) -> list[dict[str, Any]]:
        """Public nodes whose name holds `text` (case-insensitive), best first."""
        rows = self._read(q.FIND_NODES, q=text.strip().lower(), labels=list(labels),
                          limit=limit)
        return [dict(r) for r in rows]

    def list_supply(self, labels: Sequence[str], limit: int) -> list[dict[str, Any]]:
        """Supply nodes with the given labels and their attributes, by name."""
        return [dict(r) for r in self._read(q.LIST_SUPPLY, labels=list(labels), limit=limit)]
