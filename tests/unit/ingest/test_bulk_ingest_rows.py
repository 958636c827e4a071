"""The slim rows sent to CREATE_COMPANIES carry every key the query reads (ingest/companies)."""

from __future__ import annotations

import re

from graph.queries import companies as companies_q
from ingest.companies import CREATE_KEYS, prepare
from ingest.synthetic import generate
from ontology.taxonomy import load_taxonomy


def test_create_keys_cover_every_row_field_the_create_query_reads() -> None:
    read = set(re.findall(r"\brow\.(\w+)", companies_q.CREATE_COMPANIES))
    assert read, "CREATE_COMPANIES no longer reads row fields; update CREATE_KEYS"
    assert read <= set(CREATE_KEYS), f"CREATE_KEYS lacks {sorted(read - set(CREATE_KEYS))}"


def test_create_keys_exist_in_prepared_rows() -> None:
    tax = load_taxonomy()
    row = prepare(next(iter(generate(1, tax, seed=1))), tax)
    assert set(CREATE_KEYS) <= set(row)
    # the slim row leaves out what only the other queries need
    assert "embedding_text" in row and "embedding_text" not in CREATE_KEYS
