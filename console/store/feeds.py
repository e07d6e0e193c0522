"""The feed registry, each feed's health, and the inbox file ledger.

Health (``record_success`` / ``record_failure``) is operational state, but
other consoles show it, so each update writes a journal row (``feed``,
``health``). Header values are never stored here: ``header_env`` only names
the environment variables the poller reads at poll time, and the journal
records header *names* only.
"""

from __future__ import annotations

import builtins
import re
import sqlite3
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import aiosqlite

from console.model.access import Actor, Permission
from console.model.errors import StoreError, ValidationError
from console.model.headlines import Feed
from console.model.journal import Entity
from console.dtg import utc_now
from console.sanitize import clean_line
from console.store.database import Database
from console.store.guard import require
from console.store.journal import record
from console.store.rows import from_iso, inserted_id, to_iso

MIN_INTERVAL_SECONDS = 5
MAX_INTERVAL_SECONDS = 7 * 24 * 3600
MAX_NAME_CHARS = 64
MAX_URL_CHARS = 2000
MAX_ERROR_CHARS = 300

_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")

_COLUMNS = (
    "id, name, url, interval_seconds, enabled, header_env, keywords, last_success_at, last_error_at,"
    " last_error, consecutive_failures, next_poll_at, items_seen, etag, last_modified, health_note"
)


def parse_header_env(spec: str) -> list[tuple[str, str]]:
    """``"X-Api-Key=ENV;Accept=ENV2"`` -> [(header, env var)]; ValueError naming the bad pair."""
    pairs = []
    for part in spec.split(";"):
        part = part.strip()
        if not part:
            continue
        header, sep, env = part.partition("=")
        header, env = header.strip(), env.strip()
        if not sep or not _HEADER_NAME.match(header) or not _ENV_NAME.match(env):
            raise ValueError(
                f"{clean_line(part, max_chars=80)!r} is not Header-Name=ENV_VAR "
                "(the value is read from that environment variable at poll time)"
            )
        pairs.append((header, env))
    return pairs


