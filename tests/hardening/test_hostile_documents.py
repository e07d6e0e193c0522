"""Hostile documents: each is refused or bounded with a clear one-line error, in bounded time and
memory, and the poller (or the inbox, or ``cmcc import``) goes on working afterwards.

Memory is the growth of this process's resident set while the document is handled (sampled
every 5 ms), against a generous bound: a parser that expanded a billion laughs, decoded a gzip
bomb or read a 100 MB body whole would blow through it. Time is bounded by a guard that fails
the test (never by a wall-clock assertion on speed).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from console.cli import main
from console.model.access import SYSTEM_ACTOR
from console.model.headlines import Feed
from console.store import Store
from console.store.seed import seed_demo
from feeds.inbox import Inbox
from feeds.poller import FeedPoller
from tests.feed_server import rss_document
from tests.conftest import REAL_LOGIN
from tests.hardening.helpers import MemoryWatch
from tests.hardening.hostile import assert_inert
from tests.hardening.hostile_server import HostileServer

AREA = "hostile documents"
MEMORY_BOUND_MB = 200
GUARD_SECONDS = 60

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title></item></channel></rss>"""

QUADRATIC = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "' + b"A" * 100_000 + b'">]>'
             b'<rss version="2.0"><channel><item><title>' + b"&a;" * 20_000 + b"</title></item></channel></rss>")


def external_entity(dtd_url: str) -> bytes:
    return (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "{dtd_url}">'
            f'<!ENTITY % remote SYSTEM "{dtd_url}"> %remote;]>'
            '<rss version="2.0"><channel><item><title>&xxe;</title></item></channel></rss>').encode()


def external_dtd(dtd_url: str) -> bytes:
    """A DOCTYPE naming an external DTD, without any entity: must parse without fetching it."""
    return (f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{dtd_url}">'
            '<rss version="2.0"><channel><title>t</title><item><title>Crossing open</title>'
            '<guid>dtd-1</guid></item></channel></rss>').encode()


def nested_json(depth: int) -> bytes:
    return b'{"version": "https://jsonfeed.org/version/1.1", "items": ' + b"[" * depth + b"]" * depth + b"}"


GOOD = rss_document([{"title": "Kerem Shalom open", "guid": "good-1", "link": "http://example.test/1"}])


async def poll(store, poller: FeedPoller, name: str, url: str):
    feed = await store.feeds.add(SYSTEM_ACTOR, Feed(name=name, url=url, interval_seconds=60))
    return await asyncio.wait_for(poller.poll_once(feed), GUARD_SECONDS)


def gzip_stream(decoded_bytes: int) -> bytes:
    """One gzip member decoding to ``decoded_bytes`` zeros, built a megabyte at a time."""
    import zlib

    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * (1 << 20)
    parts = [compressor.compress(block) for _ in range(decoded_bytes >> 20)]
    return b"".join(parts) + compressor.flush()


@pytest.mark.parametrize("case", [
    "billion laughs", "quadratic blowup", "external entity", "external dtd", "gzip bomb",
    "100 MB declared", "100 MB undeclared", "endless body", "trickle", "nested json 100k",
    "nested json 1k items", "garbage bytes",
])
async def test_a_hostile_feed_document_is_refused_or_bounded_and_the_next_feed_still_arrives(
        store, case, tally):
    with HostileServer() as server:
        server.document("/good.xml", GOOD)
        dtd = server.url("/evil.dtd")
        server.document("/evil.dtd", b'<!ENTITY xxe "stolen">', "application/xml-dtd")
        documents = {
            "billion laughs": lambda: server.document("/doc", BILLION_LAUGHS),
            "quadratic blowup": lambda: server.document("/doc", QUADRATIC),
            "external entity": lambda: server.document("/doc", external_entity(dtd)),
            "external dtd": lambda: server.document("/doc", external_dtd(dtd)),
            # 256 MB decoded from ~250 KB on the wire
            "gzip bomb": lambda: server.set("/doc", "gzipped", gzip_stream(256 * 1024 * 1024)),
            "100 MB declared": lambda: server.set("/doc", "declared", 100 * 1024 * 1024),
            "100 MB undeclared": lambda: server.set("/doc", "undeclared", 100 * 1024 * 1024),
            "endless body": lambda: server.set("/doc", "endless", None),
            "trickle": lambda: server.set("/doc", "trickle", 0.1),
            "nested json 100k": lambda: server.document("/doc", nested_json(100_000), "application/feed+json"),
            "nested json 1k items": lambda: server.document(
                "/doc", json.dumps({"version": "https://jsonfeed.org/version/1.1",
                                    "items": [{"id": str(i), "title": {"a": [[[[i]]]]}} for i in range(1000)]}
                                   ).encode(), "application/feed+json"),
            "garbage bytes": lambda: server.set("/doc", "garbage", 256 * 1024),
        }
        documents[case]()
        poller = FeedPoller(store, read_timeout=5.0, total_timeout=3.0)
        try:
            with MemoryWatch() as memory:
                result = await poll(store, poller, "hostile", server.url("/doc"))
            good = await poll(store, poller, "good", server.url("/good.xml"))
        finally:
            await poller.aclose()
        dtd_fetches = server.hits["/evil.dtd"]
    tally.case(AREA)
    assert memory.growth_mb < MEMORY_BOUND_MB, f"{case}: grew {memory.growth_mb:.0f} MB"
    assert dtd_fetches == 0, "the parser fetched the external DTD"
    if case == "external dtd":
        assert result.ok and result.new_items == 1  # a harmless DOCTYPE: parsed, never fetched
    elif case == "nested json 1k items":
        assert result.ok and result.new_items == 0 or not result.ok  # titles that are objects: nothing shown
    else:
        assert not result.ok, f"{case}: accepted"
        assert result.error and "\n" not in result.error and len(result.error) <= 300
        assert_inert(result.error)
        feed = await store.feeds.get_by_name("hostile")
        assert feed.consecutive_failures == 1 and feed.last_error == result.error  # the health line says why
        tally.fault(AREA)
    expected = {"billion laughs": "entities", "quadratic blowup": "entities", "external entity": "entities",
                "gzip bomb": "larger than", "100 MB declared": "larger than", "100 MB undeclared": "larger than",
                "endless body": "larger than", "trickle": "timed out", "nested json 100k": "nested too deeply",
                "garbage bytes": ""}.get(case)
    if expected:
        assert expected in result.error, result.error
    assert good.ok and good.new_items == 1, "the poller stopped working after a hostile document"


