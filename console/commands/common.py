"""What subcommands share: opening the store as the OS user."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


@asynccontextmanager
async def opened_store(path: str) -> AsyncIterator[tuple[object, object]]:
    """The store at ``path`` and the actor for this login (store closed on exit)."""
    from console.identity import current_actor
    from console.store import Store

    store = await Store.open(path)
    try:
        actor, _notice = await current_actor(store)
        yield store, actor
    finally:
        await store.close()
