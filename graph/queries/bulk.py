"""Bulk loads into an empty graph (ingest/companies.py write_companies; the scale benchmarks,
issues 4 and 8)."""

from __future__ import annotations

from graph.queries.schema import COMPANY_FULLTEXT_INDEX, COMPANY_FULLTEXT_INDEX_EN

# A bulk load into a graph without companies builds the two company full-text indexes once,
# after the data, instead of updating Lucene on every batch (which competes with the writes
# for the same 2 cores). The indexes are re-created from FULLTEXT_INDEXES afterwards.
DROP_FULLTEXT_INDEXES: tuple[str, ...] = tuple(
    f"DROP INDEX {name} IF EXISTS" for name in (COMPANY_FULLTEXT_INDEX, COMPANY_FULLTEXT_INDEX_EN)
)

ANY_COMPANY = "MATCH (c:Company) RETURN c.kvk_number AS kvk LIMIT 1"

COMPANY_FULLTEXT_INDEXES_PRESENT = """
SHOW FULLTEXT INDEXES YIELD name WHERE name IN $names RETURN name
"""
