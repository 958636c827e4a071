"""Maven problems a user meets on a fresh machine give one clear line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from graph.errors import MavenError
from graph.server import install_jars, jars_installed
from tests.conftest import unavailable


def test_maven_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(MavenError, match=r"Maven \(mvn\) not found"):
        install_jars(tmp_path / "lib")


def test_maven_cannot_resolve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    java = shutil.which("java")
    if java is None:
        unavailable("java is not on PATH")  # fails under CI=true, skips elsewhere
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "java").symlink_to(java)
    mvn = bin_dir / "mvn"
    mvn.write_text("#!/bin/sh\necho '[ERROR] Failed to execute goal: Could not resolve "
                   "dependencies for project nl.paraat:paraat-neo4j-runtime'\nexit 1\n")
    mvn.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(MavenError, match="Maven could not resolve Neo4j .*Could not resolve"):
        install_jars(tmp_path / "lib")
    assert not jars_installed(tmp_path / "lib")
    assert not (tmp_path / "lib.partial").exists()
