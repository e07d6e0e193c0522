"""Start-up on a big database: the first frame waits only for what is on screen; the rest follows by itself."""

from __future__ import annotations

import asyncio
import gc
import os
import re
import sys
import weakref
from pathlib import Path

from bench.pty_capture import PtyCapture, visible
from console import collector
from console.config import Settings
from console.model.errors import StoreError
from console.screens.watch_floor import WatchFloor
from console.store import Store
from console.store.seed import seed_demo
from tests.pilot import demo_app, until
from widgets.filter_input import FilterInput
from widgets.headlines.headline_ticker import HeadlineTicker


async def test_at_80_columns_the_first_load_is_the_incidents_pane_and_the_ticker_then_the_others_follow(db_path):
    app = await demo_app(db_path)
    first: dict[str, int] = {}
    async with app.run_test(size=(80, 24)) as pilot:
        # The first load is the incidents pane and then the ticker, in one worker: wait for both.
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor) and app.screen.reloads["incidents"]
                           and app.screen.query_one(HeadlineTicker).headlines)
        screen = app.screen
        first.update(screen.reloads)
        assert set(first) == {"incidents"}  # the hidden panes were not part of the first frame
        # Nobody presses a key: the hidden panes load one per refresh tick.
        assert await until(pilot, lambda: all(screen.reloads[p.KEY] for p in screen.panes))
        assert all(p.table.row_count for p in screen.panes)


async def test_a_pane_asked_for_before_its_turn_loads_next(db_path):
    app = await demo_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor) and app.screen.reloads["incidents"])
        await pilot.press("5")
        screen = app.screen
        assert await until(pilot, lambda: screen.pane("plan").table.row_count > 0)
        assert screen.reloads["plan"] == 1


async def test_on_a_wide_terminal_every_pane_is_in_the_first_load(db_path):
    app = await demo_app(db_path)
    async with app.run_test(size=(160, 48)) as pilot:
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor) and app.screen.reloads)
        screen = app.screen
        assert screen._deferred == []  # all five are on screen: nothing waits for a later tick
        assert await until(pilot, lambda: all(screen.reloads[p.KEY] for p in screen.panes))
        assert all(p.table.row_count for p in screen.panes)


async def test_panes_off_screen_start_empty_and_fill_when_first_shown(db_path):
    # A refresh tick of a minute: the hidden panes' turn never comes during this test.
    app = await demo_app(db_path, settings=Settings(bell=False, poll_feeds=False, refresh_seconds=60))
    async with app.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor) and app.screen.reloads["incidents"])
        screen = app.screen
        hidden = [p for p in screen.panes if p.KEY != "incidents"]
        assert all(not p.filled and not p.children for p in hidden)  # no widgets, no CSS work at start-up
        await pilot.press("2")
        aid = screen.pane("aid")
        assert aid.filled and aid.table.is_mounted and app.focused is aid.table
        await pilot.press("slash")  # the filter line of a pane that was empty a moment ago
        assert await until(pilot, lambda: app.focused is aid.query_one(FilterInput))
        assert not screen.pane("plan").children  # only what was asked for


async def test_widening_the_terminal_fills_and_loads_every_pane(db_path):
    app = await demo_app(db_path, settings=Settings(bell=False, poll_feeds=False, refresh_seconds=0.25))
    async with app.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor) and app.screen.reloads["incidents"])
        screen = app.screen
        await pilot.resize_terminal(160, 48)
        assert await until(pilot, lambda: all(p.filled and p.table.row_count for p in screen.panes))
        assert screen._deferred == []


def test_the_first_paint_is_one_frame_that_already_holds_the_data(db_path, tmp_path):
    """In a real terminal: the clock bar is drawn once, in the same write burst as the incident rows."""
    asyncio.run(_seed(db_path))
    config = tmp_path / "config" / "cmcc"
    config.mkdir(parents=True)
    (config / "config.toml").write_text("poll_feeds = false\nbell = false\n")
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "TERM": "xterm-256color"}
    with PtyCapture([sys.executable, "-m", "console.cli", "--db", str(db_path)], size=(80, 24), env=env,
                    cwd=str(ROOT)) as capture:
        capture.wait_quiet(1.0, timeout=30)
        shown = visible(bytes(capture.data))
    assert shown.count(b"CMCC") == 1, shown[-400:]  # one full frame, not a blank one and then the data
    assert re.search(rb"\d{6}Z\s+\d", shown), shown[-400:]  # an incident row: DTG then severity
    assert re.search(rb"\d incidents \xc2\xb7 sort", shown), shown[-400:]


ROOT = Path(__file__).resolve().parent.parent


async def _seed(db_path) -> None:
    store = await Store.open(db_path)
    try:
        await seed_demo(store.database, operator_login="watch")
    finally:
        await store.close()


def test_the_collector_is_paused_for_start_up_then_collects_freezes_and_runs_again():
    assert gc.isenabled()
    try:
        collector.pause()
        assert not gc.isenabled()
        cycle: list = []
        cycle.append(cycle)  # garbage only the cyclic collector can free
        probe = weakref.ref(_Probe(cycle))
        del cycle
        assert probe() is not None  # not collected while paused
        frozen = gc.get_freeze_count()
        collector.resume()
        assert gc.isenabled()
        assert probe() is None  # start-up's garbage was collected before the freeze
        assert gc.get_freeze_count() > frozen  # the survivors are out of later passes
    finally:
        gc.unfreeze()
        gc.enable()


def test_resuming_a_collector_nobody_paused_changes_nothing():
    frozen = gc.get_freeze_count()
    collector.resume()
    assert gc.isenabled() and gc.get_freeze_count() == frozen


async def test_the_console_turns_the_collector_back_on_once_its_first_frame_is_drawn(db_path):
    app = await demo_app(db_path)
    try:
        collector.pause()  # as `cmcc` does before it imports the interface
        async with app.run_test(size=(80, 24)) as pilot:
            assert await until(pilot, lambda: app.first_frame.drawn)
            assert await until(pilot, gc.isenabled)
    finally:
        gc.unfreeze()
        gc.enable()


class _Probe:
    def __init__(self, cycle: list) -> None:
        self.cycle = cycle
        cycle.append(self)


async def test_a_store_failure_in_one_part_of_the_first_load_is_named_and_holds_nothing_back(db_path):
    app = await demo_app(db_path)

    async def broken() -> list:
        raise StoreError("disk I/O error")

    app.store.feeds.list = broken  # the feed-health query fails; the rest of the first load does not
    notices: list[str] = []
    app.notify = lambda message, **kwargs: notices.append(str(message))
    async with app.run_test(size=(80, 24)) as pilot:
        # Well before the hold's own 5 s timeout: the load released it although a part failed.
        assert await until(pilot, lambda: app.first_frame.drawn, timeout=4.5)
        assert any(n.startswith("Feed health: disk I/O error") for n in notices), notices
        screen = app.screen
        assert screen.pane("incidents").table.row_count and screen.query_one(HeadlineTicker).headlines
