"""A small text map of the Gaza Strip's five governorates, north to south, with counts.

The Strip runs from the north-east down to the south-west, so each governorate
sits one column further left than the one above it. The bar shows the count
against the largest one; the number is always written (never told by shade alone).
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual.widgets import Static

from console.model.incidents import Governorate

#: North to south.
ORDER = (Governorate.NORTH_GAZA, Governorate.GAZA, Governorate.DEIR_AL_BALAH, Governorate.KHAN_YOUNIS,
         Governorate.RAFAH)
BAR = 6


def render_map(counts: Mapping[str, int], title: str = "24h", *, ascii_only: bool = False) -> Text:
    top = max((counts.get(g.value, 0) for g in ORDER), default=0)
    full, empty, edge = ("#", ".", "/") if ascii_only else ("█", "░", "╱")
    text = Text(no_wrap=True, overflow="crop", end="")
    text.append(f"{' ' * len(ORDER)}{title} N\n", "bold")
    for index, governorate in enumerate(ORDER):
        count = counts.get(governorate.value, 0)
        filled = 0 if top == 0 else max(1 if count else 0, round(count / top * BAR))
        text.append(" " * (len(ORDER) - index) + edge)
        text.append(f"{governorate.short:<6} ")
        style = "bold red" if top and count == top else ("yellow" if count else "dim")
        text.append(full * filled + empty * (BAR - filled), style)
        text.append(f" {count:>3}")
        if index < len(ORDER) - 1:
            text.append("\n")
    return text


class GovernorateMap(Static):
    DEFAULT_CSS = """
    GovernorateMap { width: 24; height: 6; color: $text-muted; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.counts: dict[str, int] = {}

    def show_counts(self, counts: Mapping[str, int], title: str = "24h") -> None:
        self.counts = dict(counts)
        self.update(render_map(self.counts, title))
