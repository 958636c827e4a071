"""The ingest layer's errors."""

from __future__ import annotations

from core.errors import ParaatError


class IngestError(ParaatError):
    """An import could not be carried out; the graph is left as it was."""
