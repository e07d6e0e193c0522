"""Issue 22, round two: feed documents and faults that gave a traceback, a dead task or silence.

A non-ASCII ETag or Last-Modified sent as raw bytes by a real server, a full disk during a poll,
a JSON number longer than 4,300 digits, entries with no visible text, a document over the
per-document item bound, and a UTF-16 document declaring entities. Real HTTP servers on
127.0.0.1, real files, ``cmcc feeds check`` as a real process.
"""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess

import pytest

from console.model.access import SYSTEM_ACTOR
from console.model.headlines import Feed
from console.runner import describe_poll
from feeds.poller import FeedPoller
from console.model.errors import StoreError
from tests.conftest import ADMIN, OPERATOR, open_test_store
from tests.feed_server import FeedServer, Route, rss_document
from tests.hardening.helpers import ROOT, child_env, count, python
from tests.test_store_foundation import an_incident

AREA = "feed polls (validators, full disk, bounds, encodings)"


def raw_header(text: str) -> str:
    """``http.server`` writes header values as Latin-1: this sends ``text`` as raw UTF-8 bytes."""
    return text.encode("utf-8").decode("latin-1")


def check(source: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([python(), "-m", "console.cli", "feeds", "check", source, *extra], cwd=ROOT,
                          env=child_env(), capture_output=True, text=True, timeout=60)


# --- validators that are not ASCII --------------------------------------------------------------


@pytest.mark.parametrize("header", ["ETag", "Last-Modified"])
async def test_a_non_ascii_validator_is_dropped_with_a_note_and_later_polls_keep_working(store, tally, header):
    value = '"abécd"' if header == "ETag" else "Tue, 25 Nov 2025 10:00:00 GMT é"
    with FeedServer() as server:
        body = rss_document([{"title": "Kerem Shalom open", "guid": "v-1", "link": "http://x.test/1"}])
        server.set("/feed.xml", Route(body=body, headers={header: raw_header(value)}))
        feed = await store.feeds.add(SYSTEM_ACTOR, Feed(name="wire", url=server.url("/feed.xml"), interval_seconds=60))
        poller = FeedPoller(store)
        try:
            results = []
            for _ in range(3):
                current = await store.feeds.get(feed.id)
                results.append(await asyncio.wait_for(poller.poll_once(current), 30))
                tally.case(AREA)
        finally:
            await poller.aclose()
        requests = server.requests_to("/feed.xml")
    assert all(r.ok for r in results), [r.error for r in results]
    assert results[0].new_items == 1
    healthy = await store.feeds.get(feed.id)
    assert healthy.consecutive_failures == 0 and not healthy.last_error
    assert f"{header} is not ASCII" in healthy.health_note, healthy.health_note
    assert f"{header} is not ASCII" in describe_poll(results[-1])  # the poller's log line says so too
    assert healthy.etag.isascii() and healthy.last_modified.isascii()
    # every request left, none carried the bad value back
    assert len(requests) == 3
    assert not any("if-none-match" in r.headers or "if-modified-since" in r.headers for r in requests)


async def test_a_non_ascii_etag_stored_earlier_is_not_sent_back(store, tally):
    """A database from before: the ETag was stored raw. The next request leaves without it."""
    import sqlite3

    with FeedServer() as server:
        server.ok("/feed.xml", rss_document([{"title": "Zikim open", "guid": "s-1"}]), etag='"v2"')
        feed = await store.feeds.add(SYSTEM_ACTOR, Feed(name="old", url=server.url("/feed.xml"), interval_seconds=60))
        raw = sqlite3.connect(store.path, timeout=30)
        raw.execute("UPDATE feeds SET etag = ? WHERE id = ?", ('"abécd"', feed.id))
        raw.commit()
        raw.close()
        poller = FeedPoller(store)
        try:
            result = await asyncio.wait_for(poller.poll_once(await store.feeds.get(feed.id)), 30)
            again = await asyncio.wait_for(poller.poll_once(await store.feeds.get(feed.id)), 30)
        finally:
            await poller.aclose()
        tally.case(AREA)
        tally.fault(AREA)
        requests = server.requests_to("/feed.xml")
    assert result.ok, result.error
    assert "not ASCII" in " ".join(result.notes)
    assert again.ok and again.not_modified  # the good ETag the server sent since is used
    assert [r.headers.get("if-none-match") for r in requests] == [None, '"v2"']


# --- a full disk during a poll ----------------------------------------------------------------------


async def test_a_full_disk_during_a_poll_is_one_failed_poll_in_the_feeds_health_with_backoff(tmp_path, tally):
    store = await open_test_store(tmp_path / "full.db")
    loop = asyncio.get_running_loop()
    unretrieved: list[dict] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: unretrieved.append(context))
    try:
        with FeedServer() as server:
            items = [{"title": f"Report {n}", "guid": f"full-{n}", "description": "x" * 3000} for n in range(300)]
            server.ok("/big.xml", rss_document(items))
            feed = await store.feeds.add(SYSTEM_ACTOR, Feed(name="big", url=server.url("/big.xml"),
                                                            interval_seconds=60))
            pages = await store.database.scalar("PRAGMA page_count")
            await store.database.connection.execute(f"PRAGMA max_page_count = {pages + 8}")
            heard = []
            poller = FeedPoller(store, on_result=heard.append)
            try:
                # the poller's own way: a task per due feed, never awaited by anyone but the poller
                tasks = poller.start_due(await store.feeds.due(feed.next_poll_at or _now()))
                done = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 60)
                tally.fault(AREA)
                assert [type(r).__name__ for r in done] == ["PollResult"], done
                assert len(heard) == 1 and not heard[0].ok, heard
                assert "full" in heard[0].error and "\n" not in heard[0].error, heard[0].error
                health = await store.feeds.get(feed.id)
                assert health.consecutive_failures == 1 and "full" in health.last_error, health
                assert (health.next_poll_at - _now()).total_seconds() > 30  # the normal backoff
                # a second round while backing off polls nothing
                assert poller.start_due(await store.feeds.due(_now())) == []
                # space returns; the feed made due again arrives whole
                await store.database.connection.execute("PRAGMA max_page_count = 1073741823")
                await store.feeds.set_enabled(ADMIN, "big", True)
                results = await poller.poll_due()
            finally:
                await poller.aclose()
        assert [r.ok for r in results] == [True] and results[0].new_items == 300
        stored = count(store.path, "SELECT count(*) FROM headlines")
        tally.rows_checked(AREA, 300)
        tally.lost_rows(AREA, 300 - stored)
        assert stored == 300
        assert not unretrieved, unretrieved
        tally.case(AREA)
    finally:
        loop.set_exception_handler(previous)
        await store.close()


