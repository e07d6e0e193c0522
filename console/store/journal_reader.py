"""Reading the journal: the change feed, timelines, the watch log, chain checks."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from console.model.access import Actor
from console.model.journal import HOUSEKEEPING, MACHINE_LOGINS, Entity, JournalEntry, StatusChange
from console.store.database import Database
from console.store.journal import SELECT_COLUMNS, ChainReport, entry_from_row, row_hash
from console.store.rows import moment_of, visible_to


class JournalReader:
    def __init__(self, database: Database):
        self.database = database

    async def last_id(self) -> int:
        return int(await self.database.scalar("SELECT coalesce(max(id), 0) FROM journal"))

    async def head(self) -> tuple[int, str]:
        """(id, hash) of the newest journal row; (0, '') when the journal is empty."""
        row = await self.database.fetchone("SELECT id, hash FROM journal ORDER BY id DESC LIMIT 1")
        return (int(row[0]), row[1]) if row else (0, "")

    async def hash_of(self, row_id: int) -> str | None:
        """The hash of journal row ``row_id`` (None when there is no such row)."""
        row = await self.database.fetchone("SELECT hash FROM journal WHERE id = ?", (row_id,))
        return row[0] if row else None

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

    async def recent(self, limit: int = 200, text: str = "", actor: Actor | None = None,
                     after_id: int = 0, people_only: bool = False) -> list[JournalEntry]:
        """The newest rows, optionally matching ``text``; with ``actor``, only rows about
        records releasable to the actor's nation (a journal row repeats what changed).

        ``after_id``: only rows newer than that one, a range of the primary key (what a watch
        log already showing rows up to ``after_id`` needs), never a search of the whole journal.
        ``people_only``: without the rows of ``MACHINE_LOGINS`` and of ``HOUSEKEEPING`` entities."""
        like = f"%{text}%"
        params: dict[str, Any] = {"text": text, "like": like, "limit": limit, "after": after_id}
        visible = "1"
        if actor is not None:
            visible, marking = _releasable_rows(actor)
            params.update(marking)
        if people_only:
            machines = {f"machine{n}": login for n, login in enumerate(MACHINE_LOGINS)}
            chores = {f"chore{n}": entity.value for n, entity in enumerate(HOUSEKEEPING)}
            params.update(machines, **chores)
            visible += (f" AND actor NOT IN ({', '.join(':' + k for k in machines)})"
                        f" AND entity NOT IN ({', '.join(':' + k for k in chores)})")
        rows = await self.database.fetchall(
            f"SELECT {SELECT_COLUMNS} FROM journal WHERE (:text = '' OR actor LIKE :like OR entity LIKE :like"
            f" OR action LIKE :like OR changes LIKE :like) AND {visible} AND id > :after ORDER BY id DESC LIMIT :limit",
            params,
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


#: Entity -> the table whose releasability marking governs its journal rows.
_MARKED_TABLES = {
    Entity.INCIDENT: "incidents", Entity.INCIDENT_NOTE: "incident_notes", Entity.MOVEMENT: "movements",
    Entity.DUAL_USE: "dual_use_requests", Entity.OFFICER: "officers", Entity.HEADLINE: "headlines",
    Entity.LOG: "log_entries",
}


def _releasable_rows(actor: Actor) -> tuple[str, dict[str, Any]]:
    clause, params = visible_to(actor, "marked.releasability")
    if clause == "1":
        return "1", {}
    cases = " ".join(
        f"WHEN '{entity.value}' THEN EXISTS (SELECT 1 FROM {table} AS marked"
        f" WHERE marked.id = journal.entity_id AND {clause})"
        for entity, table in _MARKED_TABLES.items())
    return f"(CASE entity {cases} ELSE 1 END)", params


def status_changes(rows: Iterable[sqlite3.Row]) -> list[StatusChange]:
    """The status changes among journal rows (at, actor, action, changes), oldest first."""
    history: list[StatusChange] = []
    for row in rows:
        changes = json.loads(row["changes"] or "{}")
        status = changes.get("status")
        if status is None:
            continue
        old, new = (status[0], status[1]) if isinstance(status, list) else ("", status)
        history.append(StatusChange(at=moment_of(row["at"]), actor=row["actor"], old=old, new=new,
                                    note=changes.get("note", ""), action=row["action"]))
    return history


def changes_json(entry: JournalEntry) -> str:
    return json.dumps(entry.changes, ensure_ascii=False, sort_keys=True)
