"""Helpers for driving the real console with Textual's Pilot."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from console.app import CmccApp
from console.config import Settings
from console.model.access import Actor
from console.store import Store
from console.store.seed import is_seeded, seed_demo
from tests.conftest import ADMIN, REAL_LOGIN, register_test_operators


async def demo_app(db_path, actor: Actor = ADMIN, settings: Settings | None = None) -> CmccApp:
    """The console on the demo database, as ``actor`` (one of the registered test operators)."""
    store = await Store.open(db_path)
    if not await is_seeded(store.database):
        await seed_demo(store.database, operator_login=REAL_LOGIN)
    await register_test_operators(store)
    return CmccApp(store, actor, settings or Settings(bell=False, poll_feeds=False))


def recorded_notifications(app) -> list[tuple[str, str]]:
    """Every notice the app shows from now on, as (message, title), through its public ``notify``."""
    seen: list[tuple[str, str]] = []
    notify = app.notify
    app.notify = lambda message, **kwargs: (seen.append((str(message), kwargs.get("title", ""))),
                                            notify(message, **kwargs))[1]
    return seen


def recorded_notices(app) -> list[str]:
    """Every notice the app shows from now on (its public ``notify``, wrapped)."""
    seen: list[str] = []
    notify = app.notify
    app.notify = lambda message, **kwargs: (seen.append(message), notify(message, **kwargs))[1]
    return seen


async def until(pilot, condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Let the app run until ``condition()`` holds; False if it never did."""
    from textual.app import ScreenStackError

    def holds() -> bool:
        try:
            return bool(condition())
        except ScreenStackError:  # the first screen is not pushed yet: not yet, rather than an error
            return False

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if holds():
            return True
        await pilot.pause(0.05)
    return holds()


async def watch_floor(pilot, app, timeout: float = 10.0):
    """The watch floor once it is on the screen stack (start-up is not instant on a busy machine)."""
    from console.screens.watch_floor import WatchFloor

    def ready() -> bool:
        try:
            return isinstance(app.screen, WatchFloor)
        except Exception:  # noqa: BLE001 - ScreenStackError before the first screen
            return False

    assert await until(pilot, ready, timeout)
    return app.screen