def parse_keywords(text: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    items = text.split(",") if isinstance(text, str) else list(text)
    seen: dict[str, str] = {}
    for item in items:
        word = clean_line(item, max_chars=64)
        if word and word.lower() not in seen:
            seen[word.lower()] = word
    return tuple(seen.values())


def validate_url(url: str) -> str:
    """An http(s) URL with a host, a file:// URL, or a filesystem path. Returns it cleaned."""
    url = clean_line(url, max_chars=MAX_URL_CHARS + 1)
    if not url:
        raise ValueError("enter a URL (http:// or https://) or a file path")
    if len(url) > MAX_URL_CHARS:
        raise ValueError(f"longer than {MAX_URL_CHARS} characters")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        if not parts.hostname:
            raise ValueError(f"{url!r} has no host")
        return url
    if scheme == "file":
        if not parts.path:
            raise ValueError(f"{url!r} names no file")
        return url
    if scheme and len(scheme) > 1:  # 'c:' style drive letters are paths
        raise ValueError(f"{scheme}: is not supported; use http://, https://, file:// or a path")
    if " " in url.strip() and not Path(url).exists():
        raise ValueError(f"{url!r} is neither a URL nor a file path")
    return url


def _feed_from_row(row: sqlite3.Row) -> Feed:
    return Feed(
        id=row["id"], name=row["name"], url=row["url"], interval_seconds=row["interval_seconds"],
        enabled=bool(row["enabled"]), header_env=row["header_env"],
        keywords=tuple(k for k in row["keywords"].split(",") if k),
        last_success_at=from_iso(row["last_success_at"]), last_error_at=from_iso(row["last_error_at"]),
        last_error=row["last_error"], consecutive_failures=row["consecutive_failures"],
        next_poll_at=from_iso(row["next_poll_at"]), items_seen=row["items_seen"],
        etag=row["etag"], last_modified=row["last_modified"], health_note=row["health_note"],
    )


class FeedRepository:
    def __init__(self, database: Database):
        self.database = database

    # --- reads --------------------------------------------------------------

    async def list(self) -> list[Feed]:
        rows = await self.database.fetchall(f"SELECT {_COLUMNS} FROM feeds ORDER BY name")
        return [_feed_from_row(r) for r in rows]

    async def get(self, feed_id: int) -> Feed | None:
        row = await self.database.fetchone(f"SELECT {_COLUMNS} FROM feeds WHERE id = ?", (feed_id,))
        return _feed_from_row(row) if row else None

    async def get_by_name(self, name: str) -> Feed | None:
        row = await self.database.fetchone(f"SELECT {_COLUMNS} FROM feeds WHERE name = ?", (name,))
        return _feed_from_row(row) if row else None

    async def due(self, now: datetime) -> builtins.list[Feed]:  # builtins: ``list`` is a method here
        """Enabled feeds never polled or whose next poll time has come, most overdue first."""
        rows = await self.database.fetchall(
            f"SELECT {_COLUMNS} FROM feeds WHERE enabled = 1 AND (next_poll_at IS NULL OR next_poll_at <= ?)"
            " ORDER BY next_poll_at IS NOT NULL, next_poll_at, id",
            (to_iso(now),),
        )
        return [_feed_from_row(r) for r in rows]

    # --- registry -----------------------------------------------------------

    def validate(self, feed: Feed) -> Feed:
        """The feed cleaned, or ValidationError naming every bad field."""
        errors: dict[str, str] = {}
        name = clean_line(feed.name, max_chars=MAX_NAME_CHARS + 1)
        if not name:
            errors["name"] = "enter a name"
        elif len(name) > MAX_NAME_CHARS:
            errors["name"] = f"at most {MAX_NAME_CHARS} characters"
        url = feed.url
        try:
            url = validate_url(feed.url)
        except ValueError as error:
            errors["url"] = str(error)
        interval = feed.interval_seconds
        if not isinstance(interval, int) or isinstance(interval, bool) or interval < MIN_INTERVAL_SECONDS:
            errors["interval"] = f"at least {MIN_INTERVAL_SECONDS} seconds"
        elif interval > MAX_INTERVAL_SECONDS:
            errors["interval"] = "at most 7 days"
        header_env = feed.header_env.strip()
        try:
            pairs = parse_header_env(header_env)
            header_env = ";".join(f"{h}={e}" for h, e in pairs)
        except ValueError as error:
            errors["header"] = str(error)
        keywords = parse_keywords(feed.keywords)
        if errors:
            raise ValidationError(errors)
        return Feed(name=name, url=url, interval_seconds=interval, enabled=feed.enabled,
                    header_env=header_env, keywords=keywords)

    async def add(self, actor: Actor, feed: Feed) -> Feed:
        feed = self.validate(feed)
        async with self.database.write(actor) as (conn, actor):
            require(actor, Permission.MANAGE_FEEDS, "add feeds")
            async with conn.execute("SELECT 1 FROM feeds WHERE name = ?", (feed.name,)) as cursor:
                if await cursor.fetchone():
                    raise ValidationError({"name": f"a feed named {feed.name!r} already exists"})
            cursor = await conn.execute(
                "INSERT INTO feeds (name, url, interval_seconds, enabled, header_env, keywords)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (feed.name, feed.url, feed.interval_seconds, int(feed.enabled), feed.header_env,
                 ",".join(feed.keywords)),
            )
            feed_id = inserted_id(cursor)
            await record(conn, actor, Entity.FEED, feed_id, "add", {
                "name": feed.name, "url": feed.url, "interval_seconds": feed.interval_seconds,
                "enabled": feed.enabled, "keywords": ",".join(feed.keywords),
                # header names only: never values, which live in the environment
                "headers": ",".join(h for h, _ in parse_header_env(feed.header_env)),
                "header_env": feed.header_env,  # header=ENV_VAR names: the values stay in the environment
            })
        added = await self.get(feed_id)
        assert added is not None
        return added

    async def _require_named(self, conn: aiosqlite.Connection, name: str) -> int:
        async with conn.execute("SELECT id FROM feeds WHERE name = ?", (name,)) as cursor:
            row = await cursor.fetchone()
        if row is None:
            raise StoreError(f"no feed named {clean_line(name, max_chars=80)!r}")
        return int(row[0])

    async def remove(self, actor: Actor, name: str) -> None:
        """Forget a feed. Its headlines stay (their feed_id becomes NULL)."""
        async with self.database.write(actor) as (conn, actor):
            require(actor, Permission.MANAGE_FEEDS, "remove feeds")
            feed_id = await self._require_named(conn, name)
            await conn.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))
            await record(conn, actor, Entity.FEED, feed_id, "remove", {"name": name})

    async def set_enabled(self, actor: Actor, name: str, enabled: bool) -> None:
        async with self.database.write(actor) as (conn, actor):
            require(actor, Permission.MANAGE_FEEDS, "enable or disable feeds")
            feed_id = await self._require_named(conn, name)
            # Enabling makes the feed due at once; the backoff starts over.
            await conn.execute(
                "UPDATE feeds SET enabled = ?, next_poll_at = CASE WHEN ? THEN NULL ELSE next_poll_at END"
                " WHERE id = ?",
                (int(enabled), int(enabled), feed_id),
            )
            await record(conn, actor, Entity.FEED, feed_id, "enable" if enabled else "disable",
                         {"name": name, "enabled": enabled})

    async def retarget(self, actor: Actor, name: str, url: str, *, interval_seconds: int | None = None,
                       enabled: bool = True) -> Feed:
        """Point a feed at another URL (the demo's simulator moves port each run): due at once, health reset."""
        current = await self.get_by_name(name)
        if current is None:
            raise StoreError(f"no feed named {clean_line(name, max_chars=80)!r}")
        feed = self.validate(Feed(name=name, url=url, enabled=enabled, header_env=current.header_env,
                                  keywords=current.keywords,
                                  interval_seconds=current.interval_seconds if interval_seconds is None
                                  else interval_seconds))
        async with self.database.write(actor) as (conn, actor):
            require(actor, Permission.MANAGE_FEEDS, "change feeds")
            feed_id = await self._require_named(conn, name)
            await conn.execute(
                "UPDATE feeds SET url = ?, interval_seconds = ?, enabled = ?, next_poll_at = NULL, etag = '',"
                " last_modified = '', consecutive_failures = 0 WHERE id = ?",
                (feed.url, feed.interval_seconds, int(feed.enabled), feed_id),
            )
            await record(conn, actor, Entity.FEED, feed_id, "edit", {
                "name": name, "url": feed.url, "interval_seconds": feed.interval_seconds, "enabled": feed.enabled,
                "consecutive_failures": 0})
        changed = await self.get(feed_id)
        assert changed is not None
        return changed

    # --- health (written by the poller, as the system) -------------------------

    async def record_success(self, feed_id: int, *, etag: str | None, last_modified: str | None,
                             new_items: int, next_poll_at: datetime, actor: Actor | None = None,
                             note: str = "") -> None:
        from console.model.access import SYSTEM_ACTOR

        now = to_iso(utc_now())
        async with self.database.transaction() as conn:
            async with conn.execute("SELECT consecutive_failures FROM feeds WHERE id = ?", (feed_id,)) as cursor:
                before = await cursor.fetchone()
            if before is None:
                return  # removed while it was being polled
            await conn.execute(
                "UPDATE feeds SET last_success_at = ?, consecutive_failures = 0, next_poll_at = ?,"
                " items_seen = items_seen + ?, etag = ?, last_modified = ?, health_note = ? WHERE id = ?",
                (now, to_iso(next_poll_at), int(new_items), _ascii_validator(etag, 300),
                 _ascii_validator(last_modified, 100), clean_line(note, max_chars=MAX_ERROR_CHARS), feed_id),
            )
            # A quiet, healthy poll is not news: journal only new items or a recovery, so the
            # watch log and the journal are not flooded by one row per feed every few seconds.
            if not new_items and not before[0]:
                return
            await record(conn, actor or SYSTEM_ACTOR, Entity.FEED, feed_id, "health", {
                "ok": True, "new_items": int(new_items), "consecutive_failures": 0,
                "next_poll_at": to_iso(next_poll_at),
            })

    async def record_failure(self, feed_id: int, *, error: str, next_poll_at: datetime,
                             actor: Actor | None = None) -> None:
        from console.model.access import SYSTEM_ACTOR

        now = to_iso(utc_now())
        error = clean_line(error, max_chars=MAX_ERROR_CHARS) or "unknown error"
        async with self.database.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE feeds SET last_error_at = ?, last_error = ?, consecutive_failures = consecutive_failures + 1,"
                " next_poll_at = ? WHERE id = ? RETURNING consecutive_failures",
                (now, error, to_iso(next_poll_at), feed_id),
            )
            row = await cursor.fetchone()
            await cursor.close()
            if row is None:
                return
            await record(conn, actor or SYSTEM_ACTOR, Entity.FEED, feed_id, "health", {
                "ok": False, "error": error, "consecutive_failures": int(row[0]),
                "next_poll_at": to_iso(next_poll_at),
            })


