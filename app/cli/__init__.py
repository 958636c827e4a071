"""The `paraat` command line: one entry point for admins, scripts and `make run`.

One module per command group registers its commands here, in the order `paraat --help` lists
them. Errors Paraat raises on purpose are printed as one line on stderr with exit code 1;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer

from app import stages
from app.cli import (
    backup,
    bench,
    export,
    finetune,
    ingest,
    mail,
    match,
    monitor,
    neo4j,
    reminders,
    serve,
    up,
    users,
)

# Nothing heavy at module level (tests/unit/test_cli_startup.py): `paraat --help` imports
# typer and the command modules only; each command imports what it uses (the driver, numpy,
# rdflib, the models) inside its function.

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="Paraat: defence-supplier matchmaking for Drenthe.")
for module in (match, up, neo4j, ingest, export, serve, bench, users, mail, backup, monitor,
               reminders, finetune):
    module.register(app)

# Commands that hand the driver no pandas or Arrow values: their driver skips importing them
# (graph/imports.py; ~1.3 s of CPU in a cold `paraat match`).
_LEAN_DRIVER_COMMANDS = frozenset({"match", "neo4j", "users", "export", "reset", "backup",
                                   "mail"})


@app.callback()
def main(ctx: typer.Context,
         verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    stages.mark("cli_import")
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    if ctx.invoked_subcommand in _LEAN_DRIVER_COMMANDS:
        from graph.imports import hide_dataframes_from_driver

        hide_dataframes_from_driver()
