"""Reading the journal: the change feed, timelines, the watch log, chain checks."""

from __future__ import annotations

import json

from console.domain import Entity, JournalEntry
from console.store.database import Database
from console.store.journal import SELECT_COLUMNS, ChainReport, entry_from_row, row_hash


class JournalReader:
    def __init__(self, database: Database):
        self.database = database

    async def last_id(self) -> int:
        return int(await self.database.scalar("SELECT coalesce(max(id), 0) FROM journal"))

    async def after(self, last_id: int, limit: int = 5000) -> list[JournalEntry]:
        rows = await self.database.fetchall(
            f"SELECT {SELECT_COLUMNS} FROM journal WHERE id > ? ORDER BY id LIMIT ?", (last_id, limit)
        )
        return [entry_from_row(row) for row in rows]

    async def for_entity(self, entity: Entity, entity_id: int) -> list[JournalEntry]:
        rows = await self.database.fetchall(
            f"SELECT {SELECT_COLUMNS} FROM journal WHERE entity = ? AND entity_id = ? ORDER BY id",
            (entity.value, entity_id),
        )
        return [entry_from_row(row) for row in rows]

    async def recent(self, limit: int = 200, text: str = "") -> list[JournalEntry]:
        like = f"%{text}%"
        rows = await self.database.fetchall(
            f"SELECT {SELECT_COLUMNS} FROM journal WHERE (? = '' OR actor LIKE ? OR entity LIKE ?"
            " OR action LIKE ? OR changes LIKE ?) ORDER BY id DESC LIMIT ?",
            (text, like, like, like, like, limit),
        )
        return [entry_from_row(row) for row in rows]

    async def verify_chain(self) -> ChainReport:
        """Recompute every row's hash; report the first row whose chain is broken."""
        prev_hash, checked, expected_id = "", 0, None
        async with self.database.connection.execute(
            "SELECT id, at, actor, origin, entity, entity_id, action, changes, prev_hash, hash"
            " FROM journal ORDER BY id"
        ) as cursor:
            async for row in cursor:
                checked += 1
                if expected_id is not None and row[0] != expected_id:
                    return ChainReport(checked, expected_id, f"row {expected_id} is missing")
                if row[8] != prev_hash:
                    return ChainReport(checked, row[0], "its link to the previous row does not match")
                if row_hash(prev_hash, *row[1:8]) != row[9]:
                    return ChainReport(checked, row[0], "its content does not match its hash")
                prev_hash, expected_id = row[9], row[0] + 1
        return ChainReport(checked, None)


def changes_json(entry: JournalEntry) -> str:
    return json.dumps(entry.changes, ensure_ascii=False, sort_keys=True)
