"""The poller against a real HTTP server: healthy feeds deliver, every fault shows in feed health."""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from console.model.headlines import Feed
from console.model.journal import Entity
from console.dtg import utc_now
from console.store.feeds import FeedRepository
from feeds.poller import FeedPoller, backoff_seconds, parse_retry_after
try:
    from feed_server import FeedServer, atom_document, closed_port_url, json_feed_document, rss_document
except ImportError:  # tests/ became a package
    from tests.feed_server import FeedServer, atom_document, closed_port_url, json_feed_document, rss_document

WHEN = datetime(2025, 11, 25, 10, 0, tzinfo=timezone.utc)


def items(prefix: str, count: int) -> list[dict]:
    return [{"title": f"{prefix} item {i} Kerem Shalom reopens", "link": f"http://example.test/{prefix}/{i}",
             "guid": f"{prefix}-{i}", "description": f"<p>Story <b>{i}</b></p>",
             "published": WHEN + timedelta(minutes=i)} for i in range(count)]


@pytest.fixture
def server():
    with FeedServer() as server:
        yield server


def fast_poller(store, **kwargs) -> FeedPoller:
    options = dict(connect_timeout=0.5, read_timeout=0.5, total_timeout=1.5, max_bytes=64 * 1024,
                   rng=random.Random(7))
    options.update(kwargs)
    return FeedPoller(store, **options)


async def add_feed(store, name: str, url: str, **kwargs) -> Feed:
    from console.model.access import SYSTEM_ACTOR

    return await store.feeds.add(SYSTEM_ACTOR, Feed(name=name, url=url, interval_seconds=60, **kwargs))


async def health_rows(store, feed_id: int) -> list:
    return [e for e in await store.journal.for_entity(Entity.FEED, feed_id) if e.action == "health"]


async def test_a_healthy_feed_delivers_its_items_and_then_answers_not_modified(store, server):
    server.ok("/rss.xml", rss_document(items("a", 3)), etag='"v1"')
    feed = await add_feed(store, "wire", server.url("/rss.xml"), keywords=("kerem shalom",))
    async with fast_poller(store) as poller:
        first = await poller.poll_once(feed)
        assert first.ok and first.new_items == 3
        feed = await store.feeds.get(feed.id)
        assert feed.etag == '"v1"' and feed.items_seen == 3 and feed.consecutive_failures == 0
        assert feed.last_success_at is not None
        second = await poller.poll_once(feed)
    assert second.ok and second.not_modified and second.new_items == 0
    assert server.requests_to("/rss.xml")[-1].headers.get("if-none-match") == '"v1"'
    stored = await store.headlines.latest(store_actor())
    assert [h.title for h in stored][0] == "a item 2 Kerem Shalom reopens"
    assert stored[0].summary == "Story 2" and stored[0].watch_hits == ("kerem shalom",)
    assert stored[0].feed_id == feed.id
    # The poll that brought items is journaled; the quiet 304 is not (no news, no flood).
    rows = await health_rows(store, feed.id)
    assert len(rows) == 1 and rows[0].changes["ok"] and rows[0].changes["new_items"] == 3


def store_actor():
    from console.model.access import SYSTEM_ACTOR

    return SYSTEM_ACTOR


async def test_atom_and_json_feeds_and_a_file_feed_are_read_the_same_way(store, server, tmp_path):
    server.ok("/atom.xml", atom_document(items("atom", 2)), content_type="application/atom+xml")
    server.ok("/feed.json", json_feed_document(items("json", 2)), content_type="application/feed+json")
    path = tmp_path / "local.xml"
    path.write_bytes(rss_document(items("file", 2)))
    feeds = [await add_feed(store, "atom", server.url("/atom.xml")),
             await add_feed(store, "json", server.url("/feed.json")),
             await add_feed(store, "file", str(path)),
             await add_feed(store, "fileurl", path.as_uri())]
    async with fast_poller(store) as poller:
        results = [await poller.poll_once(f) for f in feeds]
    assert [r.ok for r in results] == [True] * 4
    # the same file twice: the same guids, so the second adds nothing
    assert [r.new_items for r in results] == [2, 2, 2, 0]
    assert await store.headlines.count(store_actor()) == 6


