"""Headlines from feeds and the inbox: deduplicated, searchable, releasability-filtered.

``add_many`` is the hot path of ingestion: one transaction, one
``executemany`` for the rows, and one journal row per inserted headline,
written in a batch with the same hash chain ``journal.record`` builds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import aiosqlite

from console.model.access import RELEASABLE_TO_ALL, Actor, Permission, parse_releasability
from console.model.errors import StoreError
from console.model.headlines import SEARCH_COUNT_LIMIT, Headline, SearchWindow
from console.model.journal import Entity
from console.dtg import utc_now
from console.sanitize import clean_line, clean_text
from console.store.database import Database
from console.store.fts import match_expression
from console.store.guard import require
from console.store.journal import Changes, record, record_many  # noqa: F401 - record_many: older importers
from console.store.rows import moment_of, to_iso, value_in, visible_to

#: From this offset on, ``latest`` reads from whichever end of the list is nearer.
DEEP_OFFSET = 10_000
MAX_TITLE_CHARS = 500
MAX_SUMMARY_CHARS = 4000

_COLUMNS = (
    "id, feed_id, source, title, link, summary, guid, dedup_key, published_at, read, watch_hits, releasability"
)


def _headline_from_row(row: sqlite3.Row) -> Headline:
    return Headline(
        id=row["id"], feed_id=row["feed_id"], source=row["source"], title=row["title"], link=row["link"],
        summary=row["summary"], guid=row["guid"], dedup_key=row["dedup_key"],
        published_at=moment_of(row["published_at"]), read=bool(row["read"]),
        watch_hits=tuple(h for h in row["watch_hits"].split(",") if h), releasability=row["releasability"],
    )


def _row_values(headline: Headline, feed_id: int | None, fetched_at: str) -> tuple[object, ...]:
    if not headline.dedup_key:
        raise StoreError(f"headline {headline.title[:60]!r} has no dedup key")
    try:
        releasability = parse_releasability(headline.releasability or RELEASABLE_TO_ALL)
    except ValueError as error:
        raise StoreError(f"headline {headline.title[:60]!r}: {error}") from None
    return (
        feed_id if feed_id is not None else headline.feed_id,
        clean_line(headline.source, max_chars=200) or "unknown",
        clean_line(headline.title, max_chars=MAX_TITLE_CHARS) or "(untitled)",
        clean_line(headline.link, max_chars=2000),
        clean_text(headline.summary, max_chars=MAX_SUMMARY_CHARS),
        clean_line(headline.guid, max_chars=2000),
        clean_line(headline.dedup_key, max_chars=128),
        to_iso(headline.published_at),
        fetched_at,
        int(headline.read),
        ",".join(clean_line(h, max_chars=64).replace(",", " ") for h in headline.watch_hits),
        releasability,
    )


class HeadlineRepository:
    def __init__(self, database: Database):
        self.database = database

    async def add_many(self, actor: Actor, headlines: list[Headline], feed_id: int | None) -> list[int]:
        """Insert the headlines not seen before (by dedup key); return the new ids."""
        if not headlines:
            return []
        async with self.database.write(actor) as (conn, actor):
            require(actor, Permission.CREATE, "add headlines")
            return await self.insert_in(conn, actor, headlines, feed_id)

    async def insert_in(self, conn: aiosqlite.Connection, actor: Actor, headlines: Sequence[Headline],
                        feed_id: int | None) -> list[int]:
        """``add_many`` inside the caller's open transaction (the inbox imports a file in one)."""
        require(actor, Permission.CREATE, "add headlines")
        if not headlines:
            return []
        fetched_at = to_iso(utc_now())
        values = [_row_values(h, feed_id, fetched_at) for h in headlines]
        before = await value_in(conn, "SELECT coalesce(max(id), 0) FROM headlines")
        await conn.executemany(
            "INSERT OR IGNORE INTO headlines (feed_id, source, title, link, summary, guid, dedup_key,"
            " published_at, fetched_at, read, watch_hits, releasability)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            values,
        )
        # The write lock is ours: every row above the old maximum is one we just inserted.
        from console.store.journal import SEALED_COLUMNS, seal

        async with conn.execute(
            "SELECT id, feed_id, source, title, releasability, read, " + ", ".join(SEALED_COLUMNS["headline"])
            + " FROM headlines WHERE id > ? ORDER BY id",
            (before,),
        ) as cursor:
            inserted = list(await cursor.fetchall())
        entries: list[tuple[int, str, Changes]] = []
        for row_id, row_feed, source, title, releasability, read, *sealed in inserted:
            # "sealed": the digest of the columns not carried in clear (verify recomputes it)
            changes: dict[str, Any] = {"feed_id": row_feed, "source": source, "releasability": releasability,
                                       "read": read,
                                       "sealed": seal("headline", dict(zip(SEALED_COLUMNS["headline"], sealed)))}
            if releasability == RELEASABLE_TO_ALL:  # a restricted title stays out of the shared journal
                changes["title"] = title[:200]
            entries.append((row_id, "add", changes))
        await record_many(conn, actor, Entity.HEADLINE, entries)
        return [row[0] for row in inserted]

    async def latest(self, actor: Actor, limit: int = 200, offset: int = 0) -> list[Headline]:
        """Newest published first, ``limit`` from ``offset``. Past the middle of a long list the rows
        are read from the oldest end and turned round: SQLite walks every row an OFFSET skips, and
        the last window of a million headlines took ~1 s from the newest end, ~10 ms from its own."""
        if offset > DEEP_OFFSET:
            total = await self.count(actor)
            if offset > total // 2:
                limit = max(0, min(limit, total - offset))
                sql, params = self.latest_query(actor, limit, max(0, total - offset - limit), oldest_first=True)
                return [_headline_from_row(r) for r in reversed(await self.database.fetchall(sql, params))]
        sql, params = self.latest_query(actor, limit, offset)
        return [_headline_from_row(r) for r in await self.database.fetchall(sql, params)]

    async def next_unread_row(self, actor: Actor, after: Headline, text: str = "") -> int | None:
        """The row of the first unread headline after ``after`` in the order ``latest`` lists them
        (or, with ``text``, in the order ``search_window`` does), None when none follows. Two
        queries on the indexes: the headline, then how many come before it."""
        where, params = visible_to(actor, "h.releasability")
        if text:
            if not match_expression(text):
                return None
            source = ("headlines_fts JOIN headlines h ON h.id = headlines_fts.rowid"
                      f" WHERE headlines_fts MATCH :query AND {where}")
            params = {**params, "query": match_expression(text), "after": after.id or 0}
            row = await self.database.fetchone(
                f"SELECT h.id FROM {source} AND h.read = 0 AND h.id < :after"
                " ORDER BY headlines_fts.rowid DESC LIMIT 1", params)
            if row is None:
                return None
            before = await self.database.fetchone(f"SELECT count(*) FROM {source} AND h.id > :found",
                                                  {**params, "found": row[0]})
            return int(before[0]) if before else None
        params = {**params, "at": to_iso(after.published_at), "after": after.id or 0}
        row = await self.database.fetchone(
            f"SELECT h.published_at, h.id FROM headlines h WHERE {where} AND h.read = 0"
            " AND (h.published_at < :at OR (h.published_at = :at AND h.id < :after))"
            " ORDER BY h.published_at DESC, h.id DESC LIMIT 1", params)
        if row is None:
            return None
        before = await self.database.fetchone(
            f"SELECT count(*) FROM headlines h WHERE {where}"
            " AND (h.published_at > :at OR (h.published_at = :at AND h.id > :found))",
            {**params, "at": row[0], "found": row[1]})
        return int(before[0]) if before else None

    async def get(self, actor: Actor, headline_id: int) -> Headline | None:
        where, params = visible_to(actor)
        row = await self.database.fetchone(
            f"SELECT {_COLUMNS} FROM headlines WHERE id = :id AND {where}", {**params, "id": headline_id})
        return _headline_from_row(row) if row else None

    def latest_query(self, actor: Actor, limit: int = 200, offset: int = 0, *,
                     oldest_first: bool = False) -> tuple[str, dict[str, Any]]:
        where, params = visible_to(actor)
        order = "published_at, id" if oldest_first else "published_at DESC, id DESC"
        return (f"SELECT {_COLUMNS} FROM headlines WHERE {where}"
                f" ORDER BY {order} LIMIT :limit OFFSET :offset",
                {**params, "limit": max(0, int(limit)), "offset": max(0, int(offset))})

    def search_query(self, actor: Actor, text: str, limit: int = 200, offset: int = 0) -> tuple[str, dict[str, Any]]:
        """The live full-text search (for ``search`` and for EXPLAIN QUERY PLAN in the bench).

        ``ORDER BY headlines_fts.rowid DESC LIMIT``: FTS5 walks its index newest id first and
        stops at the limit (ids grow as headlines are stored). Ordering by ``published_at``
        instead sorted every match: ~190 ms for "Rafah" (67,000 matches in 1,000,000), ~520 ms
        for "aid"; now ~3 ms and ~11 ms (bench/QUERY_PLANS.md).
        """
        where, params = visible_to(actor, "h.releasability")
        columns = ", ".join(f"h.{c.strip()}" for c in _COLUMNS.split(","))
        return (f"SELECT {columns} FROM headlines_fts JOIN headlines h ON h.id = headlines_fts.rowid"
                f" WHERE headlines_fts MATCH :query AND {where}"
                " ORDER BY headlines_fts.rowid DESC LIMIT :limit OFFSET :offset",
                {**params, "query": match_expression(text), "limit": max(0, int(limit)),
                 "offset": max(0, int(offset))})

    async def search_count(self, actor: Actor, text: str, at_most: int) -> int:
        """How many live headlines ``search`` would find without a limit, counted up to ``at_most``
        (a common word matches most of a million headlines: counting them all took ~150 ms)."""
        if not match_expression(text):
            return 0
        where, params = visible_to(actor, "h.releasability")
        row = await self.database.fetchone(
            "SELECT count(*) FROM (SELECT 1 FROM headlines_fts JOIN headlines h ON h.id = headlines_fts.rowid"
            f" WHERE headlines_fts MATCH :query AND {where} LIMIT :at_most)",
            {**params, "query": match_expression(text), "at_most": max(0, int(at_most))})
        return int(row[0]) if row else 0

    async def search_window(self, actor: Actor, text: str, *, offset: int, limit: int) -> SearchWindow:
        """Matches ``offset`` to ``offset + limit`` of a search, most recently stored first, and how many
        there are, counted up to ``SEARCH_COUNT_LIMIT`` past the window (so the further the window,
        the further the count: the list grows as the operator goes down it). As with ``search``,
        when every live match fits in the window the archive file's matches follow them (and are
        counted)."""
        at_most = offset + limit + SEARCH_COUNT_LIMIT
        total = await self.search_count(actor, text, at_most=at_most)
        if total >= limit:
            sql, params = self.search_query(actor, text, limit, offset)
            rows = [_headline_from_row(r) for r in await self.database.fetchall(sql, params)]
            return SearchWindow(rows, total, complete=total < at_most)
        sql, params = self.search_query(actor, text, limit)
        found = [_headline_from_row(r) for r in await self.database.fetchall(sql, params)]
        live_ids = {h.id for h in found}
        found += [h for h in await self.search_archive(actor, text, limit=limit) if h.id not in live_ids]
        found = found[:limit]
        return SearchWindow(found[offset:], len(found), complete=True)

    async def search(self, actor: Actor, text: str, limit: int = 200, *, archive: bool = True) -> list[Headline]:
        """Headlines whose title or summary hold every word of ``text``: the most recently stored
        ``limit`` matches, newest published first. When the live database has fewer than
        ``limit``, the archive file (``cmcc archive``) fills the rest, marked ``archived``."""
        if not match_expression(text):  # every word quoted: no input can raise
            return []
        sql, params = self.search_query(actor, text, limit)
        found = [_headline_from_row(r) for r in await self.database.fetchall(sql, params)]
        if archive and len(found) < limit:
            live_ids = {h.id for h in found}
            older = await self.search_archive(actor, text, limit=limit)
            found += [h for h in older if h.id not in live_ids][: limit - len(found)]
        return sorted(found, key=lambda h: (h.published_at, h.id or 0), reverse=True)

    async def search_archive(self, actor: Actor, text: str, limit: int = 200) -> list[Headline]:
        """Matches in the archive file beside the database (none when there is no archive)."""
        from console.store.archive import archive_path_for, search_archive_file

        query = match_expression(text)
        if not query:
            return []
        where, params = visible_to(actor, "h.releasability")
        rows = await search_archive_file(archive_path_for(self.database.path), query, where, params,
                                         max(0, int(limit)))
        return [replace(_headline_from_row(r), archived=True) for r in rows]

    async def mark_read(self, actor: Actor, headline_id: int, read: bool = True) -> None:
        where, params = visible_to(actor)
        async with self.database.write(actor) as (conn, actor):
            require(actor, Permission.EDIT, "mark headlines read")
            cursor = await conn.execute(
                f"UPDATE headlines SET read = :read WHERE id = :id AND {where}",
                {**params, "read": int(read), "id": headline_id},
            )
            if cursor.rowcount == 0:
                raise StoreError(f"no headline {headline_id}")
            await record(conn, actor, Entity.HEADLINE, headline_id, "read", {"read": bool(read)})

    async def count(self, actor: Actor) -> int:
        """Headlines visible to ``actor``: from the counts per marking that triggers keep
        (migration 012), not a count of the headlines themselves."""
        where, params = visible_to(actor)
        row = await self.database.fetchone(f"SELECT coalesce(sum(n), 0) FROM headline_counts WHERE {where}", params)
        return int(row[0]) if row else 0
