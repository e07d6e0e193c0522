"""A pane's summary strip: a few lines of text, of which a change repaints only the lines it changed.

A ``Static`` repaints all its lines when its text changes: the Incidents strip is three lines (counts
by status, the last 24 h, the view), and a status change from another console rewrote all three,
though only the counts had changed (~500 B a change over a slow link). Drawn on Textual's line API,
wrapped to the width as a ``Static`` would.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget


class SummaryLines(Widget):
    DEFAULT_CSS = """
    SummaryLines { height: auto; }
    """

    def __init__(self, text: str | Text = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self._text = Text(text) if isinstance(text, str) else text
        self._lines: list[Text] = []
        self._width = 0

    def render(self) -> Text:
        """The whole text (what it shows, for a reader of the widget; drawing is ``render_line``)."""
        return self._text

    @property
    def content(self) -> Text:
        """What it shows (as ``Static.content``)."""
        return self._text

    def update(self, text: str | Text, *, layout: bool = True) -> None:
        """Show ``text``: a layout pass if its number of lines changed, else only its changed lines."""
        self._text = Text(text) if isinstance(text, str) else text
        before = self._lines
        self._lines = self._wrapped(self._width) if self._width else []
        if not self._width or len(before) != len(self._lines):
            self.refresh(layout=True)
            return
        for y, (old, new) in enumerate(zip(before, self._lines)):
            if old.plain != new.plain or old.spans != new.spans or old.style != new.style:
                self.refresh(Region(0, y, self.size.width, 1))

    def _wrapped(self, width: int) -> list[Text]:
        return list(self._text.wrap(self.app.console, max(1, width), overflow="ellipsis"))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._wrapped(width))

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if width != self._width:
            self._width = width
            self._lines = self._wrapped(width)
        style = self.rich_style
        if y >= len(self._lines):
            return Strip.blank(width, style)
        line = self._lines[y]
        segments = Segment.apply_style(line.render(self.app.console), style)
        return Strip(list(segments)).extend_cell_length(width, style).crop(0, width)