FAULTS = {
    "http 500": (lambda s: s.error("/f", 500), "HTTP 500"),
    "refused": (None, "connection refused"),
    "timeout": (lambda s: s.slow_headers("/f", 2.0), "timed out"),
    "slow body": (lambda s: s.slow_body("/f", rss_document(items("s", 20)), chunk_size=64, chunk_delay=0.1),
                  "timed out: the whole fetch took longer than 1.5s"),
    "oversized": (lambda s: s.oversized("/f", 200 * 1024), "body larger than 64 KB"),
    "oversized declared": (lambda s: s.oversized("/f", 200 * 1024, send_length=True), "body larger than 64 KB"),
    "malformed xml": (lambda s: s.ok("/f", b'<?xml version="1.0"?>\n<rss version="2.0">\n<channel><item><ti'),
                      "malformed XML at line 3"),
    "not a feed": (lambda s: s.ok("/f", b"<html><body>Login</body></html>", content_type="text/html"),
                   "not an RSS, Atom or JSON feed"),
    "retry after": (lambda s: s.retry_after("/f", "120"), "HTTP 429 Too Many Requests (retry after 120s)"),
    "redirect loop": (lambda s: s.redirect_loop("/f"), "too many redirects"),
    "gzip bomb": (lambda s: s.gzip_bomb("/f", 8 * 1024 * 1024), "body larger than 64 KB"),
    "entity bomb": (lambda s: s.ok("/f", b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaa">'
                                         b'<!ENTITY b "&a;&a;&a;&a;">]><rss>&b;</rss>'), "refused"),
}


@pytest.mark.parametrize("fault", list(FAULTS))
async def test_each_fault_shows_in_feed_health_and_a_healthy_feed_still_delivers(store, server, fault):
    setup, expected = FAULTS[fault]
    if setup is None:
        url = closed_port_url()
    else:
        setup(server)
        url = server.url("/f")
    server.ok("/good.xml", rss_document(items("good", 2)))
    bad = await add_feed(store, "bad", url)
    good = await add_feed(store, "good", server.url("/good.xml"))
    async with fast_poller(store) as poller:
        results = {r.feed.name: r for r in await poller.poll_due()}
    assert results["good"].ok and results["good"].new_items == 2
    assert not results["bad"].ok
    assert expected in results["bad"].error
    bad_now = await store.feeds.get(bad.id)
    assert bad_now.consecutive_failures == 1 and expected in bad_now.last_error
    assert bad_now.next_poll_at > utc_now() + timedelta(seconds=60)  # backed off beyond the interval
    rows = await health_rows(store, bad.id)
    assert rows[-1].changes["ok"] is False and expected in rows[-1].changes["error"]
    assert (await store.feeds.get(good.id)).consecutive_failures == 0


async def test_retry_after_is_honoured_even_when_longer_than_the_backoff(store, server):
    later = format_datetime(utc_now() + timedelta(hours=2), usegmt=True)
    server.retry_after("/busy", later, status=503)
    feed = await add_feed(store, "busy", server.url("/busy"))
    async with fast_poller(store) as poller:
        result = await poller.poll_once(feed)
    assert not result.ok and "HTTP 503" in result.error
    assert result.next_poll_at > utc_now() + timedelta(minutes=110)


async def test_backoff_grows_with_each_consecutive_failure_and_resets_on_success(store, server):
    server.error("/flaky", 500)
    feed = await add_feed(store, "flaky", server.url("/flaky"))
    delays = []
    async with fast_poller(store) as poller:
        for _ in range(4):
            feed = await store.feeds.get(feed.id)
            before = utc_now()
            result = await poller.poll_once(feed)
            delays.append((result.next_poll_at - before).total_seconds())
        assert (await store.feeds.get(feed.id)).consecutive_failures == 4
        assert delays == sorted(delays) and delays[-1] > 2 * delays[0]
        server.ok("/flaky", rss_document(items("f", 1)))
        result = await poller.poll_once(await store.feeds.get(feed.id))
    assert result.ok
    healed = await store.feeds.get(feed.id)
    assert healed.consecutive_failures == 0 and "HTTP 500" in healed.last_error  # kept as history


async def test_a_slow_feed_does_not_delay_the_others(store, server):
    server.slow_headers("/slow", 1.0, body=rss_document(items("slow", 1)))
    server.ok("/fast.xml", rss_document(items("fast", 1)))
    await add_feed(store, "slow", server.url("/slow"))
    await add_feed(store, "fast", server.url("/fast.xml"))
    order = []
    async with fast_poller(store, read_timeout=3.0, total_timeout=5.0,
                           on_result=lambda r: order.append(r.feed.name)) as poller:
        results = await poller.poll_due()
    assert all(r.ok for r in results)
    assert order == ["fast", "slow"]


