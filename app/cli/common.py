"""What the command modules share: the error line, the settings (loaded on first use) and the
managed server's command-line options."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from app import stages

if TYPE_CHECKING:
    from pydantic import ValidationError as PydanticValidationError

    from core.settings import Settings

HomeOpt = Annotated[Path | None, typer.Option("--home", help="Neo4j home folder.")]


def fail(e: Exception) -> typer.Exit:
    """One line on stderr and exit code 1: how Paraat's own errors end a command."""
    typer.echo(f"paraat: {e}", err=True)
    return typer.Exit(1)


def validation_line(e: PydanticValidationError, subject: str = "") -> str:
    """A pydantic error as one line: `field: message; …` (`subject` for the whole object)."""
    return "; ".join(f"{'.'.join(map(str, x['loc'])) or subject}: {x['msg']}" for x in e.errors())


def get_settings() -> Settings:
    """The settings, imported on first use (pydantic-settings: ~0.1 s `--help` need not pay)."""
    with stages.stage("settings"):
        from core.settings import get_settings as load

        return load()


def settings_with(home: Path | None = None, bolt_port: int | None = None,
                  http_port: int | None = None) -> Settings:
    """The settings with the managed server's options given on the command line."""
    s = get_settings()
    update: dict[str, Any] = {}
    if home is not None:
        update["home"] = home
    if bolt_port is not None:
        update["bolt_port"] = bolt_port
    if http_port is not None:
        update["http_port"] = http_port
    return s.model_copy(update={"neo4j": s.neo4j.model_copy(update=update)}) if update else s
