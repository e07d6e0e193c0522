"""A record's history: its journal rows, oldest first (who, when, what changed)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from rich.text import Text

from console.model.journal import JournalEntry
from console.dtg import format_dtg
from widgets.cells import cell
from widgets.record_table import RecordTable


def describe(entry: JournalEntry) -> str:
    changes = dict(entry.changes)
    status = changes.pop("status", None)
    parts = []
    if isinstance(status, list) and len(status) == 2:
        parts.append(f"{str(status[0]).replace('_', ' ')} -> {str(status[1]).replace('_', ' ')}")
    note = changes.pop("note", "") or changes.pop("reason", "")
    if note:
        parts.append(f"note: {note}")
    if entry.action in ("create", "import", "add") and not parts:
        parts.append(", ".join(f"{k}={v}" for k, v in sorted(changes.items()) if v not in (None, "")))
    elif changes and not parts:
        parts.append(json.dumps(changes, ensure_ascii=False, sort_keys=True))
    return "; ".join(parts)


class MovementHistory(RecordTable):
    COLUMNS = (
        ("at", "When (Z)", 14),
        ("actor", "Who", 10),
        ("action", "Action", 10),
        ("what", "What", 60),
    )
    DEFAULT_SORT = "at"

    def cells(self, entry: JournalEntry) -> Sequence[Text]:
        return (
            cell(format_dtg(entry.at), sort_key=entry.id),
            cell(entry.actor),
            cell(entry.action),
            cell(describe(entry), max_chars=300),
        )
