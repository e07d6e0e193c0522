"""The one detail-screen base: one record in full, kept current by the journal.

The App posts ``StoreChanged`` to every screen. A detail screen re-reads its record when the
message names the record's entity and id (or a re-seed: ``Entity.SEED``), from this console or
any other, and shows it gone when it was deleted or is no longer releasable to the operator.
Reloads coalesce (``console.screens.coalesce``): under load the screen is at most one reload
behind, never frozen.

A detail screen derives from ``DetailScreen`` (a full screen) or ``DetailModal`` (over the
floor), passing its entity and record id, and gives ``fetch`` (read the record: None when gone),
``show_record`` (show it, reading what else it shows) and ``gone_text``. ``record`` is the record
last read (None until read, and once gone).
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from textual.screen import ModalScreen, Screen

from console.messages import StoreChanged
from console.model.access import may_write
from console.model.journal import Entity
from console.screens.coalesce import coalesced

ResultT = TypeVar("ResultT")


class RecordDetail:
    """What every detail screen does: read its record, show it, and read it again when it changes."""

    #: Read the record once mounted (False where the screen is handed the record to show).
    RELOAD_ON_MOUNT = True
    #: Actions that change something: greyed in the footer, and not run, for an operator who may
    #: not write (a viewer, or anyone viewing as another); the store refuses them anyway.
    WRITES: ClassVar[frozenset[str]] = frozenset()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.WRITES and not may_write(self.app.actor):  # type: ignore[attr-defined]
            return None
        return True

    def init_record(self, entity: Entity, record_id: int | None, record: Any = None) -> None:
        self.entity = entity
        self.record_id = record_id
        self.record = record

    # --- what a detail screen gives --------------------------------------------------

    async def fetch(self) -> Any:  # pragma: no cover - abstract
        """The record as it is now; None if it was deleted or is not releasable to the operator."""
        raise NotImplementedError

    async def show_record(self, record: Any) -> None:  # pragma: no cover - abstract
        """Show ``record`` (reading its history, notes... as the screen needs)."""
        raise NotImplementedError

    def gone_text(self) -> str:
        return f"{self.entity.value} {self.record_id} does not exist or is not releasable to you"

    def show_gone(self) -> None:  # pragma: no cover - abstract
        """Say that the record is gone (``gone_text``), in place of it."""
        raise NotImplementedError

    def journal_id(self) -> int | None:
        """The record's id in the journal (None: not known yet, so any change to the entity is read)."""
        return self.record_id

    # --- the reload ------------------------------------------------------------------

    def names_record(self, message: StoreChanged) -> bool:
        changed = message.ids()
        if Entity.SEED in changed:
            return True
        if self.entity not in changed:
            return False
        key = self.journal_id()
        return key is None or key in changed[self.entity]

    @coalesced
    async def reload(self) -> None:
        record = await self.fetch()
        self.record = record
        if record is None:
            self.show_gone()
        else:
            await self.show_record(record)

    def on_mount(self) -> None:
        if self.RELOAD_ON_MOUNT:
            self.reload()

    def on_store_changed(self, message: StoreChanged) -> None:
        if self.names_record(message):
            self.reload()


class DetailScreen(RecordDetail, Screen[ResultT]):
    """A full-screen detail of one record."""

    def __init__(self, entity: Entity, record_id: int | None, record: Any = None) -> None:
        super().__init__()
        self.init_record(entity, record_id, record)


class DetailModal(RecordDetail, ModalScreen[ResultT]):
    """A detail of one record over the watch floor."""

    def __init__(self, entity: Entity, record_id: int | None, record: Any = None) -> None:
        super().__init__()
        self.init_record(entity, record_id, record)
