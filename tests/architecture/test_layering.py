"""The layers the folders show (docs/architecture.md): no import circles anywhere, and each lower layer
imports nothing above it. Imports inside functions count: they are dependencies all the same."""
from __future__ import annotations

import ast
from collections import deque
from pathlib import Path

import pytest

# What a package may import from the project (third-party and the standard library are not checked).
# core imports nothing of ours above it, not even config: it reads settings from the running app's
# ``current_app.config``, which config.py fills.
MAY_IMPORT = {
    "core": {"core"},
    "web": {"core", "web"},
}


def _resolve(name: str, modules: dict) -> str | None:
    """The project module an imported name lives in (``core.db.utcnow`` -> ``core.db``); None: not ours."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str, tree: ast.Module, modules: dict) -> set[str]:
    """The project modules ``module`` imports; ``from pkg import name`` imports ``pkg`` and ``pkg.name``."""
    is_package = modules[module].name == "__init__.py"
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".") if is_package else module.split(".")[:-1]
                parts = parts[:len(parts) - (node.level - 1)]
                base = ".".join(parts + ([base] if base else []))
            names += [base] + [f"{base}.{alias.name}" for alias in node.names]
    return {target for target in (_resolve(n, modules) for n in names) if target and target != module}


@pytest.fixture(scope="module")
def graph(project_modules, project_trees) -> dict[str, set[str]]:
    return {m: _imports(m, tree, project_modules) for m, tree in project_trees.items()}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, on_stack, stack, out = {}, {}, set(), [], []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _shortest_ring(graph: dict[str, set[str]], start: str) -> list[str]:
    """One import ring through ``start``: start -> ... -> start (breadth first, so the shortest)."""
    came_from, queue = {start: None}, deque([start])
    while queue:
        v = queue.popleft()
        for w in sorted(graph[v]):
            if w == start:
                ring = [v]
                while came_from[ring[-1]] is not None:
                    ring.append(came_from[ring[-1]])
                return [start, *reversed(ring[:-1]), start] if len(ring) > 1 else [start, v, start]
            if w not in came_from:
                came_from[w] = v
                queue.append(w)
    return [start]


def test_no_module_imports_itself_through_others(graph):
    rings = [" -> ".join(_shortest_ring(graph, component[0])) + f"  (circle of {len(component)}: "
             + ", ".join(component) + ")" for component in _circles(graph)]
    assert not rings, "import circles:\n" + "\n".join(rings)


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_lower_layers_import_nothing_above_them(graph, package):
    allowed = MAY_IMPORT[package]
    wrong = sorted(f"{m} -> {t}" for m, targets in graph.items() if m.split(".")[0] == package
                   for t in targets if t.split(".")[0] not in allowed)
    assert not wrong, f"{package} imports above it:\n" + "\n".join(wrong)


def test_the_checks_see_a_circle_and_an_upward_import():
    """The graph walk itself: a ring through a package's __init__ and a relative import are found."""
    sources = {"pkg": "from pkg import views\n", "pkg.views": "def f():\n    from . import bp\n",
               "pkg.bp": "", "core.x": "import factory\n", "factory": "", "core": ""}
    packages = ("pkg", "core")
    modules = {m: Path(m.replace(".", "/") + ("/__init__.py" if m in packages else ".py")) for m in sources}
    g = {m: _imports(m, ast.parse(src), modules) for m, src in sources.items()}
    assert _circles(g) == [["pkg", "pkg.views"]]
    assert _shortest_ring(g, "pkg") == ["pkg", "pkg.views", "pkg"]
    assert "factory" in g["core.x"]
