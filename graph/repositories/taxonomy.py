"""The ontology in the graph: NLD areas, capabilities and their links (one transaction), and
the capability embeddings the concept vector index holds."""

from __future__ import annotations

from typing import Any

from neo4j import ManagedTransaction

from graph.queries import taxonomy as taxonomy_q
from graph.repositories.base import Repository


class TaxonomyRepository(Repository):

    def write_ontology(self, areas: list[dict[str, Any]], capabilities: list[dict[str, Any]],
                       links: list[dict[str, Any]]) -> None:
        """All or nothing: a half-written hierarchy would mislead the graph signal."""

        def work(tx: ManagedTransaction) -> None:
            tx.run(taxonomy_q.UPSERT_NLD_AREAS, rows=areas).consume()
            tx.run(taxonomy_q.UPSERT_CAPABILITIES, rows=capabilities).consume()
            tx.run(taxonomy_q.LINK_CAPABILITIES, rows=links).consume()

        with self.driver.session(database=self.database) as session:
            session.execute_write(work)

    def capability_embedding_hashes(self) -> dict[str, str | None]:
        """capability id -> hash of the text its embedding was made from."""
        return {r["id"]: r["hash"]
                for r in self._write(taxonomy_q.CAPABILITY_EMBEDDING_HASHES)}

    def set_capability_embeddings(self, rows: list[dict[str, Any]]) -> None:
        """rows: id, embedding, hash."""
        self._write(taxonomy_q.SET_CAPABILITY_EMBEDDINGS, rows=rows)
