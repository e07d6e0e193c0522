"""Leases: which process does a job that exactly one process may do (feed polling).

A lease row (name, holder, expires_at) is taken in one ``BEGIN IMMEDIATE``
transaction: free, expired, or already ours -> ours until ``now + ttl``.
Its holder renews it well before it lapses; when the holder dies, the next
process that asks after ``expires_at`` takes it over.

Renewals are not journaled (one every few seconds would drown the watch log);
acquiring, taking over and releasing are, so the watch log shows who polls.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta, timezone

from console.model.access import SYSTEM_ACTOR, Actor
from console.model.journal import Entity
from console.dtg import utc_now
from console.model.leases import Lease
from console.sanitize import clean_line
from console.store.database import Database
from console.store.journal import record

def holder_id(login: str) -> str:
    """Who holds a lease: ``login@host:pid`` (one per process)."""
    return f"{login}@{socket.gethostname()}:{os.getpid()}"


def _stamp(moment: datetime) -> str:
    # Milliseconds: a lease lives seconds, and a test may give it two.
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")


class LeaseRepository:
    def __init__(self, database: Database):
        self.database = database

    async def try_acquire(self, name: str, holder: str, ttl_seconds: float, *,
                          actor: Actor | None = None, watching: str = "") -> bool:
        """Take or renew the lease; False while another holder's lease is still live."""
        holder = clean_line(holder, max_chars=200)
        watching = clean_line(watching, max_chars=1000)
        async with self.database.transaction() as conn:
            now = utc_now()
            expires = _stamp(now + timedelta(seconds=ttl_seconds))
            async with conn.execute("SELECT holder, expires_at FROM leases WHERE name = ?", (name,)) as cursor:
                row = await cursor.fetchone()
            if row is None:
                await conn.execute("INSERT INTO leases (name, holder, expires_at, watching) VALUES (?, ?, ?, ?)",
                                   (name, holder, expires, watching))
                await record(conn, actor or SYSTEM_ACTOR, Entity.LEASE, None, "acquire",
                             {"lease": name, "holder": holder})
                return True
            current, current_expiry = row[0], datetime.fromisoformat(row[1])
            if current == holder:
                await conn.execute("UPDATE leases SET expires_at = ?, watching = ? WHERE name = ?",
                                   (expires, watching, name))
                return True
            if current_expiry > now:
                return False
            await conn.execute("UPDATE leases SET holder = ?, expires_at = ?, watching = ? WHERE name = ?",
                               (holder, expires, watching, name))
            await record(conn, actor or SYSTEM_ACTOR, Entity.LEASE, None, "takeover",
                         {"lease": name, "holder": holder, "previous": current,
                          "lapsed_at": current_expiry.isoformat(timespec="seconds")})
            return True

    async def release(self, name: str, holder: str, *, actor: Actor | None = None) -> bool:
        """Give the lease up if it is ours (so the next process need not wait for it to lapse)."""
        async with self.database.transaction() as conn:
            cursor = await conn.execute("DELETE FROM leases WHERE name = ? AND holder = ?", (name, holder))
            if cursor.rowcount == 0:
                return False
            await record(conn, actor or SYSTEM_ACTOR, Entity.LEASE, None, "release",
                         {"lease": name, "holder": holder})
            return True

    async def get(self, name: str) -> Lease | None:
        row = await self.database.fetchone("SELECT name, holder, expires_at, watching FROM leases WHERE name = ?",
                                           (name,))
        return Lease(row["name"], row["holder"], datetime.fromisoformat(row["expires_at"]),
                     row["watching"]) if row else None

    async def live(self, name: str) -> Lease | None:
        """The lease while it is live; None when nobody holds it (or it lapsed)."""
        lease = await self.get(name)
        return lease if lease is not None and lease.live() else None

    async def holder(self, name: str) -> str | None:
        """The live holder of the lease, or None when nobody holds it (or it lapsed)."""
        lease = await self.live(name)
        return lease.holder if lease is not None else None
