"""Leases: which process does a job that exactly one process may do (feed polling). Pure.

The store (``console/store/leases.py``) takes, renews and releases them; screens show who holds one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from console.dtg import utc_now


#: The lease feed polling and the inbox watcher run under.
FEED_POLLER = "feed-poller"


def short_holder(holder: str) -> str:
    """``login@host`` of a holder id, for a status bar."""
    return holder.rsplit(":", 1)[0] if ":" in holder else holder


@dataclass(frozen=True)
class Lease:
    name: str
    holder: str
    expires_at: datetime
    #: what the holder watches besides the feeds: its inbox folder ('' for none)
    watching: str = ""

    def live(self, now: datetime | None = None) -> bool:
        return self.expires_at > (now or utc_now())
