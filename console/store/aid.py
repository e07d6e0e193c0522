"""Aid flow: crossings, movements through them, and the dual-use request queue."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from console.domain import (
    ENTERED_STATUSES,
    Actor,
    Commodity,
    Crossing,
    DualUseRequest,
    DualUseStatus,
    Entity,
    FigureSource,
    LoadType,
    Movement,
    MovementStatus,
    Permission,
    StoreError,
)
from console.dtg import utc_now
from console.store.database import Database
from console.store.guard import require
from console.store.journal import record
from console.store.rows import from_iso, to_date, to_iso, visible_to


@dataclass(frozen=True)
class CrossingDay:
    """One crossing on one day: trucks by status, and how many entered."""

    crossing: Crossing
    day: date
    trucks_by_status: dict[str, int] = field(default_factory=dict)

    @property
    def entered(self) -> int:
        return sum(self.trucks_by_status.get(s.value, 0) for s in ENTERED_STATUSES)


def crossing_from_row(row) -> Crossing:
    return Crossing(code=row["code"], name=row["name"], border=row["border"], is_open=bool(row["is_open"]),
                    status_reason=row["status_reason"], status_changed_at=from_iso(row["status_changed_at"]),
                    daily_target=row["daily_target"], id=row["id"])


def movement_from_row(row) -> Movement:
    return Movement(
        id=row["id"], planned_date=to_date(row["planned_date"]), crossing_code=row["crossing_code"],
        organisation=row["organisation"], commodity=Commodity(row["commodity"]),
        load_type=LoadType(row["load_type"]), trucks=row["trucks"], tonnes=row["tonnes"], pallets=row["pallets"],
        reference=row["reference"], figure_source=FigureSource(row["figure_source"]),
        status=MovementStatus(row["status"]), status_note=row["status_note"],
        releasability=row["releasability"], updated_at=from_iso(row["updated_at"]), version=row["version"],
    )


def dual_use_from_row(row) -> DualUseRequest:
    return DualUseRequest(
        id=row["id"], item=row["item"], list_reference=row["list_reference"], quantity=row["quantity"],
        organisation=row["organisation"], justification=row["justification"], movement_id=row["movement_id"],
        status=DualUseStatus(row["status"]), decision_note=row["decision_note"],
        decided_at=from_iso(row["decided_at"]), submitted_at=from_iso(row["submitted_at"]),
        updated_at=from_iso(row["updated_at"]), version=row["version"],
    )


MOVEMENT_SELECT = (
    "SELECT m.*, c.code AS crossing_code FROM movements m JOIN crossings c ON c.id = m.crossing_id"
)


class AidRepository:
    def __init__(self, database: Database):
        self.database = database

    async def crossings(self) -> list[Crossing]:
        return [crossing_from_row(r) for r in await self.database.fetchall("SELECT * FROM crossings ORDER BY id")]

    async def movement(self, actor: Actor, movement_id: int) -> Movement | None:
        clause, params = visible_to(actor, "m.releasability")
        params["id"] = movement_id
        row = await self.database.fetchone(f"{MOVEMENT_SELECT} WHERE m.id = :id AND {clause}", params)
        return movement_from_row(row) if row else None

    async def movements(self, actor: Actor, *, day: date | None = None, limit: int = 200,
                        offset: int = 0) -> list[Movement]:
        clause, params = visible_to(actor, "m.releasability")
        if day is not None:
            clause += " AND m.planned_date = :day"
            params["day"] = day.isoformat()
        params.update(limit=limit, offset=offset)
        rows = await self.database.fetchall(
            f"{MOVEMENT_SELECT} WHERE {clause} ORDER BY m.planned_date DESC, m.id DESC LIMIT :limit OFFSET :offset",
            params)
        return [movement_from_row(r) for r in rows]

    async def board(self, actor: Actor, day: date) -> list[CrossingDay]:
        """Trucks per crossing and status on ``day`` (the movement's planned date)."""
        clause, params = visible_to(actor, "m.releasability")
        params["day"] = day.isoformat()
        rows = await self.database.fetchall(
            f"SELECT m.crossing_id, m.status, coalesce(sum(m.trucks), 0) AS trucks FROM movements m"
            f" WHERE m.planned_date = :day AND {clause} GROUP BY m.crossing_id, m.status", params)
        per_crossing: dict[int, dict[str, int]] = {}
        for row in rows:
            per_crossing.setdefault(row["crossing_id"], {})[row["status"]] = row["trucks"]
        return [CrossingDay(c, day, per_crossing.get(c.id, {})) for c in await self.crossings()]

    async def entered_per_day(self, actor: Actor, first: date, last: date) -> dict[tuple[str, str], int]:
        """(crossing code, ISO day) -> trucks entered, for sparklines."""
        clause, params = visible_to(actor, "m.releasability")
        params.update(first=first.isoformat(), last=last.isoformat())
        entered = ",".join(f"'{s.value}'" for s in ENTERED_STATUSES)
        rows = await self.database.fetchall(
            f"SELECT c.code, m.planned_date, sum(coalesce(m.trucks, 0)) FROM movements m"
            f" JOIN crossings c ON c.id = m.crossing_id WHERE m.planned_date BETWEEN :first AND :last"
            f" AND m.status IN ({entered}) AND {clause} GROUP BY c.code, m.planned_date", params)
        return {(r[0], r[1]): r[2] for r in rows}

    async def dual_use_queue(self, actor: Actor, limit: int = 200) -> list[DualUseRequest]:
        clause, params = visible_to(actor)
        params["limit"] = limit
        rows = await self.database.fetchall(
            f"SELECT * FROM dual_use_requests WHERE {clause} ORDER BY"
            " status IN ('approved', 'denied'), submitted_at LIMIT :limit", params)
        return [dual_use_from_row(r) for r in rows]

    async def set_movement_status(self, actor: Actor, movement_id: int, status: MovementStatus,
                                  note: str = "") -> Movement:
        require(actor, Permission.EDIT, "change movement status")
        async with self.database.transaction() as conn:
            async with conn.execute("SELECT status FROM movements WHERE id = ?", (movement_id,)) as cursor:
                row = await cursor.fetchone()
            if row is None:
                raise StoreError(f"movement {movement_id} does not exist")
            await conn.execute(
                "UPDATE movements SET status = ?, status_note = ?, updated_at = ?, version = version + 1"
                " WHERE id = ?", (status.value, note, to_iso(utc_now()), movement_id))
            await record(conn, actor, Entity.MOVEMENT, movement_id, "transition",
                         {"status": [row[0], status.value], "note": note})
        movement = await self.movement(actor, movement_id)
        assert movement is not None
        return replace(movement)
