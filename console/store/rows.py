"""Conversions between SQLite values and domain values, and the row-level rules every repository shares
(what an actor may see, where a record comes from, the one row a write is about)."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timezone
from typing import Any, Protocol, TypeAlias, overload

import aiosqlite

from console.model.access import RELEASABLE_TO_ALL, Actor
from console.model.errors import StoreError


#: The parameters of one statement: positional (``?``) or named (``:name``).
Params: TypeAlias = Sequence[Any] | Mapping[str, Any]


@overload
def to_iso(moment: datetime) -> str: ...


@overload
def to_iso(moment: None) -> None: ...


@overload
def to_iso(moment: datetime | None) -> str | None: ...


def to_iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def from_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def moment_of(text: str) -> datetime:
    """A NOT NULL time column: ``from_iso`` that never gives None."""
    return datetime.fromisoformat(text)


def to_date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def day_of(text: str) -> date:
    """A NOT NULL date column: ``to_date`` that never gives None."""
    return date.fromisoformat(text)


def visible_to(actor: Actor, column: str = "releasability") -> tuple[str, dict[str, Any]]:
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


class _Record(Protocol):
    @property
    def id(self) -> int | None: ...


def saved_id(record: _Record) -> int:
    """The id of a record read from the database: only a record not yet saved has none."""
    if record.id is None:
        raise StoreError(f"this {type(record).__name__.lower()} has not been saved yet")
    return record.id


def inserted_id(cursor: aiosqlite.Cursor) -> int:
    """The rowid the INSERT just run on ``cursor`` gave its row."""
    rowid = cursor.lastrowid
    if rowid is None:  # not after an INSERT that wrote a row: a bug of the caller, not of the data
        raise StoreError("the database gave the new row no id")
    return rowid


async def value_in(conn: aiosqlite.Connection, sql: str, params: Params = ()) -> Any:
    """The first column of the first row ``sql`` selects (an aggregate or a PRAGMA: always one
    row), read on ``conn`` (inside the caller's transaction, if one is open); None if none."""
    async with conn.execute(sql, params) as cursor:
        row = await cursor.fetchone()
    return None if row is None else row[0]


async def row_in(conn: aiosqlite.Connection, sql: str, params: Params, missing: str) -> sqlite3.Row:
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
