"""A bake reads like a small, well-kept Django project: short modules, no import circle.

Read from the full bake (every capability chosen), so every module the
template can ship is held to it: no module outside the tests and migrations
is over ``MODULE_LINES`` lines (the settings, a list read top to bottom,
aside), and no module imports, at its top level, a module that imports it
back, however indirectly.
"""

import ast
from pathlib import Path

import pytest
from conftest import VENV_ANSWERS

MODULE_LINES = 250
LONG_BY_NATURE = {"config/settings.py"}


@pytest.fixture(scope="module")
def full_bake(baked_projects):
    return baked_projects("full", VENV_ANSWERS)


def project_modules(project):
    """``{dotted name: path}`` of the project's own Python modules, tests and migrations aside."""
    found = {}
    for path in sorted(project.rglob("*.py")):
        relative = path.relative_to(project)
        if relative.parts[0] in ("tests", ".venv") or "migrations" in relative.parts:
            continue
        parts = list(relative.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        if parts:
            found[".".join(parts)] = path
    return found


def top_level_imports(path, modules):
    """The project modules ``path`` imports when it is imported (not inside functions)."""
    imported = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            # ``a.b.c`` imports ``a`` and ``a.b`` too (their ``__init__``).
            parts = name.split(".")
            imported |= {".".join(parts[:i]) for i in range(1, len(parts) + 1)} & set(modules)
    return imported


def circles(graph):
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_is_over_the_limit(full_bake):
    long = {
        str(path.relative_to(full_bake)): count
        for path in project_modules(full_bake).values()
        if (count := len(path.read_text().splitlines())) > MODULE_LINES
    }
    assert {name: n for name, n in long.items() if name not in LONG_BY_NATURE} == {}


def test_no_import_circle(full_bake):
    modules = project_modules(full_bake)
    graph = {name: top_level_imports(path, modules) - {name} for name, path in modules.items()}
    # A package's __init__ is imported with each of its modules: it must not
    # import them back, or the package is a circle of its own.
    assert circles(graph) == []


def test_the_circle_finder_finds_circles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert circles(graph) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_a_circle_through_a_package_is_found(tmp_path):
    """``from pkg import mod`` imports ``pkg`` (its ``__init__``) and ``pkg.mod``."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("from pkg import mod\n")
    (tmp_path / "pkg" / "mod.py").write_text("import other\n")
    (tmp_path / "other.py").write_text("from pkg.mod import thing\n")
    modules = project_modules(Path(tmp_path))
    graph = {name: top_level_imports(path, modules) - {name} for name, path in modules.items()}
    assert circles(graph) == [["other", "pkg", "pkg.mod"]]
