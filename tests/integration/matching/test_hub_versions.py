"""A running matcher keeps each node's hub penalty; a node whose text changes gets a new
vector and must be scored from it, not from the penalty of its old vector (before: kept for
up to `hub_bank_ttl`, an hour, in a running API)."""

from __future__ import annotations

import numpy as np
import pytest
from neo4j import Driver

from core.settings import MatchSettings
from graph.schema import EmbeddingSpec, apply_schema
from ingest.companies import RunContext, write_companies
from ingest.seed import load_seed
from matching.encoders.base import Encoder
from matching.encoders.cache import EmbeddingCache
from matching.hubs import forget, neighbourhood, unit_rows
from matching.matcher import Matcher
from ontology.taxonomy import load_taxonomy
from tests.integration.matching.test_matching import COMPANIES

QUESTION = "radar die kleine drones bij een vliegbasis opspoort"
KEY = "70000005"


def test_a_changed_description_is_penalised_from_its_new_vector(
        driver: Driver, encoder: Encoder, cache: EmbeddingCache) -> None:
    apply_schema(driver, EmbeddingSpec(encoder.name, encoder.dimension))
    tax = load_taxonomy()
    load_seed(driver, encoder=encoder, taxonomy=tax, cache=cache)
    write_companies(driver, COMPANIES, tax, RunContext(source="test"), encoder=encoder,
                    cache=cache)
    # the bank is kept per driver: an earlier test's graph (other concepts, other stored
    # questions) must not be this test's bank
    forget(driver)
    m = Matcher(driver, encoder, tax, MatchSettings(hub_penalty=0.5))
    before = m.signals(QUESTION)
    assert KEY in before.dense

    # the company rewrites its profile into generic defence words (near every question)
    changed = COMPANIES[4].model_copy(update={
        "description": "Wij leveren militaire voertuigen, uitrusting en ondersteuning voor "
                       "soldaten, bemanningen en defensie."})
    write_companies(driver, [changed], tax, RunContext(source="test"), encoder=encoder,
                    cache=cache)
    after = m.signals(QUESTION)
    # the same as a matcher that never saw the old vector (nothing kept)
    forget(driver)
    fresh = m.signals(QUESTION)
    assert after.dense_raw == pytest.approx(fresh.dense_raw, abs=1e-6)
    assert after.dense == pytest.approx(fresh.dense, abs=1e-6)
    assert after.versions[KEY] != before.versions[KEY]

    # what the penalty must be: the new vector's neighbourhood in the bank
    new_vec = np.asarray(m._supply_embeddings([KEY])[KEY], dtype=np.float32)[None, :]
    bank = m.hub_penalties().bank()
    expected_r = float(neighbourhood(unit_rows(new_vec), bank, m.s.hub_k)[0])
    kept = m.hub_penalties().get([KEY], m._supply_embeddings, after.versions)[KEY]
    assert kept == pytest.approx(expected_r, abs=1e-6)
    # the ranking's dense score is the new cosine less the new penalty
    assert after.dense[KEY] <= after.dense_raw[KEY]
