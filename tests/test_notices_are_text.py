"""A notice that carries anything but a fixed string is shown as text, never read as markup.

Textual's ``notify`` reads Rich markup by default: a title, a name or an error message holding
``[bold]`` or ``[@click=app.quit]`` would be styled or made a link. Every call whose message is
built (an f-string, a variable) must say ``markup=False``.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_built_notice_is_shown_as_text():
    found = []
    for path in sorted((ROOT / "console").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "notify" and node.args):
                continue
            if isinstance(node.args[0], ast.Constant):
                continue  # a fixed string of ours
            if isinstance(node.func.value, ast.Call) and getattr(node.func.value.func, "id", "") == "super":
                continue  # CmccApp.notify handing on its caller's choice (its callers are checked here)
            markup = next((k.value for k in node.keywords if k.arg == "markup"), None)
            if not (isinstance(markup, ast.Constant) and markup.value is False):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, f"notices that would read outside text as markup: {found}"
