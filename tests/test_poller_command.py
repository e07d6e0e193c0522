"""`cmcc poller`: a headless process polls a real local feed into the database, and stops cleanly."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from console.model.access import SYSTEM_ACTOR
from console.model.headlines import Feed
from console.dtg import utc_now
from console.model.leases import FEED_POLLER
from feeds.simulator import drop_inbox_file
from tests.feed_server import FeedServer, rss_document
from tests.conftest import open_test_store

ROOT = Path(__file__).resolve().parent.parent


async def read_until(stream, wanted: str, seen: list[str], timeout: float = 20) -> bool:
    """Read the child's lines until one contains ``wanted``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        try:
            line = await asyncio.wait_for(asyncio.to_thread(stream.readline), timeout=deadline - loop.time())
        except TimeoutError:
            return False
        if not line:
            return False
        seen.append(line.rstrip("\n"))
        if wanted in line:
            return True
    return False


async def test_the_headless_poller_polls_a_feed_and_the_inbox_then_releases_the_lease_on_sigterm(
        db_path, tmp_path):
    inbox = tmp_path / "inbox"
    with FeedServer() as server:
        server.ok("/wire.xml", rss_document([
            {"title": "Kerem Shalom crossing reopens", "guid": "w1", "published": utc_now() - timedelta(minutes=3)},
            {"title": "Fuel reaches Deir al-Balah", "guid": "w2", "published": utc_now() - timedelta(minutes=2)},
        ]))
        store = await open_test_store(db_path)
        try:
            await store.feeds.add(SYSTEM_ACTOR, Feed(name="Wire", url=server.url("/wire.xml"), interval_seconds=60))
            child = subprocess.Popen(
                [sys.executable, "-m", "console.cli", "--db", str(db_path), "poller", "--inbox", str(inbox)],
                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            seen: list[str] = []
            try:
                assert await read_until(child.stdout, "feed Wire: 2 new", seen), seen
                assert any("holding the feed-poller lease" in line for line in seen)
                titles = {h.title for h in await store.headlines.latest(SYSTEM_ACTOR)}
                assert {"Kerem Shalom crossing reopens", "Fuel reaches Deir al-Balah"} <= titles
                assert (await store.leases.holder(FEED_POLLER) or "").endswith(f":{child.pid}")

                dropped = drop_inbox_file(inbox, count=2, seed=3)
                assert await read_until(child.stdout, f"inbox {dropped.name}: imported 2 headlines", seen), seen
                assert (inbox / "processed" / dropped.name).exists()

                child.send_signal(signal.SIGTERM)
                out, err = await asyncio.to_thread(child.communicate, timeout=20)
                seen += out.splitlines()
                assert child.returncode == 0, err
                assert "Traceback" not in err
                assert any("released the feed-poller lease" in line for line in seen)
                assert seen[-1].endswith("stopped")
                assert await store.leases.holder(FEED_POLLER) is None
                assert len(server.requests_to("/wire.xml")) == 1  # polled once: the next poll is a minute away
            finally:
                if child.poll() is None:
                    child.kill()
                    child.communicate(timeout=10)
        finally:
            await store.close()


async def test_a_second_poller_stands_by_while_the_first_holds_the_lease(db_path):
    store = await open_test_store(db_path)
    try:
        assert await store.leases.try_acquire(FEED_POLLER, "console@floor:42", 30)
        child = subprocess.Popen([sys.executable, "-m", "console.cli", "--db", str(db_path), "poller", "--no-inbox"],
                                 cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        seen: list[str] = []
        try:
            assert await read_until(child.stdout, "feeds are polled by console@floor; standing by", seen), seen
            child.send_signal(signal.SIGINT)
            out, err = await asyncio.to_thread(child.communicate, timeout=20)
            assert child.returncode == 0, err
            assert await store.leases.holder(FEED_POLLER) == "console@floor:42"  # not its lease to release
        finally:
            if child.poll() is None:
                child.kill()
                child.communicate(timeout=10)
    finally:
        await store.close()
