"""Operators: who may use the console, with what role and nation."""

from __future__ import annotations

import sqlite3

import aiosqlite

from console.model.access import Actor, Operator, Permission, Role
from console.model.errors import StoreError
from console.model.journal import Entity
from console.dtg import utc_now
from console.sanitize import clean_line
from console.store.database import Database
from console.store.guard import require
from console.store.journal import record
from console.store.rows import inserted_id, row_in, to_iso, value_in


def _operator(row: sqlite3.Row) -> Operator:
    return Operator(login=row["login"], name=row["name"], nation=row["nation"], role=Role(row["role"]), id=row["id"])


class OperatorRepository:
    def __init__(self, database: Database):
        self.database = database

    async def get(self, login: str) -> Operator | None:
        row = await self.database.fetchone("SELECT * FROM operators WHERE login = ?", (login,))
        return _operator(row) if row else None

    async def list(self) -> list[Operator]:
        return [_operator(r) for r in await self.database.fetchall("SELECT * FROM operators ORDER BY login")]

    async def count(self) -> int:
        return int(await self.database.scalar("SELECT count(*) FROM operators"))

    async def add(self, actor: Actor, operator: Operator) -> Operator:
        """Add an operator. The first operator of a new database becomes its admin."""
        login, name = clean_line(operator.login, max_chars=64), clean_line(operator.name, max_chars=120)
        nation = clean_line(operator.nation, max_chars=4).upper()
        if not login or not name or not nation:
            raise StoreError("an operator needs a login, a name and a nation code")
        async with self.database.write(actor) as (conn, actor):
            first = await value_in(conn, "SELECT count(*) FROM operators") == 0
            role = Role.ADMIN if first else operator.role
            if not first:
                require(actor, Permission.MANAGE_OPERATORS, "add operators")
            async with conn.execute("SELECT 1 FROM operators WHERE login = ?", (login,)) as cursor:
                if await cursor.fetchone():
                    raise StoreError(f"operator {login!r} exists already")
            cursor = await conn.execute(
                "INSERT INTO operators (login, name, nation, role, created_at) VALUES (?, ?, ?, ?, ?)",
                (login, name, nation, int(role), to_iso(utc_now())),
            )
            new_id = inserted_id(cursor)
            await record(conn, actor, Entity.OPERATOR, new_id, "add",
                         {"login": login, "name": name, "nation": nation, "role": role.label})
        return Operator(login, name, nation, role, new_id)

    async def set_role(self, actor: Actor, login: str, role: Role) -> None:
        async with self.database.write(actor) as (conn, actor):
            require(actor, Permission.MANAGE_OPERATORS, "change roles")
            row = await row_in(conn, "SELECT id, role FROM operators WHERE login = ?", (login,),
                               f"no operator {login!r}")
            if Role(row[1]) is Role.ADMIN and role is not Role.ADMIN:
                await _keep_an_admin(conn, login, "demote")
            await conn.execute("UPDATE operators SET role = ? WHERE id = ?", (int(role), row[0]))
            await record(conn, actor, Entity.OPERATOR, row[0], "set_role",
                         {"login": login, "role": [Role(row[1]).label, role.label]})

    async def remove(self, actor: Actor, login: str) -> None:
        async with self.database.write(actor) as (conn, actor):
            require(actor, Permission.MANAGE_OPERATORS, "remove operators")
            row = await row_in(conn, "SELECT id, role FROM operators WHERE login = ?", (login,),
                               f"no operator {login!r}")
            if Role(row[1]) is Role.ADMIN:
                await _keep_an_admin(conn, login, "remove")
            await conn.execute("DELETE FROM operators WHERE id = ?", (row[0],))
            await record(conn, actor, Entity.OPERATOR, row[0], "remove", {"login": login})

    async def recover(self, actor: Actor, login: str) -> None:
        """Make ``login`` an admin whatever the table says: the way back for the database file's owner.

        Only the command line offers it, and only to the OS user who owns the file (or root):
        on SQLite that user can write anything anyway, and this way it is journaled.
        """
        async with self.database.transaction() as conn:
            row = await row_in(conn, "SELECT id, role FROM operators WHERE login = ?", (login,),
                               f"no operator {login!r} (add it first with 'cmcc operators add')")
            await conn.execute("UPDATE operators SET role = ? WHERE id = ?", (int(Role.ADMIN), row[0]))
            await record(conn, actor, Entity.OPERATOR, row[0], "recover",
                         {"login": login, "role": [Role(row[1]).label, Role.ADMIN.label]})


async def _keep_an_admin(conn: aiosqlite.Connection, login: str, verb: str) -> None:
    """Refuse to leave the database without an admin: nothing but hand-written SQL would bring one back."""
    others = await value_in(conn, "SELECT count(*) FROM operators WHERE role = ? AND login <> ?",
                            (int(Role.ADMIN), login))
    if not others:
        raise StoreError(f"{login} is the last admin: cannot {verb} them (make another operator admin first)")
