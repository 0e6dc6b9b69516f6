"""The package's layers, checked from the source: imports run only downward, the few
upward bridges are the named ones, and the module graph has no cycle.

leaf modules <- trace, models <- core <- handoffs, patterns <- experiment <- views,
export, teaching; the facade (``__init__``, ``__main__``) may import anything.
Imports under ``if TYPE_CHECKING:`` do not count; every other import does, at the top
of a module or inside a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "agentlab"

LEAF = "leaf"
BELOW: dict[str, set[str]] = {  # package -> the packages it may import (leaf modules always)
    "trace": set(),
    "models": set(),
    "core": {"trace", "models"},
    "handoffs": {"trace", "models", "core"},
    "patterns": {"trace", "models", "core"},
    "experiment": {"trace", "models", "core", "handoffs", "patterns"},
    "views": {"trace", "experiment"},
    "export": {"trace", "models", "core", "handoffs", "patterns", "experiment"},
    "teaching": {"trace", "models", "core", "handoffs", "patterns", "experiment"},
}
BRIDGES = {  # the upward imports allowed, each inside a function with a comment saying why
    ("agentlab.trace._views", "agentlab.views.text"),
    ("agentlab.trace._views", "agentlab.views.widgets"),
    ("agentlab.core.agent", "agentlab.handoffs.team"),
}
FACADE = {"agentlab", "agentlab.__main__"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def layer(module: str) -> str:
    parts = module.split(".")
    if module in FACADE:
        return "facade"
    if len(parts) == 2 and (ROOT / f"{parts[1]}.py").exists():
        return LEAF
    return parts[1]


def _type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def imports(module: str, tree: ast.AST) -> list[tuple[str, int, bool]]:
    """(imported module, line, inside a function) for every import that counts."""
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if _type_checking(child):
                for other in child.orelse:  # an else: branch still runs
                    visit(other, in_function)
                continue
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            if isinstance(child, ast.Import):
                found.extend((a.name, child.lineno, in_function) for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                for alias in child.names:
                    target = f"{child.module}.{alias.name}"
                    found.append((target if target in MODULES else child.module, child.lineno,
                                  in_function))  # fmt: skip
            visit(child, inner)

    visit(tree, False)
    return [(m, line, f) for m, line, f in found if m == "agentlab" or m.startswith("agentlab.")]


GRAPH = {
    module: imports(module, ast.parse(path.read_text(encoding="utf-8")))
    for module, path in MODULES.items()
}


def allowed(source: str, target: str) -> bool:
    src, dst = layer(source), layer(target)
    if src == "facade":
        return True
    if dst == "facade":
        return False
    if dst == LEAF or src == dst:
        return True
    return src != LEAF and dst in BELOW[src]


def test_imports_run_only_downward():
    wrong = [
        f"{source}:{line} imports {target} ({layer(source)} may not import {layer(target)})"
        for source, found in GRAPH.items()
        for target, line, _ in found
        if not allowed(source, target) and (source, target) not in BRIDGES
    ]
    assert not wrong, "\n".join(wrong)


def test_the_bridges_are_few_inside_functions_and_say_why():
    assert len(BRIDGES) <= 4
    for source, target in BRIDGES:
        uses = [(line, inner) for t, line, inner in GRAPH[source] if t == target]
        assert uses, f"bridge {source} -> {target} is listed but no longer used: drop it"
        lines = MODULES[source].read_text(encoding="utf-8").splitlines()
        for line, inner in uses:
            assert inner, f"{source}:{line}: the bridge to {target} must sit inside a function"
            assert "#" in lines[line - 2] or "#" in lines[line - 1], (
                f"{source}:{line}: say in a comment why this upward import is needed"
            )


def test_nothing_imports_agentlab_itself():
    wrong = [
        f"{source}:{line}"
        for source, found in GRAPH.items()
        for target, line, _ in found
        if target == "agentlab" and source not in FACADE
    ]
    assert not wrong, f"import the module that defines the name instead: {wrong}"


def test_the_module_graph_has_no_cycle():
    edges = {
        source: {t for t, _, _ in found if t in MODULES and (source, t) not in BRIDGES}
        for source, found in GRAPH.items()
    }
    cycle = find_cycle(edges)
    assert cycle is None, " -> ".join(cycle or [])


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := walk(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (found := walk(node)):
            return found
    return None


def test_the_top_level_holds_leaf_modules_only_few_of_them_public():
    top = [p for p in ROOT.glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    public = sorted(p.name for p in top if not p.name.startswith("_"))
    assert len(public) <= 8, public
    packages = sorted(p.name for p in ROOT.iterdir() if (p / "__init__.py").exists())
    assert packages == sorted(BELOW), packages


def test_every_subpackage_declares_its_names_and_its_layer():
    for package in BELOW:
        tree = ast.parse((ROOT / package / "__init__.py").read_text(encoding="utf-8"))
        names = {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets
                 if isinstance(t, ast.Name)}  # fmt: skip
        assert "__all__" in names, f"agentlab/{package}/__init__.py declares no __all__"
        doc = ast.get_docstring(tree) or ""
        assert "May import" in doc, f"agentlab/{package}: say in the docstring what it may import"


# -- the checks themselves fail where they should ------------------------------------------


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("agentlab.core.run", "agentlab.views.widgets"),  # the core reaching up into views
        ("agentlab.views.text", "agentlab.core.run"),  # views reading live objects
        ("agentlab.trace.read", "agentlab.core.outcome"),
        ("agentlab.errors", "agentlab.trace.trace"),  # a leaf importing a package
        ("agentlab.models.openai", "agentlab.core.tools"),
        ("agentlab.patterns.chain", "agentlab.handoffs.team"),  # siblings
    ],
)
def test_a_forbidden_edge_is_refused(source, target):
    assert not allowed(source, target)


def test_a_cycle_is_found():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
