"""The graph layer's errors: the managed server, the connection and the schema."""

from __future__ import annotations

from core.errors import ParaatError


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


def is_constraint_violation(error: BaseException | None) -> bool:
    """True for a uniqueness violation, also when the driver reports it as a failed result
    while rolling the transaction back (neo4j 6 chains it as the cause)."""
    # Imported here: the CLI imports this module, and the driver costs ~0.3 s that
    # `paraat --help` and other commands without Neo4j should not pay.
    from neo4j import exceptions as neo4j_exc

    while error is not None:
        if isinstance(error, neo4j_exc.ConstraintError):
            return True
        error = error.__cause__ or error.__context__
    return False
