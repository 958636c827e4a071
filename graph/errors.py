"""One exception base for the whole project, so callers can catch Paraat's own errors apart
from bugs. Every message is meant to be shown to a user as one clear line."""

from __future__ import annotations


class ParaatError(Exception):
    """Base of every error Paraat raises on purpose."""


class ConfigError(ParaatError):
    """A setting is missing or unsafe."""


class Neo4jServerError(ParaatError):
    """The managed local Neo4j could not be installed, started, stopped or reached."""


class JavaNotFoundError(Neo4jServerError):
    pass


class MavenError(Neo4jServerError):
    pass


class PortInUseError(Neo4jServerError):
    pass


class ServerStartTimeout(Neo4jServerError):
    pass


class DataDirError(Neo4jServerError):
    """The data folder is read-only, full or otherwise unusable."""


class Neo4jUnavailableError(ParaatError):
    """No Neo4j answers at the configured URI."""


class Neo4jAuthError(ParaatError):
    """Neo4j refused the user name or password."""


class ReadOnlyViolation(ParaatError):
    """A write was attempted through a read-only entry point."""


class SchemaError(ParaatError):
    """The graph's schema does not fit this version of Paraat (e.g. embedding dimension)."""


class ValidationError(ParaatError):
    """Input data was rejected; the message says which field and why."""


class FilterError(ValidationError):
    """A filter value names no municipality, cluster, NLD area or capability; the message
    names the closest valid ones (422 in the API, exit code 2 in the CLI)."""


class IngestError(ParaatError):
    """An import could not be carried out; the graph is left as it was."""


class EncoderError(ParaatError):
    """An encoder could not be chosen, loaded or fed; the message is one line for the user."""


class MatchError(ParaatError):
    """A demand question could not be matched (empty graph, bad question)."""


class NotFoundError(ParaatError):
    """A requested node does not exist."""


class ConflictError(ParaatError):
    """The request clashes with the current state (a decided registration, a reused key)."""


class ForbiddenError(ParaatError):
    """The caller is known but may not do this to this object."""


def is_constraint_violation(error: BaseException | None) -> bool:
    """True for a uniqueness violation, also when the driver reports it as a failed result
    while rolling the transaction back (neo4j 6 chains it as the cause)."""
    # Imported here: every module imports this one, and the driver costs ~0.3 s that
    # `paraat --help` and other commands without Neo4j should not pay.
    from neo4j import exceptions as neo4j_exc

    while error is not None:
        if isinstance(error, neo4j_exc.ConstraintError):
            return True
        error = error.__cause__ or error.__context__
    return False
