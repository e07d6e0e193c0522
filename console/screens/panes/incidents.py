"""The Incidents pane: the cease-fire incident log, a window of rows at a time.

The table never holds the whole log: it holds a window of at most ``MAX_ROWS``
rows read in the operator's sort order (SQL ORDER BY + LIMIT/OFFSET), and knows
the whole log's length, so its scroll bar, ``End`` and row count are the log's.
When the cursor nears the window's edge (or the view is scrolled past it) the
table asks for another window (``RecordTable.WindowWanted``) and the pane reads
it. ``s``/``S`` re-sort in SQL; ``f`` filters, ``p`` cycles the named presets,
``/`` searches description and notes (FTS5).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from functools import partial
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Static

from console.messages import Announcement
from console.model.incidents import (
    BUILTIN_PRESETS,
    SEVERITY_MARKS,
    IncidentFilter,
    IncidentStatus,
    IncidentSummary,
    awaits_acknowledgement,
    describe_filter,
    parse_filter_spec,
)
from console.model.journal import Entity
from console.screens.incident_dialogs import ChoiceScreen, IncidentActions
from console.screens.panes.base import Pane, PaneContext
from console.screens.summaries import incident_title
from widgets.filter_input import FilterInput
from widgets.summary_lines import SummaryLines
from widgets.incidents.governorate_map import GovernorateMap
from widgets.incidents.incident_table import IncidentTable
from widgets.record_table import RecordTable

#: Rows read when a list is first shown, and the most held at once (the table's window).
PAGE = 200
MAX_ROWS = IncidentTable.WINDOW_ROWS
#: From this pane width on, the governorate map stands beside the summary.
MAP_MIN_WIDTH = 100
SORT_LABELS = {"occurred_at": "DTG", "severity": "Sev", "category": "Category", "place": "Where",
               "status": "Status", "grading": "Grd"}


def incident_strip(summary: IncidentSummary, *, total: int, view: str, preset: str, sort: str) -> Text:
    """Counts by status and open severity, 24 h by governorate, and what the table shows (the whole
    view: the table scrolls through all of it, whatever window it holds)."""
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    for status in IncidentStatus:
        text.append(f"{status.mark} {summary.by_status.get(status.value, 0)}  ")
    text.append("open sev ")
    text.append(" ".join(f"{s}{SEVERITY_MARKS[s]}{summary.by_severity.get(s, 0)}" for s in range(5, 0, -1)))
    text.append("\n24h: " + ("  ".join(f"{g} {n}" for g, n in sorted(summary.last_24h_by_governorate.items()))
                             or "none"))
    text.append(f"\n{total:,} incident{'' if total == 1 else 's'} · {sort}", "bold" if view != "all" else "")
    if summary.ageing:
        text.append(" · ")
        text.append(f"! {summary.ageing} ageing", "bold yellow")
    if view != "all":
        text.append(f" · {preset + ': ' if preset else ''}{view}", "bold")
    return text


class IncidentsPane(IncidentActions, Pane):
    KEY = "incidents"
    TITLE = "Incidents"
    TABLE = IncidentTable
    ENTITIES = frozenset({Entity.INCIDENT, Entity.INCIDENT_NOTE, Entity.SEED})

    DEFAULT_CSS = """
    IncidentsPane > .incident-head { height: auto; max-height: 6; }
    IncidentsPane > .incident-head > .pane-summary { width: 1fr; height: auto; max-height: 3; color: $text-muted; }
    IncidentsPane > .incident-head > GovernorateMap { display: none; }
    IncidentsPane.-map > .incident-head > GovernorateMap { display: block; }
    """

    WRITES = frozenset({"new", "edit", "advance", "acknowledge", "link", "note"})
    BINDINGS = [
        Binding("n", "new", "New", id="incident.new", tooltip="Report a new incident (a form; esc cancels)"),
        Binding("e", "edit", "Edit", id="incident.edit", tooltip="Edit the selected incident"),
        Binding("v", "advance", "Status", id="incident.advance",
                tooltip="Advance the selected incident's status (verifying, verified, closed...)"),
        Binding("a", "acknowledge", "Ack", id="incident.acknowledge", tooltip="Acknowledge the selected incident"),
        Binding("l", "link", "Link", id="incident.link",
                tooltip="Link the selected incident to another incident or a headline (confirms/disputes/relates)"),
        Binding("c", "note", "Note", show=False, id="incident.note", tooltip="Add a note to the selected incident"),
        Binding("f", "filter_form", "Filter", id="incident.filter",
                tooltip="Filter by status, severity, governorate, category, time window, words"),
        Binding("p", "next_preset", "Preset", id="incident.preset",
                tooltip="Next named filter preset (built in, and incident_presets in the config)"),
        Binding("x", "export", "Export", id="incident.export",
                tooltip="Export the current view (every matching row) as csv, json or md to a file"),
        Binding("right_square_bracket", "next_awaiting", "Next unacked", show=False, id="incident.next_unacked",
                tooltip="The next open unacknowledged severity 4-5 incident below the cursor"),
        Binding("left_square_bracket", "next_awaiting(True)", "Previous unacked", show=False,
                id="incident.previous_unacked",
                tooltip="The previous open unacknowledged severity 4-5 incident above the cursor"),
        Binding("m", "map", "Map", show=False, id="incident.map",
                tooltip="The map of the five governorates with the last 24 h's incidents (at any width)"),
    ]

    def __init__(self, context: PaneContext, *, filled: bool = True) -> None:
        super().__init__(context, filled=filled)
        self._belled: set[int] = set()
        self._bell_primed = False
        #: The operator's filter and sort (``/`` words are added at query time).
        self.view = IncidentFilter()
        self.preset_name = ""
        self.window_rows = PAGE
        self.total = 0
        self.summary: IncidentSummary | None = None
        self._shown_filter: IncidentFilter | None = None
        self._paging = False
        self.table.ageing = self.settings.ageing

    def content(self) -> ComposeResult:
        yield Static(self.TITLE, classes="pane-title")
        with Horizontal(classes="incident-head"):
            yield SummaryLines("", classes="pane-summary")
            yield GovernorateMap(id="incident-map")
        yield self.table
        yield FilterInput()

    def on_resize(self) -> None:
        self.set_class(self.size.width >= MAP_MIN_WIDTH, "-map")

    # --- what is shown -----------------------------------------------------------

    def current_filter(self) -> IncidentFilter:
        words = " ".join(w for w in (self.view.text, self.filter_text) if w)
        return replace(self.view, text=words)

    async def load(self) -> None:
        flt = self.current_filter()
        paging = self._paging and self.summary is not None
        self._paging = False
        reset = flt != self._shown_filter
        if reset:
            self._shown_filter = flt
            self.window_start, self.window_rows, paging = 0, PAGE, False
        incidents = self.store.incidents
        page = incidents.page(self.actor, flt, offset=self.window_start, limit=self.window_rows)
        if paging:
            rows = await page
        elif flt.narrows():  # asked together: see IncidentRepository.summary
            rows, self.total, self.summary = await asyncio.gather(
                page, incidents.count(self.actor, flt), incidents.summary(self.actor, ageing=self.settings.ageing))
        else:  # everything visible: the summary's counts already add up to the total
            rows, self.summary = await asyncio.gather(page, incidents.summary(self.actor, ageing=self.settings.ageing))
            self.total = self.summary.total
        if not rows and self.window_start:
            self.window_start, self.window_rows = 0, PAGE
            rows = await incidents.page(self.actor, flt, offset=0, limit=PAGE)
        self.table.show_window(self.window_start, rows, self.total)
        if reset and self.table.row_count:
            self.table.move_cursor(row=0, animate=False)
        summary = self.summary
        self.set_summary(incident_strip(summary, total=self.total,
                                        view=describe_filter(flt), preset=self.preset_name,
                                        sort=f"sort {SORT_LABELS.get(flt.sort, flt.sort)}"
                                             f" {'↓' if flt.descending else '↑'}"))
        self.query_one(GovernorateMap).show_counts(summary.last_24h_by_governorate)
        self.set_title(incident_title(summary))
        self.set_alert(" !" if summary.unacknowledged_high else "")
        self._ring_for_new_high(summary.unacknowledged_high_ids)

    def _ring_for_new_high(self, unacknowledged: tuple[int, ...]) -> None:
        """Ring the bell and pop up a notice once per new unacknowledged severity 4-5 incident: the
        one thing on the floor that needs a decision now."""
        fresh = set(unacknowledged)
        new = fresh - self._belled
        self._belled |= fresh
        # What was already waiting when the console opened is marked, not rung.
        if new and self._bell_primed:
            if self.settings.bell:
                self.app.bell()
            for incident_id in sorted(new):
                incident = self.table.records.get(incident_id)  # in the rows held, most often: the newest
                said = (f"incident {incident_id} · severity {incident.severity} · {incident.place} ·"
                        f" {incident.category.value} · {incident.description}" if incident
                        else f"incident {incident_id} · severity 4-5")
                self.post_message(Announcement(f"{said} · not acknowledged (a)", title="New incident",
                                               severity="warning", urgent=True,
                                               opens=partial(self.open_incident, incident_id)))
        self._bell_primed = True

    def on_minute(self) -> None:
        self.table.refresh_ages()

    @work(exclusive=True, group="next-awaiting", exit_on_error=False)
    async def action_next_awaiting(self, backwards: bool = False) -> None:
        """`]` / `[`: the next / previous incident that awaits acknowledgement (open, severity 4-5), in
        this view and order, however far down."""
        await self.go_to_next(
            awaits_acknowledgement,
            lambda current: self.store.incidents.next_unacknowledged_high_row(
                self.actor, self.current_filter(), current.id, backwards=backwards),
            what="unacknowledged severity 4-5 incident", backwards=backwards)

    # --- paging ------------------------------------------------------------------

    def window_moved(self) -> None:
        self._paging = True  # the same view further on: the summary's counts stand

    # --- keys --------------------------------------------------------------------

    def selected_incident(self):
        return self.table.selected_record()

    @on(RecordTable.RecordSelected)
    def open_detail(self, event: RecordTable.RecordSelected) -> None:
        event.stop()
        self.open_incident(event.record_id)

    def open_incident(self, incident_id: int) -> None:
        from console.screens.incident_detail import IncidentDetailScreen

        self.app.push_screen(IncidentDetailScreen(incident_id))

    @on(IncidentTable.SortRequested)
    def sort_requested(self, event: IncidentTable.SortRequested) -> None:
        event.stop()
        self.view = replace(self.view, sort=IncidentTable.SORT_KEYS.get(event.column, "occurred_at"),
                            descending=event.descending)
        self.notify(f"sorted by {SORT_LABELS[self.view.sort]} {'↓' if event.descending else '↑'}", timeout=2,
                    markup=False)
        self.request_reload()

    def action_new(self) -> None:
        from console.screens.incident_form import IncidentFormScreen

        def saved(incident) -> None:
            if incident is not None:
                self.notify(f"incident {incident.id} reported", timeout=3, markup=False)

        self.app.push_screen(IncidentFormScreen(), saved)

    def presets(self) -> dict[str, str]:
        return {**BUILTIN_PRESETS, **dict(self.settings.incident_presets)}

    def action_next_preset(self) -> None:
        presets = self.presets()
        names = list(presets)
        index = names.index(self.preset_name) if self.preset_name in names else -1
        for step in range(1, len(names) + 1):
            name = names[(index + step) % len(names)]
            try:
                flt = parse_filter_spec(presets[name])
            except ValueError as error:
                self.notify(f"preset {name!r}: {error}", severity="error", timeout=6, markup=False)
                continue
            self._set_view(replace(flt, sort=self.view.sort, descending=self.view.descending), name)
            self.notify(f"preset {name}: {describe_filter(flt)}", timeout=3, markup=False)
            return

    def action_filter_form(self) -> None:
        from console.screens.incident_filter import IncidentFilterScreen

        def chosen(flt: IncidentFilter | None) -> None:
            if flt is not None:
                spec = describe_filter(flt)
                name = next((n for n, s in self.presets().items()
                             if _same_spec(s, spec)), "")
                self._set_view(flt, name)

        self.app.push_screen(IncidentFilterScreen(self.view, self.presets()), chosen)

    def _set_view(self, flt: IncidentFilter, preset: str) -> None:
        self.view = flt
        self.preset_name = preset
        self.request_reload()

    def action_map(self) -> None:
        from console.screens.map_view import MapScreen

        self.app.push_screen(MapScreen(self.query_one(GovernorateMap).counts))

    def action_export(self) -> None:
        def chosen(fmt: str | None) -> None:
            if fmt:
                self._export(fmt, self.current_filter())

        self.app.push_screen(ChoiceScreen("Export the current view as", ["csv", "json", "md"]), chosen)

    @work(group="incident-export", exit_on_error=False)
    async def _export(self, fmt: str, flt: IncidentFilter) -> None:
        import os

        from console.dtg import utc_now
        from console.exporting.incidents import export_incidents
        from console.paths import data_dir

        folder = data_dir() / "exports"
        target = folder / f"incidents-{utc_now():%Y%m%d-%H%M%S}Z.{fmt}"
        temporary = target.with_name(f".{target.name}.tmp")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with temporary.open("w", encoding="utf-8", newline="") as out:
                count = await export_incidents(self.store, self.actor, None, fmt, out, flt=flt)
            os.replace(temporary, target)
        except OSError as error:
            Path(temporary).unlink(missing_ok=True)
            self.notify(f"export failed: {error}", severity="error", timeout=8, markup=False)
            return
        self.last_export = target
        self.notify(f"exported {count} incidents to {target}", timeout=8, markup=False)


def _same_spec(a: str, b: str) -> bool:
    try:
        return describe_filter(parse_filter_spec(a)) == b
    except ValueError:
        return False
