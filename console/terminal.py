"""What the operator's terminal can show, judged from the environment before Textual starts.

Nothing here imports Textual: ``cmcc`` decides before the App exists (the frame rate, the
no-colour filter Textual chooses in ``App.__init__``).
"""

from __future__ import annotations

import codecs
import locale
import sys
from collections.abc import Mapping

#: Terminals without colours (bold, reverse and underline only).
COLOURLESS_TERMS = frozenset({"dumb", "unknown", "vt52", "vt100", "vt102", "vt220"})
#: Terminals whose character set lacks the console's marks: the above, and the Linux console,
#: whose fonts have few of them.
ASCII_TERMS = COLOURLESS_TERMS | {"linux"}
#: What Python sets LC_CTYPE to when it coerces the C locale (PEP 538): not the operator's setting.
_COERCED_CTYPES = frozenset({"C.UTF-8", "C.utf8", "UTF-8"})


def term_name(environ: Mapping[str, str]) -> str:
    return environ.get("TERM", "").strip().lower()


def wants_no_colour(environ: Mapping[str, str]) -> bool:
    """``NO_COLOR`` set (present at all, as Textual reads it), or a terminal that has no colours."""
    return "NO_COLOR" in environ or term_name(environ) in COLOURLESS_TERMS


def wants_ascii(environ: Mapping[str, str]) -> bool:
    """ASCII marks and lines: the terminal cannot show ours, or the locale is not UTF-8."""
    return term_name(environ) in ASCII_TERMS or not locale_is_utf8(environ)


def locale_is_utf8(environ: Mapping[str, str]) -> bool:
    """Is the operator's locale (and so, presumably, their terminal) UTF-8?"""
    if not sys.flags.utf8_mode:
        return _is_utf8(locale.getpreferredencoding(False))
    # In UTF-8 mode Python reports UTF-8 whatever the locale says (and Python turns that mode on by
    # itself in the C locale): read the locale the operator set instead.
    return _is_utf8(declared_locale(environ).partition(".")[2].partition("@")[0])


def declared_locale(environ: Mapping[str, str]) -> str:
    """``LC_ALL``, else ``LC_CTYPE``, else ``LANG``, as POSIX orders them; ``C`` when none is set."""
    for key in ("LC_ALL", "LC_CTYPE", "LANG"):
        value = environ.get(key, "")
        if key == "LC_CTYPE" and value in _COERCED_CTYPES and sys.flags.utf8_mode:
            continue  # most likely Python's own coercion of the C locale, not the operator's choice
        if value:
            return value
    return "C"


def _is_utf8(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:  # "" (no codeset: C, POSIX, en_US) or one Python does not know
        return False
