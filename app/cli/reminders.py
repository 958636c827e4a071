"""`paraat reminders send`: mail the companies whose claims expire or whose profile goes stale
within `PARAAT_PROFILE_REMINDER_DAYS` (the API also does this once a day)."""

from __future__ import annotations

from typing import Annotated

import typer

from app.cli.common import fail, get_settings
from core.errors import ParaatError

group = typer.Typer(no_args_is_help=True, help="Reminders to companies.")


def register(root: typer.Typer) -> None:
    root.add_typer(group, name="reminders")


@group.command("send")
def send_cmd(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only count what is due")] = False,
    days: Annotated[int | None, typer.Option(
        "--days", min=0, max=3650, help="Days ahead (default PARAAT_PROFILE_REMINDER_DAYS)")
    ] = None,
) -> None:
    """Send the due reminders through the outbox (or the log without SMTP settings)."""
    from app.services.mail import Mailer
    from app.services.reminders import send_reminders
    from app.services.wiring import graph_session
    from graph.repositories.outbox import OutboxRepository
    from graph.repositories.profiles import ProfileRepository

    s = get_settings()
    if days is not None:
        s = s.model_copy(update={"profile_reminder_days": days})
    try:
        with graph_session(s, with_encoder=False) as (driver, _):
            mailer = None if dry_run else Mailer(s.mail, OutboxRepository(driver))
            report = send_reminders(ProfileRepository(driver), mailer, s)
    except ParaatError as e:
        raise fail(e) from e
    typer.echo(("due (dry run): " if dry_run else "") + report.line())
