"""The house rules of issue 18 that import-linter cannot check: only graph/ talks to the
driver, no module grows past 600 lines, and every test module has a name of its own (pytest
imports them by package, and two `test_x.py` files in different folders were once confused)."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("core", "graph", "ingest", "matching", "app", "ontology")
DRIVER_METHODS = {"execute_query", "session"}
MAX_LINES = 600


def _modules(*tops: str) -> list[Path]:
    return sorted(p for top in tops for p in (ROOT / top).rglob("*.py")
                  if ".venv" not in p.parts)


def driver_calls(path: Path) -> list[str]:
    """Calls of `<anything>.execute_query(…)` or `<anything>.session(…)` in one module."""
    found = []
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in DRIVER_METHODS):
            found.append(f"{where}:{node.lineno} .{node.func.attr}(")
    return found


def test_the_detector_sees_a_driver_call(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("def f(driver):\n    with driver.session() as s:\n"
                     "        return driver.execute_query('RETURN 1')\n", encoding="utf-8")
    assert [c.split(" ", 1)[1] for c in driver_calls(probe)] == [".session(", ".execute_query("]


def test_only_graph_calls_the_driver() -> None:
    offenders = [c for p in _modules(*(t for t in PACKAGES if t != "graph"))
                 for c in driver_calls(p)]
    assert offenders == [], (
        "driver calls outside graph/ (use a repository):\n" + "\n".join(offenders))


def test_no_module_over_600_lines() -> None:
    long = {str(p.relative_to(ROOT)): n for p in _modules(*PACKAGES, "tests")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}, f"modules over {MAX_LINES} lines: {long}"


def test_test_modules_have_unique_names() -> None:
    names = Counter(p.name for p in _modules("tests") if p.name.startswith("test_"))
    assert {n: c for n, c in names.items() if c > 1} == {}
