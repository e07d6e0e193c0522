"""`W`: the watch log — the journal as a filterable list, with free-text entries (`L`).

By default it shows what people did and wrote; the feed poller's, the inbox's and the demo seed's
rows, and the feed-polling lease's, only after `a` (all rows), which `a` turns off again.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input, Static
from widgets.key_footer import KeyFooter

from console.dtg import format_dtg
from console.model.errors import StoreError
from console.model.journal import JournalEntry
from console.messages import StoreChanged
from console.screens.coalesce import coalesced
from console.screens.full_record import FullRecordScreen
from widgets.watch.journal_table import JournalTable, describe_change

LIMIT = 500


class WatchLogScreen(Screen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="log.back"),
        Binding("slash", "focus_filter", "Filter", id="log.filter", tooltip="Filter by who, what or change"),
        Binding("L", "app.log_entry", "Log entry", id="log.entry", tooltip="Write a free-text log entry"),
        Binding("a", "toggle_everything", "All rows", id="log.all",
                tooltip="Show the feeds', the inbox's and the lease's rows too, or people's alone again"),
    ]

    TITLES = {False: "Watch log: people's actions and log entries, newest first (a: all rows)",
              True: "Watch log: every change, newest first (a: people's alone)"}

    def __init__(self) -> None:
        super().__init__()
        self.filter_text = ""
        #: what the table shows, newest first (at most LIMIT rows)
        self.entries: list[JournalEntry] = []
        #: the filter changed since the last load: search again; otherwise only newer rows are read
        self.search_again = True
        #: every row, the machines' too (``a``); people's alone by default
        self.everything = False

    def compose(self) -> ComposeResult:
        yield Static(self.TITLES[self.everything], classes="pane-title")
        yield Input(placeholder="filter: operator, entity, action or text", id="log-filter", compact=True)
        yield JournalTable(id="journal")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.reload()
        self.query_one(JournalTable).focus()

    @on(Input.Changed, "#log-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value
        self.search_again = True
        self.reload()

    @on(Input.Submitted, "#log-filter")
    def filter_done(self) -> None:
        self.query_one(JournalTable).focus()

    def action_toggle_everything(self) -> None:
        self.everything = not self.everything
        self.query_one(".pane-title", Static).update(self.TITLES[self.everything])
        self.search_again = True
        self.reload()

    def action_focus_filter(self) -> None:
        self.query_one("#log-filter", Input).focus()

    def on_record_table_record_selected(self, event: JournalTable.RecordSelected) -> None:
        """``enter``: the row in full (its Change column is cut at the screen's width)."""
        event.stop()
        entry = next((e for e in self.entries if e.id == event.record_id), None)
        if entry is None:
            return
        what = f"{entry.entity.value} {entry.entity_id}" if entry.entity_id else entry.entity.value
        fields: list[tuple[str, object]] = [("When", format_dtg(entry.at)), ("Who", entry.actor),
                                            ("From", entry.origin), ("What", f"{what}: {entry.action}")]
        fields += [(key, describe_change(value)) for key, value in entry.changes.items()]
        self.app.push_screen(FullRecordScreen(f"Watch log row {entry.id}", fields))

    def on_store_changed(self, _message: StoreChanged) -> None:
        self.reload()

    @coalesced
    async def reload(self) -> None:
        """A new filter searches the journal; a change only reads the rows after the newest shown."""
        search, self.search_again = self.search_again, False
        after = 0 if search or not self.entries else self.entries[0].id
        try:
            newer = await self.app.store.journal.recent(limit=LIMIT, text=self.filter_text, actor=self.app.actor,
                                                        after_id=after, people_only=not self.everything)
        except StoreError as error:
            self.search_again = self.search_again or search
            self.notify(str(error), severity="error", markup=False)
            return
        if not search and not newer:
            return
        self.entries = newer if search else (newer + self.entries)[:LIMIT]
        self.query_one(JournalTable).sync(self.entries)
