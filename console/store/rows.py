"""Conversions between SQLite values and domain values, and the row-level rules every repository shares
(what an actor may see, where a record comes from, the one row a write is about)."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timezone

import aiosqlite

from console.domain import RELEASABLE_TO_ALL, Actor, StoreError


def to_iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def from_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def to_date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def visible_to(actor: Actor, column: str = "releasability") -> tuple[str, dict]:
    """A WHERE fragment: rows whose marking releases them to the actor's nation."""
    if actor.nation == RELEASABLE_TO_ALL:
        return "1", {}
    return (
        f"({column} = 'ALL' OR instr(',' || {column} || ',', ',' || :viewer_nation || ',') > 0)",
        {"viewer_nation": actor.nation},
    )


def origin_of(actor: Actor) -> str:
    """The nation a new record comes from; none for the system (feeds, inbox), whose records
    only a watch officer may widen."""
    return "" if actor.nation == RELEASABLE_TO_ALL else actor.nation


async def row_in(conn: aiosqlite.Connection, sql: str, params, missing: str) -> sqlite3.Row:
    """The one row ``sql`` selects, read inside the caller's open transaction (the row its write
    will change, as it is now); ``StoreError(missing)`` if there is none."""
    async with conn.execute(sql, params) as cursor:
        cursor.row_factory = sqlite3.Row
        row = await cursor.fetchone()
    if row is None:
        raise StoreError(missing)
    return row


async def visible_row_in(conn: aiosqlite.Connection, actor: Actor, select: str, key_column: str, key: int,
                         what: str, column: str = "releasability") -> sqlite3.Row:
    """``row_in`` for ``select ... WHERE key_column = key``, only if its marking releases it to ``actor``."""
    clause, params = visible_to(actor, column)
    params["key"] = key
    return await row_in(conn, f"{select} WHERE {key_column} = :key AND {clause}", params,
                        f"{what} {key} does not exist or is not releasable to you")
