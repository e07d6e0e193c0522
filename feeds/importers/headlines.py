"""``cmcc import headlines FILE``: headlines from CSV, NDJSON or JSON, checked as the inbox checks
``headlines-*.csv`` (``feeds.inbox.validate_headlines``, which also registers the inbox's kind).

Columns (header names, any case): ``title`` (required), ``published`` (``published_at``; ISO 8601,
default: now), ``link`` (http or https), ``summary``, ``source`` (default ``inbox:FILE``), ``guid``
(``id``), ``releasability``. Other columns are not read, as in the inbox.

Idempotence: a headline is known by its guid, else its link, else its title and time (the feeds'
dedup key); one already stored is counted as already present, so importing the same file twice
changes nothing. Written in short transactions (console/store/batches.py).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from console.domain import Actor, Headline
from feeds.importers.columns import read_for_import, set_aside_bad_rows
from feeds.inbox import ImportContext, Row, RowErrors, validate_headlines

if TYPE_CHECKING:
    from console.store import Store
    from console.store.database import Connection

KIND = "headlines"


class _Problems(RowErrors):
    """RowErrors that also keeps each problem as (column, message), for the import's report."""

    def __init__(self) -> None:
        super().__init__()
        self.pairs: list[tuple[str, str]] = []

    def add(self, where: str, field_name: str, message: str) -> None:
        super().add(where, field_name, message)
        self.pairs.append((field_name, message))


@dataclass(frozen=True)
class CheckedRow:
    row: Row
    headline: Headline | None
    problems: tuple[tuple[str, str], ...]  # (column, message)


def check_headline_rows(rows: list[Row], context: ImportContext) -> list[CheckedRow]:
    """Every row checked on its own with the inbox's rules (no I/O)."""
    checked = []
    for row in rows:
        problems = _Problems()
        headlines = validate_headlines([row], context, problems)
        checked.append(CheckedRow(row, headlines[0] if headlines and not problems else None, tuple(problems.pairs)))
    return checked


async def import_text(store: Store, actor: Actor, path: Path, text: str, *, skip_invalid: bool = False,
                      reject_file: Path | None = None, out: TextIO | None = None,
                      err: TextIO | None = None) -> int:
    """``cmcc import headlines``: the aid import's rules (see ``feeds.importers.aid.import_text``).

    Returns the exit status: 0 imported, 1 when bad rows (or an unreadable file) stopped it.
    """
    from console.domain import Permission
    from console.store.batches import write_in_batches
    from console.store.guard import require

    out, err = out or sys.stdout, err or sys.stderr
    require(actor, Permission.CREATE, "import headlines")
    rows = read_for_import(path, text, err)
    if rows is None:
        return 1
    checked = check_headline_rows(rows, ImportContext(path.name, actor))
    set_aside = set_aside_bad_rows(path, text, checked, skip_invalid=skip_invalid, reject_file=reject_file, err=err)
    if set_aside is None:
        return 1
    bad, reject_file = set_aside
    headlines = [c.headline for c in checked if c.headline is not None]

    async def write(conn: Connection, acting: Actor, batch: Sequence[Headline]) -> int:
        return len(await store.headlines.insert_in(conn, acting, batch, None))

    inserted = sum(await write_in_batches(store.database, actor, headlines, write))
    summary = f"{inserted} imported, {len(headlines) - inserted} already present"
    if bad:
        summary += f", {len(bad)} invalid rows written to {reject_file}"
    print(summary, file=out)
    return 0
