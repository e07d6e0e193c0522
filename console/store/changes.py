"""The change feed: what every process has committed since we last looked.

A watcher keeps its own connection. ``PRAGMA data_version`` on that connection
changes whenever any *other* connection commits (our own console's writer
included), so an idle poll costs one pragma and no table read; only when it
moves do we read the journal rows after the last id we saw.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiosqlite

from console.model.journal import JournalEntry
from console.store.database import BUSY_TIMEOUT_MS
from console.store.journal import SELECT_COLUMNS, entry_from_row
from console.store.rows import value_in

#: Journal rows read per poll at most; a larger burst is read over the next polls.
BATCH = 2000


class ChangeWatcher:
    def __init__(self, connection: aiosqlite.Connection, last_id: int, data_version: int):
        self._connection = connection
        self.last_id = last_id
        #: the hash of journal row ``last_id`` ('' until known): what a witness remembers
        self.last_hash = ""
        self._data_version = data_version
        self._behind = False
        self._closing: asyncio.Future[None] | None = None

    @classmethod
    async def open(cls, path: str | Path, last_id: int | None = None) -> "ChangeWatcher":
        connection = await aiosqlite.connect(Path(path), isolation_level=None)
        await connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        version: int = await value_in(connection, "PRAGMA data_version")
        if last_id is None:
            last_id = int(await value_in(connection, "SELECT coalesce(max(id), 0) FROM journal"))
        watcher = cls(connection, last_id, version)
        watcher.last_hash = await value_in(connection, "SELECT hash FROM journal WHERE id = ?", (last_id,)) or ""
        return watcher

    async def poll(self) -> list[JournalEntry]:
        """Journal rows committed since the last poll (empty when nothing changed)."""
        version: int = await value_in(self._connection, "PRAGMA data_version")
        if version == self._data_version and not self._behind:
            return []
        self._data_version = version
        async with self._connection.execute(
            f"SELECT {SELECT_COLUMNS}, hash FROM journal WHERE id > ? ORDER BY id LIMIT ?", (self.last_id, BATCH)
        ) as cursor:
            rows = list(await cursor.fetchall())
        entries = [entry_from_row(row) for row in rows]
        if entries:
            self.last_id = entries[-1].id
            self.last_hash = rows[-1][8]
        self._behind = len(entries) == BATCH
        return entries

    async def close(self) -> None:
        """Closes once, however many ask (the poller on its way out and the app at exit); a caller
        that is cancelled while waiting does not cut the close short."""
        if self._closing is None:
            self._closing = asyncio.ensure_future(self._connection.close())
        await asyncio.shield(self._closing)
