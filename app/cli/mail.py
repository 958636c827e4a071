"""`paraat mail …`: the mail outbox for admins: what went out or failed, a retry of the failed
ones now, and a test mail to check the SMTP settings."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from app.cli.common import fail, get_settings
from core.errors import ParaatError

if TYPE_CHECKING:
    from neo4j import Driver

    from app.services.mail import Mailer

group = typer.Typer(no_args_is_help=True, help="The mail outbox and the SMTP settings.")


def register(root: typer.Typer) -> None:
    root.add_typer(group, name="mail")


def _mailer() -> tuple[Driver, Mailer]:
    from app.services.mail import Mailer
    from graph.connection import get_driver
    from graph.repositories.outbox import OutboxRepository

    s = get_settings()
    driver = get_driver(s)
    return driver, Mailer(s.mail, OutboxRepository(driver))


@group.command("outbox")
def outbox(
    status: Annotated[str | None, typer.Option(help="queued, sent, logged or failed")] = None,
    limit: Annotated[int, typer.Option(min=1, max=200)] = 50,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The latest mails with their status (never their text); `--status failed` lists what
    did not go out, with the error."""
    if status is not None and status not in ("queued", "sent", "logged", "failed"):
        raise fail(ParaatError(f"--status: {status!r} is not queued, sent, logged or failed"))
    try:
        driver, mailer = _mailer()
        with driver:
            total, rows = mailer.outbox.page(status, None, limit, 0)
    except ParaatError as e:
        raise fail(e) from e
    if as_json:
        typer.echo(json.dumps({"total": total, "items": rows}, ensure_ascii=False, indent=1))
        return
    for r in rows:
        err = f"  ({r['last_error']})" if r.get("last_error") else ""
        typer.echo(f"{r['created_at'][:19]}  {r['status']:<7} {r['attempts']}x  {r['kind']:<16} "
                   f"{r['to']}{err}")
    typer.echo(f"{total} mail(s)", err=True)


@group.command("retry")
def retry() -> None:
    """Try every queued or failed mail now whose retry time has come (the API's worker does
    this every PARAAT_MAIL_RETRY_SECONDS)."""
    try:
        driver, mailer = _mailer()
        with driver:
            counts = mailer.retry_due()
    except ParaatError as e:
        raise fail(e) from e
    typer.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))
    if counts.get("failed"):
        raise typer.Exit(1)


@group.command("test")
def test(to: Annotated[str, typer.Argument(help="Where the test mail goes")]) -> None:
    """Send a test mail through the configured SMTP server (or the log without one)."""
    from app.services.mail import Mail, valid_address

    if not valid_address(to):
        raise fail(ParaatError(f"not a plain e-mail address: {to!r}"))
    try:
        driver, mailer = _mailer()
        with driver:
            row = mailer.send(Mail(to=to, kind="test", subject_nl="Testbericht van Paraat",
                                   subject_en="Test message from Paraat",
                                   body_nl="De mail van Paraat werkt.",
                                   body_en="Paraat's mail works."))
    except ParaatError as e:
        raise fail(e) from e
    typer.echo(f"{row['status']}: {mailer.describe()}")
    if row["status"] == "failed":
        raise fail(ParaatError(f"the test mail failed: {row.get('last_error')}"))
