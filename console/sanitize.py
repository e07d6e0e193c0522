"""Make text from outside safe to store and show.

Everything that enters from a feed, a file or a form passes through
``clean_text``: terminal escape sequences (CSI, OSC, DCS, APC, PM, SOS) and
C0/C1 control characters are removed, bidi overrides are dropped, lone
surrogates (which UTF-8 cannot carry) become U+FFFD, and the length is
bounded. Rich markup is left as literal characters; the interface never
interprets data as markup (it renders ``rich.text.Text``), so ``[bold]`` shows
as typed.
"""

from __future__ import annotations

import re

MAX_FIELD_CHARS = 4000
TRUNCATION_MARK = "…"

# ESC-introduced sequences: CSI (ESC [ ... final), OSC/DCS/APC/PM/SOS (ESC ] P _ ^ X ... ST or BEL),
# and two-character escapes. The 8-bit C1 forms (0x9B CSI, 0x9D OSC, 0x90 DCS...) likewise.
_ESCAPES = re.compile(
    r"""
    (?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?          # CSI
  | (?:\x1b[\]P_^X]|[\x9d\x90\x9f\x9e\x98]).*?(?:\x07|\x1b\\|\x9c|$)  # OSC, DCS, APC, PM, SOS to ST/BEL
  | \x1b[\x20-\x2f]*[\x30-\x7e]?                                   # other ESC sequences
    """,
    re.VERBOSE | re.DOTALL,
)
# C0 controls except tab and newline, DEL, C1 controls; bidi embedding/override/isolate marks.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_SPACES = re.compile(r"[ \t]+")
# Anything clean_text would change besides outer whitespace and length: controls (tab and newline
# included, escapes start with one), the bidi marks, or a run of spaces.
_NEEDS_WORK = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\ud800-\udfff]| {2}")
# Lone surrogates (from JSON "\ud800" escapes) cannot be encoded as UTF-8: stored or shown, they
# would fail the whole write. Each becomes U+FFFD.
_SURROGATES = re.compile(r"[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def clean_text(value: object, *, max_chars: int = MAX_FIELD_CHARS, single_line: bool = False) -> str:
    """Strip escapes and controls; bound the length (marking a cut with '…').

    Idempotent: ``clean_text(clean_text(x)) == clean_text(x)``.
    """
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    text = str(value)
    # Most text is already clean: nothing below would change it (ingest calls this ~10 times a headline).
    if len(text) <= max_chars and not _NEEDS_WORK.search(text) and text == text.strip():
        return text
    return _clean(text, max_chars, single_line)


def _clean(text: str, max_chars: int, single_line: bool) -> str:
    text = _SURROGATES.sub(REPLACEMENT, text)
    text = _ESCAPES.sub("", text)
    text = _CONTROLS.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if single_line:
        text = _SPACES.sub(" ", text.replace("\n", " ")).strip()
    else:
        text = "\n".join(_SPACES.sub(" ", line).rstrip() for line in text.split("\n")).strip()
    if len(text) > max_chars:
        text = text[: max_chars - 1].rstrip() + TRUNCATION_MARK
    return text


def clean_line(value: object, *, max_chars: int = 500) -> str:
    """A single line: titles, names, codes."""
    return clean_text(value, max_chars=max_chars, single_line=True)
