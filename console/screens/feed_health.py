"""Feed health: every feed, its last success and error, failures, next poll, items seen; live.

Reloads when the journal says a feed changed (each poll writes a health row)
or the polling lease moved; ``escape`` goes back to the watch floor.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static
from widgets.key_footer import KeyFooter

from console.dtg import format_dtg
from console.model.journal import Entity
from console.messages import StoreChanged
from console.screens.coalesce import coalesced
from console.screens.full_record import FullRecordScreen
from console.screens.panes.base import PaneContext
from widgets.headlines.feed_health_table import FeedHealthTable


class FeedHealthScreen(Screen):
    DEFAULT_CSS = """
    FeedHealthScreen > .feed-health-title { height: 1; text-style: bold; background: $panel; }
    FeedHealthScreen > .feed-health-summary { height: auto; color: $text-muted; }
    FeedHealthScreen > FeedHealthTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape,q,F", "close", "Back", id="feed_health.close", tooltip="Back to the watch floor"),
    ]

    def __init__(self, context: PaneContext | None = None, select: str = "") -> None:
        super().__init__()
        #: What it reads with (the headlines pane's context; the App's when opened on its own).
        self.context = context or PaneContext.of_app(self.app)
        #: The feed to put the cursor on once listed (`:feed NAME`).
        self.select = select

    def compose(self) -> ComposeResult:
        yield Static(Text("Feed health"), classes="feed-health-title")
        yield Static(Text(""), classes="feed-health-summary")
        yield FeedHealthTable(id="feed-health")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(FeedHealthTable).focus()
        self.reload()

    def on_store_changed(self, message: StoreChanged) -> None:
        if set(message.ids()) & {Entity.FEED, Entity.LEASE, Entity.SEED}:
            self.reload()

    @coalesced
    async def reload(self) -> None:
        from console.model.leases import FEED_POLLER, short_holder

        feeds = await self.context.store.feeds.list()
        lease = await self.context.store.leases.live(FEED_POLLER)
        table = self.query_one(FeedHealthTable)
        table.sync(feeds)
        if self.select:
            chosen = next((f for f in feeds if f.name.casefold() == self.select.casefold()), None)
            self.select = ""
            if chosen is not None:
                table.move_cursor(row=table.get_row_index(str(chosen.id)))
        ours = self.context.own_poller()
        if lease is None:
            who = "nobody polls (no console or cmcc poller holds the lease)"
        else:
            who = "polled by this console" if ours is not None and ours[0] == lease.holder else (
                f"polled by {short_holder(lease.holder)}")
            # Where files must be dropped: the folder the polling process watches, whatever ours says.
            who += f" · inbox {lease.watching}" if lease.watching else " · no inbox watched"
        enabled = [f for f in feeds if f.enabled]
        failing = sum(1 for f in enabled if f.consecutive_failures)
        summary = f"{len(enabled)} of {len(feeds)} enabled · {failing} failing · {who}"
        self.query_one(".feed-health-summary", Static).update(Text(summary))

    def on_record_table_record_selected(self, event: FeedHealthTable.RecordSelected) -> None:
        """``enter``: the feed in full (its last error is cut at the screen's width)."""
        event.stop()
        feed = self.query_one(FeedHealthTable).records.get(event.record_id)
        if feed is None:
            return

        def when(moment) -> str:
            return format_dtg(moment) if moment else "never"

        self.app.push_screen(FullRecordScreen(f"Feed {feed.name}", [
            ("URL", feed.url), ("Polled", f"every {feed.interval_seconds} s" if feed.enabled else "off"),
            ("Last success", when(feed.last_success_at)), ("Last error", when(feed.last_error_at)),
            ("Error", feed.last_error), ("Failures", feed.consecutive_failures),
            ("Next poll", when(feed.next_poll_at)), ("Items", feed.items_seen),
            ("Note", feed.health_note), ("Watch words", ", ".join(feed.keywords))]))

    def action_close(self) -> None:
        self.dismiss()
