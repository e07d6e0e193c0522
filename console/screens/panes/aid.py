"""The Aid flow pane: how much got in today, where, and what is stuck.

Four views in one pane (one table shown at a time, so it works at 80x24):

- ``b`` board: each crossing on the chosen UTC day, trucks entered (combined: each
  convoy once, best source) against its target, in the pipeline, held, UN 2720's
  and COGAT's own figures, 14-day sparkline;
- ``m`` movements of the day (``enter`` on a board row: that crossing's only);
- ``u`` the dual-use queue, oldest first, ``!`` on requests waiting over 72 h;
- ``t`` totals by commodity and organisation over the day or a range (``r``).

``[`` / ``]`` move the chosen day (``0`` back to today); the day follows the
UTC clock unless moved. Forms: ``n`` movement, ``v`` status / decision,
``c`` close or reopen a crossing, ``d`` dual-use request; ``enter`` opens a
movement's or request's history.
"""

from __future__ import annotations

from datetime import date, timedelta

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding

from console.model.aid import EnteredFigures
from console.model.journal import Entity
from console.screens.panes.base import Pane, PaneContext
from console.screens.summaries import aid_summary, aid_title
from widgets.aid.aid_board import AidBoard, CrossingRow
from widgets.aid.aid_totals import AidTotals, TotalRow
from widgets.aid.dual_use_queue import DualUseQueue
from widgets.filter_input import FilterInput
from widgets.aid.movement_table import MovementTable
from widgets.record_table import RecordTable

SPARK_DAYS = 14
SPANS = (1, 7, 14, 30)
VIEWS = ("board", "movements", "dual_use", "totals")
MOVEMENT_PAGE = 500


