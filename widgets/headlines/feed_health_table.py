"""Feed health: one row per feed, what its last polls did and when it polls next.

Times are absolute (``06:16:43Z`` today, else the short DTG), so a row changes
only when a poll changed it: nothing here ticks by itself over a slow link.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.text import Text

from console.model.headlines import Feed
from console.dtg import format_clock
from widgets.cells import cell
from widgets.record_table import RecordTable


def _clock(moment: datetime | None) -> str:
    return format_clock(moment) if moment else "never"


def _sort(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


class FeedHealthTable(RecordTable):
    COLUMNS = (
        ("name", "Feed", 16),
        ("enabled", "On", 3),
        ("last_success", "Last success", 12),
        ("failures", "Fail", 4),
        ("next_poll", "Next poll", 12),
        ("items", "Items", 6),
        ("last_error", "Last error", None),
    )
    DEFAULT_SORT = "name"

    def cells(self, feed: Feed) -> Sequence[Text]:
        failing = feed.enabled and feed.consecutive_failures > 0
        error = ""
        if feed.last_error:
            error = f"{_clock(feed.last_error_at)} {feed.last_error}"
        if feed.health_note and not failing:
            error = f"note: {feed.health_note}"  # what the latest good poll noticed
        return (
            cell(feed.name, "bold red" if failing else "", max_chars=64),
            cell("on" if feed.enabled else "off", "" if feed.enabled else "dim"),
            cell(_clock(feed.last_success_at), sort_key=_sort(feed.last_success_at)),
            cell(f"✗{feed.consecutive_failures}" if feed.consecutive_failures else "0",
                 "bold red" if failing else "", sort_key=feed.consecutive_failures),
            cell(_clock(feed.next_poll_at) if feed.enabled else "-", sort_key=_sort(feed.next_poll_at)),
            cell(str(feed.items_seen), sort_key=feed.items_seen),
            cell(error, "red" if failing else "dim", max_chars=320),
        )