# --- the inbox and cmcc import ------------------------------------------------------------------------


def big_field_csv(path: Path, field_bytes: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write("planned_date,crossing,organisation,commodity,trucks,reference,source\n")
        handle.write("2026-11-24,KS,")
        for _ in range(field_bytes // (1 << 20)):
            handle.write("W" * (1 << 20))
        handle.write(",food,3,WB-BIG-1,un2720\n")


def wide_csv(path: Path, columns: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(",".join(f"c{n}" for n in range(columns)) + "\n")
        handle.write(",".join("1" for _ in range(columns)) + "\n")


def nested_file(path: Path, depth: int) -> None:
    path.write_text('{"kind": "headlines", "items": ' + "[" * depth + "]" * depth + "}", encoding="utf-8")


INBOX_CASES = {
    "aid-bigfield.csv": (lambda p: big_field_csv(p, 10 * (1 << 20)), "field larger than"),
    "aid-wide.csv": (lambda p: wide_csv(p, 1_000_000), "1000000 columns, more than"),
    "incidents-wide.json": (lambda p: p.write_text(json.dumps([{f"k{n}": n for n in range(300_000)}])),
                            "300000 fields, more than"),
    "headlines-nested.json": (lambda p: nested_file(p, 200_000), "nested too deeply"),
    "headlines-nested.ndjson": (lambda p: p.write_text("[" * 200_000 + "]" * 200_000 + "\n"), "nested too deeply"),
    "headlines-huge.csv": (lambda p: p.write_bytes(b"title\n" + b"x" * (21 * (1 << 20))), "larger than"),
}


async def test_hostile_inbox_files_are_rejected_whole_with_a_clear_report_in_bounded_memory(
        db_path, tmp_path, tally):
    store = await Store.open(db_path)
    await seed_demo(store.database, operator_login=REAL_LOGIN)
    folder = tmp_path / "inbox"
    folder.mkdir()
    good = folder / "headlines-good.json"
    try:
        before = await store.database.scalar("SELECT count(*) FROM movements")
        for name, (make, expected) in INBOX_CASES.items():
            make(folder / name)
            with MemoryWatch() as memory:
                [outcome] = await asyncio.wait_for(
                    Inbox(folder, store, SYSTEM_ACTOR, settle_seconds=0.01).scan_once(), GUARD_SECONDS)
            tally.case(AREA)
            assert memory.growth_mb < MEMORY_BOUND_MB, f"{name}: grew {memory.growth_mb:.0f} MB"
            assert outcome.outcome == "rejected", outcome.message
            assert expected in outcome.message, outcome.message
            report = outcome.moved_to.with_name(outcome.moved_to.name + ".error.txt").read_text(encoding="utf-8")
            assert len(report) < 400_000 and report.startswith(f"{name}: rejected, nothing imported")
            assert_inert(report)
            assert (folder / "rejected" / name).exists()  # set aside, never deleted
            tally.fault(AREA)
        assert await store.database.scalar("SELECT count(*) FROM movements") == before
        # The inbox still takes a good file afterwards.
        good.write_text(json.dumps([{"title": "After the storm", "guid": "after-1"}]), encoding="utf-8")
        [outcome] = await Inbox(folder, store, SYSTEM_ACTOR, settle_seconds=0.01).scan_once()
        assert outcome.outcome == "imported" and outcome.rows == 1
    finally:
        await store.close()


@pytest.mark.parametrize("case", ["10 MB field", "a million columns"])
def test_cmcc_import_aid_refuses_a_hostile_csv_with_clear_lines_and_imports_nothing(
        db_path, tmp_path, case, capsys, tally):
    async def build():
        store = await Store.open(db_path)
        await seed_demo(store.database, operator_login=REAL_LOGIN)
        await store.close()

    asyncio.run(build())
    path = tmp_path / "convoys.csv"
    if case == "10 MB field":
        big_field_csv(path, 10 * (1 << 20))
    else:
        wide_csv(path, 1_000_000)
    with MemoryWatch() as memory:
        status = main(["--db", str(db_path), "import", "aid", str(path)])
    err = capsys.readouterr().err
    tally.case(AREA)
    assert memory.growth_mb < MEMORY_BOUND_MB, f"{case}: grew {memory.growth_mb:.0f} MB"
    assert status == 1
    lines = err.splitlines()
    assert lines[-1].startswith("convoys.csv: nothing imported"), lines[-3:]
    assert len(lines) <= 1002 and all(len(line) < 1000 for line in lines)  # a report, not a flood
    assert ("line 2: field larger than" if case == "10 MB field" else "line 1: 1000000 columns, more than") in err
    tally.fault(AREA)
