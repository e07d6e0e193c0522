"""What every pane has: a title, a summary, its table, a filter line, and a reload.

A pane knows nothing of the screen it sits in. It is given a ``PaneContext`` (the store, the
operator, the settings) when it is made, and it asks for what it cannot do itself by posting
Messages that bubble up to whoever holds it (the watch floor): ``Pane.ReloadRequested``,
``Pane.AlertChanged``, ``Pane.TickerHeadlines``. Only the holder schedules loads; it calls
``fill()`` / ``load()`` (``fill_and_load()``) and ``on_minute()``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from console.config import Settings
from console.model.access import Actor, may_write
from console.model.errors import StoreError
from console.model.headlines import Headline
from console.model.journal import Entity
from widgets.filter_input import FilterInput
from widgets.summary_lines import SummaryLines
from widgets.record_table import RecordTable


@dataclass(frozen=True)
class PaneContext:
    """What a pane reads with: given to it when it is made, so it needs no particular App or screen."""

    #: The App's ``Store``; panes use its repositories (``.incidents``, ``.aid``, ``.partners``,
    #: ``.headlines``, ``.plan``). Typed loosely: screens never import ``console.store``.
    store: Any
    #: The operator now: asked each time, since it changes while the console runs (``ActorChanged``).
    current_actor: Callable[[], Actor]
    settings: Settings
    #: This console's own feed poller, when it runs one: its lease holder id and whether it holds
    #: the lease now (asked each time: a console stopped and resumed may have lost it).
    own_poller: Callable[[], tuple[str, bool] | None] = lambda: None

    @property
    def actor(self) -> Actor:
        return self.current_actor()

    @classmethod
    def of_app(cls, app: Any) -> PaneContext:
        """The context of an App that holds ``store``, ``actor``, ``settings`` and ``feed_runner``
        (``CmccApp``)."""

        def own_poller() -> tuple[str, bool] | None:
            runner = getattr(app, "feed_runner", None)
            return None if runner is None else (runner.holder, runner.holding)

        return cls(app.store, lambda: app.actor, app.settings, own_poller)


class Pane(Vertical):
    """Subclasses set KEY, TITLE, TABLE and ENTITIES, and implement ``load()``."""

    class ReloadRequested(Message):
        """Reload this pane: at the next tick of the holder's reload clock, or ``at_once``."""

        def __init__(self, pane: Pane, *, at_once: bool = False) -> None:
            super().__init__()
            self.pane = pane
            self.key = pane.KEY
            self.at_once = at_once

        @property
        def control(self) -> Pane:
            return self.pane

    class AlertChanged(Message):
        """The mark beside the pane's title in the pane bar (``" !"``, or ``""`` for none)."""

        def __init__(self, pane: Pane, mark: str) -> None:
            super().__init__()
            self.pane = pane
            self.key = pane.KEY
            self.mark = mark

        @property
        def control(self) -> Pane:
            return self.pane

    class TickerHeadlines(Message):
        """The newest headlines, for the ticker."""

        def __init__(self, pane: Pane, headlines: list[Headline]) -> None:
            super().__init__()
            self.pane = pane
            self.headlines = headlines

        @property
        def control(self) -> Pane:
            return self.pane

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

    def __init__(self, context: PaneContext, *, filled: bool = True) -> None:
        super().__init__(id=f"pane-{self.KEY}", classes="pane")
        self.context = context
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
        yield SummaryLines("", classes="pane-summary")
        yield self.table
        yield FilterInput()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.WRITES and not may_write(self.context.actor):
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
    def store(self) -> Any:
        return self.context.store

    @property
    def actor(self) -> Actor:
        return self.context.actor

    @property
    def settings(self) -> Settings:
        return self.context.settings

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
            line = self.query_one(selector)
            assert isinstance(line, (Static, SummaryLines))
            line.update(text, layout=lines_changed)

    async def go_to_next(self, matches: Callable[[Any], bool], row_in_store: Callable[[Any], Awaitable[int | None]],
                         *, what: str, backwards: bool = False) -> None:
        """The cursor to the next (previous) record that ``matches``: in the rows held when it is there;
        else ``row_in_store(current record)`` says which row of the whole list it is (None: none), and
        the table reads that window. ``what`` names it in the notice when there is none that way."""
        table = self.table
        current = table.selected_record()
        if current is None:
            return
        held = (range(table.cursor_row - 1, table.window_start - 1, -1) if backwards
                else range(table.cursor_row + 1, table.window_start + table.loaded_count))
        for row in held:
            if matches(table.record_at(row)):
                table.move_cursor(row=row)
                return
        try:
            row = await row_in_store(current)
        except StoreError as error:
            self.app.notify(f"next {what}: {error}", severity="error", markup=False)
            return
        if row is None:
            self.app.notify(f"no {what} {'above' if backwards else 'below'}", severity="warning", timeout=3,
                            markup=False)
        else:
            table.move_cursor(row=row)

    def request_reload(self, *, at_once: bool = False) -> None:
        """Ask the holder to reload this pane at its next refresh tick (or at once)."""
        self.post_message(self.ReloadRequested(self, at_once=at_once))

    #: The window of a long list to read at the next load (its first row, how many rows); panes
    #: that show one (``RecordTable.show_window``) read it, and set it back when the view changes.
    window_start = 0
    window_rows = 0

    @on(RecordTable.WindowWanted)
    def read_window(self, event: RecordTable.WindowWanted) -> None:
        """The table needs another window of its list: read it now."""
        if event.table is not self.table:
            return
        event.stop()
        self.window_start, self.window_rows = event.start, event.rows
        self.window_moved()
        self.request_reload(at_once=True)

    def window_moved(self) -> None:
        """A hook for a pane that loads a moved window differently from a changed view."""

    def set_alert(self, mark: str) -> None:
        self.post_message(self.AlertChanged(self, mark))

    def open_filter(self) -> None:
        """Show the ``/`` filter line and put the cursor in it."""
        self.query_one(FilterInput).open()

    def show_filter(self, text: str) -> None:
        """Filter the pane by ``text``, as if typed after ``/``; the cursor stays in the list."""
        self.query_one(FilterInput).show(text)
        self.table.focus()

    @on(FilterInput.FilterChanged)
    def _filter_changed(self, event: FilterInput.FilterChanged) -> None:
        event.stop()
        self.filter_text = event.text
        self.request_reload()

    @on(FilterInput.FilterDone)
    def _filter_done(self, event: FilterInput.FilterDone) -> None:
        event.stop()
        self.filter_text = event.filter_input.value
        self.request_reload()
        self.table.focus()

    def run_store_action(self, action: Awaitable[object], done: str = "") -> None:
        """Run one store mutation in a worker; a refusal is a notification, never a crash."""
        self._run_store_action(action, done)

    @work(group="store-actions", exit_on_error=False)
    async def _run_store_action(self, action: Awaitable[object], done: str) -> None:
        try:
            await action
        except StoreError as error:
            self.app.notify(str(error), severity="error", timeout=8, markup=False)
        else:
            if done:
                self.app.notify(done, timeout=3, markup=False)

    async def load(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def on_minute(self) -> None:
        """Called once a minute (ages, overdue marks)."""
