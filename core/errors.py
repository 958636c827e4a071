"""One exception base for the whole project, so callers can catch Paraat's own errors apart
from bugs, and the generic kinds the API maps to a status (app/api/problems.py). Each layer
keeps its own errors (graph/errors.py, matching/errors.py, ingest/errors.py) as subclasses.
Every message is meant to be shown to a user as one clear line."""

from __future__ import annotations


class ParaatError(Exception):
    """Base of every error Paraat raises on purpose."""


class ConfigError(ParaatError):
    """A setting is missing or unsafe."""


class ValidationError(ParaatError):
    """Input data was rejected; the message says which field and why (422 in the API)."""


class NotFoundError(ParaatError):
    """A requested node does not exist (404)."""


class ConflictError(ParaatError):
    """The request clashes with the current state (a decided registration, a reused key;
    409)."""


class ForbiddenError(ParaatError):
    """The caller is known but may not do this to this object (403)."""
