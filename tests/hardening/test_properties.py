"""Properties (hypothesis): the sanitizer, the DTG parser, de-duplication and the importers."""

from __future__ import annotations

import asyncio
import json
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from console.model.access import SYSTEM_ACTOR
from console.model.headlines import Feed
from console.dtg import format_dtg, format_short_dtg, parse_when
from console.sanitize import clean_line, clean_text
from console.store import Store
from feeds.importers.base import ImportContext, RowErrors
from feeds.importers.incidents import validate_incidents
from feeds.inbox import Inbox
from feeds.parse import dedup_key, parse_document
from feeds.readers import Row
from tests.feed_server import FeedServer, json_feed_document
from tests.hardening.hostile import PAYLOADS, problems
from tests.hardening.tally import TALLY as tally

AREA = "properties"

# Text built from the pieces attackers use, mixed with arbitrary text (surrogates included).
FRAGMENTS = st.sampled_from([*PAYLOADS.values(), "\x1b", "\x1b[", "\x1b]", "\x1bP", "\x07", "\x1b\\", "\x9b",
                             "\x9d", "\x9c", "\r", "\n", "\t", "  ", "\u202e", "\ud800", "\udfff", "…", "[", "]"])
HOSTILE_TEXT = st.lists(st.one_of(FRAGMENTS, st.text(alphabet=st.characters(), max_size=20)), max_size=30).map(
    "".join)


@settings(max_examples=600, deadline=None)
@given(text=HOSTILE_TEXT, max_chars=st.integers(min_value=1, max_value=300), single=st.booleans())
def test_sanitizing_twice_equals_once_and_the_result_is_inert_bounded_and_encodable(text, max_chars, single):
    once = clean_text(text, max_chars=max_chars, single_line=single)
    assert clean_text(once, max_chars=max_chars, single_line=single) == once
    assert not problems(once, max_chars=max_chars), (text, once)
    once.encode("utf-8")  # storable and printable: no lone surrogates
    if single:
        assert "\n" not in once
    assert clean_line(clean_line(text)) == clean_line(text)
    tally.case(AREA)


MOMENTS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31),
                       timezones=st.just(timezone.utc)).map(lambda d: d.replace(second=0, microsecond=0))


@settings(max_examples=400, deadline=None)
@given(text=st.one_of(st.text(max_size=40), st.from_regex(r"\s*\d{6}Z(\s*[A-Za-z]{3}\s*\d{2})?\s*", fullmatch=True),
                      st.from_regex(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?", fullmatch=True)),
       now=MOMENTS)
def test_the_dtg_parser_raises_only_value_errors_and_returns_utc(text, now):
    try:
        parsed = parse_when(text, now)
    except ValueError as error:
        assert str(error) and "\n" not in str(error)
    else:
        assert parsed.tzinfo is not None and parsed.utcoffset() == timedelta(0)
    tally.case(AREA)


@settings(max_examples=300, deadline=None)
@given(moment=MOMENTS)
def test_a_dtg_round_trips_in_full_and_short_form(moment):
    assert parse_when(format_dtg(moment), moment) == moment
    # The short form names the day only (in the month it is shown in): read back on that day (or up
    # to a day after) it is the same moment.
    assert parse_when(format_short_dtg(moment, moment), moment) == moment
    assert parse_when(format_short_dtg(moment, moment), moment + timedelta(hours=20)) == moment
    tally.case(AREA)


# --- de-duplication -------------------------------------------------------------------------------

ITEMS = st.fixed_dictionaries({
    "guid": st.text(max_size=30), "link": st.text(max_size=30), "title": HOSTILE_TEXT,
    "published": st.one_of(st.none(), MOMENTS)})


@settings(max_examples=300, deadline=None)
@given(item=ITEMS, padding=st.sampled_from(["", " ", "  \t"]))
def test_the_dedup_key_is_stable_fixed_length_and_ignores_padding(item, padding):
    key = dedup_key(item["guid"], item["link"], item["title"], item["published"])
    assert key == dedup_key(item["guid"], item["link"], item["title"], item["published"])
    assert len(key) == 40 and all(c in "0123456789abcdef" for c in key)
    assert key == dedup_key(padding + item["guid"] + padding, padding + item["link"] + padding,
                            item["title"], item["published"])
    tally.case(AREA)


def run(coro):
    return asyncio.run(coro)


@settings(max_examples=25, deadline=None)
@given(items=st.lists(ITEMS, min_size=1, max_size=8))
def test_the_same_items_twice_in_a_document_and_polled_twice_are_stored_once(items):
    async def check():
        folder = Path(tempfile.mkdtemp(prefix="cmcc-dedup-"))
        store = await Store.open(folder / "dedup.db")
        try:
            feed_items = [{"title": f"t{n} {i['title']}", "guid": i["guid"], "link": i["link"],
                           **({"published": i["published"]} if i["published"] else {})}
                          for n, i in enumerate(items)]
            body = json_feed_document(feed_items + feed_items)  # every item twice in one document
            headlines = parse_document(body, "application/feed+json", "prop")
            keys = {h.dedup_key for h in headlines}
            first = await store.headlines.add_many(SYSTEM_ACTOR, headlines, None)
            again = await store.headlines.add_many(SYSTEM_ACTOR, headlines, None)
            stored = await store.database.scalar("SELECT count(*) FROM headlines")
            assert len(first) == stored == len(keys) and again == []
            tally.rows_checked(AREA, stored)
        finally:
            await store.close()

    run(check())
    tally.case(AREA)


async def test_a_json_feed_with_lone_surrogates_is_stored_not_failed(tmp_path):
    """``"\\ud800"`` is valid JSON and invalid UTF-8: it used to fail the whole poll (UnicodeEncodeError)."""
    from feeds.poller import FeedPoller

    store = await Store.open(tmp_path / "surrogates.db")
    try:
        body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": [
            {"id": "s1", "title": "Crossing \ud800 open", "summary": "half \udfff a pair"},
            {"id": "s2", "title": "Second item"}]}).encode()
        with FeedServer() as server:
            server.ok("/s.json", body, content_type="application/feed+json")
            feed = await store.feeds.add(SYSTEM_ACTOR, Feed(name="surrogates", url=server.url("/s.json")))
            async with FeedPoller(store) as poller:
                result = await poller.poll_once(feed)
        assert result.ok and result.new_items == 2, result.error
        titles = {h.title for h in await store.headlines.latest(SYSTEM_ACTOR)}
        assert "Crossing \ufffd open" in titles
        tally.case(AREA)
    finally:
        await store.close()


