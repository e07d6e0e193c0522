"""Parsing feed documents: RSS, Atom and JSON Feed into clean, bounded, deduplicated headlines."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.model.headlines import Headline
from feeds.parse import FeedError, dedup_key, match_keywords, parse_document

try:
    from feed_server import atom_document, json_feed_document, rss_document
except ImportError:
    from tests.feed_server import atom_document, json_feed_document, rss_document

WHEN = datetime(2025, 11, 25, 10, 0, tzinfo=timezone.utc)
FETCHED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
ITEMS = [
    {"title": "Cease-fire holds in Khan Younis", "link": "https://example.test/1", "guid": "urn:1",
     "description": "<p>Calm <b>night</b>.</p><script>alert(1)</script>", "published": WHEN},
    {"title": "Aid trucks enter at Zikim", "link": "https://example.test/2", "guid": "urn:2",
     "description": "Forty trucks", "published": WHEN + timedelta(hours=1)},
]


@pytest.mark.parametrize("make, content_type", [
    (rss_document, "application/rss+xml"),
    (atom_document, "application/atom+xml"),
    (json_feed_document, "application/feed+json"),
    (lambda items: json_feed_document(items, version="1.0"), "application/json"),
])
def test_the_three_formats_give_the_same_headlines(make, content_type):
    headlines = parse_document(make(ITEMS), content_type, "wire", fetched_at=FETCHED)
    assert [h.title for h in headlines] == ["Cease-fire holds in Khan Younis", "Aid trucks enter at Zikim"]
    assert [h.published_at for h in headlines] == [WHEN, WHEN + timedelta(hours=1)]
    assert " ".join(headlines[0].summary.split()) == "Calm night."
    assert "alert" not in headlines[0].summary and "<" not in headlines[0].summary
    assert headlines[0].dedup_key == dedup_key("urn:1", "", "", None)
    assert all(h.source == "wire" and h.published_at.tzinfo is timezone.utc for h in headlines)


def test_the_content_type_may_be_wrong_or_missing():
    assert len(parse_document(json_feed_document(ITEMS), "", "s")) == 2
    assert len(parse_document(rss_document(ITEMS), "text/plain", "s")) == 2


def test_offsets_become_utc_and_a_missing_date_is_the_fetch_time():
    body = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            b"<item><title>Local time</title><guid>a</guid><pubDate>Tue, 25 Nov 2025 12:00:00 +0200</pubDate></item>"
            b"<item><title>Undated</title><link>https://example.test/u</link></item></channel></rss>")
    dated, undated = parse_document(body, "application/rss+xml", "s", fetched_at=FETCHED)
    assert dated.published_at == datetime(2025, 11, 25, 10, 0, tzinfo=timezone.utc)
    assert undated.published_at == FETCHED.replace(microsecond=0)


def test_escapes_markup_and_sizes_are_bounded():
    items = [{"title": "\x1b]52;c;ZXZpbA==\x07Rafah\x1b[31m <i>crossing</i> [bold]open[/bold] " + "x" * 900,
              "guid": "g", "description": "y" * 10000}]
    (headline,) = parse_document(rss_document(items), "application/rss+xml", "s")
    assert "\x1b" not in headline.title and "\x07" not in headline.title
    assert headline.title.startswith("Rafah crossing [bold]open[/bold]")  # markup kept literal, tags gone
    assert len(headline.title) <= 500 and len(headline.summary) <= 4000


def test_at_most_max_items_are_read():
    items = [{"title": f"t{i}", "guid": f"g{i}"} for i in range(30)]
    assert len(parse_document(rss_document(items), "", "s", max_items=10)) == 10


@pytest.mark.parametrize("body, message", [
    (b'<?xml version="1.0"?>\n<rss version="2.0">\n<channel><item><title>x</ti', "malformed XML at line 3"),
    (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
     b"<rss><channel><title>&lol2;</title></channel></rss>", "refused: the XML declares entities"),
    (b"<html><body><p>Please log in</p></body></html>", "not an RSS, Atom or JSON feed"),
    (b'{"items": [', "malformed JSON at line 1"),
    (b'{"version": "2", "items": []}', "not a JSON Feed"),
    (b'{"version": "https://jsonfeed.org/version/1.1"}', "\"items\" is missing"),
    (b"   ", "empty document"),
])
def test_unreadable_documents_raise_a_clear_feed_error(body, message):
    with pytest.raises(FeedError, match=message.replace("(", r"\(").replace("[", r"\[")):
        parse_document(body, "", "s")


def test_a_valid_feed_without_items_is_empty_not_an_error():
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>quiet</title></channel></rss>'
    assert parse_document(body, "application/rss+xml", "s") == []


def test_a_document_that_is_a_path_is_never_opened(tmp_path):
    secret = tmp_path / "secret.xml"
    secret.write_bytes(rss_document([{"title": "SECRET", "guid": "s"}]))
    with pytest.raises(FeedError):
        parse_document(str(secret).encode(), "", "s")


def test_keywords_match_whole_words_case_insensitively():
    headline = Headline(title="Kerem Shalom crossing closed; ISF talks", summary="Rafah-bound convoy",
                        published_at=WHEN, source="s")
    assert match_keywords(headline, ["kerem shalom", "isf", "raf", "rafah", "CMCC", "ISF"]) == (
        "kerem shalom", "isf", "rafah")
    (hit,) = parse_document(rss_document([{"title": "ISF deployment", "guid": "1"}]), "", "s",
                            keywords=("isf", "gaza"))
    assert hit.watch_hits == ("isf",)


def test_the_same_article_in_two_feeds_has_one_key():
    one = parse_document(rss_document(ITEMS[:1]), "", "wire A")
    two = parse_document(atom_document(ITEMS[:1]), "", "wire B")
    assert one[0].dedup_key == two[0].dedup_key


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_any_bytes_either_parse_or_raise_feed_error(body):
    try:
        headlines = parse_document(body, "", "fuzz")
    except FeedError as error:
        assert str(error) and "\n" not in str(error)
    else:
        for headline in headlines:
            assert 0 < len(headline.title) <= 500 and len(headline.dedup_key) == 40


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=60), st.text(max_size=60), st.text(max_size=60))
def test_dedup_keys_are_fixed_length_and_depend_on_guid_first(guid, link, title):
    key = dedup_key(guid, link, title, WHEN)
    assert len(key) == 40 and all(c in "0123456789abcdef" for c in key)
    if guid.strip():
        assert key == dedup_key(guid, "elsewhere", "other title", None)
    elif link.strip():
        assert key == dedup_key("", link, "other title", None)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=40), min_size=1, max_size=8))
def test_json_feeds_with_arbitrary_titles_round_trip(titles):
    items = [{"title": t, "guid": f"g{i}"} for i, t in enumerate(titles)]
    headlines = parse_document(json_feed_document(items), "application/feed+json", "s")
    assert len({h.dedup_key for h in headlines}) == len(headlines)
    for headline in headlines:
        assert "\x1b" not in headline.title and "\n" not in headline.title
