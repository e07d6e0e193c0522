"""Helpers for driving the real console with Textual's Pilot."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.errors import NoWidget
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from console.app import CmccApp
from console.config import Settings
from console.model.access import Actor
from console.store import Store
from console.store.seed import is_seeded, seed_demo
from tests.conftest import ADMIN, REAL_LOGIN, migrated_copy, register_test_operators


async def demo_app(db_path, actor: Actor = ADMIN, settings: Settings | None = None) -> CmccApp:
    """The console on the demo database, as ``actor`` (one of the registered test operators)."""
    await migrated_copy(db_path)
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


def loaded(app) -> bool:
    """The watch floor is in front and every pane has rows (the hidden ones load one per tick)."""
    from console.screens.watch_floor import WatchFloor

    try:
        screen = app.screen
    except Exception:  # noqa: BLE001 - ScreenStackError: the first screen is not pushed yet
        return False
    return isinstance(screen, WatchFloor) and all(p.table.row_count for p in screen.panes)


# --- the screen as drawn ----------------------------------------------------------------------------
# Textual has no public call that gives the composed screen as segments: ``App.export_screenshot``
# gives an SVG (the text and colours, but neither links nor @click actions, which the hostile-text
# tests look for), and a test driver sees bytes only with ``headless=False``. So the screen is put
# together here from public parts: which widget is on top at each cell (``Screen.get_widget_at``)
# and what that widget draws (``Widget.render_lines``).


def screen_strips(app) -> list[Strip]:
    """The current screen, composed, one ``Strip`` of segments a line."""
    screen = app.screen
    width, height = app.size
    drawn: dict[int, list[Strip]] = {}

    def on_top(x: int, y: int) -> tuple[Widget, Region]:
        try:
            return screen.get_widget_at(x, y)
        except NoWidget:
            return screen, screen.region

    lines = []
    for y in range(height):
        pieces, x = [], 0
        while x < width:
            widget, region = on_top(x, y)
            end = x + 1
            while end < width and on_top(end, y)[0] is widget:
                end += 1
            if id(widget) not in drawn:
                drawn[id(widget)] = widget.render_lines(Region(0, 0, region.width, region.height))
            strips = drawn[id(widget)]
            row = y - region.y
            piece = strips[row] if 0 <= row < len(strips) else Strip.blank(region.width)
            pieces.append(piece.crop_extend(x - region.x, end - region.x, None))
            x = end
        lines.append(Strip.join(pieces))
    return lines


def screen_lines(app) -> list[str]:
    return [strip.text for strip in screen_strips(app)]


def screen_text(app) -> str:
    return "\n".join(screen_lines(app))


def screen_styles(app) -> list:
    """Every segment's style on the screen (colours, links, click actions)."""
    return [segment.style for strip in screen_strips(app) for segment in strip if segment.style is not None]


# --- positive signals: wait for them before asserting that something did *not* happen -------------------


async def handled(pilot, node, timeout: float = 5.0) -> bool:
    """``node`` (the app, a screen) has handled every message queued to it so far, and what they asked
    to run next (``call_next``): a callback queued behind them (``call_later``) has run."""
    done = asyncio.Event()
    node.call_later(done.set)
    return await until(pilot, done.is_set, timeout)


def _watch_floor_of(app):
    from console.screens.watch_floor import WatchFloor

    return next(screen for screen in app.screen_stack if isinstance(screen, WatchFloor))


async def loads_done(pilot, app, timeout: float = 10.0) -> bool:
    """The watch floor has handled every message queued to it so far and no pane load is left to run.

    A callback queued behind those messages (``call_later``: the floor handles its messages in
    order) starts the reload of whatever they left dirty (what a slow link would leave to its reload
    clock) and notes every load not yet finished; loads run one at a time, and the signal is all of
    those finished.
    """
    floor = _watch_floor_of(app)
    loads, queued = [], asyncio.Event()

    def behind_the_queue() -> None:
        floor.reload_dirty()
        loads.extend(w for w in app.workers if w.node is floor and w.group == "load" and not w.is_finished)
        queued.set()

    floor.call_later(behind_the_queue)
    return await until(pilot, lambda: queued.is_set() and all(w.is_finished for w in loads), timeout)


async def caught_up(pilot, app, timeout: float = 10.0) -> bool:
    """Every change committed until now (by any process) has reached the watch floor and the reloads it
    asked for have run: the change watcher has read the journal's newest row, which puts its
    ``StoreChanged`` in the floor's queue, then ``loads_done``."""
    last = await app.store.journal.last_id()

    return await until(pilot, lambda: app.changes_seen >= last, timeout) and await loads_done(pilot, app, timeout)