# --- the importers: all or nothing, every bad line named -----------------------------------------------

INCIDENT_ROWS = st.fixed_dictionaries({
    "when": st.sampled_from(["now", "251036Z NOV 26", "2026-11-25T10:00:00Z", "321036Z", "yesterday", ""]),
    "governorate": st.sampled_from(["Rafah", "Gaza", "North Gaza", "Atlantis", ""]),
    "category": st.sampled_from(["shelling", "small arms fire", "nope"]),
    "severity": st.sampled_from([1, 3, 5, 0, 6, "x", "4"]),
    "description": HOSTILE_TEXT,
}, optional={"latitude": st.sampled_from([31.3, 40.0, "n"]), "colour": st.just("red")})


@settings(max_examples=30, deadline=None)
@given(rows=st.lists(INCIDENT_ROWS, min_size=1, max_size=12), as_csv=st.booleans())
def test_an_inbox_file_of_random_rows_is_imported_whole_or_rejected_naming_each_bad_line(rows, as_csv):
    async def check():
        folder = Path(tempfile.mkdtemp(prefix="cmcc-import-"))
        store = await Store.open(folder / "import.db")
        inbox = folder / "inbox"
        inbox.mkdir()
        try:
            if as_csv:
                import csv
                import io

                columns = sorted({k for r in rows for k in r})
                buffer = io.StringIO()
                writer = csv.DictWriter(buffer, columns, lineterminator="\n")
                writer.writeheader()
                writer.writerows(rows)
                name, text = "incidents-prop.csv", buffer.getvalue()
            else:
                name, text = "incidents-prop.json", json.dumps(rows)
            # A lone surrogate cannot be written as UTF-8: in a CSV it becomes bytes that are not UTF-8.
            (inbox / name).write_bytes(text.encode("utf-8", errors="surrogatepass"))
            [outcome] = await Inbox(inbox, store, SYSTEM_ACTOR, settle_seconds=0.0).scan_once()
            stored = await store.database.scalar("SELECT count(*) FROM incidents")
            if outcome.outcome == "imported":
                assert stored == outcome.rows == _non_blank(rows, as_csv)  # every row, in one go
            else:
                assert outcome.outcome == "rejected" and stored == 0  # nothing at all
                assert outcome.errors and all(e.startswith(("line ", "item ", "file:")) for e in outcome.errors)
                if "not UTF-8" in outcome.errors[0]:
                    return  # the whole file refused at the first bad byte, named by its line
                if as_csv and "unknown column" in outcome.errors[0]:
                    # a column no incident has: one error for the CSV's header, before any row is
                    # read, not one per row (a JSON record names its own keys, record by record)
                    assert outcome.errors[0].startswith("line 1: ")
                    assert all("unknown column" in e for e in outcome.errors)
                    return
                # Every row the form's rules refuse is named by its place in the file.
                from feeds.readers import read_rows

                try:
                    _kind, parsed = read_rows(name, text)
                except Exception:  # noqa: BLE001 - unreadable as a whole: the file-level error names it
                    return
                errors = RowErrors()
                validate_incidents(parsed, ImportContext(name, SYSTEM_ACTOR), errors)
                named = {e.split(":", 1)[0] for e in outcome.errors}
                assert {e.split(":", 1)[0] for e in errors.items} <= named
            tally.rows_checked(AREA, stored)
        finally:
            await store.close()

    run(check())
    tally.case(AREA)


def _non_blank(rows: list[dict], as_csv: bool) -> int:
    if not as_csv:
        return len(rows)
    return sum(1 for r in rows if any(str(v).strip() for v in r.values()))


def test_validation_alone_never_raises_on_random_rows():
    """The pure check, with rows no file could hold (numbers, nested values, odd keys)."""
    @settings(max_examples=200, deadline=None)
    @given(fields=st.dictionaries(st.text(max_size=12), st.one_of(
        st.text(max_size=20), st.integers(), st.floats(allow_nan=True), st.none(), st.booleans(),
        st.lists(st.integers(), max_size=2)), max_size=8))
    def check(fields):
        errors = RowErrors()
        validate_incidents([Row("item 1", fields)], ImportContext("x.json", SYSTEM_ACTOR), errors)

    check()

