"""Nothing of ours reads or overrides a private attribute of Textual (a name starting with ``_``
on a Textual class or instance): a Textual release may rename any of them, and then a console
fails at start with an AttributeError, or silently shows stale rows.

Checked two ways: every class of ours that derives from a Textual class may not define, as a
method, a class attribute or ``self._name = ...``, a private name that a Textual class of its
ancestry defines or sets; and no expression anywhere in the project may read ``x._name`` where
``_name`` is private to Textual and not a name of our own.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import textwrap
from functools import cache
from pathlib import Path

import textual

ROOT = Path(__file__).resolve().parent.parent
#: Where our code lives (tests and benches read the console too).
FOLDERS = ("console", "widgets", "feeds", "themes", "bench", "tests")

#: Known uses of Textual's private names, each with the reason it cannot be helped. Empty, and to
#: stay so: a name added here needs its reason, and a way out noted beside it.
ALLOWED: dict[str, str] = {}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.endswith("__")


@cache
def textual_privates_of(cls: type) -> frozenset[str]:
    """The private names a Textual class defines or sets on its instances (``self._x = ...``)."""
    names = {name for name in vars(cls) if _private(name)}
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (OSError, TypeError, SyntaxError, IndentationError):
        return frozenset(names)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and _private(node.attr)
                and isinstance(node.value, ast.Name) and node.value.id == "self"):
            names.add(node.attr)
    return frozenset(names)


def is_textual(cls: type) -> bool:
    return cls.__module__.split(".")[0] == "textual"


@cache
def all_textual_privates() -> frozenset[str]:
    """Every private name a Textual class defines or sets on its instances, in any Textual module.

    Each module's source is parsed once (not each class's: that parsed the same file hundreds of
    times, most of this test's ten seconds)."""
    names: set[str] = set()
    for info in pkgutil.walk_packages(textual.__path__, "textual."):
        try:
            module = importlib.import_module(info.name)
        except Exception:  # noqa: BLE001 - optional parts (web, Windows drivers, demos)
            continue
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if is_textual(cls):
                names |= {name for name in vars(cls) if _private(name)}
        try:
            tree = ast.parse(Path(inspect.getsourcefile(module) or "").read_text(encoding="utf-8"))
        except (OSError, TypeError, SyntaxError):
            continue
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and _private(node.attr)
                    and isinstance(node.value, ast.Name) and node.value.id == "self"):
                names.add(node.attr)
    return frozenset(names)


def our_files() -> list[Path]:
    return sorted(p for folder in FOLDERS for p in (ROOT / folder).rglob("*.py"))


def our_modules() -> list[str]:
    return [".".join(p.relative_to(ROOT).with_suffix("").parts) for p in our_files()
            if p.name != "__init__.py" and "tests" not in p.parts and "bench" not in p.parts]


def test_no_class_of_ours_overrides_a_private_name_of_its_textual_ancestry():
    found, seen = [], set()
    for name in our_modules():
        module = importlib.import_module(name)
        for _cls_name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != name or is_textual(cls):
                continue
            ancestry = [base for base in cls.__mro__[1:] if is_textual(base)]
            if not ancestry:
                continue
            theirs = frozenset().union(*(textual_privates_of(base) for base in ancestry))
            # what Textual's metaclass writes into every subclass (_css_type_name, _reactives...) is not ours
            generated = set(vars(type("Empty", (cls,), {}))) | {"_abc_impl"}
            ours = {n for n in vars(cls) if _private(n) and n not in generated}
            body = ast.parse(textwrap.dedent(inspect.getsource(cls)))
            ours |= {node.attr for node in ast.walk(body) if isinstance(node, ast.Attribute)
                     and isinstance(node.ctx, ast.Store) and _private(node.attr)
                     and isinstance(node.value, ast.Name) and node.value.id == "self"}
            for attr in sorted(ours & theirs):
                key = f"{name}.{cls.__qualname__}.{attr}"
                if key not in ALLOWED:
                    found.append(key)
                seen.add(key)
    assert not found, f"our classes define Textual's private names: {found}"
    overrides = {key for key in ALLOWED if ":" not in key}
    assert not overrides - seen, f"gone, so off the allow-list: {sorted(overrides - seen)}"


def test_no_module_of_ours_reads_a_private_name_of_textual():
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in our_files()}
    ours = set()
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                ours.add(node.name)
            elif (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
                  and isinstance(node.value, ast.Name) and node.value.id == "self"):
                ours.add(node.attr)  # set on our own objects (on another's, ``app._display = ...``, it is theirs)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                ours.add(node.id)
            elif isinstance(node, ast.arg):
                ours.add(node.arg)
    theirs = all_textual_privates() - ours
    found, seen = [], set()
    for path, tree in trees.items():
        for node in ast.walk(tree):
            name = None
            if isinstance(node, ast.Attribute):
                name = node.attr
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                  and node.func.id in ("getattr", "setattr", "hasattr", "delattr") and len(node.args) > 1
                  and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
                name = node.args[1].value  # getattr(app, "_batch_count", 0) is a read all the same
            if name in theirs:
                allowed = f"{path.relative_to(ROOT)}:{name}"
                seen.add(allowed)
                if allowed not in ALLOWED:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}:{name}")
    assert not found, f"Textual's private names read: {found}"
    reads = {key for key in ALLOWED if ":" in key}
    assert not reads - seen, f"gone, so off the allow-list: {sorted(reads - seen)}"
