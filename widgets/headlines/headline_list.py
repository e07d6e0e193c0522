"""Headlines polled from the feeds, newest first, watch-list hits marked and highlighted."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich.text import Text

from console.model.headlines import Headline
from console.dtg import format_short_dtg
from widgets.cells import cell
from widgets.record_table import StoreOrderedTable

HIT_STYLE = "bold reverse"


def highlight_hits(text: Text, hits: Sequence[str]) -> Text:
    """Mark each watch-list word where it stands (whole words, any case)."""
    for word in hits:
        if word:
            text.highlight_regex(re.compile(r"(?<!\w)" + re.escape(word) + r"(?!\w)", re.IGNORECASE), HIT_STYLE)
    return text


class HeadlineList(StoreOrderedTable):
    """``*`` marks a watch-list hit, ``•`` an unread headline and ``A`` one found in the archive
    (``cmcc archive``); never colour alone. Newest first, in the store's order: the list is
    every headline, held a window at a time, so it is not re-sorted in memory."""

    COLUMNS = (
        ("published_at", "DTG", 7),
        ("mark", "", 2),
        ("source", "Source", 12),
        ("title", "Title", None),
    )
    #: In a narrow pane the title keeps 30 columns and the source goes (it is in the detail, enter).
    DROP_FIRST = ("source",)
    WANTS = {"title": 30}
    DEFAULT_SORT = "published_at"
    DEFAULT_REVERSE = True

    def action_cycle_sort(self) -> None:
        self.notify("headlines are listed newest first (/ searches them)", severity="warning", timeout=3,
                    markup=False)

    action_reverse_sort = action_cycle_sort

    def cells(self, headline: Headline) -> Sequence[Text]:
        hit = bool(headline.watch_hits)
        archived = headline.archived
        mark = ("*" if hit else " ") + ("A" if archived else (" " if headline.read else "•"))
        title = cell(("[archived] " if archived else "") + headline.title,
                     "bold" if hit else ("dim" if headline.read or archived else ""), max_chars=300)
        return (
            cell(format_short_dtg(headline.published_at), sort_key=(headline.published_at.isoformat(), headline.id)),
            cell(mark, "bold yellow" if hit else ""),
            cell(headline.source, max_chars=12),
            highlight_hits(title, headline.watch_hits),
        )
