"""The watch floor: five panes, a clock bar, a ticker and the key footer.

This screen wires the store to the widgets. It loads records in workers and
hands them to the panes; it never repaints a pane because it wrote something
itself, only because the journal said something changed (``StoreChanged``).
Changes mark panes dirty; a short timer reloads the dirty ones, so a burst of
changes costs one reload per pane, not one per change.
"""

from __future__ import annotations

from datetime import date, timedelta

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from console.domain import Entity, Headline, Incident, Officer, PlanPoint, StoreError
from console.messages import StoreChanged
from console.screens.summaries import aid_summary, incident_summary, incident_title, partner_summary, plan_summary
from console.store.incidents import IncidentFilter
from widgets.aid_board import AidBoard, CrossingRow
from widgets.clock_bar import ClockBar
from widgets.filter_input import FilterInput
from widgets.headline_list import HeadlineList
from widgets.headline_ticker import HeadlineTicker
from widgets.incident_table import IncidentTable
from widgets.officer_roster import OfficerRoster
from widgets.pane_bar import PaneBar
from widgets.plan_board import PlanBoard
from widgets.record_table import RecordTable

#: (key, title, table class) in pane order: keys 1..5.
PANES = [
    ("incidents", "Incidents", IncidentTable),
    ("aid", "Aid flow", AidBoard),
    ("partners", "Partners", OfficerRoster),
    ("headlines", "Headlines", HeadlineList),
    ("plan", "Plan", PlanBoard),
]
#: Which panes a change to each entity touches.
AFFECTS = {
    Entity.INCIDENT: {"incidents"}, Entity.INCIDENT_NOTE: {"incidents"},
    Entity.MOVEMENT: {"aid"}, Entity.CROSSING: {"aid"}, Entity.DUAL_USE: {"aid"},
    Entity.OFFICER: {"partners"}, Entity.PARTNER: {"partners"}, Entity.CONTRIBUTOR: {"partners"},
    Entity.HEADLINE: {"headlines"}, Entity.FEED: {"headlines", "feeds"},
    Entity.PLAN_POINT: {"plan"}, Entity.SEED: {"incidents", "aid", "partners", "headlines", "plan", "feeds"},
}
INCIDENT_PAGE = 500
HEADLINE_PAGE = 300
SPARK_DAYS = 14


class Pane(Vertical):
    """A titled pane: a summary line, its table and its filter line."""

    DEFAULT_CSS = """
    Pane > .pane-title { height: 1; text-style: bold; }
    Pane > .pane-summary { height: auto; max-height: 3; color: $text-muted; }
    """

    def __init__(self, key: str, title: str, table: RecordTable) -> None:
        super().__init__(id=f"pane-{key}", classes="pane")
        self.key = key
        self.title = title
        self.table = table
        self.filter_text = ""

    def compose(self) -> ComposeResult:
        yield Static(self.title, classes="pane-title")
        yield Static("", classes="pane-summary")
        yield self.table
        yield FilterInput()

    def set_summary(self, text) -> None:
        self.query_one(".pane-summary", Static).update(text)

    def set_title(self, text) -> None:
        self.query_one(".pane-title", Static).update(text)


