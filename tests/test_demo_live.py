"""`cmcc demo` is live: simulated feeds are polled into the console, the inbox gets files, all stops at exit."""

from __future__ import annotations

import asyncio

from console.app import CmccApp
from console.cli import main
from console.commands.demo import DEMO_FEEDS, demo_inbox, live_demo, prepare_demo
from console.config import Settings
from console.dtg import utc_now
from console.identity import current_actor
from console.screens.watch_floor import WatchFloor
from console.store import Store
from console.model.leases import FEED_POLLER
from tests.pilot import until


def test_demo_without_console_only_creates_the_database_and_starts_no_simulator(tmp_path, capsys):
    db = tmp_path / "demo.db"
    assert main(["demo", "--db", str(db), "--no-console"]) == 0
    assert capsys.readouterr().out.strip() == str(db)

    async def feeds():
        store = await Store.open(db)
        try:
            return await store.feeds.list()
        finally:
            await store.close()

    registered = asyncio.run(feeds())
    assert registered and all("127.0.0.1:1/" in f.url and not f.enabled for f in registered)


async def test_the_live_demo_polls_simulated_feeds_and_the_inbox_into_the_headlines_pane(db_path):
    store = await Store.open(db_path)
    await prepare_demo(store)
    actor, _notice = await current_actor(store)
    started = utc_now().replace(microsecond=0)
    async with live_demo(store, Settings(bell=False), simulator_interval=0.7, feed_interval=5,
                         inbox_every=1.0) as settings:
        feeds = {f.name: f for f in await store.feeds.list()}
        assert all(feeds[name].enabled and feeds[name].interval_seconds == 5 for name in DEMO_FEEDS)
        port_url = feeds["Wire Service"].url
        assert port_url.startswith("http://127.0.0.1:") and not port_url.startswith("http://127.0.0.1:1/")
        assert settings.inbox_for(store.path) == demo_inbox(db_path) == db_path.with_name(f"{db_path.stem}-inbox")
        assert settings.poll_feeds

        app = CmccApp(store, actor, settings)
        async with app.run_test(size=(100, 30)) as pilot:
            assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
            await pilot.press("4")
            table = app.screen.pane("headlines").table

            def sources() -> set[str]:
                return {h.source for h in table.records.values() if (h.guid or "").startswith("urn:cmcc-sim")}

            # The simulators' backlog arrives with the first polls ...
            assert await until(pilot, lambda: len(sources()) == 3, timeout=15), sources()
            # ... an item the simulator made after the console opened arrives with a later poll ...
            assert await until(pilot, lambda: any(h.published_at >= started and (h.guid or "").startswith(
                "urn:cmcc-sim") for h in table.records.values()), timeout=20)
            # ... and a file dropped into the demo inbox is imported.
            assert await until(pilot, lambda: any(h.source == "partner liaison (inbox)"
                                                  for h in table.records.values()), timeout=15)
            assert list((demo_inbox(db_path) / "processed").glob("headlines-*.json"))
            assert await store.leases.holder(FEED_POLLER) == app.feed_runner.holder
        url = port_url
    # The console released the lease (and closed its store); the simulator is gone with the demo.
    after = await Store.open(db_path)
    try:
        assert await after.leases.holder(FEED_POLLER) is None
    finally:
        await after.close()
    host, port = url.split("//")[1].split("/")[0].split(":")
    try:
        _reader, writer = await asyncio.open_connection(host, int(port))
    except OSError:
        pass
    else:
        writer.close()
        raise AssertionError("the simulator still answers after the demo ended")
