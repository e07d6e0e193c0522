"""What a slow link changes: refresh and ticker intervals, animation, mouse, and fewer bytes per frame.

Low-bandwidth mode (``--low-bandwidth``, ``low_bandwidth = true``,
``CMCC_LOW_BANDWIDTH=1``) turns off animation and the mouse, reloads a pane at
most once a second whatever arrives, holds the ticker on the newest headline, lets
the clock move only when something else is drawn (an idle floor sends nothing at
all), and starts in the 16-colour theme. Whatever the mode, every frame the
console writes goes through ``squeeze_sgr``: Textual/Rich end every run of text with a reset and start the
next with its full colour codes, even when the next run has the same colours
(table cells, for instance); dropping those pairs roughly halves a frame.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from console.config import Settings

#: Reload a dirty pane at most this often in low-bandwidth mode (seconds).
LOW_BANDWIDTH_REFRESH_SECONDS = 1.0
#: Ages and other once-a-minute redraws happen this many minutes apart in low-bandwidth mode.
LOW_BANDWIDTH_MINUTE_TICK = 10
#: The mark in the clock bar.
MODE_MARK = "LOW-BW"


#: Screen updates per second at most (Textual's TEXTUAL_FPS, read once when Textual is imported).
#: A layout pass or repaint waits for the next of these ticks; start-up takes four in a row (the
#: data laid out, scroll bars added and sized, the first frame), so 120 instead of Textual's 60
#: shows the first frame ~30 ms sooner and answers every key a few ms sooner. A slow link keeps
#: 60: more ticks can mean more, smaller frames in a burst.
FRAMES_PER_SECOND = 120
LOW_BANDWIDTH_FRAMES_PER_SECOND = 60


def set_frame_rate(settings: Settings, environ=os.environ) -> None:
    """Before Textual is imported; a TEXTUAL_FPS the operator set is kept."""
    rate = LOW_BANDWIDTH_FRAMES_PER_SECOND if settings.low_bandwidth else FRAMES_PER_SECOND
    environ.setdefault("TEXTUAL_FPS", str(rate))


def refresh_seconds(settings: Settings) -> float:
    if settings.low_bandwidth:
        return max(settings.refresh_seconds, LOW_BANDWIDTH_REFRESH_SECONDS)
    return settings.refresh_seconds


def ticker_seconds(settings: Settings) -> float | None:
    """Seconds between the ticker's steps; None on a slow link, where it holds the newest headline
    (a step is a line, ~180 B, every few seconds: most of an idle link's bytes)."""
    return None if settings.low_bandwidth else settings.ticker_seconds


def minute_tick(settings: Settings) -> int:
    """Minutes between the panes' ``on_minute`` redraws (ages): each rewrites most visible rows."""
    return LOW_BANDWIDTH_MINUTE_TICK if settings.low_bandwidth else 1


def use_mouse(settings: Settings) -> bool:
    return not settings.low_bandwidth


# --- fewer bytes per frame -------------------------------------------------------------

_TOKEN = re.compile(r"\x1b\[([0-9;:]*)m|\x1b\[[0-9;?]*[A-Za-z]|\x1b[^\[]|[^\x1b]+|\x1b")
_CURSOR_MOVE = re.compile(r"\x1b\[[0-9;]*H")


def squeeze_sgr(data: str) -> str:
    """``data`` without reset/set pairs that restore the attributes already in force.

    ``ESC[0m`` (reset) is held back until something is drawn; if the next
    attribute change sets exactly the attributes that were in force before the
    reset (only cursor moves in between), both are dropped; if only colours were
    in force and the next change sets both colours anew, the reset alone is
    dropped. A line break right before an absolute cursor move is dropped too.
    The terminal ends in the same state and every character is drawn with the
    same attributes.
    """
    if "\x1b[0m" not in data:
        return data
    out: list[str] = []
    # SGR parameters applied since the last reset. A write starts from reset attributes: Textual
    # ends every frame with a reset, and Rich's segments assume it.
    current: list[str] = []
    held_reset = False
    held_moves: list[str] = []
    tokens = [(m.group(0), m.group(1)) for m in _TOKEN.finditer(data)]
    for index, (token, params) in enumerate(tokens):
        if token in ("\r\n", "\n") and index + 1 < len(tokens) and _CURSOR_MOVE.fullmatch(tokens[index + 1][0]):
            continue  # the absolute move right after puts the cursor there anyway
        if params is not None:  # an SGR
            if params in ("", "0"):
                if held_reset:
                    out.append("\x1b[0m")
                    out.extend(held_moves)
                    held_moves.clear()
                held_reset = True
                continue
            if held_reset:
                if current == [params]:
                    out.extend(held_moves)  # the same attributes again: drop the reset and the set
                elif _only_colours(current) and _sets_both_colours(params):
                    out.extend(held_moves)  # nothing but the colours to undo, and both are set anew
                    out.append(token)
                    current = [params]
                else:
                    out.append("\x1b[0m")
                    out.extend(held_moves)
                    out.append(token)
                    current = [params]
                held_reset = False
                held_moves.clear()
                continue
            out.append(token)
            current = current + [params]
            continue
        if held_reset and (_CURSOR_MOVE.fullmatch(token) or token == "\r"):
            held_moves.append(token)
            continue
        if held_reset:
            out.append("\x1b[0m")
            out.extend(held_moves)
            held_moves.clear()
            held_reset = False
            current = []
        out.append(token)
    if held_reset:
        out.append("\x1b[0m")
        out.extend(held_moves)
    return "".join(out)


def _codes(params: str) -> list[list[str]]:
    """SGR parameters as attribute changes: ``38;5;188;1`` is [["38", "5", "188"], ["1"]]."""
    parts, codes, index = params.replace(":", ";").split(";"), [], 0
    while index < len(parts):
        code = parts[index]
        if code in ("38", "48", "58") and index + 1 < len(parts):
            width = 3 if parts[index + 1] == "5" else 5 if parts[index + 1] == "2" else 2
            codes.append(parts[index:index + width])
            index += width
        else:
            codes.append([code])
            index += 1
    return codes


def _colour(code: list[str]) -> str | None:
    """"fg" or "bg" for a code that sets a colour, else None."""
    head = code[0]
    if head in ("38", "39") or (head.isdigit() and (30 <= int(head) <= 37 or 90 <= int(head) <= 97)):
        return "fg"
    if head in ("48", "49") or (head.isdigit() and (40 <= int(head) <= 47 or 100 <= int(head) <= 107)):
        return "bg"
    return None


def _only_colours(applied: list[str]) -> bool:
    return all(_colour(code) for params in applied for code in _codes(params))


def _sets_both_colours(params: str) -> bool:
    return {_colour(code) for code in _codes(params)} >= {"fg", "bg"}


def thrifty_driver(base: type, on_write: Callable[[], None] | None = None) -> type:
    """A subclass of the Textual driver ``base`` whose writes go through ``squeeze_sgr``;
    ``on_write`` is called after each write of something (on the event loop's thread, where Textual
    writes; a repaint that changed nothing writes an empty string, and must not count as output)."""

    class ThriftyDriver(base):  # type: ignore[misc, valid-type]
        def write(self, data: str) -> None:
            data = squeeze_sgr(data)
            super().write(data)
            if data and on_write is not None:
                on_write()

    ThriftyDriver.__name__ = f"Thrifty{base.__name__}"
    return ThriftyDriver
