"""The journal: one append-only row per change, chained by hash.

``record`` is called inside the same transaction as the change it describes,
so a change and its journal row commit or vanish together. Each row's hash
covers its content and the previous row's hash: editing or deleting a row
breaks the chain at that point (``verify_chain``).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import aiosqlite

from console.model.access import Actor
from console.model.journal import Entity, JournalEntry
from console.dtg import utc_now
from console.store.rows import inserted_id, moment_of, to_iso

SELECT_COLUMNS = "id, at, actor, origin, entity, entity_id, action, changes"


def _jsonable(value: object) -> object:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def row_hash(prev_hash: str, at: str, actor: str, origin: str, entity: str, entity_id: int | None,
             action: str, changes: str) -> str:
    payload = json.dumps([prev_hash, at, actor, origin, entity, entity_id, action, changes],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


#: What changed, as a journal row tells it: field -> [old, new], or what an action carries.
Changes: TypeAlias = Mapping[str, Any]
#: A journal row as INSERT_ROW writes it: at, actor, origin, entity, entity_id, action, changes,
#: prev_hash, hash.
JournalRow: TypeAlias = tuple[str, str, str, str, int | None, str, str, str, str]


def changes_body(changes: Changes | None) -> str:
    """The journal's JSON of what changed: sorted keys, dates and enums as text."""
    return json.dumps({k: _jsonable(v) for k, v in (changes or {}).items()},
                      ensure_ascii=False, sort_keys=True, default=str)


def chained_rows(prev_hash: str, at: str, login: str, origin: str,
                 entries: Sequence[tuple[str, int | None, str, str]]) -> list[JournalRow]:
    """Journal rows for (entity, entity id, action, body) entries, each hash chained to the one before."""
    rows: list[JournalRow] = []
    for entity, entity_id, action, body in entries:
        digest = row_hash(prev_hash, at, login, origin, entity, entity_id, action, body)
        rows.append((at, login, origin, entity, entity_id, action, body, prev_hash, digest))
        prev_hash = digest
    return rows


async def last_hash(connection: aiosqlite.Connection) -> str:
    async with connection.execute("SELECT hash FROM journal ORDER BY id DESC LIMIT 1") as cursor:
        last = await cursor.fetchone()
    return str(last[0]) if last else ""


INSERT_ROW = ("INSERT INTO journal (at, actor, origin, entity, entity_id, action, changes, prev_hash, hash)"
              " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")


async def record(connection: aiosqlite.Connection, actor: Actor, entity: Entity, entity_id: int | None,
                 action: str, changes: Changes | None = None) -> int:
    """Append one journal row in the caller's open transaction; return its id."""
    (row,) = chained_rows(await last_hash(connection), to_iso(utc_now()), actor.login, actor.origin,
                          [(entity.value, entity_id, action, changes_body(changes))])
    cursor = await connection.execute(INSERT_ROW, row)
    return inserted_id(cursor)


async def record_many(connection: aiosqlite.Connection, actor: Actor, entity: Entity,
                      entries: Sequence[tuple[int | None, str, Changes]]) -> None:
    """Append several journal rows in the caller's transaction (one read of the chain's end)."""
    if not entries:
        return
    rows = chained_rows(await last_hash(connection), to_iso(utc_now()), actor.login, actor.origin,
                        [(entity.value, entity_id, action, changes_body(changes))
                         for entity_id, action, changes in entries])
    await connection.executemany(INSERT_ROW, rows)


def entry_from_row(row: sqlite3.Row) -> JournalEntry:
    """A journal row read with ``SELECT_COLUMNS`` first."""
    return JournalEntry(
        id=row[0], at=moment_of(row[1]), actor=row[2], origin=row[3], entity=Entity(row[4]),
        entity_id=row[5], action=row[6], changes=json.loads(row[7] or "{}"),
    )


@dataclass(frozen=True)
class ChainReport:
    rows_checked: int
    first_broken_id: int | None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None


#: Columns a create row carries only as a digest (``sealed``): headlines' link, summary and the
#: rest (a million rows: the journal would double in size), and a restricted movement's details,
#: which stay out of the shared journal. None of them changes after the record is created, so
#: ``cmcc journal verify`` can recompute the digest from the table and compare.
SEALED_COLUMNS = {
    "headline": ("title", "link", "summary", "guid", "dedup_key", "published_at", "fetched_at", "watch_hits"),
    "movement": ("organisation", "commodity", "load_type", "trucks", "tonnes", "pallets", "reference",
                 "figure_source"),
}


def seal(entity: str, values: Mapping[str, Any] | sqlite3.Row) -> str:
    """The digest of a record's sealed columns (``values``: a mapping with at least those keys)."""
    payload = json.dumps([values[name] for name in SEALED_COLUMNS[entity]], ensure_ascii=False,
                         separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


async def head(connection: aiosqlite.Connection) -> tuple[int, str]:
    """(id, hash) of the newest journal row; (0, '') for an empty journal."""
    async with connection.execute("SELECT id, hash FROM journal ORDER BY id DESC LIMIT 1") as cursor:
        row = await cursor.fetchone()
    return (int(row[0]), str(row[1])) if row else (0, "")
