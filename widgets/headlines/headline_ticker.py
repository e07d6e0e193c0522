"""One line of the newest headlines that steps, never scrolls.

Stepping to the next headline every few seconds costs one line redraw; a
scrolling marquee would repaint the line many times a second over the link.
Without a step (``step_seconds=None``, a slow link) it holds the newest headline.
The line is redrawn only when its text changes: a reload that brings nothing
new, or a step with a single headline, writes nothing to the terminal.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from console.model.headlines import Headline
from console.dtg import format_short_dtg
from console.sanitize import clean_line


class HeadlineTicker(Static):
    DEFAULT_CSS = """
    HeadlineTicker { height: 1; width: 1fr; background: $boost; }
    """

    def __init__(self, step_seconds: float | None = 8.0, size: int = 10, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.step_seconds = step_seconds
        self.capacity = size
        self.headlines: list[Headline] = []
        self.position = 0
        self.steps = 0
        self.draws = 0
        self._shown: tuple[str, str] | None = None

    def on_mount(self) -> None:
        if self.step_seconds:
            self.set_interval(self.step_seconds, self.step)
        self._draw()

    def show_headlines(self, headlines: list[Headline]) -> None:
        """The newest headlines first; the ticker restarts at the newest."""
        newest = headlines[: self.capacity]
        if [h.id for h in newest] != [h.id for h in self.headlines]:
            self.headlines = newest
            self.position = 0
            self._draw()

    def step(self) -> None:
        if len(self.headlines) > 1:
            self.position = (self.position + 1) % len(self.headlines)
            self.steps += 1
            self._draw()

    @property
    def shown_text(self) -> str:
        """What the line says now (plain)."""
        return self._shown[0] if self._shown else ""

    def _draw(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        if not self.headlines:
            text.append(" no headlines yet", "dim")
        else:
            headline = self.headlines[self.position]
            text.append(f" {format_short_dtg(headline.published_at)} ", "bold")
            # Cleaned again here: a title that reached the database past the store's cleaning
            # (a hand-edited file, an older cmcc) must not reach the terminal as escapes.
            text.append(f"{clean_line(headline.source, max_chars=200)}: ", "dim")
            text.append(clean_line(headline.title), "bold yellow" if headline.watch_hits else "")
        shown = (text.plain, repr(text.spans))
        if shown != self._shown:
            self._shown = shown
            self.draws += 1
            self.update(text, layout=False)  # one fixed line: no layout pass, no neighbours repainted
