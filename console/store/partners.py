"""Partners in the center, their liaison officers, and stabilization-force contributors."""

from __future__ import annotations

from console.domain import (
    Actor,
    Contributor,
    Entity,
    IsfStatus,
    Officer,
    Partner,
    PartnerKind,
    Permission,
    Presence,
    Shift,
    StoreError,
)
from console.dtg import utc_now
from console.store.database import Database
from console.store.guard import require
from console.store.journal import record
from console.store.rows import from_iso, to_date, to_iso, visible_to


def partner_from_row(row) -> Partner:
    return Partner(code=row["code"], name=row["name"], kind=PartnerKind(row["kind"]), cell=row["cell"], id=row["id"])


def officer_from_row(row) -> Officer:
    return Officer(
        id=row["id"], rank=row["rank"], name=row["name"], partner_code=row["partner_code"], service=row["service"],
        cell=row["cell"], role=row["role"], contact=row["contact"], shift=Shift(row["shift"]),
        rotation_start=to_date(row["rotation_start"]), rotation_end=to_date(row["rotation_end"]),
        presence=Presence(row["presence"]), presence_changed_at=from_iso(row["presence_changed_at"]),
        releasability=row["releasability"], version=row["version"],
    )


def contributor_from_row(row) -> Contributor:
    return Contributor(
        id=row["id"], nation=row["nation"], status=IsfStatus(row["status"]), troops=row["troops"],
        police=row["police"], role_offered=row["role_offered"], caveats=row["caveats"],
        open_questions=row["open_questions"], notes=row["notes"], updated_at=from_iso(row["updated_at"]),
        version=row["version"],
    )


OFFICER_SELECT = "SELECT o.*, p.code AS partner_code FROM officers o JOIN partners p ON p.id = o.partner_id"


class PartnerRepository:
    def __init__(self, database: Database):
        self.database = database

    async def partners(self) -> list[Partner]:
        return [partner_from_row(r) for r in await self.database.fetchall("SELECT * FROM partners ORDER BY name")]

    async def officers(self, actor: Actor, limit: int = 5000) -> list[Officer]:
        clause, params = visible_to(actor, "o.releasability")
        params["limit"] = limit
        rows = await self.database.fetchall(
            f"{OFFICER_SELECT} WHERE {clause} ORDER BY p.code, o.name LIMIT :limit", params)
        return [officer_from_row(r) for r in rows]

    async def officer(self, actor: Actor, officer_id: int) -> Officer | None:
        clause, params = visible_to(actor, "o.releasability")
        params["id"] = officer_id
        row = await self.database.fetchone(f"{OFFICER_SELECT} WHERE o.id = :id AND {clause}", params)
        return officer_from_row(row) if row else None

    async def contributors(self) -> list[Contributor]:
        rows = await self.database.fetchall("SELECT * FROM contributors ORDER BY troops + police DESC, nation")
        return [contributor_from_row(r) for r in rows]

    async def set_presence(self, actor: Actor, officer_id: int, presence: Presence) -> None:
        require(actor, Permission.EDIT, "change presence")
        async with self.database.transaction() as conn:
            async with conn.execute("SELECT presence FROM officers WHERE id = ?", (officer_id,)) as cursor:
                row = await cursor.fetchone()
            if row is None:
                raise StoreError(f"officer {officer_id} does not exist")
            await conn.execute(
                "UPDATE officers SET presence = ?, presence_changed_at = ?, version = version + 1 WHERE id = ?",
                (presence.value, to_iso(utc_now()), officer_id))
            await record(conn, actor, Entity.OFFICER, officer_id, "presence", {"presence": [row[0], presence.value]})
