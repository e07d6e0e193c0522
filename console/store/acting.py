"""Who is writing, as the database has it inside the write's own transaction.

A console keeps the actor it started with; the operator may have been demoted, moved to
another nation or removed since. Every write re-reads the operator's row under the write
lock, so the store judges it by the role and nation in force at that moment.
"""

from __future__ import annotations

import aiosqlite

from console.model.access import Actor, Role
from console.model.errors import PermissionDenied


async def actor_now(conn: aiosqlite.Connection, actor: Actor) -> Actor:
    """``actor`` as the operators table has it now; refuses a read-only (view-as) actor."""
    if actor.system:
        return actor
    if actor.viewing_as:
        raise PermissionDenied(f"{actor.viewer_login} is viewing the floor as {actor.login}: read-only,"
                               " nothing was saved")
    async with conn.execute("SELECT name, nation, role FROM operators WHERE login = ?", (actor.login,)) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return Actor(actor.login, actor.login, Role.VIEWER, "UNK", actor.origin)
    return Actor(actor.login, row[0], Role(row[2]), row[1], actor.origin)
