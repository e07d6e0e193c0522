"""Feed polling runs in exactly one process: a lease in the database, taken over when its holder dies."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from console.model.access import SYSTEM_ACTOR
from console.model.headlines import Feed
from console.model.journal import Entity
from console.dtg import utc_now
from console.runner import FeedRunner
from console.store import Store
from console.model.leases import FEED_POLLER
from tests.conftest import VIEWER
from tests.feed_server import FeedServer, rss_document

ROOT = Path(__file__).resolve().parent.parent


async def lease_events(store) -> list[tuple[str, dict]]:
    entries = [e for e in await store.journal.recent(limit=1000) if e.entity is Entity.LEASE]
    return [(e.action, e.changes) for e in reversed(entries)]


async def test_a_free_lease_is_taken_renewed_by_its_holder_and_refused_to_others(store):
    assert await store.leases.try_acquire(FEED_POLLER, "alice@h:1", 10)
    first = await store.leases.get(FEED_POLLER)
    assert await store.leases.try_acquire(FEED_POLLER, "alice@h:1", 10)  # renewal
    renewed = await store.leases.get(FEED_POLLER)
    assert renewed.holder == "alice@h:1" and renewed.expires_at >= first.expires_at
    assert not await store.leases.try_acquire(FEED_POLLER, "bob@h:2", 10)
    assert await store.leases.holder(FEED_POLLER) == "alice@h:1"
    # Renewals are not journaled: one acquire only.
    assert [action for action, _ in await lease_events(store)] == ["acquire"]


async def test_a_lapsed_lease_is_taken_over_and_the_watch_log_says_from_whom(store):
    assert await store.leases.try_acquire(FEED_POLLER, "alice@h:1", 0.3)
    await asyncio.sleep(0.5)
    assert await store.leases.holder(FEED_POLLER) is None  # lapsed: nobody polls
    assert await store.leases.try_acquire(FEED_POLLER, "bob@h:2", 10, actor=VIEWER)
    assert not await store.leases.try_acquire(FEED_POLLER, "alice@h:1", 10)  # the old holder is out
    events = await lease_events(store)
    assert events[-1][0] == "takeover"
    assert events[-1][1]["holder"] == "bob@h:2" and events[-1][1]["previous"] == "alice@h:1"


async def test_release_frees_the_lease_at_once_but_only_for_its_holder(store):
    assert await store.leases.try_acquire(FEED_POLLER, "alice@h:1", 10)
    assert not await store.leases.release(FEED_POLLER, "bob@h:2")
    assert await store.leases.holder(FEED_POLLER) == "alice@h:1"
    assert await store.leases.release(FEED_POLLER, "alice@h:1")
    assert await store.leases.try_acquire(FEED_POLLER, "bob@h:2", 10)
    assert [a for a, _ in await lease_events(store)] == ["acquire", "release", "acquire"]


HOLDER_SCRIPT = textwrap.dedent("""
    import asyncio, sys
    from console.model.access import SYSTEM_ACTOR
    from console.runner import FeedRunner
    from console.store import Store

    async def main():
        store = await Store.open(sys.argv[1])
        runner = FeedRunner(store, SYSTEM_ACTOR, inbox_folder=None, holder="doomed@host:1",
                            ttl_seconds=2.0, renew_seconds=0.5, on_event=lambda line: print(line, flush=True))
        await runner.run()

    asyncio.run(main())
""")


async def test_when_the_polling_process_is_killed_another_takes_over_within_the_ttl(db_path, tmp_path):
    store = await Store.open(db_path)  # migrated before the child opens it
    child = subprocess.Popen([sys.executable, "-c", HOLDER_SCRIPT, str(db_path)], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = await asyncio.wait_for(asyncio.to_thread(child.stdout.readline), timeout=20)
        assert "holding the feed-poller lease" in line
        standby = FeedRunner(store, SYSTEM_ACTOR, inbox_folder=None, holder="survivor@host:2",
                             ttl_seconds=2.0, renew_seconds=0.5)
        stop = asyncio.Event()
        task = asyncio.create_task(standby.run(stop))
        await asyncio.sleep(1.5)
        assert not standby.holding  # the child renews: the standby waits
        assert await store.leases.holder(FEED_POLLER) == "doomed@host:1"

        os.kill(child.pid, signal.SIGKILL)  # no chance to release anything
        child.wait(timeout=10)
        killed_at = asyncio.get_running_loop().time()
        while not standby.holding and asyncio.get_running_loop().time() - killed_at < 15:
            await asyncio.sleep(0.1)
        assert standby.holding, "nobody took the lease over within 15 s"
        assert await store.leases.holder(FEED_POLLER) == "survivor@host:2"
        action, changes = (await lease_events(store))[-1]
        assert action == "takeover" and changes["previous"] == "doomed@host:1"
        stop.set()
        await task
        assert await store.leases.holder(FEED_POLLER) is None  # released on a clean stop
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=10)
        await store.close()


@pytest.fixture
def server():
    with FeedServer() as server:
        yield server


async def test_of_two_runners_on_one_database_only_one_polls_and_the_other_takes_over_when_it_stops(
        db_path, server):
    server.ok("/wire.xml", rss_document([{"title": "Zikim crossing reopens", "guid": "g1",
                                          "published": utc_now() - timedelta(minutes=5)}]))
    one, two = await Store.open(db_path), await Store.open(db_path)
    try:
        await one.feeds.add(SYSTEM_ACTOR, Feed(name="Wire", url=server.url("/wire.xml"), interval_seconds=5))
        first = FeedRunner(one, SYSTEM_ACTOR, inbox_folder=None, holder="first@h:1", ttl_seconds=2.0,
                           renew_seconds=0.3, tick_seconds=0.1)
        second = FeedRunner(two, SYSTEM_ACTOR, inbox_folder=None, holder="second@h:2", ttl_seconds=2.0,
                            renew_seconds=0.3, tick_seconds=0.1)
        stop_first, stop_second = asyncio.Event(), asyncio.Event()
        tasks = [asyncio.create_task(first.run(stop_first))]
        await asyncio.sleep(0.2)
        tasks.append(asyncio.create_task(second.run(stop_second)))
        for _ in range(50):
            if first.polls:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)
        assert first.polls >= 1 and second.polls == 0
        assert first.holding and not second.holding
        assert [h.title for h in await one.headlines.latest(SYSTEM_ACTOR)] == ["Zikim crossing reopens"]

        stop_first.set()
        await tasks[0]
        for _ in range(50):
            if second.holding:
                break
            await asyncio.sleep(0.1)
        assert second.holding  # released, so taken at the next ask, not after the TTL
        stop_second.set()
        await tasks[1]
        assert len(await one.headlines.latest(SYSTEM_ACTOR)) == 1
    finally:
        await one.close()
        await two.close()


def test_the_runner_and_the_poller_command_never_import_textual():
    code = ("import sys, console.runner, console.commands.poller, console.store.leases;"
            " bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'));"
            " print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
