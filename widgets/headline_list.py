"""Headlines polled from the feeds, newest first, watch-list hits marked."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from console.domain import Headline
from console.dtg import format_short_dtg
from widgets.cells import cell
from widgets.record_table import RecordTable


class HeadlineList(RecordTable):
    COLUMNS = (
        ("published_at", "DTG", 7),
        ("mark", "", 2),
        ("source", "Source", 12),
        ("title", "Title", None),
    )
    DEFAULT_SORT = "published_at"
    DEFAULT_REVERSE = True

    def cells(self, headline: Headline) -> Sequence[Text]:
        hit = bool(headline.watch_hits)
        mark = ("*" if hit else " ") + (" " if headline.read else "•")
        return (
            cell(format_short_dtg(headline.published_at), sort_key=(headline.published_at.isoformat(), headline.id)),
            cell(mark, "bold yellow" if hit else ""),
            cell(headline.source, max_chars=12),
            cell(headline.title, "bold" if hit else ("dim" if headline.read else ""), max_chars=300),
        )
