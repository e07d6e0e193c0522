"""What subcommands share: opening the store as the OS user."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


@asynccontextmanager
async def opened_store(path: str, view_as: str | None = None) -> AsyncIterator[tuple[object, object]]:
    """The store at ``path`` and the actor for this login, or the read-only view of ``view_as``
    (``--view-as``; store closed on exit)."""
    from console.identity import current_actor
    from console.store import Store

    store = await Store.open(path)
    try:
        actor, _notice = await current_actor(store, view_as)
        yield store, actor
    finally:
        await store.close()
