"""Bounds on everything the ingestion layer accepts from outside."""

from __future__ import annotations

MAX_TITLE_CHARS = 500
MAX_SUMMARY_CHARS = 4000
MAX_LINK_CHARS = 2000
MAX_SOURCE_CHARS = 200
MAX_ITEMS_PER_DOCUMENT = 1000

#: Largest feed body the poller reads (decoded bytes, so a gzip bomb is cut off too).
MAX_FEED_BYTES = 5 * 1024 * 1024
#: Largest inbox file taken; a bigger one is rejected without being read.
MAX_INBOX_BYTES = 20 * 1024 * 1024
#: Largest single CSV field in an inbox file.
MAX_CSV_FIELD_CHARS = 64 * 1024
#: Most columns (CSV) or keys (JSON) one record may have: a million columns would otherwise
#: be a million "unknown column" errors held in memory and printed.
MAX_FIELDS_PER_ROW = 256
#: Longest integer a JSON document may carry (Python's own integer-string limit): a longer one is
#: an error naming its place, never a ValueError traceback from the int conversion.
MAX_JSON_INT_DIGITS = 4300

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 15.0
#: A whole poll (connect, redirects, body) never takes longer than this: a body trickling
#: in just under the read timeout must not hold a worker for ever.
TOTAL_TIMEOUT = 60.0
MAX_REDIRECTS = 5
#: Backoff after failures: interval * 2**failures, capped, with +-20% jitter.
MAX_BACKOFF_SECONDS = 3600
BACKOFF_JITTER = 0.2
#: The longest Retry-After the poller honours.
MAX_RETRY_AFTER_SECONDS = 6 * 3600


def human_bytes(count: int) -> str:
    if count >= 1024 * 1024 and count % (1024 * 1024) == 0:
        return f"{count // (1024 * 1024)} MB"
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MB"
    if count >= 1024:
        return f"{count // 1024} KB"
    return f"{count} bytes"
