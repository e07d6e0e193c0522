"""Turning what an operator types into a safe FTS5 query."""

from __future__ import annotations

import re

_WORD = re.compile(r"[\w\-']+", re.UNICODE)


def match_expression(text: str) -> str:
    """Every word must appear (prefix match on the last one): ``shell rafa`` -> ``"shell" "rafa"*``.

    Words are quoted, so FTS5 syntax characters typed by an operator are never
    interpreted and no input can raise a syntax error.
    """
    words = [w.replace('"', "") for w in _WORD.findall(text or "")][:16]
    words = [w for w in words if w.strip("-'")]
    if not words:
        return ""
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)
