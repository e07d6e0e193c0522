"""The Headlines pane: polled headlines, newest first; the ticker's source; promote to incident.

The list is every headline (or every match of ``/``), held a window at a time as
the Incidents pane does: the table knows the whole length and asks for the window
it needs (``RecordTable.WindowWanted``).

Watch-list words come from the ``watch_keywords`` setting (every headline)
and from each feed (stored on the headline when it was polled). A new
headline with a hit is marked, counted and announced once.
"""

from __future__ import annotations

from dataclasses import replace

from textual import work
from textual.binding import Binding

from console.model.access import Permission, may
from console.model.headlines import Headline
from console.model.journal import Entity
from console.screens.panes.base import Pane, PaneContext
from widgets.headlines.headline_list import HeadlineList

#: Rows read when the list is first shown (more are read as the cursor goes down).
PAGE = 300
#: Newest headlines fetched for the ticker and the watch-list alert while a search narrows the list.
TICKER_PAGE = 20


def with_watch_hits(headline: Headline, words: tuple[str, ...]) -> Headline:
    """The headline with the watch-list ``words`` it holds added to its feed's hits."""
    if not words:
        return headline
    from feeds.parse import match_keywords

    extra = [w for w in match_keywords(headline, words)
             if w.casefold() not in {h.casefold() for h in headline.watch_hits}]
    return replace(headline, watch_hits=headline.watch_hits + tuple(extra)) if extra else headline


class HeadlinesPane(Pane):
    KEY = "headlines"
    TITLE = "Headlines"
    TABLE = HeadlineList
    ENTITIES = frozenset({Entity.HEADLINE, Entity.SEED})

    WRITES = frozenset({"toggle_read", "promote"})
    BINDINGS = [
        Binding("r", "toggle_read", "Read", id="headline.read",
                tooltip="Mark the selected headline read, or unread again"),
        Binding("p", "promote", "Promote", id="headline.promote",
                tooltip="Open the incident form pre-filled from the selected headline; the two stay linked"),
        Binding("F", "feed_health", "Feeds", id="headline.feed_health",
                tooltip="Feed health: each feed's last success, last error, failures, next poll, items"),
        Binding("n", "next_unread", "Next unread", show=False, id="headline.next_unread",
                tooltip="The next unread headline below the cursor, wherever it is in the list"),
    ]

    def __init__(self, context: PaneContext, *, filled: bool = True) -> None:
        super().__init__(context, filled=filled)
        #: Highest headline id already seen; only newer ones are announced.
        self.window_rows = PAGE
        self._shown_search: str | None = None

    @property
    def watch_words(self) -> tuple[str, ...]:
        return self.settings.watch_words

    def with_hits(self, headline: Headline) -> Headline:
        """The headline with the global watch-list words it holds added to its feed's hits."""
        return with_watch_hits(headline, self.watch_words)

    async def load(self) -> None:
        headlines_store = self.store.headlines
        new_search = self.filter_text != self._shown_search
        if new_search:  # another search (or none): from the top
            self._shown_search = self.filter_text
            self.window_start, self.window_rows = 0, PAGE
        start, rows = self.window_start, self.window_rows
        complete = True
        if self.filter_text:
            window = await headlines_store.search_window(self.actor, self.filter_text, offset=start, limit=rows)
            found, total, complete = window.rows, window.total, window.complete
        else:
            found = await headlines_store.latest(self.actor, limit=rows, offset=start)
            total = await headlines_store.count(self.actor)
        headlines = [self.with_hits(h) for h in found]
        # The ticker and the alerts follow the newest headlines, whatever the list shows.
        if self.filter_text or start:
            newest = [self.with_hits(h) for h in await headlines_store.latest(self.actor, limit=TICKER_PAGE)]
        else:
            newest = headlines[:TICKER_PAGE]
        self.table.show_window(start, headlines, total)
        if new_search and self.table.row_count:
            self.table.move_cursor(row=0)
        hits = sum(1 for h in headlines if h.watch_hits)
        unread = sum(1 for h in headlines if not h.read)
        scope = f"matching {self.filter_text!r}" if self.filter_text else "headlines"
        archived = sum(1 for h in headlines if h.archived)
        if archived:
            scope += f" ({archived} archived, A)"
        held = f"rows {start + 1}-{start + len(headlines)}" if headlines else "no rows"
        counted = f"{total:,}" if complete else f"{total:,}+"  # the list holds the first of them
        self.set_summary(f"{counted} {scope} · {held}: {unread} unread, {hits} watch-list hits (*)"
                         " · enter read · r read/unread · p promote · F feeds")
        self.post_message(self.TickerHeadlines(self, newest))

    # --- keys -------------------------------------------------------------------

    def on_record_table_record_selected(self, event: HeadlineList.RecordSelected) -> None:
        event.stop()
        headline = self.table.records.get(event.record_id)
        if headline is not None:
            self.open_headline(headline)

    def open_headline(self, headline: Headline) -> None:
        """The headline in full (marked read if the operator may), with its keys: promote, unread."""
        from console.screens.headline_detail import HeadlineDetailScreen

        if not headline.read and not headline.archived and self._may_mark():
            self.run_store_action(self.store.headlines.mark_read(self.actor, headline.id, True))
            headline = replace(headline, read=True)

        def then(answer: str | None) -> None:
            if answer in ("promote", "toggle_read") and self._archived(headline):
                return
            if answer == "promote":
                self.promote(headline)
            elif answer == "toggle_read":
                self.run_store_action(self.store.headlines.mark_read(self.actor, headline.id, False),
                                          "marked unread")

        self.app.push_screen(HeadlineDetailScreen(headline), then)

    def _may_mark(self) -> bool:
        return may(self.actor.role, Permission.EDIT)

    def _archived(self, headline: Headline) -> bool:
        if headline.archived:
            self.app.notify("an archived headline is read-only (cmcc archive)", severity="warning", timeout=4)
        return headline.archived

    @work(exclusive=True, group="next-unread", exit_on_error=False)
    async def action_next_unread(self) -> None:
        """As in newsboat: the next unread headline below the cursor, wherever it is in the list."""
        await self.go_to_next(
            lambda headline: not headline.read and not headline.archived,
            lambda current: self.store.headlines.next_unread_row(self.actor, current, self.filter_text),
            what="unread headline")

    def action_toggle_read(self) -> None:
        headline = self.table.selected_record()
        if headline is not None and not self._archived(headline):
            read = not headline.read
            self.run_store_action(self.store.headlines.mark_read(self.actor, headline.id, read),
                                      "marked read" if read else "marked unread")

    def action_promote(self) -> None:
        headline = self.table.selected_record()
        if headline is not None and not self._archived(headline):
            self.promote(headline)

    def promote(self, headline: Headline) -> None:
        """The incident form, pre-filled; saving it creates the incident linked to the headline."""
        try:
            from console.screens.incident_form import IncidentFormScreen
        except ImportError:
            self.app.notify("the incident form is not available in this build", severity="error")
            return
        from console.screens.headline_promote import incident_from_headline, left_to_choose

        def saved(incident) -> None:
            if incident is not None:
                self.app.notify(f"incident {incident.id} created from the headline", timeout=4, markup=False)

        self.app.push_screen(
            IncidentFormScreen(incident_from_headline(headline), title="New incident from a headline",
                               link_headline_id=headline.id, left_to_choose=left_to_choose(headline)),
            saved,
        )

    def action_feed_health(self) -> None:
        from console.screens.feed_health import FeedHealthScreen

        self.app.push_screen(FeedHealthScreen(self.context))
