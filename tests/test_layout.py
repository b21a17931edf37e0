"""The layout shows the flow, and imports go one way: no module reaches back up.

inputs -> model -> solver -> outputs -> scenarios, siting, weeks -> runner, replan, batch, cli; the checker
reads inputs only (it shares no code with model/ or solver/); errors, interrupts and columns
are leaves anyone may use. siting (checkpoint siting, ``patrolplan site``) builds on inputs
(the config, points, the road network), model and solver (the HiGHS matrix call) and outputs
(the run folder, the map helpers); it never imports the checker, and the checker never
imports it (a roster fed by sited checkpoints is checked like any other).
"""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "src" / "patrolplan"

#: rank of each top-level part; a module imports only parts of its rank or lower
RANK = {
    "errors": 0, "interrupts": 0, "columns": 0, "__init__": 0,
    "inputs": 1,
    "check": 2,
    "model": 2,
    "solver": 3,
    "outputs": 4,
    "scenarios": 5, "siting": 5, "response": 5, "incidents": 5, "weeks": 5,
    "runner": 6, "replan": 6, "batch": 7, "cli": 8,
}
#: parts that must never import each other (the checker is independent of the solver side)
APART = {("check", "model"), ("check", "solver"), ("check", "outputs"), ("model", "check"), ("solver", "check"),
         ("siting", "check"), ("check", "siting"), ("siting", "scenarios"), ("scenarios", "siting")}


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("patrolplan"):
            out.add(node.module)
            if node.module == "patrolplan":  # from patrolplan import errors, __version__
                out.update(f"patrolplan.{a.name}" for a in node.names if (PKG / a.name).exists()
                           or (PKG / f"{a.name}.py").exists())
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("patrolplan"))
    return out


def test_every_module_sits_in_a_known_part():
    parts = {p.relative_to(PKG).parts[0].removesuffix(".py") for p in PKG.rglob("*.py")}
    assert parts <= set(RANK), parts - set(RANK)


def test_imports_go_one_way():
    wrong = []
    for path in PKG.rglob("*.py"):
        here = path.relative_to(PKG).parts[0].removesuffix(".py")
        for module in _imports(path):
            there = _part(module)
            if there == here or there == "__init__":
                continue
            if RANK[there] > RANK[here] or (here, there) in APART:
                wrong.append(f"{path.relative_to(PKG)} imports {module}")
    assert wrong == []
