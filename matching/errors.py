"""The matching layer's errors: encoders, matches and filters."""

from __future__ import annotations

from core.errors import ConflictError, ParaatError, ValidationError


class EncoderError(ParaatError):
    """An encoder could not be chosen, loaded or fed; the message is one line for the user."""


class MatchError(ConflictError):
    """A demand question could not be matched (empty graph, bad question); 409 in the API."""


class FilterError(ValidationError):
    """A filter value names no municipality, cluster, NLD area or capability; the message
    names the closest valid ones (422 in the API, exit code 2 in the CLI)."""
