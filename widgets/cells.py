"""Table cells as plain Rich ``Text``: data is never parsed as markup.

Textual's DataTable reads a ``str`` cell as markup, so a headline titled
``[@click=app.quit]`` would become a link. Every cell goes through ``cell()``.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from console.sanitize import clean_line


class Cell(Text):
    """Text that also carries the value its column sorts by."""

    sort_key: Any = None


def cell(value: object, style: str = "", *, sort_key: Any = None, max_chars: int = 200) -> Cell:
    text = Cell(clean_line("" if value is None else value, max_chars=max_chars), style=style, no_wrap=True, end="")
    text.sort_key = sort_key if sort_key is not None else text.plain.lower()
    return text


SPARK_BLOCKS = "▁▂▃▄▅▆▇█"
SPARK_ASCII = "_.-=+*#@"


def sparkline(values: list[int | float], *, ascii_only: bool = False) -> str:
    """One character per value, scaled to the largest; spaces for no data."""
    blocks = SPARK_ASCII if ascii_only else SPARK_BLOCKS
    top = max(values, default=0)
    if top <= 0:
        return blocks[0] * len(values)
    return "".join(blocks[min(len(blocks) - 1, int(v / top * (len(blocks) - 1) + 0.5))] for v in values)
