"""Under a storm of changes a screen's reload finishes (it was cancelled and restarted by each
change, so an open watch log stayed frozen for a whole load), and the watch log reads only the
rows after the newest it shows instead of searching the whole journal for each change."""

from __future__ import annotations

import asyncio

from textual.app import App
from textual.screen import Screen

from console.screens.coalesce import coalesced
from console.screens.watch_log import WatchLogScreen
from console.store import Store
from tests.conftest import ADMIN
from tests.pilot import demo_app, until
from widgets.watch.journal_table import JournalTable

#: The row of bench/hardening_report.py these cases count in.
AREA = "reloads under a storm of changes"


class SlowScreen(Screen):
    """A reload that takes 50 ms, asked for every 10 ms: as a watch log under ten writers."""

    def __init__(self) -> None:
        super().__init__()
        self.started = self.finished = 0

    @coalesced
    async def reload(self) -> None:
        self.started += 1
        await asyncio.sleep(0.05)
        self.finished += 1


async def test_a_reload_asked_again_while_it_runs_finishes_and_runs_once_more(tally):
    tally.case(AREA)
    app = App()
    async with app.run_test() as pilot:
        screen = SlowScreen()
        await app.push_screen(screen)
        for _ in range(30):  # 300 ms of requests, each sooner than a reload takes
            screen.reload()
            await asyncio.sleep(0.01)
        during = screen.finished
        assert await until(pilot, lambda: screen.finished == screen.started and screen.started > during)
        # Reloads finished while the storm went on (cancelled and restarted, none did), and each
        # ran to its end: a handful of runs for 30 requests, not 30.
        assert during >= 3
        assert screen.started <= 10


async def test_the_watch_log_reads_only_the_rows_after_the_newest_it_shows(tally, db_path):
    tally.case(AREA)
    app = await demo_app(db_path)
    async with app.run_test(size=(120, 30)) as pilot:
        assert await until(pilot, lambda: app.screen is not None and app.screen.is_current)
        asked: list[dict] = []
        recent = app.store.journal.recent

        async def watched_recent(*args, **kwargs):
            asked.append(kwargs)
            return await recent(*args, **kwargs)

        app.store.journal.recent = watched_recent
        await app.store.watch.add_log_entry(ADMIN, "Shift started")  # a person's row (the seed's are hidden)
        await app.push_screen(WatchLogScreen())
        log = app.screen
        table = log.query_one(JournalTable)
        assert await until(pilot, lambda: table.row_count > 0)
        newest = log.entries[0].id
        other = await Store.open(db_path)  # another console
        try:
            await other.watch.add_log_entry(ADMIN, "Convoy 41 cleared Kerem Shalom")
        finally:
            await other.close()
        assert await until(pilot, lambda: log.entries and log.entries[0].id > newest, timeout=10)
        assert "log" in table.get_row_at(0)[2].plain
        incremental = [kw for kw in asked if kw.get("after_id")]
        assert incremental and incremental[-1]["after_id"] == newest  # a range after the newest, no search
