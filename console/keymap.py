"""`[keys]` in the config: binding ids mapped to keys, checked before Textual's keymap gets them.

    [keys]
    "incident.acknowledge" = "A"
    "app.notices" = "ctrl+n"

Textual applies a keymap by binding id everywhere that binding is (``App.set_keymap``). What it
cannot know is what the operator meant: an id that names no binding, a key that is no key, or a
key given to two bindings that work in the same place (Textual would quietly drop one). Each is
named in a notice at start and the default kept for that binding; help and the footer then show
the keys as set.
"""

from __future__ import annotations

import importlib
import pkgutil
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import KEY_NAME_REPLACEMENTS, Keys, key_to_character

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
_KEY_NAMES = frozenset(k.value for k in Keys)
#: The packages whose classes hold the console's bindings (besides the App's own).
PACKAGES = ("console.screens", "widgets")


def is_key(key: str) -> bool:
    """``A``, ``[``, ``ctrl+p``, ``f5``, ``left_square_bracket``: a key Textual can bind."""
    *modifiers, base = key.split("+") if len(key) > 1 else [key]
    if not base or any(m not in MODIFIERS for m in modifiers):
        return False
    return (len(base) == 1 and base.isprintable()) or base in _KEY_NAMES or key_to_character(base) is not None


def canonical(key: str) -> str:
    """One spelling per key, to compare them: ``[`` and ``left_square_bracket`` are one key."""
    *modifiers, base = key.split("+") if len(key) > 1 else [key]
    if len(base) == 1 and not base.isalnum():
        name = unicodedata.name(base, base).lower().replace(" ", "_").replace("-", "_")
        base = KEY_NAME_REPLACEMENTS.get(name, name)
    return "+".join([*modifiers, base])


def _our_classes(extra: Iterable[type]) -> list[type]:
    """Every Textual node class of ours (their modules imported, so lazily loaded screens count)."""
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        for module in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            importlib.import_module(module.name)
    found, stack = set(extra), list(DOMNode.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith(PACKAGES):
            found.add(cls)
    return sorted(found, key=lambda c: (c.__module__, c.__qualname__))


def _bindings_in_force(cls: type) -> list[Binding]:
    """The bindings a node of ``cls`` has: its own and those it inherits (Textual merges them)."""
    return [binding for base in reversed(cls.__mro__) if issubclass(base, DOMNode)
            for binding in Binding.make_bindings(base.__dict__.get("BINDINGS", []))]


def checked_keymap(wanted: dict[str, str], app_class: type) -> tuple[dict[str, str], list[str]]:
    """(the keymap to apply, one problem per line) for the ``[keys]`` table ``wanted``."""
    if not wanted:
        return {}, []
    scopes = {cls: _bindings_in_force(cls) for cls in _our_classes([app_class])}
    known = {b.id for bindings in scopes.values() for b in bindings if b.id}
    problems: list[str] = []
    keymap: dict[str, str] = {}
    for binding_id, keys in wanted.items():
        listed = [k.strip() for k in keys.split(",")]
        if binding_id not in known:
            problems.append(f"[keys] {binding_id!r}: no binding has that id (? lists them); ignored")
        elif not all(is_key(k) for k in listed):
            problems.append(f"[keys] {binding_id!r}: {keys!r} is not a key; its default kept")
        else:
            keymap[binding_id] = ",".join(listed)
    # A key given to two bindings that work in one place: both keep their defaults. Repeated,
    # since a binding put back on its default key may now share it with another one.
    while clash := _first_clash(scopes, keymap):
        key, ids, where = clash
        moved = [i for i in ids if i in keymap]
        for binding_id in moved:
            del keymap[binding_id]
        problems.append(f"[keys] {key!r} would be both {' and '.join(sorted(ids))} ({where}); "
                        f"default kept for {', '.join(sorted(moved))}")
    return keymap, problems


def _first_clash(scopes: dict[type, list[Binding]], keymap: dict[str, str]) -> tuple[str, set[str], str] | None:
    for cls, bindings in scopes.items():
        holders: dict[str, set[str]] = defaultdict(set)
        for binding in bindings:
            keys = keymap.get(binding.id or "", binding.key)
            for key in keys.split(","):
                holders[canonical(key.strip())].add(binding.id or binding.action)
        for key, ids in holders.items():
            if len(ids) > 1 and any(i in keymap for i in ids):
                return key, ids, cls.__qualname__
    return None
