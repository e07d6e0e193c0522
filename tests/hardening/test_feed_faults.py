"""A feed server that hangs, resets connections or answers garbage for a while: backoff holds
(failures counted, the next poll further away each time), the other feeds keep arriving, and a
console stays responsive while its runner polls the bad feeds.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from console.config import Settings
from console.model.access import SYSTEM_ACTOR
from console.model.headlines import Feed
from console.dtg import utc_now
from console.screens.watch_floor import WatchFloor
from console.store import Store
from feeds.poller import FeedPoller
from tests.conftest import ADMIN
from tests.feed_server import rss_document
from tests.hardening.hostile_server import HostileServer
from tests.pilot import until

AREA = "feed faults"
BAD = {"/hang": ("hang", None), "/reset": ("reset", None), "/garbage": ("garbage_status_line", None),
       "/noise": ("garbage", 64 * 1024), "/teapot": ("status", 503)}


def good_document(round_number: int) -> bytes:
    return rss_document([{"title": f"Crossing report {i}", "guid": f"good-{i}", "link": f"http://x.test/{i}"}
                         for i in range((round_number + 1) * 5)])


async def test_backoff_holds_through_hangs_resets_and_garbage_while_the_good_feed_keeps_arriving(tmp_path, tally):
    store = await Store.open(tmp_path / "faults.db")
    try:
        with HostileServer() as server:
            for path, (behaviour, argument) in BAD.items():
                server.set(path, behaviour, argument)
            feeds = {path: await store.feeds.add(SYSTEM_ACTOR, Feed(name=path.strip("/"), url=server.url(path),
                                                                     interval_seconds=30))
                     for path in [*BAD, "/good"]}
            poller = FeedPoller(store, connect_timeout=1.0, read_timeout=1.0, total_timeout=1.5)
            delays: dict[str, list[float]] = {path: [] for path in BAD}
            arrived = []
            try:
                for round_number in range(6):
                    server.document("/good", good_document(round_number))
                    current = {path: await store.feeds.get(feed.id) for path, feed in feeds.items()}
                    results = await asyncio.wait_for(
                        asyncio.gather(*(poller.poll_once(feed) for feed in current.values())), 30)
                    by_path = dict(zip(current, results))
                    for path in BAD:
                        result = by_path[path]
                        assert not result.ok and result.error and "\n" not in result.error, result
                        delays[path].append((result.next_poll_at - utc_now()).total_seconds())
                        tally.fault(AREA)
                    assert by_path["/good"].ok, by_path["/good"].error
                    arrived.append(by_path["/good"].new_items)
            finally:
                await poller.aclose()
        for path in BAD:
            feed = await store.feeds.get(feeds[path].id)
            assert feed.consecutive_failures == 6, (path, feed.consecutive_failures)
            steps = delays[path]
            assert all(later > earlier for earlier, later in zip(steps, steps[1:])), (path, steps)  # grows
            assert steps[-1] <= 3600 * 1.2 + 5  # capped
            # and it is not due before that: the scheduler skips it
            assert feed not in await store.feeds.due(utc_now() + timedelta(seconds=steps[-1] * 0.75))
        assert arrived == [5, 5, 5, 5, 5, 5]  # the good feed delivered every round
        headlines = await store.headlines.count(ADMIN)
        tally.rows_checked(AREA, headlines)
        assert headlines == 30
        tally.case(AREA, 6 * (len(BAD) + 1))
    finally:
        await store.close()


async def test_the_console_answers_keys_while_its_runner_polls_a_hanging_and_resetting_server(
        tmp_path, db_path, tally):
    from tests.pilot import demo_app

    app = await demo_app(db_path, ADMIN, Settings(bell=False, poll_feeds=True, inbox=str(tmp_path / "inbox")))
    store = app.store
    with HostileServer() as server:
        for path, (behaviour, argument) in BAD.items():
            server.set(path, behaviour, argument)
        server.document("/good", good_document(0))
        async with store.database.transaction() as conn:
            await conn.execute("UPDATE feeds SET enabled = 0")  # only this test's feeds poll
        for path in [*BAD, "/good"]:
            await store.feeds.add(ADMIN, Feed(name=f"fault{path}", url=server.url(path), interval_seconds=5))
        async with app.run_test(size=(80, 24)) as pilot:
            assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
            floor = app.screen
            switches = 0
            loop = asyncio.get_running_loop()
            end = loop.time() + 10
            while loop.time() < end:  # ten seconds of an operator moving between panes
                for key, title in (("2", "Aid flow"), ("4", "Headlines"), ("1", "Incidents")):
                    await pilot.press(key)
                    assert await until(pilot, lambda t=title: floor.panes[floor.active].TITLE == t
                                       and app.focused in floor.panes[floor.active].table.ancestors_with_self,
                                       timeout=2.0), \
                        f"pane {title} did not come up while the runner polls bad feeds"
                    switches += 1
            assert app.is_running
            good = await store.feeds.get_by_name("fault/good")
            assert good.last_success_at is not None and good.items_seen == 5  # the good feed arrived
            failing = [await store.feeds.get_by_name(f"fault{path}") for path in ("/reset", "/garbage", "/teapot")]
            assert all(f.consecutive_failures >= 1 for f in failing), [(f.name, f.last_error) for f in failing]
            tally.case(AREA, switches)
            tally.fault(AREA, sum(f.consecutive_failures for f in failing))
