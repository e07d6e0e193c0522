"""Messages between the App and its screens: the store's changes, the operator's, what panes announce."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from textual.message import Message

from console.model.access import Actor
from console.model.journal import Entity, JournalEntry


class StoreChanged(Message):
    """Journal rows committed since the last poll, by any process (this one included)."""

    def __init__(self, entries: list[JournalEntry]) -> None:
        super().__init__()
        self.entries = entries

    def ids(self) -> dict[Entity, set[int]]:
        """Changed record ids per entity."""
        changed: dict[Entity, set[int]] = defaultdict(set)
        for entry in self.entries:
            if entry.entity_id is not None:
                changed[entry.entity].add(entry.entity_id)
            else:
                changed[entry.entity]
        return changed


class ActorChanged(Message):
    """The operator's role, nation or name changed in the database (or they were removed)."""

    def __init__(self, before: Actor, after: Actor) -> None:
        super().__init__()
        self.before = before
        self.after = after


class Announcement(Message):
    """A pane's news for the operator (bubbles to the App, which lists it and maybe pops it up):
    ``opens`` shows the record it is about; ``urgent`` pops it up whatever its severity."""

    def __init__(self, text: str, *, title: str = "", severity: str = "information", urgent: bool = False,
                 opens: Callable[[], object] | None = None) -> None:
        super().__init__()
        self.text = text
        self.title = title
        self.severity = severity
        self.urgent = urgent
        self.opens = opens
