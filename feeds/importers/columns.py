"""Naming a file's columns: what the aid and roster importers share."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from console.sanitize import clean_line
from feeds.inbox import Row


def named_fields(row: Row, known: Collection[str], aliases: Mapping[str, str]
                 ) -> tuple[dict[str, object], list[tuple[str, str]]]:
    """The row's values under their canonical column names, and (column, message) problems:
    unknown columns, a column given twice under two names, values that are not text or numbers."""
    fields: dict[str, object] = {}
    problems: list[tuple[str, str]] = []
    for column, value in row.fields.items():
        name = str(column).strip().lower().replace(" ", "_").replace("-", "_")
        name = aliases.get(name, name)
        if name not in known:
            problems.append((clean_line(column, max_chars=40), f"unknown column (known: {', '.join(known)})"))
        elif name in fields:
            problems.append((name, "given twice (once under another name)"))
        elif isinstance(value, (dict, list, bool)):
            problems.append((name, "must be text or a number"))
        elif value is not None:
            fields[name] = value
    return fields, problems
