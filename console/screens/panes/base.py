"""What every pane has: a title, a summary, its table, a filter line, and a reload."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from console.model.access import Actor, Role
from console.model.journal import Entity
from widgets.filter_input import FilterInput
from widgets.record_table import RecordTable


def may_write(actor: Actor) -> bool:
    """Whether the actor's role writes at all (what each write needs beyond that, the store says)."""
    return actor.role >= Role.OPERATOR and not actor.viewing_as


class Pane(Vertical):
    """Subclasses set KEY, TITLE, TABLE and ENTITIES, and implement ``load()``."""

    KEY: ClassVar[str] = ""
    TITLE: ClassVar[str] = ""
    TABLE: ClassVar[type[RecordTable]] = RecordTable
    #: Journal entities whose changes make this pane reload.
    ENTITIES: ClassVar[frozenset[Entity]] = frozenset()
    #: Actions that write: shown greyed (and not run) for a viewer or someone viewing as another
    #: operator. The store refuses them anyway; this only keeps the footer honest.
    WRITES: ClassVar[frozenset[str]] = frozenset()

    DEFAULT_CSS = """
    Pane > .pane-title { height: 1; text-style: bold; }
    Pane > .pane-summary { height: auto; max-height: 3; color: $text-muted; }
    """

    def __init__(self, *, filled: bool = True) -> None:
        super().__init__(id=f"pane-{self.KEY}", classes="pane")
        #: False while the pane is off screen and has not been needed: it has no children yet.
        self.filled = filled
        self.table = self.TABLE(id=f"table-{self.KEY}")
        self.filter_text = ""
        self._shown: dict[str, tuple[str, str]] = {}

    def compose(self) -> ComposeResult:
        # An empty pane costs start-up nothing; its tables' CSS is most of a pane's mounting time.
        if self.filled:
            yield from self.content()

    def content(self) -> ComposeResult:
        """The pane's widgets (subclasses with more than one table override this)."""
        yield Static(self.TITLE, classes="pane-title")
        yield Static("", classes="pane-summary")
        yield self.table
        yield FilterInput()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.WRITES and not may_write(self.app.actor):
            return None
        return True

    async def fill(self) -> None:
        """Mount the pane's widgets if it was composed empty."""
        if not self.filled:
            self.filled = True
            await self.recompose()

    async def fill_and_load(self) -> None:
        """What the watch floor does to show the pane's data: its widgets first, if it has none yet."""
        await self.fill()
        await self.load()

    @property
    def store(self):
        return self.app.store

    @property
    def actor(self):
        return self.app.actor

    @property
    def settings(self):
        return self.app.settings

    def set_summary(self, text) -> None:
        self._update_if_changed(".pane-summary", text)

    def set_title(self, text) -> None:
        self._update_if_changed(".pane-title", text)

    def _update_if_changed(self, selector: str, text) -> None:
        """Redraw a line only when its text or styles changed: an unchanged reload writes no bytes."""
        shown = (str(text), repr((getattr(text, "style", None), getattr(text, "spans", None))))
        before = self._shown.get(selector)
        if before != shown:
            self._shown[selector] = shown
            # A layout pass only when the line count changed: a pass repaints its neighbours too,
            # and a summary that changes every reload is on every reload.
            lines_changed = before is None or before[0].count("\n") != shown[0].count("\n")
            self.query_one(selector, Static).update(text, layout=lines_changed)

    def request_reload(self) -> None:
        """Ask the screen to reload this pane at its next refresh tick."""
        self.screen.mark_dirty(self.KEY)

    async def load(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def on_minute(self) -> None:
        """Called once a minute (ages, overdue marks)."""
