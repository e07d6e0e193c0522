"""A long write (an import of many rows) as a series of short transactions.

One transaction for a whole file held the write lock for minutes: every console's
acknowledgement, the poller's lease and ``feeds add`` waited past their retries and failed.
Written in batches, the lock is free between two batches, so another writer waits at most
about one batch. The price is that a failure midway leaves the earlier batches written:
the importers are idempotent (a record already there is matched, not added twice), so
running the same import again finishes it, and ``PartlyWritten`` says so.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

import aiosqlite

from console.model.access import Actor
from console.model.errors import StoreError

if TYPE_CHECKING:
    from console.store.database import Database

Item = TypeVar("Item")
Result = TypeVar("Result")

#: How long one transaction may take: a waiting writer waits about this long at most.
BATCH_SECONDS = 0.5
#: The first batch's size; later ones are sized from the time the previous one took.
FIRST_BATCH = 200
#: The lock is left free this long between batches. A process waiting for it sleeps in SQLite's
#: busy handler between tries, 100 ms at most: a shorter gap would often pass between two of its
#: tries, and this process, asking again at once, would win the lock nearly every time.
PAUSE_SECONDS = 0.1


class PartlyWritten(StoreError):
    """A batch failed after earlier ones were committed."""

    def __init__(self, written: int, total: int, cause: BaseException):
        self.written, self.total, self.cause = written, total, cause
        super().__init__(f"{written} of {total} rows were written before this stopped the import: {cause}"
                         " (running the same import again adds the rest, nothing twice)")


async def write_in_batches(database: Database, actor: Actor, items: Sequence[Item],
                           write: Callable[[aiosqlite.Connection, Actor, Sequence[Item]], Awaitable[Result]],
                           *, done: Callable[[int], None] | None = None) -> list[Result]:
    """``write(conn, actor, batch)`` for each batch of items, each in its own write transaction of
    about BATCH_SECONDS.

    Returns each batch's result. A failing batch is rolled back; if earlier batches were
    committed the error is raised as ``PartlyWritten`` (from the original), else as it was.
    ``done(n)`` is told each committed batch's size (a progress bar).
    """
    results: list[Result] = []
    start, size = 0, FIRST_BATCH
    while start < len(items):
        batch = items[start:start + size]
        if start:
            await asyncio.sleep(PAUSE_SECONDS)
        began = time.monotonic()
        try:
            async with database.write(actor) as (conn, acting):
                results.append(await write(conn, acting, batch))
        except Exception as error:
            if start:
                raise PartlyWritten(start, len(items), error) from error
            raise
        start += len(batch)
        if done is not None:
            done(len(batch))
        size = _next_size(size, time.monotonic() - began)
    return results


def _next_size(size: int, took: float) -> int:
    """The size that should take BATCH_SECONDS at the pace just seen (at most doubling at a time)."""
    return max(10, min(size * 2, int(size * BATCH_SECONDS / max(took, 1e-3))))
