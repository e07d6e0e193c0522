"""``cmcc feeds``: an admin registers and manages feeds; ``check`` shows what would be stored."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone

import pytest

from console.cli import main
from console.model.access import SYSTEM_ACTOR, Operator, Role
from console.model.journal import Entity
from console.store import Store

try:
    from feed_server import FeedServer, rss_document
except ImportError:
    from tests.feed_server import FeedServer, rss_document

WHEN = datetime(2025, 11, 25, 10, 0, tzinfo=timezone.utc)
DOC = rss_document([{"title": "Rafah crossing opens for evacuees", "guid": "g1", "link": "https://e.test/1",
                     "published": WHEN}])


def in_store(db, action):
    async def go():
        store = await Store.open(db)
        try:
            return await action(store)
        finally:
            await store.close()
    return asyncio.run(go())


@pytest.fixture
def db(tmp_path):
    from console.identity import os_login

    path = tmp_path / "t.db"
    in_store(path, lambda s: s.operators.add(SYSTEM_ACTOR, Operator(os_login(), "Test admin", "USA", Role.ADMIN)))
    return path


def cmcc(db, *argv) -> int:
    return main(["--db", str(db), "feeds", *argv])


def test_an_admin_adds_lists_disables_enables_and_removes_a_feed(db, capsys, tmp_path):
    assert cmcc(db, "add", "wire", "https://news.example.org/rss", "--interval", "60",
                "--keywords", "rafah, ISF", "--header", "X-Api-Key=WIRE_KEY") == 0
    feed = in_store(db, lambda s: s.feeds.get_by_name("wire"))
    assert feed.interval_seconds == 60 and feed.keywords == ("rafah", "ISF")
    assert feed.header_env == "X-Api-Key=WIRE_KEY"
    assert cmcc(db, "disable", "wire") == 0
    capsys.readouterr()
    assert cmcc(db, "list") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["NAME", "ON", "EVERY", "LAST", "SUCCESS", "LAST", "ERROR", "FAILS", "ITEMS"]
    assert out[1].split()[:4] == ["wire", "no", "60s", "never"]
    assert cmcc(db, "enable", "wire") == 0 and cmcc(db, "remove", "wire") == 0
    assert in_store(db, lambda s: s.feeds.list()) == []
    actions = [e.action for e in in_store(db, lambda s: s.journal.recent(limit=20)) if e.entity is Entity.FEED]
    assert actions == ["remove", "enable", "disable", "add"]


def test_bad_input_is_one_line_and_exit_2(db, capsys):
    assert cmcc(db, "add", "x", "ftp://example.org/feed", "--interval", "2") == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("cmcc: ") and "url:" in err and "--interval: at least 5 seconds" in err
    assert "\n" not in err
    assert cmcc(db, "remove", "nothing-here") == 2
    assert "no feed named 'nothing-here'" in capsys.readouterr().err


def test_a_viewer_may_not_add_feeds(tmp_path, capsys):
    asyncio.run(_new_database(tmp_path / "fresh.db"))  # no operators: whoever runs this is a viewer
    assert cmcc(tmp_path / "fresh.db", "add", "wire", "https://news.example.org/rss") == 2
    assert "may not add feeds" in capsys.readouterr().err


def test_check_prints_what_would_be_stored_and_writes_nothing(tmp_path, capsys):
    path = tmp_path / "feed.xml"
    path.write_bytes(DOC)
    db = tmp_path / "never.db"
    assert cmcc(db, "check", str(path), "--json", "--keywords", "rafah") == 0
    (line,) = capsys.readouterr().out.splitlines()
    record = json.loads(line)
    assert record["title"] == "Rafah crossing opens for evacuees"
    assert record["published_at"] == "2025-11-25T10:00:00+00:00" and record["watch_hits"] == ["rafah"]
    assert len(record["dedup_key"]) == 40
    with FeedServer() as server:
        server.ok("/rss.xml", DOC)
        server.error("/down", 503)
        assert cmcc(db, "check", server.url("/rss.xml")) == 0
        out = capsys.readouterr().out
        assert "2025-11-25 10:00Z  127.0.0.1  Rafah crossing opens for evacuees" in out
        assert cmcc(db, "check", server.url("/down")) == 1
        err = capsys.readouterr().err.strip()
        assert err.endswith("HTTP 503 Service Unavailable") and "\n" not in err
    assert not db.exists()  # check never opens the database


async def _new_database(path) -> None:
    store = await Store.open(path)
    await store.close()
