"""Hooks around the first import of named modules, for a fast CLI start.

`hide_dataframes_from_driver()`: the neo4j driver's `neo4j._optional_deps` imports numpy,
pandas and pyarrow whenever they are installed, so that DataFrames, pandas timestamps and
Arrow arrays can be sent as query parameters. Paraat never sends those (rows reach the driver
as dicts of str, int, float, lists and numpy vectors; the CSV readers use dtype=str), but
pandas and pyarrow cost ~1.3 s of CPU on import: two thirds of the driver's import and a fifth
of a cold `paraat match` (`python -X importtime`). The hook hides the two while that one module
runs, and only then: a command may still import pandas itself afterwards. The API and the
tests import the driver as it is.

`ModuleHook` is also what `app.stages` times imports with.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from types import ModuleType

Around = Callable[[str], AbstractContextManager[object]]


class _Loader(importlib.abc.Loader):
    def __init__(self, loader: importlib.abc.Loader, around: AbstractContextManager[object]
                 ) -> None:
        self._loader = loader
        self._around = around

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        with self._around:
            self._loader.exec_module(module)


class ModuleHook(importlib.abc.MetaPathFinder):
    """Runs the module's code (its first import) inside `around(name)`; installed first in
    sys.meta_path, it finds the module through the finders after it."""

    def __init__(self, names: Sequence[str], around: Around, *, once: bool = False) -> None:
        self.names = frozenset(names)
        self.around = around
        self.once = once

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.names:
            return None
        if self.once:
            self.remove()
        spec = None
        for finder in list(sys.meta_path):
            find = getattr(finder, "find_spec", None)
            if finder is self or find is None:
                continue
            spec = find(fullname, path, target)
            if spec is not None:
                break
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader, self.around(fullname))
        return spec

    def install(self) -> bool:
        if self in sys.meta_path:
            return False
        sys.meta_path.insert(0, self)
        return True

    def remove(self) -> None:
        if self in sys.meta_path:
            sys.meta_path.remove(self)


_DRIVER_DEPS = "neo4j._optional_deps"
_HIDDEN = ("pandas", "pyarrow")


@contextlib.contextmanager
def _without_dataframes(_: str) -> Iterator[None]:
    hidden = [name for name in _HIDDEN if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # `import name` raises ImportError
    try:
        yield
    finally:
        for name in hidden:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]


_DRIVER_HOOK = ModuleHook([_DRIVER_DEPS], _without_dataframes, once=True)


def hide_dataframes_from_driver() -> bool:
    """From now on, the driver's first import skips pandas and pyarrow. False when the driver
    is imported already (nothing to gain) or the hook is in place."""
    if _DRIVER_DEPS in sys.modules:
        return False
    return _DRIVER_HOOK.install()
