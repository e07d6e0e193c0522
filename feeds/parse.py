"""Feed documents into headlines: RSS 2.0 and Atom 1.0 (feedparser), JSON Feed 1.0/1.1.

Everything here is untrusted input: XML with entity declarations is refused
before any parser sees it, HTML is reduced to its text, escape sequences and
control characters are stripped, and sizes are bounded.
"""

from __future__ import annotations

import calendar
import functools
import hashlib
import io
import json
import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any

from console.model.headlines import Headline
from console.dtg import utc_now
from console.sanitize import clean_line, clean_text
from feeds.limits import (
    MAX_ITEMS_PER_DOCUMENT,
    MAX_JSON_INT_DIGITS,
    MAX_LINK_CHARS,
    MAX_SOURCE_CHARS,
    MAX_SUMMARY_CHARS,
    MAX_TITLE_CHARS,
)


class FeedError(Exception):
    """A feed could not be fetched or read; the message is one line for the operator."""


# --- text -------------------------------------------------------------------

_BLOCK_TAGS = frozenset({"p", "br", "div", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5",
                         "h6", "blockquote", "pre", "hr", "section", "article", "header", "footer"})
_SKIP_TAGS = frozenset({"script", "style", "head", "title", "template", "noscript"})


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


_MULTI_NEWLINES = re.compile(r"\n{3,}")


def html_to_text(value: object) -> str:
    """The visible text of an HTML fragment (entities decoded, tags and scripts gone)."""
    text = "" if value is None else str(value)
    if "<" not in text and "&" not in text:
        return text
    parser = _TextExtractor()
    try:
        parser.feed(text)
        parser.close()
    except Exception:  # noqa: BLE001 - html.parser is lenient; be safe anyway
        return re.sub(r"<[^>]*>", " ", text)
    return _MULTI_NEWLINES.sub("\n\n", "".join(parser.parts))


def clean_title(value: object) -> str:
    return clean_line(html_to_text(value), max_chars=MAX_TITLE_CHARS)


def clean_summary(value: object) -> str:
    return clean_text(html_to_text(value), max_chars=MAX_SUMMARY_CHARS)


# --- keys, dates, keywords ------------------------------------------------------


def dedup_key(guid: str, link: str, title: str, published: datetime | None) -> str:
    """A fixed-length key: the guid, else the link, else title and date.

    Deliberately not prefixed by the feed: the same article carried by two
    feeds (same guid or link) is one headline.
    """
    guid, link = guid.strip(), link.strip()
    if guid:
        basis = guid
    elif link:
        basis = link
    else:
        basis = "\x1f".join([title.strip().casefold(), published.isoformat() if published else ""])
    return hashlib.sha256(basis.encode("utf-8", errors="replace")).hexdigest()[:40]


