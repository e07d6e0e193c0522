"""The top line: Zulu DTG, local time, who is at the keyboard, feed health.

The clock shows minutes and redraws once a minute, on the minute: over a slow
link a seconds display would cost bytes every second for nothing. On a slow link
(``follows_screen``) even the minute is not sent on its own: the clock moves when
something else is drawn (``catch_up``), so an idle floor sends nothing, and it says
"as of", the time the screen was last drawn, never a stale time as if it were now.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from console.dtg import format_dtg, format_local, utc_now


#: What gives way, in order, when the line is wider than the terminal: the operator's name (login,
#: nation and role stay), the words of the feed health (who polls stays), the local time, then the
#: month and year of the DTG.
SHORTENED = ("operator", "feed health", "local time", "month and year")
SHORTEST = len(SHORTENED)


class ClockBar(Static):
    DEFAULT_CSS = """
    ClockBar { height: 1; width: 1fr; background: $panel; color: $foreground; }
    """

    def __init__(self, operator: str = "", *, operator_short: str = "", view_as: str = "",
                 follows_screen: bool = False, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.operator = operator
        self.operator_short = operator_short
        #: The login whose view this is, when someone views the floor as another operator (read-only).
        self.view_as = view_as
        self.feed_health = ""
        self.feed_health_short = ""
        self.mode = ""
        #: Notices not yet seen in the list (`M`), as shown: "3 new M".
        self.notices = ""
        #: Redraw the minute only with other output (``catch_up``), not on its own.
        self.follows_screen = follows_screen
        self._shown = ""
        self._shown_minute: datetime | None = None

    def on_mount(self) -> None:
        self.tick()

    def on_resize(self) -> None:
        self.show()  # the long or the short form, for the new width

    def tick(self) -> None:
        now = utc_now()
        self.show(now)
        if not self.follows_screen:  # next redraw at the start of the next minute
            self.set_timer(60.5 - now.second - now.microsecond / 1e6, self.tick)

    def catch_up(self) -> None:
        """Something else was drawn: the minute too, if it has changed since the clock was drawn."""
        self.show(utc_now())

    def show(self, now: datetime | None = None) -> None:
        """The line as it is now; with no ``now`` on a slow link, a line that would differ only by
        its minute is left as drawn (the minute moves with other output: ``catch_up``)."""
        if now is None and self.follows_screen and self._shown_minute is not None:
            if self._fitted(self._shown_minute).plain == self._shown:
                return
        now = now or utc_now()
        self._shown_minute = now.replace(second=0, microsecond=0)
        text = self._fitted(now)
        if text.plain != self._shown:
            self._shown = text.plain
            self.update(text, layout=False)  # one fixed line: no layout pass, no neighbours repainted

    def _fitted(self, now: datetime) -> Text:
        # At 80 columns the long line cut off who polls the feeds: parts are shortened one by one,
        # the least needed first, until the line fits.
        for level in range(SHORTEST + 1):
            text = self._line(now, level)
            if not self.size.width or text.cell_len <= self.size.width:
                break
        return text

    def _line(self, now: datetime, level: int) -> Text:
        """The line with its first ``level`` parts in their short forms (SHORTENED, in that order)."""
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(" CMCC ", "bold reverse")
        if self.view_as:  # before everything else: nobody may take this view for their own
            text.append(f" VIEW AS {self.view_as} ", "bold reverse")
        if self.mode:  # first, so a narrow terminal never cuts it off
            text.append(f" {self.mode} ", "bold reverse")
        if self.notices:  # also never cut: it is what says something waits in the list
            text.append(f" {self.notices} ", "bold reverse")
        dtg = format_dtg(now)
        as_of = "as of " if self.follows_screen else ""
        text.append(f" {as_of}{dtg.split()[0] if level >= 4 else dtg} ", "bold")
        if level < 3:
            text.append(f"{format_local(now)} ")
        operator = (self.operator_short or self.operator) if level >= 1 else self.operator
        if operator:
            text.append("│ ")
            text.append(operator)
        feed_health = (self.feed_health_short or self.feed_health) if level >= 2 else self.feed_health
        if feed_health:
            text.append(" │ ")
            text.append(feed_health)
        return text

    def set_status(self, *, operator: str | None = None, operator_short: str | None = None,
                   feed_health: str | None = None, feed_health_short: str | None = None,
                   mode: str | None = None, notices: str | None = None) -> None:
        """New parts of the line; each ``_short`` form is shown when the long line does not fit."""
        for name, value in (("operator", operator), ("operator_short", operator_short),
                            ("feed_health", feed_health), ("feed_health_short", feed_health_short),
                            ("mode", mode), ("notices", notices)):
            if value is not None:
                setattr(self, name, value)
        self.show()
