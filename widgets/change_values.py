"""A value from the journal's changes, as the watch log and a record's timeline show it."""

from __future__ import annotations

from console.sanitize import clean_line


def shown_value(value: object) -> str:
    """``(empty)`` for a cleared field (the journal stores None or ""), else the value on one clean line."""
    if value is None or value == "":
        return "(empty)"
    return clean_line(str(value), max_chars=120)
