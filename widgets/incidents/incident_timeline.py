"""An incident's timeline: every change from the journal, oldest first, who and when.

Transitions, edits (each field old -> new), notes, links and acknowledgement,
each on its own line(s). Text from the journal is shown as typed, never as markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from console.model.journal import JournalEntry
from console.dtg import format_dtg
from console.sanitize import clean_line
from widgets.change_values import shown_value

LABELS = {
    "occurred_at": "when", "grid_ref": "grid ref", "alleged_party": "alleged party", "source_type": "source type",
    "assigned_cell": "cell",
}


def describe(entry: JournalEntry) -> Text:
    """What one journal row did, in words."""
    changes = entry.changes
    text = Text()
    if entry.action in ("create", "seed"):
        text.append("reported" if entry.action == "create" else "reported (demo data)", "bold")
        text.append(f": sev {changes.get('severity')} {shown_value(changes.get('category')).replace('_', ' ')},"
                    f" {shown_value(changes.get('governorate'))}")
        if changes.get("locality"):
            text.append(f"/{shown_value(changes['locality'])}")
    elif entry.action == "transition":
        old, new = changes.get("status", ["?", "?"])
        text.append(f"status {old} → {new}", "bold")
        if changes.get("note"):
            text.append(f": {shown_value(changes['note'])}")
    elif entry.action == "edit":
        text.append("edited", "bold")
        for name, pair in changes.items():
            old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
            text.append(f"\n    {LABELS.get(name, name)}: {shown_value(old)} → {shown_value(new)}")
    elif entry.action == "note":
        text.append("note", "bold")
        text.append(f": {shown_value(changes.get('note'))}")
    elif entry.action == "link":
        relation = str(changes.get("relation", "relates")).replace("_", " ")
        text.append(f"linked {changes.get('kind')} {changes.get('other_id')}", "bold")
        text.append(f" ({relation})")
    elif entry.action == "acknowledge":
        text.append("acknowledged", "bold")
    else:
        text.append(clean_line(entry.action, max_chars=40), "bold")
        if changes:
            text.append(": " + ", ".join(f"{k}={shown_value(v)}" for k, v in changes.items()))
    return text


def timeline_text(entries: Sequence[JournalEntry]) -> Text:
    text = Text(end="")
    if not entries:
        text.append("(no changes recorded)", "dim")
    for index, entry in enumerate(entries):
        if index:
            text.append("\n")
        text.append(f"{format_dtg(entry.at)} ", "cyan")
        text.append(f"{clean_line(entry.actor, max_chars=30)}  ", "dim")
        text.append_text(describe(entry))
    return text


class IncidentTimeline(Static):
    DEFAULT_CSS = """
    IncidentTimeline { height: auto; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.entries: list[JournalEntry] = []

    def show_entries(self, entries: Sequence[JournalEntry]) -> None:
        self.entries = list(entries)
        self.update(timeline_text(self.entries))

    @property
    def plain(self) -> str:
        return timeline_text(self.entries).plain