def _ascii_validator(value: str | None, max_chars: int) -> str:
    """A validator is sent back as a request header, which must be ASCII: anything else is not kept."""
    value = clean_line(value or "", max_chars=max_chars)
    return value if value.isascii() else ""


class InboxLedger:
    """Which inbox file contents (by sha256) were already taken, and how."""

    def __init__(self, database: Database):
        self.database = database

    async def seen(self, sha256: str) -> tuple[str, str] | None:
        """(name, outcome) of an earlier file with the same content, or None."""
        row = await self.database.fetchone(
            "SELECT name, outcome FROM inbox_files WHERE sha256 = ?", (sha256,))
        return (row["name"], row["outcome"]) if row else None

    @staticmethod
    async def record_in(conn: aiosqlite.Connection, sha256: str, name: str, *, kind: str, rows: int,
                        outcome: str) -> bool:
        """Record a file inside the caller's transaction; False if that content was already imported.

        An earlier rejection of the same content is overwritten (the rows are
        validated afresh each time); an import never is.
        """
        cursor = await conn.execute(
            "INSERT INTO inbox_files (sha256, name, kind, rows, processed_at, outcome)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (sha256) DO UPDATE SET name = excluded.name, kind = excluded.kind,"
            " rows = excluded.rows, processed_at = excluded.processed_at, outcome = excluded.outcome"
            " WHERE inbox_files.outcome <> 'imported'",
            (sha256, clean_line(name, max_chars=255), kind, rows, to_iso(utc_now()), outcome),
        )
        return cursor.rowcount == 1

    async def record(self, sha256: str, name: str, *, kind: str, rows: int, outcome: str) -> bool:
        async with self.database.transaction() as conn:
            return await self.record_in(conn, sha256, name, kind=kind, rows=rows, outcome=outcome)
