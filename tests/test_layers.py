"""The layers of DESIGN.md where the import-linter contracts cannot see them.

The contracts in pyproject.toml (``[tool.importlinter]``, run by ``lint-imports`` in .ci/run) are
the source of truth for who may import what; they read import statements. What stays here is
what they cannot express: what really gets loaded at run time, and where SQL is written.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The layers below the views: the store, ingestion, and the pure model (console/model/, with the
#: two modules of the model that live beside it).
LOWER_PACKAGES = ("console/store", "feeds", "console/model")
MODEL_MODULES = ("console.dtg", "console.sanitize")

#: Imports each module named on the command line in turn, and names the first that loaded Textual.
LOADS_TEXTUAL = """
import importlib, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
    if any(m == "textual" or m.startswith("textual.") for m in sys.modules):
        sys.exit(f"importing {name} loaded Textual")
"""


def lower_modules() -> list[str]:
    names = list(MODEL_MODULES)
    for folder in LOWER_PACKAGES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_lower_layers_do_not_load_textual():
    """Every module of the store, feeds and the model, imported in one interpreter: an import the
    contracts cannot see (made by a third-party library, or through importlib) counts here too."""
    modules = lower_modules()
    assert "console.store.incidents" in modules and "feeds.importers.aid" in modules
    result = subprocess.run([sys.executable, "-c", LOADS_TEXTUAL, *modules], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


#: A statement in a string: what the store writes, and what nothing else may.
SQL = re.compile(r"\b(SELECT\s.*\bFROM\b|INSERT\s+(OR\s+\w+\s+)?INTO\b|DELETE\s+FROM\b|UPDATE\s+\w+\s+SET\b"
                 r"|CREATE\s+(TABLE|INDEX|TRIGGER|VIEW)\b|PRAGMA\s+\w+)", re.S)


def string_literals(path: Path) -> list[tuple[int, str]]:
    """Every string literal of the module (an f-string with ``{}`` for its fields), with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append((node.lineno, node.value))
        elif isinstance(node, ast.JoinedStr):
            found.append((node.lineno, "".join(part.value if isinstance(part, ast.Constant) else "{}"
                                               for part in node.values)))
    return found


def test_sql_lives_only_in_the_store():
    """SQL is written only in console/store/ (the contracts keep sqlite3 there; this keeps the
    statements there too). Read from the string literals, so a name such as ALLOW_SELECT is not SQL."""
    assert any(SQL.search(text) for _line, text in string_literals(ROOT / "console/store/incidents.py"))
    for folder in ("console", "widgets", "feeds", "themes"):
        for path in (ROOT / folder).rglob("*.py"):
            if "store" in path.relative_to(ROOT).parts:
                continue
            bad = [line for line, text in string_literals(path) if SQL.search(text)]
            assert not bad, f"SQL in {path.relative_to(ROOT)}, line {bad[0]}"