async def test_a_disk_too_full_to_record_the_failure_still_backs_off(tmp_path, tally, caplog):
    store = await open_test_store(tmp_path / "fuller.db")
    try:
        with FeedServer() as server:
            server.ok("/big.xml", rss_document([{"title": f"R {n}", "guid": f"g-{n}", "description": "y" * 3000}
                                                for n in range(100)]))
            await store.feeds.add(SYSTEM_ACTOR, Feed(name="big", url=server.url("/big.xml"),
                                                     interval_seconds=60))
            pages = await store.database.scalar("PRAGMA page_count")
            await store.database.connection.execute(f"PRAGMA max_page_count = {pages + 20}")
            # fill what is left, so the health update may not fit either
            for n in range(5000):
                try:
                    await store.incidents.create(OPERATOR, an_incident(description=f"filler {n} " + "x" * 2000))
                except StoreError:
                    break
            poller = FeedPoller(store)
            try:
                with caplog.at_level(logging.WARNING):
                    tasks = poller.start_due(await store.feeds.due(_now()))
                    done = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 60)
                assert [getattr(r, "ok", r) for r in done] == [False], done
                assert poller.start_due(await store.feeds.due(_now())) == []  # backing off in memory
            finally:
                await poller.aclose()
            tally.fault(AREA)
            tally.case(AREA)
            assert len(server.requests_to("/big.xml")) == 1
    finally:
        await store.close()


def _now():
    from console.dtg import utc_now

    return utc_now()


# --- a JSON number over the integer-string limit ---------------------------------------------------


async def test_feeds_check_and_a_poll_name_a_json_number_over_the_limit_in_one_line(store, tmp_path, tally):
    path = tmp_path / "huge.json"
    path.write_text('{"version": "https://jsonfeed.org/version/1.1", "items": [\n'
                    '{"id": "a", "title": "fine"},\n{"id": ' + "9" * 5000 + ', "title": "big"}]}', encoding="utf-8")
    done = await asyncio.to_thread(check, str(path))
    tally.case(AREA)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "items[1].id: a number of 5000 digits, more than 4300 (line 3 column 8)" in done.stderr, done.stderr
    feed = await store.feeds.add(SYSTEM_ACTOR, Feed(name="huge", url=str(path), interval_seconds=60))
    poller = FeedPoller(store)
    try:
        result = await poller.poll_once(feed)
    finally:
        await poller.aclose()
    assert not result.ok and "a number of 5000 digits" in result.error
    assert "a number of 5000 digits" in (await store.feeds.get(feed.id)).last_error


# --- entries with no visible text, and more items than the bound ------------------------------------

PHOTO_ONLY = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">'
              "<channel><title>t</title>"
              "<item><title>Kerem Shalom open</title><guid>t-1</guid></item>"
              '<item><guid isPermaLink="false">t-2</guid><media:content url="https://example.org/photo.jpg"'
              ' medium="image"/></item>'
              "<item><guid isPermaLink=\"false\">t-3</guid><link>https://www.example.org/post/3</link></item>"
              '<item><guid isPermaLink="false">t-4</guid><enclosure url="https://example.org/clip.mp4"'
              ' type="video/mp4" length="1"/></item>'
              "<item><guid isPermaLink=\"false\">t-5</guid><pubDate>Tue, 25 Nov 2025 10:00:00 GMT</pubDate></item>"
              "</channel></rss>")


