"""Exports: ``cmcc export KIND`` and the panes' ``x`` key write records as csv, json or md.

An exporter is ``async def export(store, actor, since: timedelta, fmt: str, out: TextIO) -> int``
(returns how many records it wrote), registered by kind name with ``register``.
It writes what the actor may see (releasability-filtered), reading the store a
page at a time. ``write_records`` does the formatting, so an exporter only
chooses the columns and yields rows.

Modules register on import; add yours to the import list at the bottom.
"""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterable, Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any, TextIO

FORMATS = ("csv", "json", "md")

Exporter = Callable[[Any, Any, timedelta, str, TextIO], Awaitable[int]]

#: kind -> exporter
EXPORTERS: dict[str, Exporter] = {}


def register(kind: str, exporter: Exporter) -> Exporter:
    EXPORTERS[kind] = exporter
    return exporter


def _md_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _csv_cell(value: object) -> object:
    """Keep spreadsheets from running a cell as a formula (CSV injection): a leading ``'``, which a
    spreadsheet shows as text. A value that itself begins with ``'`` gets one too, so that ``cmcc
    import`` can take exactly one off again (feeds.importers.columns.unquote_cell)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r", "'") and not _is_number(value):
        return "'" + value
    return "" if value is None else value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


async def write_records(out: TextIO, fmt: str, columns: Sequence[str],
                        batches: AsyncIterable[Sequence[dict]], *, title: str = "") -> int:
    """Write dict records (only ``columns``, in order) as csv, json (a list) or md (a table)."""
    if fmt not in FORMATS:
        raise ValueError(f"{fmt!r} is not an export format ({', '.join(FORMATS)})")
    written = 0
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
    elif fmt == "json":
        out.write("[")
    else:
        if title:
            out.write(f"# {_md_cell(title)}\n\n")
        out.write("| " + " | ".join(columns) + " |\n")
        out.write("|" + "|".join("---" for _ in columns) + "|\n")
    async for batch in batches:
        for record in batch:
            if fmt == "csv":
                writer.writerow([_csv_cell(record.get(c)) for c in columns])
            elif fmt == "json":
                out.write(("\n" if not written else ",\n")
                          + json.dumps({c: record.get(c) for c in columns}, ensure_ascii=False))
            else:
                out.write("| " + " | ".join(_md_cell(record.get(c)) for c in columns) + " |\n")
            written += 1
    if fmt == "json":
        out.write("\n]\n" if written else "]\n")
    return written


# Exporters register themselves on import.
from console.exporting import aid  # noqa: E402,F401
from console.exporting import incidents  # noqa: E402,F401
from console.exporting import roster  # noqa: E402,F401
