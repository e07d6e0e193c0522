"""Ingestion throughput: feedparser alone vs our parse vs parse + dedup + store.

    python bench/bench_ingest.py [--items 10000] [--feeds 30]

Builds RSS, Atom and JSON Feed documents (a third each) holding ``--items``
items in all, then times, on this machine:

1. the raw parsers alone (feedparser for XML, json.loads for JSON Feed);
2. ``feeds.parse.parse_document`` (cleaning, HTML stripping, keys, watch words);
3. parse + ``HeadlineRepository.add_many`` into a fresh SQLite file (one
   transaction and one journal row per new headline, per document);
4. the same documents again: everything is a duplicate, nothing is written
   but the dedup work is done (the steady state of a poller).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from console.model.access import SYSTEM_ACTOR  # noqa: E402
from console.model.headlines import Feed  # noqa: E402
from console.store import Store  # noqa: E402
from feeds.parse import parse_document  # noqa: E402

START = datetime(2025, 11, 1, tzinfo=timezone.utc)
KEYWORDS = ("kerem shalom", "rafah", "isf", "cease-fire")


def _item(feed: int, n: int) -> dict:
    return {"title": f"Feed {feed}: {n} aid trucks enter via Kerem Shalom as cease-fire holds",
            "link": f"https://news.example.org/{feed}/{n}", "guid": f"urn:bench:{feed}:{n}",
            "summary": f"<p>Convoy <b>{n}</b> of the day reached Rafah; the ISF planning cell was briefed.</p>",
            "published": START + timedelta(minutes=n)}


def rss(items: list[dict]) -> bytes:
    body = "".join(
        f"<item><title>{escape(i['title'])}</title><link>{i['link']}</link><guid>{i['guid']}</guid>"
        f"<pubDate>{format_datetime(i['published'], usegmt=True)}</pubDate>"
        f"<description>{escape(i['summary'])}</description></item>" for i in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>b</title>'
            f"<link>https://news.example.org/</link><description>d</description>{body}</channel></rss>").encode()


def atom(items: list[dict]) -> bytes:
    body = "".join(
        f"<entry><title>{escape(i['title'])}</title><id>{i['guid']}</id><link href=\"{i['link']}\"/>"
        f"<updated>{i['published'].isoformat()}</updated><summary type=\"html\">{escape(i['summary'])}</summary>"
        f"</entry>" for i in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>b</title>'
            f"<id>urn:b</id><updated>{START.isoformat()}</updated>{body}</feed>").encode()


def json_feed(items: list[dict]) -> bytes:
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "b", "items": [
        {"id": i["guid"], "url": i["link"], "title": i["title"], "content_html": i["summary"],
         "date_published": i["published"].isoformat()} for i in items]}).encode()


def build(total: int, feeds: int) -> list[tuple[str, str, bytes]]:
    per_feed = max(1, total // feeds)
    documents = []
    for feed in range(feeds):
        kind = ("rss", "atom", "json")[feed % 3]
        items = [_item(feed, n) for n in range(per_feed)]
        render = {"rss": rss, "atom": atom, "json": json_feed}[kind]
        content_type = {"rss": "application/rss+xml", "atom": "application/atom+xml",
                        "json": "application/feed+json"}[kind]
        documents.append((f"bench-{kind}-{feed}", content_type, render(items)))
    return documents


def raw_parse(documents) -> int:
    import feedparser

    count = 0
    for _name, content_type, body in documents:
        if "json" in content_type:
            count += len(json.loads(body)["items"])
        else:
            count += len(feedparser.parse(io.BytesIO(body), sanitize_html=True,
                                          resolve_relative_uris=False).entries)
    return count


def our_parse(documents) -> list:
    return [(name, parse_document(body, content_type, name, keywords=KEYWORDS))
            for name, content_type, body in documents]


async def store_all(path: Path, parsed) -> tuple[float, int, float, int]:
    store = await Store.open(path)
    try:
        feed_ids = {}
        for name, _ in parsed:
            feed_ids[name] = (await store.feeds.add(SYSTEM_ACTOR, Feed(name=name, url=f"https://b.test/{name}"))).id
        started = time.perf_counter()
        inserted = 0
        for name, headlines in parsed:
            inserted += len(await store.headlines.add_many(SYSTEM_ACTOR, headlines, feed_ids[name]))
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = 0
        for name, headlines in parsed:
            again += len(await store.headlines.add_many(SYSTEM_ACTOR, headlines, feed_ids[name]))
        second = time.perf_counter() - started
        assert again == 0, "every item of the second pass should have been a duplicate"
        return first, inserted, second, sum(len(h) for _, h in parsed)
    finally:
        await store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--feeds", type=int, default=30)
    args = parser.parse_args()
    documents = build(args.items, args.feeds)
    size = sum(len(b) for _, _, b in documents)
    print(f"{len(documents)} documents (RSS/Atom/JSON), {size / 1e6:.1f} MB")

    started = time.perf_counter()
    raw_count = raw_parse(documents)
    raw_seconds = time.perf_counter() - started

    started = time.perf_counter()
    parsed = our_parse(documents)
    parse_seconds = time.perf_counter() - started
    items = sum(len(h) for _, h in parsed)

    with tempfile.TemporaryDirectory() as folder:
        store_seconds, inserted, dup_seconds, dup_items = asyncio.run(store_all(Path(folder) / "bench.db", parsed))

    rows = [
        ("feedparser / json.loads alone", raw_count, raw_seconds),
        ("parse_document (clean, keys, watch)", items, parse_seconds),
        ("add_many, new (store + journal)", inserted, store_seconds),
        ("parse + dedup + store, new", inserted, parse_seconds + store_seconds),
        ("add_many, all duplicates", dup_items, dup_seconds),
    ]
    print(f"{'stage':40} {'items':>7} {'seconds':>8} {'items/s':>9}")
    for label, count, seconds in rows:
        print(f"{label:40} {count:7d} {seconds:8.2f} {count / seconds if seconds else 0:9.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
