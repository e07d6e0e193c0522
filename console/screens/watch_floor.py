"""The watch floor: five panes, a clock bar, a ticker and the key footer.

Panes reload only because the journal said something changed
(``StoreChanged``), never because this console wrote something itself.
Changes mark panes dirty; a short timer reloads the dirty ones, so a burst of
changes costs one reload per pane, not one per change.

The floor alone schedules loads. It makes each pane with a ``PaneContext`` (the App's store,
operator and settings) and drives it through a small interface (``KEY``, ``TITLE``, ``ENTITIES``,
``filled``, ``fill()``, ``fill_and_load()``, ``on_minute()``, ``open_filter()``, ``table``); a pane
asks back only by the Messages it posts (``Pane.ReloadRequested``, ``Pane.AlertChanged``,
``Pane.TickerHeadlines``), handled here.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from functools import partial

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.message import Message
from textual.screen import Screen
from widgets.key_footer import KeyFooter

from console import low_bandwidth
from console.model.errors import StoreError
from console.model.journal import Entity
from console.messages import ActorChanged, Announcement, StoreChanged
from console.model.headlines import Headline
from console.notices import ANNOUNCE_AT_ONCE, NewWatchHits
from console.screens.panes.aid import AidPane
from console.screens.panes.base import Pane, PaneContext
from console.screens.panes.headlines import HeadlinesPane
from console.screens.panes.incidents import IncidentsPane
from console.screens.panes.partners import PartnersPane
from console.screens.panes.plan import PlanPane
from widgets.clock_bar import ClockBar
from widgets.headlines.headline_ticker import HeadlineTicker
from widgets.pane_bar import PaneBar

#: Pane classes in order: keys 1..5.
PANE_CLASSES: list[type[Pane]] = [IncidentsPane, AidPane, PartnersPane, HeadlinesPane, PlanPane]
PANES = [(cls.KEY, cls.TITLE, cls.TABLE) for cls in PANE_CLASSES]
#: Not a pane, but reloaded the same way: feed health in the clock bar.
FEED_HEALTH = "feeds"
#: The ticker alone, for the first frame when the Headlines pane is not on screen yet.
TICKER = "ticker"


#: From this width every pane is on screen (the -wide layout).
WIDE = 140


def short_operator(actor) -> str:
    """Who is at the keyboard, where the clock bar has little room: login, nation and role."""
    return f"{actor.login} {actor.nation} {actor.role.label}"


class WatchFloor(Screen):
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE, "-wide")]

    BINDINGS = [
        # Not in the footer: the pane bar shows them ("1 Incidents  2 Aid flow ..."), and the
        # footer's room is better spent on the keys of the pane in front.
        Binding("1", "show_pane(0)", "Incidents", show=False, id="pane.incidents"),
        Binding("2", "show_pane(1)", "Aid", show=False, id="pane.aid"),
        Binding("3", "show_pane(2)", "Partners", show=False, id="pane.partners"),
        Binding("4", "show_pane(3)", "Headlines", show=False, id="pane.headlines"),
        Binding("5", "show_pane(4)", "Plan", show=False, id="pane.plan"),
        Binding("tab", "next_pane", "Next pane", show=False, id="pane.next"),
        Binding("shift+tab", "previous_pane", "Previous pane", show=False, id="pane.previous"),
        Binding("slash", "filter", "Filter", id="pane.filter", tooltip="Filter the pane: words to find"),
        Binding("z", "zoom", "Zoom", show=False, id="watch.zoom",
                tooltip="The pane in front over the whole floor, all its columns; z again: every pane"),
        Binding("colon", "command_line", "Command", show=False, id="watch.command",
                tooltip=":incident N, :movement N, :officer NAME, :point N, :feed NAME (completes as typed)"),
        Binding("L", "app.log_entry", "Log", id="watch.log_entry", tooltip="Write a free-text entry in the watch log"),
        Binding("W", "app.watch_log", "Watch log", id="watch.log", show=False,
                tooltip="The watch log: people's actions and log entries, filterable (a there: every row)"),
        Binding("H", "app.handover", "Handover", id="watch.handover", show=False,
                tooltip="The shift handover brief: sign it, or acknowledge the last one"),
    ]

    def __init__(self, context: PaneContext | None = None) -> None:
        super().__init__()
        #: What the panes read with (and the floor's own loads): the App's store, operator and settings.
        self.context = context or PaneContext.of_app(self.app)
        self.panes: list[Pane] = [cls(self.context) for cls in PANE_CLASSES]
        self.active = 0
        self._dirty: set[str] = set()
        #: Panes not loaded yet (off screen at start-up), loaded one per tick after the first frame.
        self._deferred: list[str] = []
        #: How often each pane was reloaded (coalescing keeps this low during bursts).
        self.reloads: Counter[str] = Counter()
        self._minutes = 0
        #: One load at a time: two overlapping loads of a pane could finish out of order, and the
        #: older one (a filter already changed) would overwrite what the newer one showed.
        self._loading = asyncio.Lock()
        #: Which watch-list hits are new since the console opened (announced once each).
        self._new_hits = NewWatchHits()
        #: True once the first load is on screen (loads of hidden panes wait for it).
        self.first_frame_done = False

    def compose(self) -> ComposeResult:
        # Only the panes on screen are filled now; the others get their widgets when first needed.
        shown = self._shown_at_start()
        for pane in self.panes:
            pane.filled = pane.KEY in shown
        actor = self.context.actor
        yield ClockBar(actor.label, operator_short=short_operator(actor),
                       view_as=actor.login if actor.viewing_as else "",
                       follows_screen=self.context.settings.low_bandwidth, id="clock")
        yield PaneBar([pane.TITLE for pane in self.panes], id="pane-bar")
        with Grid(id="floor"):
            yield from self.panes
        yield HeadlineTicker(step_seconds=low_bandwidth.ticker_seconds(self.context.settings), id="ticker")
        yield KeyFooter()

    class FirstLoadDone(Message):
        """The floor has its first data and is on screen: its first frame can be drawn."""

        def __init__(self, floor: WatchFloor) -> None:
            super().__init__()
            self.floor = floor

    async def on_mount(self) -> None:
        self.panes[0].add_class("-active")
        # First frame: the panes on screen (one at a time when narrow), the ticker and feed health.
        # The hidden panes load after it, one per tick, so start-up waits for none of them (on
        # 2,000 officers the Partners roster alone took ~0.4 s to fill).
        shown = self._shown_at_start()
        self._deferred = [pane.KEY for pane in self.panes if pane.KEY not in shown]
        # Awaited here, before the screen is resumed (Textual handles ScreenResume after Mount): its
        # first layout then already holds the rows, and the App's hold ends on one full frame.
        await self._load(shown | {FEED_HEALTH} | ({TICKER} if self._deferred else set()))
        # Coalescing: changes only mark panes dirty; this timer reloads each dirty pane once.
        self.set_interval(low_bandwidth.refresh_seconds(self.context.settings), self.reload_dirty)
        if self._deferred:
            # The configured interval even on a slow link (not stretched to 1 s): hidden panes write
            # nothing but their marks in the pane bar, which then follow the first frame at once
            # instead of trickling in over the next seconds.
            self._deferred_timer = self.set_interval(self.context.settings.refresh_seconds, self._load_next_deferred)
        clock = self.query_one(ClockBar)
        if noticed := getattr(self.app, "noticed", None):  # the console's App (not a bare test app)
            noticed.subscribe(self, self._show_unseen)
            self._show_unseen(self.app.notices.unseen)
        if self.context.settings.low_bandwidth:
            clock.set_status(mode=low_bandwidth.MODE_MARK)
            if written := getattr(self.app, "written", None):
                written.subscribe(self, lambda _: clock.catch_up())
        self.set_interval(60, self._every_minute)
        self.panes[0].table.focus()

    def on_screen_resume(self) -> None:
        if not self.first_frame_done:
            self.first_frame_done = True
            self.post_message(self.FirstLoadDone(self))

    def _show_unseen(self, unseen: int) -> None:
        """The count of notices not yet seen in the list (`M`), in the clock bar."""
        self.query_one(ClockBar).set_status(notices=f"{unseen} new M" if unseen else "")

    def _shown_at_start(self) -> set[str]:
        if self.app.size.width >= WIDE:
            return {pane.KEY for pane in self.panes}
        return {self.panes[0].KEY}

    def on_resize(self) -> None:
        if self.app.size.width >= WIDE and self._deferred:  # widened: every pane is on screen now
            self._dirty.update(self._deferred)
            self._deferred.clear()

    def pane(self, key: str) -> Pane:
        return next(p for p in self.panes if p.KEY == key)

    # --- navigation ----------------------------------------------------------

    async def action_show_pane(self, index: int) -> None:
        pane = self.panes[index]
        if pane.KEY in self._deferred:  # not loaded yet: now, not at its turn
            self._deferred.remove(pane.KEY)
            self.load({pane.KEY})
        await pane.fill()
        self._activate(index)
        pane.table.focus()

    async def action_next_pane(self) -> None:
        await self.action_show_pane((self.active + 1) % len(self.panes))

    async def action_previous_pane(self) -> None:
        await self.action_show_pane((self.active - 1) % len(self.panes))

    def _activate(self, index: int) -> None:
        if index != self.active:
            self.panes[self.active].remove_class("-active")
            self.active = index
        self.panes[index].add_class("-active")
        self.query_one(PaneBar).set_active(index)

    def on_descendant_focus(self, event) -> None:
        for index, pane in enumerate(self.panes):
            if pane in event.widget.ancestors_with_self:
                self._activate(index)

    def action_filter(self) -> None:
        self.panes[self.active].open_filter()

    def action_zoom(self) -> None:
        self.toggle_class("-zoomed")
        self.query_one(PaneBar).set_zoomed(self.has_class("-zoomed"))

    # --- the command line (`:`) ------------------------------------------------------

    @work(exclusive=True, group="command-line", exit_on_error=False)
    async def action_command_line(self) -> None:
        from console.screens.command_line import CommandLineScreen

        store, actor = self.context.store, self.context.actor
        try:  # what NAME completes to: the officers this operator may see, and the feeds
            officers = [o.name for o in await store.partners.officers(actor)]
            feeds = [f.name for f in await store.feeds.list()]
        except StoreError:
            officers, feeds = [], []
        line = await self.app.push_screen_wait(CommandLineScreen({"officer": officers, "feed": feeds}))
        if line:
            await self.run_command(line)

    async def run_command(self, line: str) -> None:
        """Carry out one command line (console/screens/command_line.py); what fails is a notice."""
        from console.screens.command_line import parse_command

        command = parse_command(line)
        if isinstance(command, str):
            self.app.notify(command, severity="warning", timeout=6, markup=False)
            return
        try:
            problem = await self._open(command.verb, command.argument, command.number)
        except StoreError as error:
            problem = f":{command.verb}: {error}"
        if problem:
            self.app.notify(problem, severity="warning", timeout=6, markup=False)

    async def _open(self, verb: str, argument: str, number: int | None) -> str:
        """Open what the command names; what was not found, as a notice's words ("" when opened)."""
        store, actor = self.context.store, self.context.actor
        if verb == "incident" and number is not None:
            if await store.incidents.get(actor, number) is None:
                return f"no incident {number} that you may see"
            self.pane("incidents").open_incident(number)
        elif verb == "movement" and number is not None:
            from console.screens.aid_detail import AidDetail

            if await store.aid.movement(actor, number) is None:
                return f"no movement {number} that you may see"
            self.app.push_screen(AidDetail(Entity.MOVEMENT, number))
        elif verb == "point" and number is not None:
            from console.screens.plan_screens import PlanDetailScreen

            if await store.plan.point(number) is None:
                return f"no plan point {number}"
            self.app.push_screen(PlanDetailScreen(store, actor, number))
        elif verb == "officer":
            partners = self.pane("partners")
            await self.action_show_pane(self.panes.index(partners))
            partners.show_filter(argument)
        elif verb == "feed":
            from console.screens.feed_health import FeedHealthScreen

            if not any(f.name.casefold() == argument.casefold() for f in await store.feeds.list()):
                return f"no feed called {argument!r}"
            self.app.push_screen(FeedHealthScreen(self.context, select=argument))
        return ""

    # --- what panes ask of the floor (their Messages) ----------------------------

    @on(Pane.ReloadRequested)
    def reload_requested(self, message: Pane.ReloadRequested) -> None:
        """A pane's own change (a filter, a sort, a view, a new day): reloaded at the next tick of
        the reload clock, or at once when it asks (paging: the cursor is at the window's edge)."""
        message.stop()
        self.mark_dirty(message.key)
        if message.at_once:
            self.reload_dirty()

    @on(Pane.AlertChanged)
    def alert_changed(self, message: Pane.AlertChanged) -> None:
        message.stop()
        index = next(i for i, p in enumerate(self.panes) if p.KEY == message.key)
        self.query_one(PaneBar).set_alert(index, message.mark)

    @on(Pane.TickerHeadlines)
    def ticker_headlines(self, message: Pane.TickerHeadlines) -> None:
        message.stop()
        self._show_newest(message.headlines)

    def _show_newest(self, newest: list[Headline]) -> None:
        """The newest headlines: in the ticker, and each new watch-list hit in the notices (`M`), counted
        in the clock bar, not popped over the data: a hit is news, not a decision to take now. Here,
        not in the Headlines pane: a hit must be told while that pane is off screen or not yet read."""
        self.query_one(HeadlineTicker).show_headlines(newest)
        fresh = self._new_hits.fresh(newest)
        headlines = self.pane("headlines")
        for headline in fresh[:ANNOUNCE_AT_ONCE]:
            self.post_message(Announcement(f"{headline.source}: {headline.title}",
                                           title=f"Watch list: {', '.join(headline.watch_hits)}",
                                           opens=partial(headlines.open_headline, headline)))
        if len(fresh) > ANNOUNCE_AT_ONCE:
            self.post_message(Announcement(f"and {len(fresh) - ANNOUNCE_AT_ONCE} more new watch-list hits (*)"))

    # --- live updates --------------------------------------------------------

    def mark_dirty(self, key: str) -> None:
        self._dirty.add(key)

    def on_store_changed(self, message: StoreChanged) -> None:
        changed = set(message.ids())
        for pane in self.panes:
            if changed & pane.ENTITIES:
                self._dirty.add(pane.KEY)
        if changed & {Entity.FEED, Entity.SEED, Entity.LEASE}:
            self._dirty.add(FEED_HEALTH)
        if self._dirty and not self.context.settings.low_bandwidth:
            # At once, not at the next tick of the reload clock: another console's change shows here
            # one change-feed poll after its commit. Still coalesced: one StoreChanged per poll, and
            # loads queue behind each other (``_loading``). A slow link keeps its stretched clock.
            self.call_later(self.reload_dirty)

    def on_actor_changed(self, message: ActorChanged) -> None:
        """A new role or nation: the clock bar says so, the keys offered follow, and every pane is
        read again (a new nation sees other records)."""
        self.query_one(ClockBar).set_status(operator=message.after.label, operator_short=short_operator(message.after))
        self._dirty.update(pane.KEY for pane in self.panes if pane.filled)
        self._dirty.add(TICKER)
        self.refresh_bindings()

    def _load_next_deferred(self) -> None:
        if not self._deferred:
            self._deferred_timer.stop()
            return
        if self.first_frame_done:  # after the first frame: a load holds repaints
            self.load({self._deferred.pop(0)})

    def reload_dirty(self) -> None:
        if self._dirty:
            dirty, self._dirty = self._dirty, set()
            self.load(dirty)

    @work(group="load", exit_on_error=False)
    async def load(self, keys: set[str]) -> None:
        await self._load(keys)

    async def _load(self, keys: set[str]) -> None:
        # One batch: the panes reloaded together reach the terminal as one frame, not one each.
        # Together: the database thread answers one question after another without waiting for
        # the event loop (busy mounting at start-up) to take each answer before the next is asked.
        async with self._loading:
            with self.app.batch_update():
                jobs = [self._load_pane(pane) for pane in self.panes if pane.KEY in keys]
                if FEED_HEALTH in keys:
                    jobs.append(self._reported("Feed health", self._load_feed_health()))
                if TICKER in keys:
                    jobs.append(self._reported("Ticker", self._load_ticker()))
                await asyncio.gather(*jobs)

    async def _load_pane(self, pane: Pane) -> None:
        await self._reported(pane.TITLE, pane.fill_and_load())
        self.reloads[pane.KEY] += 1

    async def _reported(self, what: str, loading) -> None:
        """A refusal or failure of the store is a notice naming what could not load, not a lost load."""
        try:
            await loading
        except StoreError as error:
            self.app.notify(f"{what}: {error}", severity="error", markup=False)

    async def _load_ticker(self) -> None:
        """The ticker before the Headlines pane has loaded (it feeds the ticker from then on)."""
        from console.screens.panes.headlines import TICKER_PAGE, with_watch_hits

        words = self.context.settings.watch_words
        newest = await self.context.store.headlines.latest(self.context.actor, limit=TICKER_PAGE)
        self._show_newest([with_watch_hits(h, words) for h in newest])

    async def _load_feed_health(self) -> None:
        feeds = await self.context.store.feeds.list()
        enabled = [f for f in feeds if f.enabled]
        failing = [f for f in enabled if f.consecutive_failures]
        if not enabled:
            health = short = "feeds off"
        else:
            short = f"{len(enabled) - len(failing)}/{len(enabled)} ok" + (f" ✗{len(failing)}" if failing else "")
            health = f"feeds {short}"
            poller, poller_short = await self._poller_status()
            health, short = f"{health} · {poller}", f"{short} · {poller_short}"
        self.query_one(ClockBar).set_status(feed_health=health, feed_health_short=short)

    async def _poller_status(self) -> tuple[str, str]:
        """Which process polls: this one, another (login@host), or none (the lease lapsed); long and short."""
        from console.model.leases import FEED_POLLER, short_holder

        holder = await self.context.store.leases.holder(FEED_POLLER)
        ours = self.context.own_poller()
        if holder is None:
            return "not polled", "not polled"
        if ours is not None and holder == ours[0]:
            # Ours in the database, but a console resumed after a stop has not renewed it yet.
            return ("polling here", "polling here") if ours[1] else ("not polled", "not polled")
        return f"polled by {short_holder(holder)}", f"by {short_holder(holder).partition('@')[0]}"

    def _every_minute(self) -> None:
        self._dirty.add(FEED_HEALTH)  # lease renewals are not journaled: see whether the poller lapsed
        self._minutes += 1
        if self._minutes % low_bandwidth.minute_tick(self.context.settings) == 0:  # ages: every 10 min on a slow link
            for pane in self.panes:
                if pane.filled:
                    pane.on_minute()
