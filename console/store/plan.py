"""The plan's 20 points: the whiteboard."""

from __future__ import annotations

from console.domain import Actor, Entity, Permission, PlanPoint, PlanStatus, StoreError
from console.dtg import utc_now
from console.sanitize import clean_line
from console.store.database import Database
from console.store.guard import require
from console.store.journal import record
from console.store.rows import from_iso, to_iso


def plan_point_from_row(row) -> PlanPoint:
    return PlanPoint(number=row["number"], title=row["title"], status=PlanStatus(row["status"]),
                     owner=row["owner"], next_step=row["next_step"], changed_at=from_iso(row["changed_at"]),
                     changed_by=row["changed_by"], version=row["version"], id=row["id"])


class PlanRepository:
    def __init__(self, database: Database):
        self.database = database

    async def points(self) -> list[PlanPoint]:
        return [plan_point_from_row(r) for r in await self.database.fetchall("SELECT * FROM plan_points ORDER BY number")]

    async def point(self, number: int) -> PlanPoint | None:
        row = await self.database.fetchone("SELECT * FROM plan_points WHERE number = ?", (number,))
        return plan_point_from_row(row) if row else None

    async def set_status(self, actor: Actor, number: int, status: PlanStatus, next_step: str | None = None) -> None:
        require(actor, Permission.EDIT, "update the plan")
        async with self.database.transaction() as conn:
            async with conn.execute("SELECT id, status, next_step FROM plan_points WHERE number = ?",
                                    (number,)) as cursor:
                row = await cursor.fetchone()
            if row is None:
                raise StoreError(f"there is no plan point {number}")
            step = row[2] if next_step is None else clean_line(next_step)
            await conn.execute(
                "UPDATE plan_points SET status = ?, next_step = ?, changed_at = ?, changed_by = ?,"
                " version = version + 1 WHERE id = ?",
                (status.value, step, to_iso(utc_now()), actor.login, row[0]))
            changes = {"status": [row[1], status.value]}
            if step != row[2]:
                changes["next_step"] = [row[2], step]
            await record(conn, actor, Entity.PLAN_POINT, row[0], "update", {"number": number, **changes})
