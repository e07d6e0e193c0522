"""`m` in the Incidents pane: the text map of the five governorates, at any width.

The pane shows the same map beside its summary only from 100 columns; on an 80-column terminal
this view is the way to it. It shows the counts the pane last read (the pane reads them at every
reload), and names the governorates whose names the map shortens.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from widgets.incidents.governorate_map import ORDER, GovernorateMap


class MapScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    MapScreen { align: center middle; }
    MapScreen > Vertical { width: 44; height: auto; border: round $accent; background: $surface; padding: 0 1; }
    MapScreen GovernorateMap { width: 100%; color: $foreground; }
    MapScreen .map-names { color: $text-muted; height: auto; }
    """
    BINDINGS = [Binding("escape,m,q", "dismiss", "Close", id="map.close")]

    def __init__(self, counts: Mapping[str, int]) -> None:
        super().__init__()
        self.counts = dict(counts)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Incidents in the last 24 h, north to south", classes="form-title")
            yield GovernorateMap(id="map-view")
            yield Static(" · ".join(f"{g.short} = {g.value}" for g in ORDER if g.short != g.value),
                         classes="map-names")
            yield Static("esc: close", classes="map-names")

    def on_mount(self) -> None:
        self.query_one(GovernorateMap).show_counts(self.counts)