async def test_entries_with_no_text_are_kept_untitled_and_what_was_skipped_is_said(store, tmp_path, tally):
    path = tmp_path / "photos.xml"
    path.write_text(PHOTO_ONLY, encoding="utf-8")
    done = await asyncio.to_thread(check, str(path), "--json")
    tally.case(AREA, 4)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    titles = [json.loads(line)["title"] for line in done.stdout.splitlines()]
    assert titles == ["Kerem Shalom open", "(untitled) example.org/photo.jpg", "(untitled) example.org/post/3",
                      "(untitled) example.org/clip.mp4"], titles
    assert "3 entries with no text kept as (untitled)" in done.stderr, done.stderr
    assert "1 entry with nothing to show" in done.stderr, done.stderr
    feed = await store.feeds.add(SYSTEM_ACTOR, Feed(name="photos", url=str(path), interval_seconds=60))
    poller = FeedPoller(store)
    try:
        result = await poller.poll_once(feed)
    finally:
        await poller.aclose()
    assert result.ok and result.new_items == 4
    line = describe_poll(result)
    assert "3 entries with no text kept as (untitled)" in line and "1 entry with nothing to show" in line, line
    assert "1 entry with nothing to show" in (await store.feeds.get(feed.id)).health_note
    stored = count(store.path, "SELECT count(*) FROM headlines WHERE title LIKE '(untitled) %'")
    tally.rows_checked(AREA, 3)
    tally.lost_rows(AREA, 3 - stored)
    assert stored == 3


async def test_items_beyond_the_per_document_bound_are_counted_not_dropped_silently(store, tmp_path, tally):
    path = tmp_path / "many.xml"
    path.write_bytes(rss_document([{"title": f"Item {n}", "guid": f"m-{n}"} for n in range(1234)]))
    done = await asyncio.to_thread(check, str(path))
    tally.case(AREA)
    assert done.returncode == 0, done.stderr
    assert "1000 headline(s)" in done.stderr and "234 entries beyond the 1,000 per document not read" in done.stderr
    feed = await store.feeds.add(SYSTEM_ACTOR, Feed(name="many", url=str(path), interval_seconds=60))
    poller = FeedPoller(store)
    try:
        result = await poller.poll_once(feed)
    finally:
        await poller.aclose()
    assert result.ok and result.new_items == 1000
    assert "234 entries beyond the 1,000 per document not read" in describe_poll(result)
    assert "234 entries beyond" in (await store.feeds.get(feed.id)).health_note
    # feeds list shows the note for a healthy feed
    listing = await asyncio.to_thread(
        subprocess.run, [python(), "-m", "console.cli", "--db", str(store.path), "feeds", "list"], cwd=ROOT,
        env=child_env(), capture_output=True, text=True, timeout=60)
    assert "note: 234 entries beyond" in listing.stdout, listing.stdout + listing.stderr


# --- entity declarations in another encoding --------------------------------------------------------

LAUGHS = ('<?xml version="1.0" encoding="{encoding}"?><!DOCTYPE rss [<!ENTITY a "ha">'
          '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><rss version="2.0"><channel><title>t</title>'
          "<item><title>&b;</title><guid>e-1</guid></item></channel></rss>")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
async def test_an_entity_declaration_in_utf16_or_utf32_is_refused_like_in_utf8(store, tally, encoding):
    declared = "utf-16" if encoding.startswith("utf-16") else "utf-32"
    body = LAUGHS.format(encoding=declared).encode(encoding)
    # utf-16-le/-be carry no BOM: the encoding is found from the first bytes, as feedparser does
    with FeedServer() as server:
        server.ok("/laughs.xml", body, content_type="application/rss+xml")
        server.ok("/plain.xml", ('<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><title>t</title>'
                                 "<item><title>Zikim open</title><guid>p-1</guid></item></channel></rss>"
                                 ).encode("utf-16"), content_type="application/rss+xml")
        poller = FeedPoller(store)
        try:
            laughs = await store.feeds.add(SYSTEM_ACTOR, Feed(name="laughs", url=server.url("/laughs.xml")))
            plain = await store.feeds.add(SYSTEM_ACTOR, Feed(name="plain", url=server.url("/plain.xml")))
            refused = await poller.poll_once(laughs)
            fine = await poller.poll_once(plain)
        finally:
            await poller.aclose()
    tally.case(AREA)
    assert not refused.ok and "declares entities" in refused.error, refused
    assert fine.ok and [h.title for h in fine.headlines] == ["Zikim open"]  # UTF-16 itself is fine
    assert count(store.path, "SELECT count(*) FROM headlines WHERE title LIKE '%haha%'") == 0
