"""`W`: the watch log — the journal as a filterable list, with free-text entries (`L`)."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input, Static
from widgets.key_footer import KeyFooter

from console.domain import StoreError
from console.messages import StoreChanged
from widgets.journal_table import JournalTable

LIMIT = 500


class WatchLogScreen(Screen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="log.back"),
        Binding("slash", "focus_filter", "Filter", id="log.filter", tooltip="Filter by who, what or change"),
        Binding("L", "app.log_entry", "Log entry", id="log.entry", tooltip="Write a free-text log entry"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter_text = ""

    def compose(self) -> ComposeResult:
        yield Static("Watch log: every change, newest first", classes="pane-title")
        yield Input(placeholder="filter: operator, entity, action or text", id="log-filter", compact=True)
        yield JournalTable(id="journal")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.reload()
        self.query_one(JournalTable).focus()

    @on(Input.Changed, "#log-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value
        self.reload()

    @on(Input.Submitted, "#log-filter")
    def filter_done(self) -> None:
        self.query_one(JournalTable).focus()

    def action_focus_filter(self) -> None:
        self.query_one("#log-filter", Input).focus()

    def on_store_changed(self, _message: StoreChanged) -> None:
        self.reload()

    @work(exclusive=True, group="watch-log", exit_on_error=False)
    async def reload(self) -> None:
        try:
            entries = await self.app.store.journal.recent(limit=LIMIT, text=self.filter_text, actor=self.app.actor)
        except StoreError as error:
            self.notify(str(error), severity="error")
            return
        self.query_one(JournalTable).sync(entries)
