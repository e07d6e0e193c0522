"""The Headlines pane: polled headlines, newest first, and the ticker's source."""

from __future__ import annotations

from console.domain import Entity, Headline
from console.screens.panes.base import Pane
from widgets.headline_list import HeadlineList

PAGE = 300


class HeadlinesPane(Pane):
    KEY = "headlines"
    TITLE = "Headlines"
    TABLE = HeadlineList
    ENTITIES = frozenset({Entity.HEADLINE, Entity.FEED, Entity.SEED})

    async def load(self) -> None:
        if self.filter_text:
            headlines: list[Headline] = await self.store.headlines.search(self.actor, self.filter_text, limit=PAGE)
        else:
            headlines = await self.store.headlines.latest(self.actor, limit=PAGE)
        self.table.sync(headlines)
        hits = sum(1 for h in headlines if h.watch_hits)
        unread = sum(1 for h in headlines if not h.read)
        scope = f"matching {self.filter_text!r}" if self.filter_text else "newest"
        self.set_summary(f"{len(headlines)} {scope} · {unread} unread · {hits} watch-list hits (*)")
        if not self.filter_text:
            self.screen.show_ticker(headlines)
