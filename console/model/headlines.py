"""Feeds and the headlines they bring. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from console.model.access import RELEASABLE_TO_ALL


@dataclass(frozen=True)
class Feed:
    name: str
    url: str
    interval_seconds: int = 300
    enabled: bool = True
    header_env: str = ""  # "Header-Name=ENV_VAR" pairs; the value is read at poll time
    keywords: tuple[str, ...] = ()
    last_success_at: datetime | None = None
    last_error_at: datetime | None = None
    last_error: str = ""
    consecutive_failures: int = 0
    next_poll_at: datetime | None = None
    items_seen: int = 0
    etag: str = ""
    last_modified: str = ""
    id: int | None = None
    health_note: str = ""  # what the latest good poll noticed (entries skipped, a header dropped)


@dataclass(frozen=True)
class Headline:
    title: str
    published_at: datetime  # UTC
    source: str
    link: str = ""
    summary: str = ""
    guid: str = ""
    dedup_key: str = ""
    feed_id: int | None = None
    read: bool = False
    watch_hits: tuple[str, ...] = ()
    releasability: str = RELEASABLE_TO_ALL
    id: int | None = None
    archived: bool = False  # found in the archive file (cmcc archive), not in the live database


#: A search counts its matches up to this many past the rows it reads (counting all of a common
#: word's took ~150 ms a reload on a million headlines); the list then says "1,300+ matching" and
#: counts further as the operator goes down it.
SEARCH_COUNT_LIMIT = 1_000


@dataclass(frozen=True)
class SearchWindow:
    """Some rows of a search, and how many matches there are (``complete``: all counted; else at
    least ``total``)."""

    rows: list[Headline]
    total: int
    complete: bool = True