class WatchFloor(Screen):
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (140, "-wide")]

    BINDINGS = [
        Binding("1", "show_pane(0)", "Incidents", id="pane.incidents"),
        Binding("2", "show_pane(1)", "Aid", id="pane.aid"),
        Binding("3", "show_pane(2)", "Partners", id="pane.partners"),
        Binding("4", "show_pane(3)", "Headlines", id="pane.headlines"),
        Binding("5", "show_pane(4)", "Plan", id="pane.plan"),
        Binding("tab", "next_pane", "Next pane", show=False, id="pane.next"),
        Binding("shift+tab", "previous_pane", "Previous pane", show=False, id="pane.previous"),
        Binding("slash", "filter", "Filter", id="pane.filter", tooltip="Filter the pane: words to find"),
        Binding("a", "acknowledge", "Ack", id="incident.acknowledge",
                tooltip="Acknowledge the selected incident"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.panes = [Pane(key, title, table_class(id=f"table-{key}")) for key, title, table_class in PANES]
        self.active = 0
        self._dirty: set[str] = set()
        self._belled: set[int] = set()
        self._bell_primed = False

    @property
    def store(self):
        return self.app.store

    @property
    def actor(self):
        return self.app.actor

    def compose(self) -> ComposeResult:
        yield ClockBar(self.actor.label, id="clock")
        yield PaneBar([title for _key, title, _cls in PANES], id="pane-bar")
        with Grid(id="floor"):
            yield from self.panes
        yield HeadlineTicker(step_seconds=self.app.settings.ticker_seconds, id="ticker")
        yield Footer()

    def on_mount(self) -> None:
        self.panes[0].add_class("-active")
        self._dirty = {key for key, _title, _cls in PANES} | {"feeds"}
        self.reload_dirty()
        self.set_interval(self.app.settings.refresh_seconds, self.reload_dirty)
        self.set_interval(60, self._refresh_ages)
        self.panes[0].table.focus()

    # --- navigation ----------------------------------------------------------

    def action_show_pane(self, index: int) -> None:
        self.panes[self.active].remove_class("-active")
        self.active = index
        pane = self.panes[index]
        pane.add_class("-active")
        self.query_one(PaneBar).set_active(index)
        pane.table.focus()

    def action_next_pane(self) -> None:
        self.action_show_pane((self.active + 1) % len(self.panes))

    def action_previous_pane(self) -> None:
        self.action_show_pane((self.active - 1) % len(self.panes))

    def on_descendant_focus(self, event) -> None:
        for index, pane in enumerate(self.panes):
            if pane in event.widget.ancestors_with_self and index != self.active:
                self.panes[self.active].remove_class("-active")
                self.active = index
                pane.add_class("-active")
                self.query_one(PaneBar).set_active(index)

    def action_filter(self) -> None:
        self.panes[self.active].query_one(FilterInput).open()

    @on(FilterInput.FilterChanged)
    def filter_changed(self, event: FilterInput.FilterChanged) -> None:
        pane = next(p for p in self.panes if event.filter_input in p.children)
        pane.filter_text = event.text
        self._dirty.add(pane.key)

    @on(FilterInput.FilterDone)
    def filter_done(self, event: FilterInput.FilterDone) -> None:
        pane = next(p for p in self.panes if event.filter_input in p.children)
        pane.filter_text = event.filter_input.value
        self._dirty.add(pane.key)
        pane.table.focus()

    # --- actions -------------------------------------------------------------

    def action_acknowledge(self) -> None:
        if self.panes[self.active].key != "incidents":
            self.app.notify("acknowledge works on the incident list (1)", severity="warning")
            return
        incident = self.panes[0].table.selected_record()
        if incident is not None:
            self.app.run_store_action(self.store.incidents.acknowledge(self.actor, incident.id),
                                      f"incident {incident.id} acknowledged")

    # --- live updates --------------------------------------------------------

    def on_store_changed(self, message: StoreChanged) -> None:
        for entity in message.ids():
            self._dirty |= AFFECTS.get(entity, set())

    def reload_dirty(self) -> None:
        if self._dirty:
            dirty, self._dirty = self._dirty, set()
            self.load(dirty)

    @work(group="load", exit_on_error=False)
    async def load(self, keys: set[str]) -> None:
        try:
            if "incidents" in keys:
                await self._load_incidents()
            if "aid" in keys:
                await self._load_aid()
            if "partners" in keys:
                await self._load_partners()
            if "headlines" in keys:
                await self._load_headlines()
            if "plan" in keys:
                await self._load_plan()
            if "feeds" in keys:
                await self._load_feed_health()
        except StoreError as error:
            self.app.notify(str(error), severity="error")

    def _pane(self, key: str) -> Pane:
        return next(p for p in self.panes if p.key == key)

    async def _load_incidents(self) -> None:
        pane = self._pane("incidents")
        flt = IncidentFilter(text=pane.filter_text)
        incidents: list[Incident] = await self.store.incidents.page(self.actor, flt, limit=INCIDENT_PAGE)
        total = await self.store.incidents.count(self.actor, flt) if pane.filter_text else None
        summary = await self.store.incidents.summary(self.actor)
        pane.table.sync(incidents)
        pane.set_summary(incident_summary(summary, len(incidents), total, pane.filter_text))
        pane.set_title(incident_title(summary))
        self.query_one(PaneBar).set_alert(0, " !" if summary.unacknowledged_high else "")
        self._ring_for_new_high(incidents)

    def _ring_for_new_high(self, incidents: list[Incident]) -> None:
        """Ring the bell once per new unacknowledged severity 4-5 incident."""
        fresh = {i.id for i in incidents if i.severity >= 4 and i.acknowledged_at is None and i.id is not None}
        new = fresh - self._belled
        self._belled |= fresh
        # What was already waiting when the console opened is marked, not rung.
        if new and self._bell_primed and self.app.settings.bell:
            self.app.bell()
        self._bell_primed = True

    async def _load_aid(self) -> None:
        pane = self._pane("aid")
        today = date.today()
        board = await self.store.aid.board(self.actor, today)
        history = await self.store.aid.entered_per_day(self.actor, today - timedelta(days=SPARK_DAYS - 1), today)
        days = [(today - timedelta(days=n)).isoformat() for n in range(SPARK_DAYS - 1, -1, -1)]
        rows = []
        for day in board:
            code = day.crossing.code
            held = day.trucks_by_status.get("held", 0)
            pipeline = sum(day.trucks_by_status.get(s, 0) for s in ("scheduled", "at_crossing", "inspected"))
            rows.append(CrossingRow(day.crossing, day.entered, pipeline, held, day.crossing.daily_target,
                                    tuple(history.get((code, d), 0) for d in days)))
        text = pane.filter_text.lower()
        pane.table.sync([r for r in rows if text in r.crossing.name.lower()] if text else rows)
        queue = await self.store.aid.dual_use_queue(self.actor)
        pane.set_summary(aid_summary(rows, history, days, self.app.settings.daily_truck_target, queue))

    async def _load_partners(self) -> None:
        pane = self._pane("partners")
        officers: list[Officer] = await self.store.partners.officers(self.actor)
        text = pane.filter_text.lower()
        shown = [o for o in officers if text in f"{o.partner_code} {o.name} {o.cell} {o.rank}".lower()] if text \
            else officers
        pane.table.sync(shown)
        contributors = await self.store.partners.contributors()
        pane.set_summary(partner_summary(officers, contributors, self.app.settings.isf_planned_size))

    async def _load_headlines(self) -> None:
        pane = self._pane("headlines")
        if pane.filter_text:
            headlines: list[Headline] = await self.store.headlines.search(self.actor, pane.filter_text,
                                                                          limit=HEADLINE_PAGE)
        else:
            headlines = await self.store.headlines.latest(self.actor, limit=HEADLINE_PAGE)
        pane.table.sync(headlines)
        hits = sum(1 for h in headlines if h.watch_hits)
        unread = sum(1 for h in headlines if not h.read)
        scope = f"matching {pane.filter_text!r}" if pane.filter_text else "newest"
        pane.set_summary(f"{len(headlines)} {scope} · {unread} unread · {hits} watch-list hits (*)")
        if not pane.filter_text:
            self.query_one(HeadlineTicker).show_headlines(headlines)

    async def _load_plan(self) -> None:
        pane = self._pane("plan")
        points: list[PlanPoint] = await self.store.plan.points()
        text = pane.filter_text.lower()
        pane.table.sync([p for p in points if text in f"{p.title} {p.owner} {p.status.label}".lower()] if text
                        else points)
        pane.set_summary(plan_summary(points))

    async def _load_feed_health(self) -> None:
        feeds = await self.store.feeds.list()
        enabled = [f for f in feeds if f.enabled]
        failing = [f for f in enabled if f.consecutive_failures]
        if not enabled:
            health = "feeds off"
        elif failing:
            health = f"feeds {len(enabled) - len(failing)}/{len(enabled)} ok ✗{len(failing)}"
        else:
            health = f"feeds {len(enabled)}/{len(enabled)} ok"
        self.query_one(ClockBar).set_status(feed_health=health)

    def _refresh_ages(self) -> None:
        self._pane("incidents").table.refresh_ages()
