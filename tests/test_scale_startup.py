"""Start-up on a big database: the first frame waits only for what is on screen; the rest follows by itself."""

from __future__ import annotations

from console.screens.watch_floor import WatchFloor
from tests.pilot import demo_app, until
from widgets.headline_ticker import HeadlineTicker


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
