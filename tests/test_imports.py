"""Imports go one way between modules: no module imports, directly or round about, a module that
imports it back (issue 23). ``tests/test_layout.py`` ranks the top-level parts; this test
looks at single modules, inside a part too.

Every module under ``src/patrolplan`` is read with :mod:`ast` (nothing is imported): ``import
patrolplan.x``, ``from patrolplan.x import y`` and the relative ``from . import y`` / ``from .x
import y`` are edges, where ``y`` counts as a module when it is one. Imports inside functions
count too (an import hidden in a function still goes both ways); imports under ``if
TYPE_CHECKING:`` do not (they never run). Importing ``patrolplan.a.b`` also runs the package
``patrolplan.a``'s ``__init__``, but that implicit edge is left out: a package that re-exports
its submodules would otherwise be a "cycle" with each of them.

The cycles are the strongly connected components of the import graph, found by networkx (in
the test extra; none of the runtime dependencies walks imports, and ``graphlib`` names only
one cycle at a time).
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PKG = Path(__file__).resolve().parents[1] / "src" / "patrolplan"

#: import cycles allowed for now, each a set of modules; nothing else may join them. Empty since
#: issue 23 moved the synchronized rule's logic out of model/problem.py and the first rendezvous
#: loops out of Problem (``pricing.with_seed_loops``): every cycle is forbidden.
ALLOWED_CYCLES: list[set[str]] = []


def _module_name(path: Path) -> str:
    parts = ("patrolplan",) + path.relative_to(PKG).with_suffix("").parts
    return ".".join(parts[:-1]) if parts[-1] == "__init__" else ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(tree: ast.AST):
    """Every Import / ImportFrom, at any depth, except under ``if TYPE_CHECKING:``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _targets(node, here: str, is_package: bool, modules: set[str]) -> set[str]:
    """The patrolplan modules one import statement of module ``here`` names."""
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        if node.level:
            base = here.split(".") if is_package else here.split(".")[:-1]
            base = base[: len(base) - (node.level - 1)]
            stem = ".".join(base + ([node.module] if node.module else []))
        else:
            stem = node.module or ""
        # ``from m import y``: the module ``m.y`` when y is a submodule, else ``m`` itself
        names = [f"{stem}.{a.name}" if f"{stem}.{a.name}" in modules else stem for a in node.names]
    out = set()
    for name in names:
        if not name.startswith("patrolplan"):
            continue
        # the most specific module the dotted name reaches (from m import function -> m)
        while name and name not in modules:
            name = name.rpartition(".")[0]
        if name:
            out.add(name)
    return out


def import_graph() -> nx.DiGraph:
    paths = sorted(PKG.rglob("*.py"))
    modules = {_module_name(p) for p in paths}
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for path in paths:
        here = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _import_nodes(tree):
            for there in _targets(node, here, path.name == "__init__.py", modules):
                if there != here and there != "patrolplan":  # the root package: __version__ only
                    graph.add_edge(here, there, line=node.lineno)
    return graph


def _cycle_text(graph: nx.DiGraph, component: set[str]) -> str:
    cycle = nx.find_cycle(graph.subgraph(component))
    return " -> ".join(f"{a} (line {graph.edges[a, b]['line']})" for a, b in cycle) + f" -> {cycle[0][0]}"


def test_the_walk_sees_relative_function_level_and_type_checking_imports(tmp_path):
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "from . import b\n"
        "from .c import f\n"
        "if TYPE_CHECKING:\n"
        "    from patrolplan.d import T\n"
        "def g():\n"
        "    import patrolplan.e\n"
    )
    modules = {"patrolplan", "patrolplan.p", "patrolplan.p.a", "patrolplan.p.b", "patrolplan.p.c",
               "patrolplan.d", "patrolplan.e"}
    found = set()
    for node in _import_nodes(tree):
        found |= _targets(node, "patrolplan.p.a", False, modules)
    assert found == {"patrolplan.p.b", "patrolplan.p.c", "patrolplan.e"}


def test_the_graph_holds_the_known_edges():
    graph = import_graph()
    # a sanity check of the walk on the real tree: edges we know are there
    assert graph.has_edge("patrolplan.replan", "patrolplan.runner")
    assert graph.has_edge("patrolplan.runner", "patrolplan.weeks")
    assert graph.has_edge("patrolplan.outputs.runfolder", "patrolplan.outputs.report")  # inside a function


def test_no_import_cycle_between_modules():
    graph = import_graph()
    components = [set(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    unexpected = [c for c in components if not any(c <= allowed for allowed in ALLOWED_CYCLES)]
    assert unexpected == [], "import cycles:\n" + "\n".join(_cycle_text(graph, c) for c in unexpected)


def test_the_allowed_cycles_are_still_there():
    """An allowed cycle that is gone must leave the list (so that it cannot come back unseen)."""
    graph = import_graph()
    components = [set(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    for allowed in ALLOWED_CYCLES:
        assert any(c and c <= allowed for c in components), f"no longer a cycle, drop it from ALLOWED_CYCLES: {allowed}"
