"""The line of pane names: which pane is active, and which needs attention."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class PaneBar(Static):
    DEFAULT_CSS = """
    PaneBar { height: 1; width: 1fr; }
    """

    def __init__(self, titles: list[str], **kwargs) -> None:
        super().__init__("", **kwargs)
        self.titles = titles
        self.active = 0
        self.alerts: dict[int, str] = {}
        #: One pane over the whole floor (`z`): the bar says so, and how to go back.
        self.zoomed = False

    def on_mount(self) -> None:
        self._draw()

    def set_active(self, index: int) -> None:
        if index != self.active:
            self.active = index
            self._draw()

    def set_zoomed(self, zoomed: bool) -> None:
        if zoomed != self.zoomed:
            self.zoomed = zoomed
            self._draw()

    def set_alert(self, index: int, mark: str) -> None:
        if self.alerts.get(index, "") != mark:
            self.alerts[index] = mark
            self._draw()

    def _draw(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        for index, title in enumerate(self.titles):
            label = f" {index + 1} {title}{self.alerts.get(index, '')} "
            text.append(label, "bold reverse" if index == self.active else "")
            text.append(" ")
        if self.zoomed:
            text.append(" ZOOM (z) ", "bold reverse")
        self.update(text, layout=False)  # one fixed line: no layout pass, no neighbours repainted
