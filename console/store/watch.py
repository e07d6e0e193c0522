"""The watch: free-text log entries and signed shift handovers."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from console.model.access import RELEASABLE_TO_ALL, Actor, Permission, parse_releasability
from console.model.errors import StoreError, ValidationError
from console.model.journal import Entity
from console.dtg import utc_now
from console.model.watch import Handover, LogEntry, brief_digest
from console.sanitize import clean_text
from console.store.database import Database
from console.store.guard import require
from console.store.journal import record
from console.store.rows import from_iso, inserted_id, moment_of, to_iso, visible_to


def _handover(row: sqlite3.Row) -> Handover:
    return Handover(row["id"], moment_of(row["since"]), json.loads(row["brief"]), row["brief_hash"],
                    row["signed_by"], moment_of(row["signed_at"]), row["acknowledged_by"],
                    from_iso(row["acknowledged_at"]))


class WatchRepository:
    def __init__(self, database: Database):
        self.database = database

    async def add_log_entry(self, actor: Actor, text: str, releasability: str = RELEASABLE_TO_ALL) -> int:
        text = clean_text(text, max_chars=2000)
        if not text:
            raise ValidationError({"text": "a log entry cannot be empty"})
        try:
            marking = parse_releasability(releasability)
        except ValueError as error:
            raise ValidationError({"releasability": str(error)}) from None
        async with self.database.write(actor) as (conn, actor):
            require(actor, Permission.EDIT, "write in the watch log")
            cursor = await conn.execute(
                "INSERT INTO log_entries (at, author, text, releasability) VALUES (?, ?, ?, ?)",
                (to_iso(utc_now()), actor.login, text, marking))
            entry_id = inserted_id(cursor)
            await record(conn, actor, Entity.LOG, entry_id, "log", {"text": text, "releasability": marking})
        return entry_id

    async def log_entries(self, actor: Actor, since: datetime | None = None, limit: int = 200) -> list[LogEntry]:
        clause, params = visible_to(actor)
        params.update(since=to_iso(since) if since else "", limit=limit)
        rows = await self.database.fetchall(
            f"SELECT * FROM log_entries WHERE {clause} AND at >= :since ORDER BY at DESC LIMIT :limit", params)
        return [LogEntry(moment_of(r["at"]), r["author"], r["text"], r["releasability"], r["id"]) for r in rows]

    async def last_handover(self) -> Handover | None:
        row = await self.database.fetchone("SELECT * FROM handovers ORDER BY id DESC LIMIT 1")
        return _handover(row) if row else None

    async def handover(self, handover_id: int) -> Handover | None:
        row = await self.database.fetchone("SELECT * FROM handovers WHERE id = ?", (handover_id,))
        return _handover(row) if row else None

    async def sign_handover(self, actor: Actor, since: datetime, brief: dict[str, Any]) -> Handover:
        """The outgoing watch officer signs the brief as shown to them."""
        digest, now = brief_digest(brief), utc_now()
        async with self.database.write(actor) as (conn, actor):
            require(actor, Permission.SIGN_HANDOVER, "sign a handover")
            cursor = await conn.execute(
                "INSERT INTO handovers (since, brief, brief_hash, signed_by, signed_at) VALUES (?, ?, ?, ?, ?)",
                (to_iso(since), json.dumps(brief, sort_keys=True, ensure_ascii=False), digest, actor.login,
                 to_iso(now)))
            handover_id = inserted_id(cursor)
            from console.store.journal import head

            # The journal's head as signed: a witness of the chain that `journal verify` checks.
            await record(conn, actor, Entity.HANDOVER, handover_id, "sign",
                         {"since": to_iso(since), "brief_hash": digest, "head": list(await head(conn))})
        return Handover(handover_id, since, brief, digest, actor.login, now, None, None)

    async def acknowledge_handover(self, actor: Actor, handover_id: int) -> None:
        """The incoming watch officer takes the watch: a different officer from the signer."""
        async with self.database.write(actor) as (conn, actor):
            require(actor, Permission.SIGN_HANDOVER, "acknowledge a handover")
            async with conn.execute("SELECT signed_by, acknowledged_by, brief_hash FROM handovers WHERE id = ?",
                                    (handover_id,)) as cursor:
                row = await cursor.fetchone()
            if row is None:
                raise StoreError(f"there is no handover {handover_id}")
            if row[1]:
                raise StoreError(f"handover {handover_id} was already acknowledged by {row[1]}")
            if row[0] == actor.login:
                raise StoreError("the incoming watch officer acknowledges a handover, not the one who signed it")
            await conn.execute("UPDATE handovers SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ?",
                               (actor.login, to_iso(utc_now()), handover_id))
            await record(conn, actor, Entity.HANDOVER, handover_id, "acknowledge",
                         {"signed_by": row[0], "brief_hash": row[2]})
