"""The top line: Zulu DTG, local time, who is at the keyboard, feed health.

The clock shows minutes and redraws once a minute, on the minute: over a slow
link a seconds display would cost bytes every second for nothing.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from console.dtg import format_dtg, format_local, utc_now


class ClockBar(Static):
    DEFAULT_CSS = """
    ClockBar { height: 1; width: 1fr; background: $panel; color: $foreground; }
    """

    def __init__(self, operator: str = "", *, view_as: str = "", **kwargs) -> None:
        super().__init__("", **kwargs)
        self.operator = operator
        #: The login whose view this is, when someone views the floor as another operator (read-only).
        self.view_as = view_as
        self.feed_health = ""
        self.mode = ""
        self._shown = ""

    def on_mount(self) -> None:
        self.tick()

    def tick(self) -> None:
        now = utc_now()
        self.show(now)
        # Next redraw at the start of the next minute.
        self.set_timer(60.5 - now.second - now.microsecond / 1e6, self.tick)

    def show(self, now: datetime | None = None) -> None:
        now = now or utc_now()
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(" CMCC ", "bold reverse")
        if self.view_as:  # before everything else: nobody may take this view for their own
            text.append(f" VIEW AS {self.view_as} ", "bold reverse")
        if self.mode:  # first, so a narrow terminal never cuts it off
            text.append(f" {self.mode} ", "bold reverse")
        text.append(f" {format_dtg(now)} ", "bold")
        text.append(f"{format_local(now)} ")
        if self.operator:
            text.append("│ ")
            text.append(self.operator)
        if self.feed_health:
            text.append(" │ ")
            text.append(self.feed_health)
        if text.plain != self._shown:
            self._shown = text.plain
            self.update(text, layout=False)  # one fixed line: no layout pass, no neighbours repainted

    def set_status(self, *, operator: str | None = None, feed_health: str | None = None,
                   mode: str | None = None) -> None:
        if operator is not None:
            self.operator = operator
        if feed_health is not None:
            self.feed_health = feed_health
        if mode is not None:
            self.mode = mode
        self.show()
