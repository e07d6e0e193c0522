"""What the console told the operator: the notices list behind `M`, and what pops up.

A toast over the data is kept for what needs a decision now: a failure or a warning (most often
of the operator's own action: a refusal, "select a crossing first"), or what a caller marks
urgent (a new unacknowledged severity 4-5 incident). Everything else (watch-list hits,
confirmations) goes only to this list and to the count of unseen notices in the clock bar.
Pure: the App keeps one ``NoticeLog``, the notices screen shows it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from console.model.headlines import Headline

#: How many notices the list keeps, newest first (a shift's worth; the oldest go).
KEEP = 300


@dataclass(frozen=True)
class Notice:
    at: datetime
    text: str
    title: str = ""
    severity: str = "information"
    #: Opens the record the notice is about (its detail screen), if it is about one.
    opens: Callable[[], object] | None = None


def pops_up(severity: str, urgent: bool = False) -> bool:
    """Shown over the data (a toast) as well as listed?"""
    return urgent or severity in ("error", "warning")


class NoticeLog:
    def __init__(self, keep: int = KEEP) -> None:
        self._notices: deque[Notice] = deque(maxlen=keep)
        #: Notices that did not pop up, added since the operator last opened the list: what waits there.
        self.unseen = 0

    def add(self, notice: Notice, *, popped_up: bool = False) -> None:
        self._notices.appendleft(notice)
        if not popped_up:
            self.unseen = min(self.unseen + 1, len(self._notices))

    def newest_first(self) -> list[Notice]:
        return list(self._notices)

    def seen(self) -> None:
        self.unseen = 0

    def __len__(self) -> int:
        return len(self._notices)


#: New watch-list hits announced one by one from a single reload; beyond that, one line says how many more.
ANNOUNCE_AT_ONCE = 3


class NewWatchHits:
    """Which headlines with a watch-list hit are new since the console opened, each named once.

    Fed the newest headlines at every read (the ticker's, the Headlines pane's): the first read is
    what was there at start, marked on screen and not announced; ids only grow, so a hit is new when
    its id is past the newest id of the first read.
    """

    def __init__(self) -> None:
        self._seen_up_to: int | None = None
        self._announced: set[int] = set()

    def fresh(self, newest: list[Headline]) -> list[Headline]:
        ids = [h.id for h in newest if h.id is not None]
        if self._seen_up_to is None:
            self._seen_up_to = max(ids, default=0)
            return []
        fresh = [h for h in sorted(newest, key=lambda h: h.id or 0)
                 if (h.id or 0) > self._seen_up_to and h.watch_hits and h.id not in self._announced]
        self._announced.update(h.id for h in fresh if h.id is not None)
        return fresh
