"""The plan's 20 points: the whiteboard, its notes and its history."""

from __future__ import annotations

import sqlite3
from typing import Any

import aiosqlite

from console.model.access import Actor, Permission
from console.model.errors import ValidationError
from console.model.journal import Entity, StatusChange
from console.model.plan import PlanNote, PlanPoint, PlanStatus, check_note, check_owner_and_step
from console.dtg import utc_now
from console.store.database import Database
from console.store.guard import check_version, require
from console.store.journal import record
from console.store.journal_reader import status_changes
from console.store.rows import from_iso, inserted_id, moment_of, row_in, saved_id, to_iso

def plan_point_from_row(row: sqlite3.Row) -> PlanPoint:
    return PlanPoint(number=row["number"], title=row["title"], status=PlanStatus(row["status"]),
                     owner=row["owner"], next_step=row["next_step"], changed_at=from_iso(row["changed_at"]),
                     changed_by=row["changed_by"], version=row["version"], id=row["id"])


class PlanRepository:
    def __init__(self, database: Database):
        self.database = database

    # --- reads ---------------------------------------------------------------

    async def points(self) -> list[PlanPoint]:
        rows = await self.database.fetchall("SELECT * FROM plan_points ORDER BY number")
        return [plan_point_from_row(r) for r in rows]

    async def point(self, number: int) -> PlanPoint | None:
        row = await self.database.fetchone("SELECT * FROM plan_points WHERE number = ?", (number,))
        return plan_point_from_row(row) if row else None

    async def notes(self, number: int) -> list[PlanNote]:
        rows = await self.database.fetchall(
            "SELECT n.*, p.number FROM plan_point_notes n JOIN plan_points p ON p.id = n.point_id"
            " WHERE p.number = ? ORDER BY n.id", (number,))
        return [PlanNote(point_number=r["number"], text=r["text"], author=r["author"],
                         created_at=moment_of(r["created_at"]), id=r["id"]) for r in rows]

    async def history(self, number: int) -> list[StatusChange]:
        """Every status change of one point, oldest first, with who and when (from the journal)."""
        rows = await self.database.fetchall(
            "SELECT j.at, j.actor, j.action, j.changes FROM journal j JOIN plan_points p ON p.id = j.entity_id"
            " WHERE j.entity = ? AND p.number = ? ORDER BY j.id", (Entity.PLAN_POINT.value, number))
        return status_changes(rows)

    # --- writes --------------------------------------------------------------

    @staticmethod
    async def _current(conn: aiosqlite.Connection, number: int) -> PlanPoint:
        return plan_point_from_row(await row_in(conn, "SELECT * FROM plan_points WHERE number = ?", (number,),
                                                f"there is no plan point {number}"))

    async def set_status(self, actor: Actor, number: int, status: PlanStatus, next_step: str | None = None,
                         *, note: str = "", expected_version: int | None = None) -> PlanPoint:
        """A new status (optionally a new next step); a note, if given, joins the point's note history."""
        note, errors = check_note(note, required=False)
        if errors:
            raise ValidationError(errors)
        async with self.database.write(actor) as (conn, actor):
            require(actor, Permission.EDIT, "update the plan")
            current = await self._current(conn, number)
            check_version("plan point", number, expected_version, current.version)
            step = current.next_step
            if next_step is not None:
                _owner, step, errors = check_owner_and_step(current.owner, next_step)
                if errors:
                    raise ValidationError(errors)
            changes: dict[str, Any] = {"number": number}
            if status is not current.status:
                # the history shows status changes: a note or a next step on its own is not one
                changes["status"] = [current.status.value, status.value]
            if step != current.next_step:
                changes["next_step"] = [current.next_step, step]
            if note:
                changes["note"] = note
                changes["note_id"] = await self._insert_note(conn, actor, saved_id(current), note)
            await self._touch(conn, actor, saved_id(current), status=status.value, next_step=step)
            await record(conn, actor, Entity.PLAN_POINT, current.id, "update", changes)
        return await self.point(number) or current

    async def set_owner(self, actor: Actor, number: int, owner: str, next_step: str,
                        *, expected_version: int | None = None) -> PlanPoint:
        """Who owns the point and what happens next."""
        owner, next_step, errors = check_owner_and_step(owner, next_step)
        if errors:
            raise ValidationError(errors)
        async with self.database.write(actor) as (conn, actor):
            require(actor, Permission.EDIT, "update the plan")
            current = await self._current(conn, number)
            check_version("plan point", number, expected_version, current.version)
            changes: dict[str, Any] = {"number": number}
            if owner != current.owner:
                changes["owner"] = [current.owner, owner]
            if next_step != current.next_step:
                changes["next_step"] = [current.next_step, next_step]
            if len(changes) == 1:
                return current
            await self._touch(conn, actor, saved_id(current), owner=owner, next_step=next_step)
            await record(conn, actor, Entity.PLAN_POINT, current.id, "update", changes)
        return await self.point(number) or current

    async def add_note(self, actor: Actor, number: int, text: str) -> int:
        text, errors = check_note(text)
        if errors:
            raise ValidationError(errors)
        async with self.database.write(actor) as (conn, actor):
            require(actor, Permission.EDIT, "add notes to the plan")
            current = await self._current(conn, number)
            note_id = await self._insert_note(conn, actor, saved_id(current), text)
            await self._touch(conn, actor, saved_id(current))
            await record(conn, actor, Entity.PLAN_POINT, current.id, "note",
                         {"number": number, "note": text, "note_id": note_id})
        return note_id

    @staticmethod
    async def _insert_note(conn: aiosqlite.Connection, actor: Actor, point_id: int, text: str) -> int:
        cursor = await conn.execute(
            "INSERT INTO plan_point_notes (point_id, text, author, created_at) VALUES (?, ?, ?, ?)",
            (point_id, text, actor.login, to_iso(utc_now())))
        return inserted_id(cursor)

    @staticmethod
    async def _touch(conn: aiosqlite.Connection, actor: Actor, point_id: int, **values: str) -> None:
        """Write ``values`` and stamp the last change and who made it."""
        sets = "".join(f"{name} = :{name}, " for name in values)
        await conn.execute(
            f"UPDATE plan_points SET {sets}changed_at = :at, changed_by = :by, version = version + 1 WHERE id = :id",
            {**values, "at": to_iso(utc_now()), "by": actor.login, "id": point_id})
