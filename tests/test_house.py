"""A house a newcomer can live in (issue 23): no function in ``src/patrolplan`` is longer than
:data:`MAX_LINES` lines, counted from its ``def`` line to its last line (decorators, docstring,
comments and blank lines inside included). A longer function reads as a list of steps waiting
for names: split it into helpers with clear responsibilities.

Every module is read with :mod:`ast` (nothing is imported); methods and nested functions are
walked too, each named ``module.Class.function`` relative to ``patrolplan``.
"""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "src" / "patrolplan"

MAX_LINES = 80

#: functions allowed to be longer, with the reason
ALLOWED = {
    "cli.build_parser",  # the declarative argparse parser: one long list of options, for good
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PKG).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def function_lengths() -> dict[str, int]:
    """Every function and method under ``src/patrolplan``: its dotted name -> its length in lines."""
    lengths: dict[str, int] = {}

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = f"{prefix}.{child.name}"
                lengths[name] = max(lengths.get(name, 0), child.end_lineno - child.lineno + 1)
                walk(child, name)
            elif isinstance(child, ast.ClassDef):
                walk(child, f"{prefix}.{child.name}")
            else:
                walk(child, prefix)

    for path in sorted(PKG.rglob("*.py")):
        walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)), _module_name(path))
    return lengths


def test_the_walk_sees_functions_methods_and_nested_functions():
    lengths = function_lengths()
    assert "cli.main" in lengths
    assert "model.problem.Problem.from_arrays" in lengths
    assert all(n > 0 for n in lengths.values())


def test_no_function_is_longer_than_the_limit():
    lengths = function_lengths()
    long = sorted((n, name) for name, n in lengths.items() if n > MAX_LINES and name not in ALLOWED)
    assert long == [], (f"functions over {MAX_LINES} lines (split each into well-named steps):\n"
                        + "\n".join(f"  {name}: {n} lines" for n, name in long))


def test_the_allowed_functions_are_still_long():
    """An allowed function that is gone or now short must leave the list (so it cannot grow back unseen)."""
    lengths = function_lengths()
    stale = sorted(name for name in ALLOWED if lengths.get(name, 0) <= MAX_LINES)
    assert stale == [], "no longer over the limit, remove from ALLOWED: " + ", ".join(stale)
