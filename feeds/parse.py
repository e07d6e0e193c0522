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
from collections.abc import Iterable
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser

from console.domain import Headline
from console.dtg import utc_now
from console.sanitize import clean_line, clean_text
from feeds.limits import (
    MAX_ITEMS_PER_DOCUMENT,
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

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs) -> None:
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


def parse_document(body: bytes, content_type: str, source: str, *, fetched_at: datetime | None = None,
                   keywords: Iterable[str] = (), feed_id: int | None = None,
                   max_items: int = MAX_ITEMS_PER_DOCUMENT) -> list[Headline]:
    """Every item of an RSS, Atom or JSON Feed document, cleaned and bounded. Raises FeedError."""
    fetched_at = to_utc(fetched_at or utc_now()).replace(microsecond=0)
    source = clean_line(source, max_chars=MAX_SOURCE_CHARS) or "unknown"
    if not body or not body.strip():
        raise FeedError("empty document")
    problem = None  # feedparser read the document only loosely: fatal if it yields nothing
    if looks_like_json(body, content_type):
        items = _json_feed_items(body)
    else:
        items, problem = _xml_feed_items(body)
    keywords = tuple(keywords)
    headlines = []
    for guid, link, title, summary, published in items:
        if len(headlines) >= max_items:
            break
        title = clean_title(title)
        summary = clean_summary(summary)
        if not title:
            title = clean_line(summary, max_chars=120)
        if not title:
            continue  # nothing to show
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
    return headlines


def _replace(headline: Headline, **changes) -> Headline:
    from dataclasses import replace

    return replace(headline, **changes)


# (guid, link, title, summary-html, published-or-None)
_Item = tuple[str, str, str, str, "datetime | None"]


def _xml_feed_items(body: bytes) -> tuple[list[_Item], str | None]:
    if _ENTITY_DECLARATION.search(body):
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
        return [], None
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
                      str(entry.get("title") or ""), str(summary), published))
    return items, (_describe_bozo(parsed.get("bozo_exception")) if parsed.get("bozo") else None)


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


def _json_feed_items(body: bytes) -> list[_Item]:
    try:
        document = json.loads(body.decode("utf-8-sig"))
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
    for raw in raw_items[:MAX_ITEMS_PER_DOCUMENT * 2]:
        if not isinstance(raw, dict):
            continue
        guid = raw.get("id")
        guid = "" if guid is None or isinstance(guid, (dict, list)) else str(guid)
        link = raw.get("url") or raw.get("external_url") or ""
        link = link if isinstance(link, str) else ""
        title = raw.get("title") if isinstance(raw.get("title"), str) else ""
        summary = ""
        for key in ("summary", "content_html", "content_text"):
            if isinstance(raw.get(key), str) and raw[key].strip():
                summary = raw[key]
                break
        published = parse_date(raw.get("date_published")) or parse_date(raw.get("date_modified"))
        items.append((guid, link, title, summary, published))
    return items
