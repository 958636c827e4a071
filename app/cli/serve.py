"""`paraat serve api|ui`: the FastAPI service or the Streamlit UI in the foreground."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import fail, validation_line
from core.errors import ParaatError

group = typer.Typer(no_args_is_help=True, help="Run the API or the UI.")


def register(root: typer.Typer) -> None:
    root.add_typer(group, name="serve")


@group.command("api")
def serve_api(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the FastAPI service with uvicorn."""
    import uvicorn
    from pydantic import ValidationError as PydanticValidationError

    from app.api.main import create_app, proxy_options

    try:
        api = create_app()
    except ParaatError as e:
        raise fail(e) from e
    except PydanticValidationError as e:  # a bad PARAAT_* setting: one line, no traceback
        raise fail(ParaatError(validation_line(e))) from e
    uvicorn.run(api, host=host, port=port, log_level="info",
                **proxy_options(api.state.settings))


def ui_command(host: str, port: int, api_url: str) -> list[str]:
    script = Path(__file__).parent.parent / "ui" / "main.py"
    return [sys.executable, "-m", "streamlit", "run", str(script),
            "--server.address", host, "--server.port", str(port), "--server.headless", "true",
            "--browser.gatherUsageStats", "false",
            # UI: no developer toolbar, and never a traceback in the browser.
            "--client.toolbarMode", "minimal", "--client.showErrorDetails", "none",
            "--", "--api", api_url]


@group.command("ui")
def serve_ui(host: str = "127.0.0.1", port: int = 8501,
             api: Annotated[str, typer.Option(help="API base URL")] = "http://127.0.0.1:8000"
             ) -> None:
    """Run the Streamlit UI (a client of the API)."""
    cmd = ui_command(host, port, api)
    # exec, not a child process: a SIGTERM to `paraat serve ui` must reach Streamlit itself,
    # or stopping this command would leave the UI running.
    os.execv(cmd[0], cmd)
