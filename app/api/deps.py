"""FastAPI dependencies: the driver, the settings and who is calling.

Routes declare what they need (`DriverDep`, `Reader`, `CurrentUser`, `require_roles(...)`) so
the access rule of each endpoint is visible in its signature.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from neo4j import Driver

from app.api.problems import ApiProblem
from app.services.mail import Mailer
from app.services.users import Role, UserPublic, user_for_token
from app.services.wiring import embedding_cache, encoder_for
from core.settings import Settings
from graph.repositories.outbox import OutboxRepository
from graph.repositories.users import UsersRepository
from matching.encoders.base import Encoder
from matching.encoders.cache import EmbeddingCache

log = logging.getLogger(__name__)

_bearer = HTTPBearer(auto_error=False, description="API token from `paraat users add`.")
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def get_driver(request: Request) -> Driver:
    driver: Driver = request.app.state.driver
    return driver


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


DriverDep = Annotated[Driver, Depends(get_driver)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]

_per_app_lock = threading.Lock()
T = TypeVar("T")


def _per_app(request: Request, attr: str, make: Callable[[Settings], T]) -> T:
    """One instance per app, made on first use (not at start-up, so the API comes up fast);
    tests may put theirs in `app.state` to share one across the run."""
    with _per_app_lock:
        value: T | None = getattr(request.app.state, attr, None)
        if value is None:
            value = make(request.app.state.settings)
            setattr(request.app.state, attr, value)
        return value


def get_encoder(request: Request) -> Encoder:
    return _per_app(request, "encoder", encoder_for)


EncoderDep = Annotated[Encoder, Depends(get_encoder)]


def get_embedding_cache(request: Request) -> EmbeddingCache:
    """Its lock serialises readers and its shard index is built once."""
    return _per_app(request, "embedding_cache", embedding_cache)


CacheDep = Annotated[EmbeddingCache, Depends(get_embedding_cache)]


def optional_user(
    request: Request, driver: DriverDep, settings: SettingsDep,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> UserPublic | None:
    """The caller, or None without an Authorization header; a bad or revoked token is a 401
    even where anonymous access is allowed, so a client never silently loses its rights."""
    if creds is None:
        if "authorization" in request.headers:
            raise ApiProblem(401, "Authorization must be 'Bearer <token>'.", headers=_CHALLENGE)
        return None
    user = user_for_token(UsersRepository(driver), creds.credentials,
                          settings.api.secret.get_secret_value())
    if user is None:
        raise ApiProblem(401, "Unknown or revoked token.", headers=_CHALLENGE)
    request.state.user = user
    return user


OptionalUser = Annotated[UserPublic | None, Depends(optional_user)]


def current_user(user: OptionalUser) -> UserPublic:
    if user is None:
        raise ApiProblem(401, "This endpoint needs a bearer token.", headers=_CHALLENGE)
    return user


CurrentUser = Annotated[UserPublic, Depends(current_user)]


def reader(user: OptionalUser, settings: SettingsDep) -> UserPublic | None:
    """Read access: anyone when `api_allow_anonymous_read`, otherwise any valid token."""
    if user is None and not settings.api.allow_anonymous_read:
        raise ApiProblem(401, "Reading needs a bearer token on this server.",
                         headers=_CHALLENGE)
    return user


Reader = Annotated[UserPublic | None, Depends(reader)]


def require_roles(*roles: Role) -> Callable[[UserPublic], UserPublic]:
    """A dependency that admits only these roles (401 without a token, 403 with another)."""
    allowed = frozenset(roles)

    def check(user: CurrentUser) -> UserPublic:
        if user.role not in allowed:
            raise ApiProblem(403, f"Role '{user.role}' may not do this; needs one of: "
                                  f"{', '.join(sorted(allowed))}.")
        return user

    return check


def get_mailer(request: Request) -> Mailer:
    """The app's mailer (made in the lifespan; on first use when a test skips it)."""
    with _per_app_lock:
        mailer: Mailer | None = getattr(request.app.state, "mailer", None)
        if mailer is None:
            mailer = Mailer(request.app.state.settings.mail,
                            OutboxRepository(request.app.state.driver))
            request.app.state.mailer = mailer
        return mailer


MailerDep = Annotated[Mailer, Depends(get_mailer)]


def client_address(request: Request) -> str:
    """The caller's address as uvicorn resolved it (proxies only when trusted)."""
    return request.client.host if request.client else "unknown"
