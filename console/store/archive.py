"""Retention: headlines older than a cutoff move to an archive database file.

The live database stays small; the archive file (by default beside it,
``<db stem>-archive.db``) holds the old headlines with their own full-text
index, and ``HeadlineRepository.search`` reads it too (results marked
``archived``).

The move is made in an order that loses nothing if the process is killed at
any point, and a re-run finishes the job:

1. **copy**: a connection on the archive file attaches the live database and
   copies the candidates in one transaction (``INSERT OR IGNORE``: rows
   already there from an interrupted run are skipped). It writes only the
   archive, so consoles and the poller keep writing to the live file meanwhile.
2. **verify**: every candidate must now be in the archive, or nothing is deleted.
3. **delete**: one transaction on the live database removes exactly the
   verified rows and writes one journal row (count, cutoff, archive path),
   which is also what makes every console's Headlines pane reload.

Candidates: published before the cutoff, not linked to an incident (a link
must not dangle), and never the newest headline (so SQLite never hands out an
archived headline's id to a new one). Headlines that arrive during the move
have higher ids than the bound taken at the start and are left alone.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiosqlite

from console.model.access import Actor, Permission
from console.model.errors import StoreError
from console.model.journal import Entity
from console.dtg import utc_now
from console.store.database import BUSY_TIMEOUT_MS, Database
from console.store.guard import require
from console.store.journal import record
from console.store.rows import to_iso, value_in

COLUMNS = ("id, feed_id, source, title, link, summary, guid, dedup_key, published_at, fetched_at, read,"
           " watch_hits, releasability")

ARCHIVE_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS headlines (
        id            INTEGER PRIMARY KEY,
        feed_id       INTEGER,
        source        TEXT NOT NULL,
        title         TEXT NOT NULL,
        link          TEXT NOT NULL DEFAULT '',
        summary       TEXT NOT NULL DEFAULT '',
        guid          TEXT NOT NULL DEFAULT '',
        dedup_key     TEXT NOT NULL,
        published_at  TEXT NOT NULL,
        fetched_at    TEXT NOT NULL,
        read          INTEGER NOT NULL DEFAULT 0,
        watch_hits    TEXT NOT NULL DEFAULT '',
        releasability TEXT NOT NULL DEFAULT 'ALL',
        archived_at   TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS headlines_published ON headlines (published_at DESC)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS headlines_fts USING fts5 (title, summary, content='headlines',"
    " content_rowid='id')",
    """CREATE TRIGGER IF NOT EXISTS headlines_fts_insert AFTER INSERT ON headlines BEGIN
        INSERT INTO headlines_fts (rowid, title, summary) VALUES (new.id, new.title, new.summary);
    END""",
)

#: The candidates, in the live schema ``{s}`` ('main' or 'live'), up to ``:bound`` (exclusive).
_CANDIDATES = ("{s}.headlines.published_at < :cutoff AND {s}.headlines.id < :bound"
               " AND {s}.headlines.id NOT IN (SELECT other_id FROM {s}.incident_links WHERE other_kind = 'headline')")


def archive_path_for(database_path: str | Path) -> Path:
    """The default archive file: ``<db stem>-archive.db`` beside the database."""
    path = Path(database_path)
    return path.with_name(f"{path.stem}-archive.db")


@dataclass(frozen=True)
class ArchiveResult:
    moved: int  # deleted from the live database (now only in the archive)
    copied: int  # newly written to the archive by this run (0 when a re-run finds them there)
    cutoff: datetime
    archive: Path


async def _connect_archive(path: Path) -> aiosqlite.Connection:
    try:
        conn = await aiosqlite.connect(path, isolation_level=None)
    except Exception as error:  # noqa: BLE001 - sqlite3.Error or OSError: one line for the operator
        raise StoreError(f"cannot open the archive {path}: {error}") from None
    try:
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await conn.execute("PRAGMA journal_mode = WAL")  # consoles search it while a move writes
        await conn.execute("PRAGMA synchronous = FULL")
        for statement in ARCHIVE_SCHEMA:
            await conn.execute(statement)
    except sqlite3.DatabaseError as error:
        # closed, or its thread (not a daemon) keeps the process from ever exiting
        await conn.close()
        raise StoreError(f"{path} is not an archive of cmcc headlines: {error}"
                         " (name a new file, or one an earlier archive made)") from None
    return conn


async def _scalar(conn: aiosqlite.Connection, sql: str, params: dict[str, Any]) -> int:
    return int(await value_in(conn, sql, params) or 0)


async def copy_to_archive(live: Path, archive: Path, cutoff: datetime) -> tuple[int, int, int]:
    """Steps 1 and 2: copy the candidates (one transaction) and verify; returns (bound, candidates, copied)."""
    conn = await _connect_archive(archive)
    try:
        await conn.execute("ATTACH DATABASE ? AS live", (str(live),))
        # The newest headline stays live; anything newer than it now arrives after the bound.
        bound = await _scalar(conn, "SELECT coalesce(max(id), 0) FROM live.headlines", {})
        params: dict[str, Any] = {"cutoff": to_iso(cutoff), "bound": bound}
        candidates = _CANDIDATES.format(s="live")
        await conn.execute("BEGIN")  # deferred: the archive is written, the live file is only read
        try:
            cursor = await conn.execute(
                f"INSERT OR IGNORE INTO main.headlines ({COLUMNS}, archived_at)"
                f" SELECT {COLUMNS}, :now FROM live.headlines WHERE {candidates}",
                {**params, "now": to_iso(utc_now())})
            copied = max(0, cursor.rowcount)
            await conn.execute("COMMIT")
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
        total = await _scalar(conn, f"SELECT count(*) FROM live.headlines WHERE {candidates}", params)
        missing = await _scalar(
            conn, f"SELECT count(*) FROM live.headlines WHERE {candidates}"
                  " AND NOT EXISTS (SELECT 1 FROM main.headlines a WHERE a.id = live.headlines.id)", params)
        if missing:
            raise StoreError(f"archive check failed: {missing} of {total} headlines are not in {archive};"
                             " nothing was deleted")
        await conn.execute("DETACH DATABASE live")
        return bound, total, copied
    finally:
        await conn.close()


async def delete_archived(database: Database, actor: Actor, cutoff: datetime, bound: int, archive: Path) -> int:
    """Step 3: remove the verified rows from the live database, with one journal row; returns how many."""
    params = {"cutoff": to_iso(cutoff), "bound": bound}
    async with database.write(actor) as (conn, actor):
        require(actor, Permission.MANAGE_FEEDS, "archive headlines")
        cursor = await conn.execute(f"DELETE FROM headlines WHERE {_CANDIDATES.format(s='main')}", params)
        moved = max(0, cursor.rowcount)
        if moved:
            await record(conn, actor, Entity.HEADLINE, None, "archive",
                         {"count": moved, "cutoff": to_iso(cutoff), "archive": str(archive)})
    return moved


async def archive_headlines(database: Database, actor: Actor, cutoff: datetime,
                            archive: str | Path | None = None) -> ArchiveResult:
    """Move the headlines published before ``cutoff`` to the archive file (see the module docstring)."""
    require(actor, Permission.MANAGE_FEEDS, "archive headlines")  # before copying; judged again when deleting
    path = Path(archive).expanduser() if archive else archive_path_for(database.path)
    if path.resolve() == Path(database.path).resolve():
        raise StoreError("the archive must be another file than the live database")
    bound, total, copied = await copy_to_archive(Path(database.path), path, cutoff)
    moved = await delete_archived(database, actor, cutoff, bound, path) if total else 0
    return ArchiveResult(moved=moved, copied=copied, cutoff=cutoff, archive=path)


def archive_search_query(where: str) -> str:
    """The archive's full-text search: newest stored first, the FTS index walked backwards to LIMIT."""
    columns = ", ".join(f"h.{c.strip()}" for c in COLUMNS.split(","))
    return (f"SELECT {columns} FROM headlines_fts JOIN headlines h ON h.id = headlines_fts.rowid"
            f" WHERE headlines_fts MATCH :query AND {where} ORDER BY headlines_fts.rowid DESC LIMIT :limit")


async def search_archive_file(path: Path, query: str, where: str, params: dict[str, Any],
                              limit: int) -> list[sqlite3.Row]:
    """Rows of the archive file matching an FTS ``query`` (read-only; [] when there is no archive)."""
    if not path.exists():
        return []
    try:
        conn = await aiosqlite.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True, isolation_level=None)
    except Exception:  # noqa: BLE001 - an unreadable archive hides archived results, never the live ones
        return []
    try:
        await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.row_factory = aiosqlite.Row
        async with conn.execute(archive_search_query(where), {**params, "query": query, "limit": limit}) as cursor:
            return list(await cursor.fetchall())
    except Exception:  # noqa: BLE001 - e.g. a file that is not an archive
        return []
    finally:
        await conn.close()
