"""``cmcc import headlines FILE``: headlines from CSV, NDJSON or JSON, checked as the inbox checks
``headlines-*.csv`` (``validate_headlines``, also the inbox's importer of the kind: ``IMPORTER``).

Columns (header names, any case): ``title`` (required), ``published`` (``published_at``; ISO 8601,
default: now), ``link`` (http or https), ``summary``, ``source`` (default ``inbox:FILE``), ``guid``
(``id``), ``releasability``. Other columns are not read, as in the inbox.

Idempotence: a headline is known by its guid, else its link, else its title and time (the feeds'
dedup key); one already stored is counted as already present, so importing the same file twice
changes nothing. Written in short transactions (console/store/batches.py).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from console.model.access import Actor, parse_releasability
from console.model.headlines import Headline
from console.dtg import utc_now
from console.sanitize import clean_line
from feeds import limits
from feeds.importers.base import Importer, ImportContext, RowErrors
from feeds.importers.columns import read_for_import, set_aside_bad_rows
from feeds.parse import clean_summary, clean_title, dedup_key, parse_date
from feeds.readers import Row

if TYPE_CHECKING:
    from console.store import Store
    from console.store.database import Connection

KIND = "headlines"


# --- the inbox's importer (``headlines-*.csv``) -------------------------------------------


def _text(row: Row, key: str, errors: RowErrors, *, required: bool = False) -> str:
    value = row.fields.get(key)
    if value is None or value == "":
        if required:
            errors.add(row.where, key, "missing")
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        errors.add(row.where, key, "must be text")
        return ""
    return str(value)


def validate_headlines(rows: list[Row], context: ImportContext, errors: RowErrors) -> list[Headline]:
    fetched = utc_now().replace(microsecond=0)
    default_source = clean_line(f"inbox:{context.file_name}", max_chars=limits.MAX_SOURCE_CHARS)
    headlines = []
    for row in rows:
        before = len(errors.items)
        title = clean_title(_text(row, "title", errors, required=True))
        if not title and row.fields.get("title") not in (None, ""):
            errors.add(row.where, "title", "empty once markup and control characters are removed")
        raw_when = _text(row, "published", errors) or _text(row, "published_at", errors)
        published = parse_date(raw_when) if raw_when else None
        if raw_when and published is None:
            errors.add(row.where, "published", f"{clean_line(raw_when, max_chars=40)!r} is not a date"
                       " (use ISO 8601, e.g. 2025-11-25T10:36:00Z)")
        link = clean_line(_text(row, "link", errors), max_chars=limits.MAX_LINK_CHARS + 1)
        if len(link) > limits.MAX_LINK_CHARS:
            errors.add(row.where, "link", f"longer than {limits.MAX_LINK_CHARS} characters")
        if link and not re.match(r"^https?://", link, re.IGNORECASE):
            errors.add(row.where, "link", "must start with http:// or https://")
        releasability = "ALL"
        raw_marking = _text(row, "releasability", errors)
        if raw_marking:
            try:
                releasability = parse_releasability(raw_marking)
            except ValueError as error:
                errors.add(row.where, "releasability", str(error))
        guid = clean_line(_text(row, "guid", errors) or _text(row, "id", errors), max_chars=limits.MAX_LINK_CHARS)
        source = clean_line(_text(row, "source", errors), max_chars=limits.MAX_SOURCE_CHARS) or default_source
        summary = clean_summary(_text(row, "summary", errors))
        if len(errors.items) > before:
            continue
        headlines.append(Headline(
            title=title, published_at=published or fetched, source=source, link=link, summary=summary,
            guid=guid, dedup_key=dedup_key(guid, link, title, published), releasability=releasability,
        ))
    return headlines


async def write_headlines(store: Store, conn: Connection, actor: Actor, headlines: list[Headline]) -> int:
    return len(await store.headlines.insert_in(conn, actor, headlines, None))


IMPORTER = Importer(KIND, validate_headlines, write_headlines, idempotent=True)


# --- cmcc import headlines --------------------------------------------------------------


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
    from console.model.access import Permission
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
