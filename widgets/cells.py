"""Table cells as plain Rich ``Text``: data is never parsed as markup.

A ``str`` drawn by Textual is read as markup, so a headline titled
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
SPARK_ASCII = "_.-=+*%#"


def sparkline(values: list[int | float], *, ascii_only: bool = False) -> str:
    """One character per value, scaled to the largest; spaces for no data."""
    blocks = SPARK_ASCII if ascii_only else SPARK_BLOCKS
    top = max(values, default=0)
    if top <= 0:
        return blocks[0] * len(values)
    return "".join(blocks[min(len(blocks) - 1, int(v / top * (len(blocks) - 1) + 0.5))] for v in values)


# --- ASCII fallbacks (settings.ascii): for terminals that mangle box drawing and marks ---

#: Every mark the console draws to say something -> (its ASCII form, what it says). No two share an ASCII
#: form, and none takes one of ASCII_MEANINGS, so ``--ascii`` never makes two meanings look alike.
MARKS: dict[str, tuple[str, str]] = {
    "·": (".", "severity 1; plan point not started; question settled"),  # console.model.incidents.SEVERITY_MARKS
    "▪": ("o", "severity 2"),
    "▲": ("^", "severity 3"),
    "◆": ("&", "severity 4"),
    "█": ("#", "severity 5; a full bar"),
    "•": ("+", "unread headline"),
    "◊": ("%", "releasable to some nations only"),
    "●": ("@", "on the floor"),
    "◐": ("(", "away"),
    "○": ("_", "off shift"),
    "✓": ("v", "plan point done"),
    "✗": ("x", "blocked, failing, shut or expired"),
    "…": (">", "cut short: the text goes on"),  # console.sanitize.TRUNCATION_MARK; not "~", in progress
}

#: Marks that are ASCII in every mode: a watch-list hit, archived, unacknowledged / disputed / rotation
#: ending, in progress, being verified / under discussion, and the status letters.
ASCII_MEANINGS = "*A!~?RVUCPXDW"

#: Single-width marks and lines -> one ASCII character each, so columns stay aligned.
ASCII_MARKS: dict[str, str] = {
    **dict(zip(SPARK_BLOCKS, SPARK_ASCII)),
    **{mark: form for mark, (form, _meaning) in MARKS.items()},
    # look-alikes of punctuation, arrows and shapes in text (not marks of their own)
    "■": "#", "□": "o", "▶": ">", "◀": "<", "▼": "v", "▸": ">", "◂": "<",
    "✔": "v", "★": "*", "⚠": "!", "–": "-", "—": "-", "≥": ">", "≤": "<",
    "→": ">", "←": "<", "↑": "^", "↓": "v", "↕": "|", "⏎": "<", "▔": "-", "▀": "-", "▐": "|", "▕": "|",
    "░": ":", "▒": "#", "▓": "#", "╱": "/", "╲": "\\", "╳": "x",
    "\ufffd": "?",  # console.sanitize.REPLACEMENT: a character that could not be shown
}


def _box_drawing_fallbacks() -> dict[str, str]:
    import unicodedata

    table = {}
    for code in range(0x2500, 0x2580):  # box drawing: lines and corners
        name = unicodedata.name(chr(code), "")
        horizontal, vertical = "HORIZONTAL" in name, "VERTICAL" in name
        table[chr(code)] = "-" if horizontal and not vertical else "|" if vertical and not horizontal else "+"
    for char in "▉▊▋▌▍▎▏":  # left blocks: tall borders and the footer separator
        table[char] = "|"
    for code in range(0x2596, 0x25A0):  # quadrants
        table[chr(code)] = "#"
    return table


ASCII_MARKS.update({k: v for k, v in _box_drawing_fallbacks().items() if k not in ASCII_MARKS})
_ASCII_TABLE = str.maketrans(ASCII_MARKS)


def ascii_text(text: str) -> str:
    """``text`` with box drawing, blocks and marks replaced by ASCII look-alikes (same width)."""
    return text.translate(_ASCII_TABLE)


def severity_mark(severity: int, marks: dict[int, str], *, ascii_only: bool = False) -> str:
    """The mark that goes with a severity digit, in ASCII when asked."""
    mark = marks.get(severity, "")
    return ascii_text(mark) if ascii_only else mark