class AidPane(Pane):
    KEY = "aid"
    TITLE = "Aid flow"
    TABLE = AidBoard
    ENTITIES = frozenset({Entity.MOVEMENT, Entity.CROSSING, Entity.DUAL_USE, Entity.SEED})
    #: a fourth line: each source's own figure under the combined one
    DEFAULT_CSS = "AidPane > .pane-summary { max-height: 4; }"

    WRITES = frozenset({"new_movement", "status", "crossing", "new_dual_use"})
    BINDINGS = [
        Binding("n", "new_movement", "New movement", id="aid.new_movement",
                tooltip="Record a movement (a convoy through a crossing) in a form"),
        Binding("v", "status", "Status", id="aid.status",
                tooltip="Change the selected movement's status, or record the next step on a dual-use request"),
        Binding("c", "crossing", "Open/close", id="aid.crossing",
                tooltip="Close the selected crossing (with a reason) or reopen it"),
        Binding("d", "new_dual_use", "Dual-use req", id="aid.new_dual_use",
                tooltip="Submit a request to the dual-use working group"),
        Binding("t", "view('totals')", "Totals", id="aid.totals",
                tooltip="Totals by commodity and organisation for the day or range (r changes the range)"),
        Binding("b", "view('board')", "Board", show=False, id="aid.board",
                tooltip="The board: each crossing today against its target"),
        Binding("m", "view('movements')", "Movements", show=False, id="aid.movements",
                tooltip="The movements of the chosen day (enter on a crossing: only that crossing's)"),
        Binding("u", "view('dual_use')", "Dual-use queue", show=False, id="aid.dual_use",
                tooltip="The dual-use queue with each request's age; ! marks a wait over 72 hours"),
        Binding("left_square_bracket", "shift_day(-1)", "Day before", show=False, id="aid.day_before",
                tooltip="Show the day before (UTC days)"),
        Binding("right_square_bracket", "shift_day(1)", "Day after", show=False, id="aid.day_after",
                tooltip="Show the day after (UTC days)"),
        Binding("0", "shift_day(0)", "Today", show=False, id="aid.today", tooltip="Back to today (UTC)"),
        Binding("r", "cycle_span", "Range", show=False, id="aid.range",
                tooltip="Totals over 1, 7, 14 or 30 days ending on the chosen day"),
    ]

    def __init__(self, context: PaneContext, *, filled: bool = True) -> None:
        super().__init__(context, filled=filled)
        self.board = self.table
        self.movement_table = MovementTable(id="table-aid-movements")
        self.queue_table = DualUseQueue(id="table-aid-dual-use")
        self.totals_table = AidTotals(id="table-aid-totals")
        self.tables: dict[str, RecordTable] = {"board": self.board, "movements": self.movement_table,
                                               "dual_use": self.queue_table, "totals": self.totals_table}
        self.view = "board"
        self.day_offset = 0  # days from today (UTC); the day follows the clock
        self.span = 1
        self.crossing_filter = ""
        self.crossings = []
        self._loaded_day: date | None = None

    def content(self) -> ComposeResult:
        for widget in super().content():
            if isinstance(widget, FilterInput):
                yield self.movement_table
                yield self.queue_table
                yield self.totals_table
            yield widget

    def on_mount(self) -> None:
        for name, table in self.tables.items():
            table.display = name == self.view

    # --- what is shown -------------------------------------------------------------

    @property
    def day(self) -> date:
        from console.model.aid import aid_day

        return aid_day() + timedelta(days=self.day_offset)

    def day_label(self) -> str:
        if self.day_offset == 0:
            return f"Today {self.day:%d %b}Z"
        if self.span > 1 and self.view == "totals":
            return f"{self.day - timedelta(days=self.span - 1):%d %b}-{self.day:%d %b}Z"
        return f"{self.day:%a %d %b}Z"

    def view_label(self) -> str:
        if self.view == "movements":
            return "movements" + (f" at {self.crossing_filter}" if self.crossing_filter else "")
        if self.view == "dual_use":
            return "dual-use queue"
        if self.view == "totals":
            return f"totals, {self.span} day{'s' if self.span > 1 else ''}"
        return "board"

    async def load(self) -> None:
        from console.model.aid import crossing_target

        aid, actor, day = self.store.aid, self.actor, self.day
        self._loaded_day = day
        board = await aid.board(actor, day)
        first = day - timedelta(days=SPARK_DAYS - 1)
        history = await aid.entered_per_day(actor, first, day)
        days = [(first + timedelta(days=n)).isoformat() for n in range(SPARK_DAYS)]
        overrides = getattr(self.settings, "crossing_targets", None) or {}
        self.crossings = [cd.crossing for cd in board]
        rows = [CrossingRow(cd.crossing, cd.entered, cd.in_pipeline, cd.held, crossing_target(cd.crossing, overrides),
                            tuple(history.get((cd.crossing.code, d), 0) for d in days), cd.figures,
                            tuple(sorted(cd.trucks_by_status.items()))) for cd in board]
        text = self.filter_text.lower()
        self.board.sync([r for r in rows if text in r.crossing.name.lower() or text in r.crossing.code.lower()]
                        if text else rows)
        queue = await aid.dual_use_queue(actor)
        if self.view == "dual_use" or not self.queue_table.row_count:
            self.queue_table.sync([q for q in queue if not text or text in q.item.lower()
                                   or text in q.organisation.lower()])
        if self.view == "movements":
            self.movement_table.sync(await aid.movements(actor, day=day, crossing=self.crossing_filter or None,
                                                         text=self.filter_text, limit=MOVEMENT_PAGE))
        if self.view == "totals":
            totals = await aid.totals(actor, day - timedelta(days=self.span - 1), day)
            self.totals_table.sync([TotalRow(i + 1, t.kind, t.name, t.trucks, t.tonnes, t.convoys)
                                    for i, t in enumerate(totals) if not text or text in t.name.lower()])
        self.set_title(aid_title(history, days))
        self.set_summary(aid_summary(rows, self.settings.daily_truck_target, queue, day_label=self.day_label(),
                                     view=self.view_label(), figures=sum((cd.figures for cd in board),
                                                                         EnteredFigures())))

    def on_minute(self) -> None:
        self.queue_table.refresh_ages()
        if self._loaded_day is not None and self._loaded_day != self.day:
            self.request_reload()  # 00:00Z: a new aid day

    # --- keys ------------------------------------------------------------------------

    def action_view(self, view: str) -> None:
        if view == "totals" and self.view == "totals":
            view = "board"
        if view != "movements":
            self.crossing_filter = ""
        self._show(view)

    def _show(self, view: str) -> None:
        self.view = view
        for name, table in self.tables.items():
            table.display = name == view
        self.table = self.tables[view]
        self.table.focus()
        self.request_reload()

    def action_shift_day(self, step: int) -> None:
        self.day_offset = 0 if step == 0 else self.day_offset + step
        self.request_reload()

    def action_cycle_span(self) -> None:
        self.span = SPANS[(SPANS.index(self.span) + 1) % len(SPANS)] if self.span in SPANS else 1
        if self.view != "totals":
            self._show("totals")
        else:
            self.request_reload()

    def action_new_movement(self) -> None:
        from console.screens.aid_forms import MovementForm

        crossing = ""
        if self.view == "board" and self.board.selected_record() is not None:
            crossing = self.board.selected_record().crossing.code
        elif self.crossing_filter:
            crossing = self.crossing_filter
        day = "today" if self.day_offset == 0 else self.day.isoformat()
        self.app.push_screen(MovementForm(self.crossings, crossing=crossing, day=day,
                                          releasability=self.settings.default_releasability))

    def action_status(self) -> None:
        from console.screens.aid_forms import DualUseDecisionForm, MovementStatusForm

        if self.view == "movements" and self.movement_table.selected_record() is not None:
            self.app.push_screen(MovementStatusForm(self.movement_table.selected_record()))
        elif self.view == "dual_use" and self.queue_table.selected_record() is not None:
            self.app.push_screen(DualUseDecisionForm(self.queue_table.selected_record()))
        else:
            self.notify("select a movement (m) or a dual-use request (u) first", severity="warning", timeout=3)

    def action_crossing(self) -> None:
        from console.screens.aid_forms import CrossingForm

        crossing = None
        if self.view == "board" and self.board.selected_record() is not None:
            crossing = self.board.selected_record().crossing
        elif self.view == "movements" and self.movement_table.selected_record() is not None:
            code = self.movement_table.selected_record().crossing_code
            crossing = next((c for c in self.crossings if c.code == code), None)
        if crossing is None:
            self.notify("select a crossing on the board (b) first", severity="warning", timeout=3)
            return
        self.app.push_screen(CrossingForm(crossing))

    def action_new_dual_use(self) -> None:
        from console.screens.aid_forms import DualUseForm

        self.app.push_screen(DualUseForm())

    @on(RecordTable.RecordSelected)
    def open_selected(self, event: RecordTable.RecordSelected) -> None:
        from console.screens.aid_detail import AidDetail

        event.stop()
        if event.table is self.board:
            row = self.board.records.get(event.record_id)
            self.crossing_filter = row.crossing.code if row else ""
            self._show("movements")
        elif event.table is self.movement_table:
            self.app.push_screen(AidDetail(Entity.MOVEMENT, event.record_id))
        elif event.table is self.queue_table:
            self.app.push_screen(AidDetail(Entity.DUAL_USE, event.record_id))

