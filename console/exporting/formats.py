"""What every exporter shares: the formats, and ``write_records``, which writes an exporter's rows
as csv, json or md (an exporter only chooses the columns and yields rows)."""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterable, Sequence
from typing import TextIO

FORMATS = ("csv", "json", "md")


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
