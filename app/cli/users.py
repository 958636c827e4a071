"""`paraat users …`: API users and their tokens."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from app.cli.common import fail, get_settings, validation_line
from core.errors import ParaatError

group = typer.Typer(no_args_is_help=True, help="API users and tokens.")


def register(root: typer.Typer) -> None:
    root.add_typer(group, name="users")


@group.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Who the token is for")],
    role: Annotated[str, typer.Option("--role", help="admin, bizdev, scout or company")],
    kvk: Annotated[str | None, typer.Option("--kvk", help="KvK number (company role only)")
                   ] = None,
) -> None:
    """Create an API user and print its token once (only a hash of it is stored)."""
    from pydantic import ValidationError as PydanticValidationError

    from app.services.users import UserCreate, create_user
    from app.services.wiring import graph_session
    from graph.repositories.users import UsersRepository

    s = get_settings()
    try:
        user = UserCreate(name=name, role=role, kvk_number=kvk)  # type: ignore[arg-type]
    except PydanticValidationError as e:
        raise fail(ParaatError(validation_line(e, "user"))) from e
    try:
        with graph_session(s, with_encoder=False) as (driver, _):
            created, token = create_user(UsersRepository(driver), user,
                                         s.api.secret.get_secret_value())
    except ParaatError as e:
        raise fail(e) from e
    typer.echo(f"created user {created.id} ({created.role}"
               + (f", KvK {created.kvk_number}" if created.kvk_number else "")
               + "). The token below is shown only now; store it safely:", err=True)
    typer.echo(token)


@group.command("list")
def users_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List API users (never their tokens or token hashes)."""
    from app.services.users import list_users
    from app.services.wiring import graph_session
    from graph.repositories.users import UsersRepository

    try:
        with graph_session(with_encoder=False) as (driver, _):
            users = list_users(UsersRepository(driver))
    except ParaatError as e:
        raise fail(e) from e
    if as_json:
        typer.echo(json.dumps([u.model_dump() for u in users], ensure_ascii=False))
        return
    for u in users:
        typer.echo("\t".join([u.id, u.name, u.role, u.kvk_number or "-", u.created_at or "-",
                              "revoked" if u.revoked else "active"]))


@group.command("revoke")
def users_revoke(user_id: Annotated[str, typer.Argument(help="User id from `users list`")]
                 ) -> None:
    """Revoke a user's token; the API refuses it from the next request on."""
    from app.services.users import revoke_user
    from app.services.wiring import graph_session
    from graph.repositories.users import UsersRepository

    try:
        with graph_session(with_encoder=False) as (driver, _):
            revoke_user(UsersRepository(driver), user_id)
    except ParaatError as e:
        raise fail(e) from e
    typer.echo(f"revoked {user_id}")
