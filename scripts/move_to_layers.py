"""One-off, for the next step of issue 10 (see docs/design.md): move patrolplan's modules into the layered layout and rewrite every import (one-off).

1. every relative import inside the package becomes absolute (old layout);
2. git mv the modules;
3. one regex pass renames patrolplan.<old> -> patrolplan.<new> in src, tests, benchmarks,
   scripts, notebooks.
"""
import ast
import re
import subprocess
from pathlib import Path

import os
ROOT = Path(os.environ.get("LAYOUT_ROOT", "/work/main"))
PKG = ROOT / "src" / "patrolplan"
MOVES = {
    "config": "inputs.config", "io": "inputs.io", "validate": "inputs.validate", "demand": "inputs.demand",
    "network": "inputs.network", "scenario": "inputs.scenario",
    "problem": "model.problem", "model": "model.build", "greedy": "model.greedy", "assign": "model.assign",
    "rules": "model.rules",
    "engines": "solver.engines", "solve": "solver.solve", "explain": "solver.explain", "result": "solver.result",
    "export": "solver.export",
    "runfolder": "outputs.runfolder", "report": "outputs.report", "plotting": "outputs.plotting",
    "generate": "scenarios.generate", "jining": "scenarios.jining", "junctions": "scenarios.junctions",
}
PACKAGES = {
    "inputs": "Inputs: the config, the input tables and their validation, demand, travel times.",
    "model": "The model: the frozen Problem and its candidate shifts, the rule families, the aggregated "
             "model, the greedy planner and the named-team step.",
    "solver": "The solver: engines (HiGHS, CP-SAT), the staged solve, the explanation, the result "
              "tables and the model export.",
    "outputs": "Outputs: the run folder (atomic, never replacing what patrolplan did not write), the "
               "report, the workbook, the GeoPackage and the pictures.",
    "scenarios": "Scenarios: synthetic weeks, the Jining scenario and border-junction detection.",
}


def module_of(path: Path) -> str:
    parts = list(path.relative_to(PKG).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(["patrolplan", *parts])


def absolutize(path: Path) -> None:
    src = path.read_text()
    tree = ast.parse(src)
    mod = module_of(path)
    pkg = mod.split(".") if path.name == "__init__.py" else mod.split(".")[:-1]
    lines = src.splitlines(keepends=True)
    edits = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            base = pkg[: len(pkg) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
            names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in node.names)
            indent = " " * node.col_offset
            text = f"from {target} import {names}"
            if len(indent + text) > 110 and len(node.names) > 1:
                inner = ",\n".join(indent + "    " + a.name + (f" as {a.asname}" if a.asname else "")
                                   for a in node.names)
                text = f"from {target} import (\n{inner},\n{indent})"
            edits.append((node.lineno, node.col_offset, node.end_lineno, node.end_col_offset, text))
    # apply from the end
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    for l0, c0, l1, c1, text in sorted(edits, reverse=True):
        a = offsets[l0 - 1] + c0
        b = offsets[l1 - 1] + c1
        src = src[:a] + text + src[b:]
    path.write_text(src)


def git(*args):
    subprocess.run(["git", *args], cwd=ROOT, check=True)


def main():
    for p in PKG.rglob("*.py"):
        absolutize(p)
    # model.py becomes model/build.py: out of the way before the package folder exists
    git("mv", str(PKG / "model.py"), str(PKG / "_model_build.py"))
    for pkg, doc in PACKAGES.items():
        (PKG / pkg).mkdir(exist_ok=True)
    # modules and packages to move
    for old, new in MOVES.items():
        src = PKG / old if (PKG / old).is_dir() and old != "model" else PKG / f"{old}.py"
        if old == "model":
            src = PKG / "_model_build.py"
        parts = new.split(".")
        dst = PKG.joinpath(*parts) if src.is_dir() else PKG.joinpath(*parts[:-1], parts[-1] + ".py")
        dst.parent.mkdir(parents=True, exist_ok=True)
        git("mv", str(src), str(dst))
    for pkg, doc in PACKAGES.items():
        init = PKG / pkg / "__init__.py"
        if not init.exists():
            init.write_text(f'"""{doc}"""\n')
            git("add", str(init))
    names = sorted(MOVES, key=len, reverse=True)
    pattern = re.compile(r"\bpatrolplan\.(" + "|".join(re.escape(n) for n in names) + r")\b(?!\.py)")
    targets = [*ROOT.joinpath("src").rglob("*.py"), *ROOT.joinpath("tests").rglob("*.py"),
               *ROOT.joinpath("benchmarks").rglob("*.py"), *ROOT.joinpath("scripts").rglob("*.py"),
               *ROOT.joinpath("notebooks").rglob("*.ipynb")]
    for p in targets:
        text = p.read_text()
        new = pattern.sub(lambda m: "patrolplan." + MOVES[m.group(1)], text)
        if new != text:
            p.write_text(new)
    for p in targets:
        if p.suffix == ".py":
            split_package_imports(p)
        else:
            text = p.read_text()
            new = re.sub(r"from patrolplan import (\w+)",
                         lambda m: _from_line(m.group(1), None) if m.group(1) in MOVES else m.group(0), text)
            if new != text:
                p.write_text(new)
    print("moved")


def _from_line(name, asname):
    parent, _, leaf = MOVES[name].rpartition(".")
    alias = f" as {asname}" if asname else (f" as {name}" if leaf != name else "")
    return f"from patrolplan.{parent} import {leaf}{alias}"


def split_package_imports(path):
    """``from patrolplan import solve, io`` -> one line each from the module's new package."""
    src = path.read_text()
    tree = ast.parse(src)
    lines = src.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    edits = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module == "patrolplan":
            moved = [a for a in node.names if a.name in MOVES]
            if not moved:
                continue
            keep = [a for a in node.names if a.name not in MOVES]
            indent = " " * node.col_offset
            out = []
            if keep:
                out.append("from patrolplan import " + ", ".join(
                    a.name + (f" as {a.asname}" if a.asname else "") for a in keep))
            out += [_from_line(a.name, a.asname) for a in moved]
            edits.append((node.lineno, node.col_offset, node.end_lineno, node.end_col_offset,
                          ("\n" + indent).join(out)))
    for l0, c0, l1, c1, text in sorted(edits, reverse=True):
        a = offsets[l0 - 1] + c0
        b = offsets[l1 - 1] + c1
        src = src[:a] + text + src[b:]
    path.write_text(src)


if __name__ == "__main__":
    main()
