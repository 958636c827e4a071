"""`paraat finetune e5`: options out of range are refused before any work, and a model file
whose recipe record (.json) is missing counts as unfinished, not as cached."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from app import finetune
from app.cli import app


@pytest.mark.parametrize("option", [["--steps", "0"], ["--steps", "-3"], ["--lr", "0"],
                                    ["--layers", "13"], ["--distill", "-1"]])
def test_out_of_range_options_are_refused(option: list[str], tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARAAT_CACHE_DIR", str(tmp_path / "cache"))
    agenda = tmp_path / "agenda.txt"
    agenda.write_text("Defensie zoekt drones.", encoding="utf-8")
    res = CliRunner().invoke(app, ["finetune", "e5", "--agenda", str(agenda), *option])
    assert res.exit_code == 2, res.output
    assert "Invalid value" in res.output
    assert not (tmp_path / "cache" / "finetune").exists()  # nothing trained or written


def test_a_model_without_its_recipe_record_is_trained_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    targets: list[Path] = []

    def fake_train(source: Path, target: Path, *args: Any, **kw: Any) -> dict[str, Any]:
        targets.append(target)
        raise RuntimeError("training started")

    monkeypatch.setattr(finetune, "train", fake_train)
    agenda = tmp_path / "agenda.txt"
    agenda.write_text("Defensie zoekt drones voor verkenning.", encoding="utf-8")
    recipe = finetune.Recipe(steps=1)
    with pytest.raises(RuntimeError):
        finetune.build_tuned(agenda, tmp_path, recipe)
    target = targets[0]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"a model file whose run stopped before its record")
    with pytest.raises(RuntimeError):  # not taken as cached
        finetune.build_tuned(agenda, tmp_path, recipe)
    target.with_suffix(".json").write_text("{}", encoding="utf-8")
    assert finetune.build_tuned(agenda, tmp_path, recipe) == (target, False)
