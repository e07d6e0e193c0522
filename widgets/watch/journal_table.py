"""The watch log: journal rows, newest first (who, what, when)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from console.model.journal import JournalEntry
from console.dtg import format_short_dtg
from widgets.cells import cell
from widgets.change_values import shown_value
from widgets.record_table import RecordTable


def describe_change(value: object) -> str:
    """One changed field: ``reported → verifying`` for a [before, after] pair, else the value."""
    if isinstance(value, list) and len(value) == 2:
        return f"{shown_value(value[0])} → {shown_value(value[1])}"  # never "2 → None"
    return f"{value}"


def describe_changes(entry: JournalEntry) -> str:
    """``status: reported → verifying; note: …`` from the journal's JSON of changes."""
    return "; ".join(f"{key}: {describe_change(value)}" for key, value in entry.changes.items())


class JournalTable(RecordTable):
    COLUMNS = (
        ("at", "DTG", 7),
        ("actor", "Who", 12),
        ("what", "What", 22),
        ("changes", "Change", None),
    )
    DEFAULT_SORT = "at"
    DEFAULT_REVERSE = True

    def cells(self, entry: JournalEntry) -> Sequence[Text]:
        what = f"{entry.entity.value}#{entry.entity_id} {entry.action}" if entry.entity_id else \
            f"{entry.entity.value} {entry.action}"
        return (
            cell(format_short_dtg(entry.at), sort_key=entry.id),
            cell(entry.actor),
            cell(what),
            cell(describe_changes(entry), max_chars=300),
        )
