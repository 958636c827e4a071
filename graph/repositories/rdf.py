"""The RDF round trip's graph side: the export reads every node and link in one read
transaction (a consistent snapshot), the import writes companies batch by batch."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from neo4j import ManagedTransaction, Record

from graph.queries import rdf as rdf_q
from graph.queries import seed as seed_q
from graph.repositories.base import Repository


class RdfRepository(Repository):

    def export(self, on_node: Callable[[str, dict[str, Any]], None],
               on_link: Callable[[Record], None], labels: list[str]) -> dict[str, int]:
        """Streams each node (label, properties) of `RDF_EXPORT_NODES`, then each link
        between nodes with one of `labels`, to the callbacks, inside one read transaction.
        Returns the number of nodes per label."""
        counts: dict[str, int] = {}

        def work(tx: ManagedTransaction) -> None:
            for label, query in rdf_q.RDF_EXPORT_NODES.items():
                n = 0
                for rec in tx.run(query):
                    on_node(label, dict(rec["props"]))
                    n += 1
                counts[label] = n
            for rec in tx.run(rdf_q.RDF_EXPORT_LINKS, labels=labels):
                on_link(rec)

        with self.driver.session(database=self.database) as session:
            session.execute_read(work)
        return counts

    def write_import(self, entities: dict[str, list[dict[str, Any]]],
                     links: dict[tuple[str, str, str], list[dict[str, Any]]],
                     company_batches: Iterable[list[dict[str, Any]]]) -> None:
        """Every reference entity and link in one transaction, then the companies as the
        RDF holds them, one transaction per batch."""

        def write_entities(tx: ManagedTransaction) -> None:
            for label, rows in entities.items():
                tx.run(seed_q.UPSERT_ENTITY[label], rows=rows).consume()
            for key, rows in links.items():
                tx.run(seed_q.LINK_ENTITY[key], rows=rows).consume()

        def write_companies(tx: ManagedTransaction, rows: list[dict[str, Any]]) -> None:
            tx.run(rdf_q.RDF_UPSERT_COMPANIES, rows=rows).consume()
            tx.run(rdf_q.RDF_LINK_COMPANIES, rows=rows).consume()

        with self.driver.session(database=self.database) as session:
            session.execute_write(write_entities)
            for batch in company_batches:
                session.execute_write(write_companies, batch)
