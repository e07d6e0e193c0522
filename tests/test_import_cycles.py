"""No import cycles among the project's modules (issue "House in order", section 3).

Read from the source (AST), not by importing: every ``import`` and ``from ... import`` counts,
those inside functions and under ``if TYPE_CHECKING:`` too, since an import deferred into a
function is how a cycle hides (it works until someone moves it to the top, or imports the
modules in another order). A cycle between a package and its children counts as any other:
``pkg/__init__.py`` importing ``pkg.child`` that imports ``pkg`` (for a helper) is one.

The whole project (console, widgets, feeds, themes) holds today; tests/ and bench/ are not checked.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("console", "widgets", "feeds", "themes")


def project_modules(root: Path = ROOT) -> dict[str, tuple[Path, bool]]:
    """Module name -> (file, is a package)."""
    modules = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            is_package = parts[-1] == "__init__"
            modules[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return modules


def import_graph(modules: Mapping[str, tuple[Path, bool]]) -> dict[str, set[str]]:
    """Module -> the project modules it imports (``from pkg import name`` counts as ``pkg.name``
    when that is a module, else as ``pkg``)."""

    def known(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, (path, is_package) in modules.items():
        package = name if is_package else name.rpartition(".")[0]
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                imported.update(target for alias in node.names if (target := known(alias.name)))
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
                else:
                    base = node.module or ""
                for alias in node.names:
                    target = f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else known(base)
                    if target:
                        imported.add(target)
        imported.discard(name)
        graph[name] = imported
    return graph


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """One shortest cycle through each module that is on one (as ``a -> b -> a``), deduplicated."""
    found: dict[frozenset[str], list[str]] = {}
    for start in sorted(graph):
        came_from: dict[str, str] = {}
        frontier, closing = [start], None
        while frontier and closing is None:
            following = []
            for module in frontier:
                for target in sorted(graph.get(module, ())):
                    if target == start:
                        closing = module
                        break
                    if target not in came_from:
                        came_from[target] = module
                        following.append(target)
                if closing is not None:
                    break
            frontier = following
        if closing is None:
            continue
        path = [closing]
        while path[-1] != start:
            path.append(came_from[path[-1]])
        path.reverse()
        found.setdefault(frozenset(path), path + [start])
    return sorted(found.values())


def test_the_checker_finds_cycles(tmp_path):
    """The checker can fail: a package whose __init__ imports a child that imports the package."""
    package = tmp_path / "feeds" / "box"
    package.mkdir(parents=True)
    (tmp_path / "feeds" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("from feeds.box import child\n\ndef helper(): ...\n")
    (package / "child.py").write_text("def f():\n    from feeds.box import helper\n    return helper\n")
    (package / "plain.py").write_text("import feeds.box.child\n")
    found = cycles(import_graph(project_modules(tmp_path)))
    assert found == [["feeds.box", "feeds.box.child", "feeds.box"]]


def test_no_import_cycles():
    modules = project_modules()
    assert "feeds.inbox" in modules and "console.exporting" in modules
    found = cycles(import_graph(modules))
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in found)