def to_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def parse_date(value: object) -> datetime | None:
    """RFC 3339 / ISO 8601 or RFC 822 text into an aware UTC datetime; None if unreadable."""
    if value is None:
        return None
    text = str(value).strip()
    if not text or len(text) > 64:
        return None
    try:
        return to_utc(datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00")))
    except ValueError:
        pass
    try:
        return to_utc(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


@functools.lru_cache(maxsize=512)
def _word_pattern(word: str) -> re.Pattern[str]:
    """One compiled pattern per watch word (ingest matches every word against every headline)."""
    return re.compile(r"(?<!\w)" + re.escape(word) + r"(?!\w)", re.IGNORECASE)


def match_keywords(headline: Headline, keywords: Iterable[str]) -> tuple[str, ...]:
    """Watch-list keywords found in the title or summary: case-insensitive, whole words."""
    haystack = f"{headline.title}\n{headline.summary}"
    hits = []
    seen = set()
    for keyword in keywords:
        word = keyword.strip()
        if not word or word.casefold() in seen:
            continue
        if _word_pattern(word).search(haystack):
            hits.append(word)
            seen.add(word.casefold())
    return tuple(hits)


# --- JSON with bounded numbers ----------------------------------------------------


class LongNumber:
    """A JSON integer longer than MAX_JSON_INT_DIGITS, kept as its digits: never converted."""

    __slots__ = ("digits",)

    def __init__(self, digits: str) -> None:
        self.digits = digits

    def __repr__(self) -> str:
        return f"<a number of {len(self.digits.lstrip('-'))} digits>"

    def describe(self, text: str | None = None) -> str:
        """``a number of 5000 digits, more than 4300 (line 3 column 8)``."""
        where = ""
        if text is not None:
            at = text.find(self.digits)
            if at >= 0:
                line = text.count("\n", 0, at) + 1
                column = at - (text.rfind("\n", 0, at) + 1) + 1
                where = f" (line {line} column {column})"
        return f"a number of {len(self.digits.lstrip('-'))} digits, more than {MAX_JSON_INT_DIGITS}{where}"


def _bounded_int(digits: str) -> int | LongNumber:
    return int(digits) if len(digits) <= MAX_JSON_INT_DIGITS else LongNumber(digits)


def loads_bounded(text: str) -> Any:
    """``json.loads`` where an over-long integer becomes a ``LongNumber`` (not a ValueError)."""
    return json.loads(text, parse_int=_bounded_int)


# --- documents --------------------------------------------------------------------

_ENTITY_DECLARATION = re.compile(rb"<!\s*ENTITY", re.IGNORECASE)
_JSON_START = re.compile(rb"^\s*[\[{]")


def looks_like_json(body: bytes, content_type: str) -> bool:
    kind = (content_type or "").lower()
    if "json" in kind:
        return True
    if "xml" in kind or "rss" in kind or "atom" in kind:
        return False
    return bool(_JSON_START.match(body.lstrip(b"\xef\xbb\xbf")[:64]))


def declares_entities(body: bytes) -> bool:
    """Whether the document declares XML entities, in whatever encoding the parser would read it.

    Checked on the raw bytes, on the bytes without NULs (UTF-16 and UTF-32 of ASCII text), and on
    the document as feedparser itself converts it to UTF-8 (BOMs, the XML declaration's encoding).
    """
    if _ENTITY_DECLARATION.search(body) or _ENTITY_DECLARATION.search(body.replace(b"\x00", b"")):
        return True
    try:
        from feedparser.encodings import convert_to_utf8

        converted = convert_to_utf8({}, body, {})
    except Exception:  # noqa: BLE001 - an encoding feedparser cannot read: it cannot expand entities either
        return False
    return isinstance(converted, bytes) and bool(_ENTITY_DECLARATION.search(converted))


def untitled_title(*candidates: str) -> str:
    """``(untitled) example.org/photo.jpg``: for an entry with no text, from its link or media."""
    for candidate in candidates:
        text = clean_line(candidate, max_chars=MAX_LINK_CHARS)
        if text:
            shown = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text, flags=re.IGNORECASE).removeprefix("www.")
            return clean_line(f"{UNTITLED} {shown}", max_chars=MAX_TITLE_CHARS)
    return ""


UNTITLED = "(untitled)"


def parse_document(body: bytes, content_type: str, source: str, *, fetched_at: datetime | None = None,
                   keywords: Iterable[str] = (), feed_id: int | None = None,
                   max_items: int = MAX_ITEMS_PER_DOCUMENT, notes: list[str] | None = None) -> list[Headline]:
    """Every item of an RSS, Atom or JSON Feed document, cleaned and bounded. Raises FeedError.

    An entry with no text (only a photo, only a link) is kept, titled ``(untitled) <its link or
    media>``; one with nothing to show or open (metadata only) is skipped. What was kept untitled, skipped, or left
    beyond ``max_items`` is said in ``notes`` (one short line each), never dropped without a word.
    """
    fetched_at = to_utc(fetched_at or utc_now()).replace(microsecond=0)
    source = clean_line(source, max_chars=MAX_SOURCE_CHARS) or "unknown"
    if not body or not body.strip():
        raise FeedError("empty document")
    problem = None  # feedparser read the document only loosely: fatal if it yields nothing
    if looks_like_json(body, content_type):
        items, total = _json_feed_items(body)
    else:
        items, problem, total = _xml_feed_items(body)
    keywords = tuple(keywords)
    headlines: list[Headline] = []
    taken = untitled = empty = 0
    for guid, link, title, summary, published, media in items:
        if len(headlines) >= max_items:
            break
        taken += 1
        title = clean_title(title)
        summary = clean_summary(summary)
        if not title:
            title = clean_line(summary, max_chars=120)
        if not title:
            # no visible text: a photo, a link, metadata only. Still a report: keep it, marked.
            title = untitled_title(link, media)
            if not title:
                empty += 1
                continue  # nothing to show or open (metadata only): counted, said in the notes
            untitled += 1
            link = link or media  # a photo with no link: the photo is what there is to open
        link = clean_line(link, max_chars=MAX_LINK_CHARS)
        guid = clean_line(guid, max_chars=MAX_LINK_CHARS)
        headline = Headline(
            title=title, summary=summary, link=link, guid=guid, source=source, feed_id=feed_id,
            published_at=(published or fetched_at).replace(microsecond=0),
            dedup_key=dedup_key(guid, link, title, published),
        )
        if keywords:
            hits = match_keywords(headline, keywords)
            if hits:
                headline = _replace(headline, watch_hits=hits)
        headlines.append(headline)
    if problem and not headlines:
        raise FeedError(problem)
    if notes is not None:
        if untitled:
            notes.append(f"{untitled} {_entries(untitled)} with no text kept as {UNTITLED}")
        if empty:
            notes.append(f"{empty} {_entries(empty)} with nothing to show (no text, link or media) skipped")
        left = total - taken
        if left > 0:
            notes.append(f"{left} {_entries(left)} beyond the {max_items:,} per document not read")
    return headlines


def _entries(count: int) -> str:
    return "entry" if count == 1 else "entries"


def _replace(headline: Headline, **changes: Any) -> Headline:
    from dataclasses import replace

    return replace(headline, **changes)


# (guid, link, title, summary-html, published-or-None, media-url)
_Item = tuple[str, str, str, str, "datetime | None", str]


def _media_of(entry: Mapping[str, Any]) -> str:
    """The first media URL of a feedparser entry: media:content, an enclosure, a thumbnail."""
    for key, attribute in (("media_content", "url"), ("enclosures", "href"), ("media_thumbnail", "url")):
        for value in entry.get(key) or ():
            url = value.get(attribute) if hasattr(value, "get") else None
            if isinstance(url, str) and url.strip():
                return url
    for value in entry.get("links") or ():
        if hasattr(value, "get") and value.get("rel") == "enclosure" and isinstance(value.get("href"), str):
            return str(value["href"])
    return ""


def _xml_feed_items(body: bytes) -> tuple[list[_Item], str | None, int]:
    if declares_entities(body):
        raise FeedError("refused: the XML declares entities (DOCTYPE <!ENTITY>), which feeds never need")
    import feedparser  # imported here: it is slow to import and the CLI's --help should not pay

    # A stream, never bytes or str: given those, feedparser would try them as a file name or URL.
    parsed = feedparser.parse(io.BytesIO(body), sanitize_html=True, resolve_relative_uris=False)
    entries = parsed.get("entries") or []
    if not entries:
        if parsed.get("bozo"):
            raise FeedError(_describe_bozo(parsed.get("bozo_exception")))
        if not parsed.get("version"):
            raise FeedError("not an RSS, Atom or JSON feed")
        return [], None, 0
    items: list[_Item] = []
    for entry in entries[:MAX_ITEMS_PER_DOCUMENT * 2]:
        published = None
        for key in ("published_parsed", "updated_parsed", "created_parsed"):
            value = entry.get(key)
            if value:
                try:
                    published = datetime.fromtimestamp(calendar.timegm(value), timezone.utc)
                except (OverflowError, ValueError, OSError):
                    published = None
                if published:
                    break
        summary = entry.get("summary") or ""
        if not summary and entry.get("content"):
            summary = entry["content"][0].get("value", "")
        items.append((str(entry.get("id") or ""), str(entry.get("link") or ""),
                      str(entry.get("title") or ""), str(summary), published, _media_of(entry)))
    return items, (_describe_bozo(parsed.get("bozo_exception")) if parsed.get("bozo") else None), len(entries)


def _describe_bozo(error: BaseException | None) -> str:
    if error is None:
        return "not an RSS, Atom or JSON feed"
    line = getattr(error, "getLineNumber", None)
    message = getattr(error, "getMessage", None)
    text = message() if callable(message) else str(error)
    text = clean_line(text, max_chars=160) or type(error).__name__
    if callable(line):
        try:
            return f"malformed XML at line {line()}: {text}"
        except Exception:  # noqa: BLE001
            pass
    return f"not a readable feed: {text}"


def _json_feed_items(body: bytes) -> tuple[list[_Item], int]:
    try:
        text = body.decode("utf-8-sig")
        document = loads_bounded(text)
    except UnicodeDecodeError as error:
        raise FeedError(f"JSON feed is not UTF-8 (byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise FeedError(f"malformed JSON at line {error.lineno} column {error.colno}: {error.msg}") from None
    except RecursionError:
        raise FeedError("malformed JSON: nested too deeply") from None
    if not isinstance(document, dict):
        raise FeedError("not a JSON Feed: the document is not an object")
    version = str(document.get("version", ""))
    if not version.startswith("https://jsonfeed.org/version/"):
        raise FeedError("not a JSON Feed: no \"version\": \"https://jsonfeed.org/version/1.1\"")
    raw_items = document.get("items")
    if not isinstance(raw_items, list):
        raise FeedError("not a JSON Feed: \"items\" is missing or not a list")
    items: list[_Item] = []
    for index, raw in enumerate(raw_items[:MAX_ITEMS_PER_DOCUMENT * 2]):
        if not isinstance(raw, dict):
            items.append(("", "", "", "", None, ""))  # not an item: counted as nothing to show
            continue
        for key, value in raw.items():
            if isinstance(value, LongNumber):
                raise FeedError(f"malformed JSON Feed: items[{index}].{clean_line(key, max_chars=40)}:"
                                f" {value.describe(text)}")
        guid = raw.get("id")
        guid = "" if guid is None or isinstance(guid, (dict, list)) else str(guid)
        link = raw.get("url") or raw.get("external_url") or ""
        link = link if isinstance(link, str) else ""
        raw_title = raw.get("title")
        title = raw_title if isinstance(raw_title, str) else ""
        summary = ""
        for key in ("summary", "content_html", "content_text"):
            if isinstance(raw.get(key), str) and raw[key].strip():
                summary = raw[key]
                break
        published = parse_date(raw.get("date_published")) or parse_date(raw.get("date_modified"))
        media = ""
        for value in (raw.get("image"), raw.get("banner_image"),
                      *(a.get("url") for a in raw.get("attachments") or () if isinstance(a, dict))):
            if isinstance(value, str) and value.strip():
                media = value
                break
        items.append((guid, link, title, summary, published, media))
    return items, len(raw_items)
