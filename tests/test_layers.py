"""The layers of DESIGN.md, checked by importing: the lower layers never load Textual."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NO_TEXTUAL = ["console.domain", "console.dtg", "console.sanitize", "console.validation", "console.store",
              "console.store.incidents", "console.store.aid", "console.store.changes", "console.store.seed",
              "feeds"]


@pytest.mark.parametrize("module", NO_TEXTUAL)
def test_lower_layers_do_not_import_textual(module):
    code = f"import sys, {module}; sys.exit(1 if any(m == 'textual' or m.startswith('textual.') for m in sys.modules) else 0)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"{module} pulls in Textual {result.stderr}"


def imports_of(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_widgets_never_reach_the_store_or_the_network():
    forbidden = ("console.store", "aiosqlite", "sqlite3", "httpx", "feeds", "watchfiles")
    for path in (ROOT / "widgets").glob("*.py"):
        bad = [name for name in imports_of(path) if name.startswith(forbidden)]
        assert not bad, f"{path.name} imports {bad}"


def test_sql_lives_only_in_the_store():
    keywords = ("SELECT ", "INSERT INTO", "DELETE FROM", "CREATE TABLE")
    for folder in ("console", "widgets", "feeds"):
        for path in (ROOT / folder).rglob("*.py"):
            if "store" in path.relative_to(ROOT).parts:
                continue
            text = path.read_text(encoding="utf-8")
            assert not any(k in text for k in keywords), f"SQL in {path.relative_to(ROOT)}"
