"""`z` (issue 16): the pane in front over the whole floor, with all its columns, and back; in the
split each pane keeps its most important columns (the aid board's Held before its trend)."""

from __future__ import annotations

from tests.pilot import demo_app, screen_text, until, watch_floor
from widgets.aid.aid_board import AidBoard
from widgets.headlines.headline_ticker import HeadlineTicker


async def test_a_watch_officer_zooms_the_aid_board_to_see_every_column_and_back(db_path):
    app = await demo_app(db_path)
    async with app.run_test(size=(160, 48)) as pilot:
        floor = await watch_floor(pilot, app)
        board = floor.query_one(AidBoard)
        assert await until(pilot, lambda: board.row_count > 0)
        header = board.render_line(0).text
        assert "Held" in header and "14 days" not in header  # the split: the trend gives way first
        await pilot.press("2", "z")
        assert await until(pilot, lambda: floor.has_class("-zoomed"))
        assert await until(pilot, lambda: "14 days" in board.render_line(0).text)
        assert "COGAT" in board.render_line(0).text and "Pipe" in board.render_line(0).text
        assert floor.pane("incidents").region.width == 0  # the others give it the floor
        assert "ZOOM (z)" in screen_text(app).splitlines()[1]
        await pilot.press("4")  # another pane, still zoomed: it takes the floor
        headlines = floor.pane("headlines")
        assert await until(pilot, lambda: headlines.region.width >= 150)
        await pilot.press("z")
        assert await until(pilot, lambda: not floor.has_class("-zoomed") and floor.pane("incidents").region.width > 0)
        assert await until(pilot, lambda: "14 days" not in board.render_line(0).text)


async def test_at_80_columns_zoom_gives_the_ticker_s_line_to_the_pane(db_path):
    app = await demo_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        floor = await watch_floor(pilot, app)
        table = floor.pane("incidents").table
        before = table.region.height
        await pilot.press("z")
        assert await until(pilot, lambda: table.region.height == before + 1)
        assert not floor.query_one(HeadlineTicker).region.height