async def test_header_values_come_from_the_environment_and_never_reach_the_journal(store, server, monkeypatch):
    server.ok("/keyed.xml", rss_document(items("k", 1)))
    monkeypatch.setenv("CMCC_TEST_FEED_KEY", "s3cret-value")
    feed = await add_feed(store, "keyed", server.url("/keyed.xml"), header_env="X-Api-Key=CMCC_TEST_FEED_KEY")
    async with fast_poller(store) as poller:
        assert (await poller.poll_once(feed)).ok
        assert server.requests_to("/keyed.xml")[-1].headers["x-api-key"] == "s3cret-value"
        monkeypatch.delenv("CMCC_TEST_FEED_KEY")
        missing = await poller.poll_once(await store.feeds.get(feed.id))
    assert not missing.ok and "CMCC_TEST_FEED_KEY" in missing.error
    everything = await store.journal.recent(limit=1000)
    assert everything and not any("s3cret" in repr(e.changes) for e in everything)


async def test_run_polls_due_feeds_until_stopped(store, server):
    server.ok("/rss.xml", rss_document(items("r", 2)))
    await add_feed(store, "wire", server.url("/rss.xml"))
    stop = asyncio.Event()
    seen = []
    poller = fast_poller(store, tick_seconds=0.05, on_result=seen.append)
    task = asyncio.create_task(poller.run(stop))
    for _ in range(200):
        if seen:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert seen and seen[0].ok and seen[0].new_items == 2
    assert await store.headlines.count(store_actor()) == 2


def test_backoff_is_exponential_capped_and_jittered():
    rng = random.Random(1)
    for failures in range(1, 12):
        value = backoff_seconds(60, failures, rng)
        base = min(60 * 2 ** failures, 3600)
        assert 0.8 * base <= value <= 1.2 * base
    assert backoff_seconds(7200, 3, rng) <= 7200 * 1.2  # never capped below the interval


def test_retry_after_accepts_seconds_and_dates_and_ignores_garbage():
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert parse_retry_after("30", now) == 30
    assert parse_retry_after(format_datetime(now + timedelta(seconds=90), usegmt=True), now) == 90
    assert parse_retry_after("soon", now) is None and parse_retry_after(None) is None
    assert parse_retry_after("999999999", now) == 6 * 3600


async def test_feed_registry_validates_and_requires_admin(store):
    from console.model.access import Actor, Role
    from console.model.errors import PermissionDenied, ValidationError

    viewer = Actor("v", "Viewer", Role.OPERATOR, "GBR")
    with pytest.raises(PermissionDenied):
        await store.feeds.add(viewer, Feed(name="x", url="http://example.test/"))
    for bad in (Feed(name="", url="http://e.test/"), Feed(name="x", url="ftp://e.test/"),
                Feed(name="x", url="http://e.test/", interval_seconds=4),
                Feed(name="x", url="http://e.test/", header_env="X-Key=not valid")):
        with pytest.raises(ValidationError):
            await store.feeds.add(store_actor(), bad)
    await add_feed(store, "x", "http://e.test/")
    with pytest.raises(ValidationError, match="already exists"):
        await add_feed(store, "x", "http://e.test/other")
    await store.feeds.set_enabled(store_actor(), "x", False)
    assert await store.feeds.due(utc_now()) == []
    await store.feeds.set_enabled(store_actor(), "x", True)
    assert [f.name for f in await store.feeds.due(utc_now())] == ["x"]
    await store.feeds.remove(store_actor(), "x")
    assert await store.feeds.list() == []
    assert isinstance(store.feeds, FeedRepository)


async def test_the_demo_simulator_serves_three_feeds_with_etags_and_new_items(store):
    from feeds.simulator import FeedSimulator

    async with FeedSimulator(interval=3600, seed=3, backlog=2) as simulator:
        for name, url in simulator.urls.items():
            await add_feed(store, name, url)
        async with fast_poller(store) as poller:
            first = {r.feed.name: r for r in await poller.poll_due()}
            assert {n: (r.ok, r.new_items) for n, r in first.items()} == {
                "rss": (True, 2), "atom": (True, 2), "json": (True, 2)}
            unchanged = await poller.poll_once(await store.feeds.get_by_name("rss"))
            assert unchanged.ok and unchanged.not_modified
            for _ in range(6):
                simulator.tick()
            after = [await poller.poll_once(await store.feeds.get_by_name(n)) for n in ("rss", "atom", "json")]
    assert sum(r.new_items for r in after) == 6
    titles = [h.title for h in await store.headlines.latest(store_actor())]
    assert len(titles) == 12 and all(titles)
