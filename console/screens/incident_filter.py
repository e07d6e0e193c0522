"""``f`` on the Incidents pane: filter by status, least severity, governorate, category,
time window and words; or start from a named preset. Dismisses with the new
IncidentFilter (the sort order is kept) or None (escape: unchanged).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, SelectionList, Static

from console.model.incidents import (
    Governorate,
    IncidentCategory,
    IncidentFilter,
    IncidentStatus,
    describe_filter,
    parse_filter_spec,
)
from console.sanitize import clean_line

WINDOWS = [("any time", ""), ("last hour", "1h"), ("last 6h", "6h"), ("last 24h", "24h"), ("last 72h", "72h"),
           ("last 7 days", "7d"), ("last 30 days", "30d")]
_WINDOW_VALUES = {"1h": timedelta(hours=1), "6h": timedelta(hours=6), "24h": timedelta(hours=24),
                  "72h": timedelta(hours=72), "7d": timedelta(days=7), "30d": timedelta(days=30)}


class IncidentFilterScreen(ModalScreen[IncidentFilter | None]):
    DEFAULT_CSS = """
    IncidentFilterScreen { align: center middle; }
    IncidentFilterScreen > Vertical { width: 72; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1; }
    IncidentFilterScreen .dialog-title { text-style: bold; height: 1; }
    IncidentFilterScreen .dialog-hint { color: $text-muted; height: auto; }
    IncidentFilterScreen VerticalScroll { height: auto; max-height: 18; }
    IncidentFilterScreen Horizontal { height: auto; }
    IncidentFilterScreen Horizontal Label { width: 14; }
    IncidentFilterScreen Horizontal Select, IncidentFilterScreen Horizontal Input { width: 1fr; }
    IncidentFilterScreen SelectionList { height: auto; width: 1fr; border: none; padding: 0; }
    IncidentFilterScreen Button { margin: 0 0 0 1; min-width: 10; }
    IncidentFilterScreen .buttons { align: right middle; }
    """
    BINDINGS = [
        Binding("ctrl+s", "apply", "Apply", priority=True, id="filter.apply", tooltip="Apply this filter"),
        Binding("ctrl+r", "reset", "Clear", id="filter.reset", tooltip="Clear every condition"),
        Binding("escape", "cancel", "Cancel", id="filter.cancel", tooltip="Keep the current filter"),
    ]

    def __init__(self, current: IncidentFilter, presets: dict[str, str]) -> None:
        super().__init__()
        self.current = current
        self.presets = presets

    def compose(self) -> ComposeResult:
        flt = self.current
        window = next((k for k, v in _WINDOW_VALUES.items() if v == flt.window), "")
        with Vertical():
            yield Static("Filter incidents", classes="dialog-title")
            with VerticalScroll():
                with Horizontal():
                    yield Label("Preset")
                    yield Select([(f"{name}: {spec}", name) for name, spec in self.presets.items()],
                                 prompt="(none)", id="filter-preset", compact=True)
                with Horizontal():
                    yield Label("Status")
                    yield SelectionList[str](*[(s.value, s.value, s in flt.statuses) for s in IncidentStatus],
                                             id="filter-status")
                with Horizontal():
                    yield Label("Severity ≥")
                    yield Select([(str(n), n) for n in range(1, 6)], value=flt.min_severity, allow_blank=False,
                                 id="filter-severity", compact=True)
                with Horizontal():
                    yield Label("Governorate")
                    yield Select([(g.value, g.value) for g in Governorate], prompt="any", id="filter-governorate",
                                 compact=True, value=_one(flt.governorates))
                with Horizontal():
                    yield Label("Category")
                    yield Select([(c.label, c.value) for c in IncidentCategory], prompt="any",
                                 id="filter-category", compact=True, value=_one(flt.categories))
                with Horizontal():
                    yield Label("Time")
                    yield Select(WINDOWS, value=window, allow_blank=False, id="filter-window", compact=True)
                with Horizontal():
                    yield Label("Words")
                    yield Input(flt.text, placeholder="in description and notes", id="filter-text", compact=True)
                with Horizontal(classes="buttons"):
                    yield Button("Apply", variant="primary", id="apply")
                    yield Button("Clear", id="reset")
            yield Static("space: tick a status · ctrl+s: apply · ctrl+r: clear · esc: cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#filter-status").focus()

    @on(Select.Changed, "#filter-preset")
    def preset_chosen(self, event: Select.Changed) -> None:
        if event.value is Select.NULL:
            return
        try:
            flt = parse_filter_spec(self.presets[str(event.value)])
        except ValueError as error:
            self.notify(f"preset {clean_line(event.value, max_chars=40)}: {clean_line(error)}", severity="error",
                        markup=False)
            return
        self.current = replace(self.current, unacknowledged_only=flt.unacknowledged_only)
        self._show(flt)

    def _show(self, flt: IncidentFilter) -> None:
        statuses = self.query_one("#filter-status", SelectionList)
        statuses.deselect_all()
        for status in flt.statuses:
            statuses.select(status.value)
        self.query_one("#filter-severity", Select).value = flt.min_severity
        self.query_one("#filter-governorate", Select).value = _one(flt.governorates)
        self.query_one("#filter-category", Select).value = _one(flt.categories)
        self.query_one("#filter-window", Select).value = next(
            (k for k, v in _WINDOW_VALUES.items() if v == flt.window), "")
        self.query_one("#filter-text", Input).value = flt.text

    def chosen_filter(self) -> IncidentFilter:
        governorate = self.query_one("#filter-governorate", Select).value
        category = self.query_one("#filter-category", Select).value
        window = self.query_one("#filter-window", Select).value
        return replace(
            self.current,
            statuses=frozenset(IncidentStatus(v) for v in self.query_one("#filter-status", SelectionList).selected),
            min_severity=int(self.query_one("#filter-severity", Select).value),
            governorates=frozenset() if governorate is Select.NULL else frozenset({Governorate(governorate)}),
            categories=frozenset() if category is Select.NULL else frozenset({IncidentCategory(category)}),
            since=None,
            window=_WINDOW_VALUES.get(str(window)),
            text=self.query_one("#filter-text", Input).value.strip(),
            unacknowledged_only=self.current.unacknowledged_only,
        )

    @on(Input.Submitted, "#filter-text")
    def text_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_apply()

    @on(Button.Pressed, "#apply")
    def apply_pressed(self) -> None:
        self.action_apply()

    @on(Button.Pressed, "#reset")
    def reset_pressed(self) -> None:
        self.action_reset()

    def action_apply(self) -> None:
        self.dismiss(self.chosen_filter())

    def action_reset(self) -> None:
        self.current = replace(self.current, unacknowledged_only=False)
        self._show(IncidentFilter())

    def action_cancel(self) -> None:
        self.dismiss(None)


def _one(values: frozenset) -> object:
    """A single chosen value for a Select (a preset may name several: the first is shown)."""
    return sorted(v.value for v in values)[0] if values else Select.NULL


__all__ = ["IncidentFilterScreen", "describe_filter"]
