"""FastAPI application factory: the one gate to the graph for the UI and other clients.

Reading (companies, clusters, taxonomy, explorer) is open when `api_allow_anonymous_read`;
everything else needs a bearer token (`paraat users add`). Errors are problem+json.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from neo4j import Driver

from app.api.metrics import install_metrics
from app.api.middleware import BodySizeLimit, RateLimit
from app.api.openapi import install_openapi
from app.api.problems import install_handlers
from app.api.routes import (
    admin,
    agenda,
    companies,
    demand,
    desks,
    explorer,
    groups,
    introductions,
    loket,
    match,
    monitor,
    profiles,
    registrations,
    scouting,
    shortlists,
    signup,
    supply,
    watchlists,
)
from app.services.mail import Mailer, OutboxWorker
from app.services.users import user_for_token
from core.errors import ConfigError
from core.settings import DEFAULT_API_SECRET, Settings, get_settings
from graph.connection import get_driver
from graph.repositories.outbox import OutboxRepository
from graph.repositories.users import UsersRepository
from graph.server import server_components

log = logging.getLogger(__name__)


def check_settings(s: Settings) -> None:
    """Refuse unsafe production settings before anything listens."""
    if s.mode == "production" and s.api.secret.get_secret_value() == DEFAULT_API_SECRET:
        raise ConfigError("PARAAT_API_SECRET is still the default; set a long random secret "
                          "before running in production mode.")


def proxy_options(s: Settings) -> dict[str, Any]:
    """uvicorn's proxy-header options from `api_trusted_proxies`; every way of serving the API
    (`paraat serve api`, and so `paraat up` and `paraat bench load`, and the tests' server)
    passes these. uvicorn's own default trusts X-Forwarded-For from 127.0.0.1 (or from
    FORWARDED_ALLOW_IPS), so anyone on the host could name any client address and reset the
    per-address rate limit: without a trusted proxy its proxy middleware is left out."""
    if not s.api.trusted_proxies:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": list(s.api.trusted_proxies)}


def start_mail(app: FastAPI, s: Settings) -> OutboxWorker:
    """The mailer and its outbox worker (retries failed mails, forgets expired sign-up codes
    and unconfirmed loket items); says at start where mails go."""
    from app.services.desks import DeskService
    from app.services.reminders import DailyReminders
    from app.services.signup import SignupService
    from graph.repositories.desks import DeskRepository
    from graph.repositories.profiles import ProfileRepository
    from graph.repositories.signup import SignupRepository

    mailer = Mailer(s.mail, OutboxRepository(app.state.driver))
    app.state.mailer = mailer
    (log.warning if mailer.log_only else log.info)(mailer.describe())
    signups = SignupService(SignupRepository(app.state.driver), mailer, s)
    desks_ = DeskService(DeskRepository(app.state.driver), mailer, s)
    reminders = DailyReminders(ProfileRepository(app.state.driver), mailer, s)
    worker = OutboxWorker(mailer, jobs=[signups.purge, desks_.purge, reminders])
    worker.start()
    return worker


def create_app(settings: Settings | None = None, driver: Driver | None = None) -> FastAPI:
    s = settings or get_settings()
    check_settings(s)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.driver = driver or get_driver(s, verify=False)
        worker = start_mail(app, s)
        try:
            yield
        finally:
            worker.stop()
            if driver is None:
                app.state.driver.close()

    app = FastAPI(title="Paraat API", version="0.1.0", lifespan=lifespan,
                  description="Defence-supplier matchmaking for Drenthe.")
    app.state.settings = s
    install_handlers(app)

    @app.get("/health", tags=["meta"], responses={503: {
        "description": "Neo4j does not answer", "content": {"application/json": {}}}})
    def health() -> Any:
        """Reports whether Neo4j answers; 503 when it does not."""
        try:
            version, edition = server_components(app.state.driver)
        except Exception as e:  # health reports any failure as 503, never a 500
            return JSONResponse(status_code=503, content={
                "status": "unavailable", "neo4j": {"ok": False, "error": type(e).__name__}})
        return {"status": "ok", "neo4j": {"ok": True, "version": version, "edition": edition}}

    # desks before loket: /loket/desks is not a loket item id.
    for module in (companies, profiles, registrations, groups, explorer, supply, match,
                   shortlists, watchlists, desks, loket, demand, admin, signup, introductions,
                   agenda, monitor, scouting):
        app.include_router(module.router)

    install_metrics(app, public=s.api.metrics_public)
    install_openapi(app, s)
    # Added last = outermost: the size cap runs first, then the rate limit, then CORS.
    if s.api.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=s.api.cors_origins,
                           allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                           allow_headers=["Authorization", "Content-Type"])
    secret = s.api.secret.get_secret_value()

    def token_owner(token: str) -> str | None:
        # The lookup the auth dependency makes (deps.optional_user), for the limiter's key.
        user = user_for_token(UsersRepository(app.state.driver), token, secret)
        return user.id if user else None

    app.add_middleware(RateLimit, per_minute=s.api.rate_limit_per_minute,
                       failures_per_minute=s.api.auth_failures_per_minute, resolve=token_owner)
    app.add_middleware(BodySizeLimit, max_bytes=s.api.max_body_bytes,
                       per_path={"/imports": s.api.max_upload_bytes})
    return app
