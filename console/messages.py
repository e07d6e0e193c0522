"""Messages the App posts to its screens. Declared in one place."""

from __future__ import annotations

from collections import defaultdict

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
