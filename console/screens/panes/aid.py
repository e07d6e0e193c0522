"""The Aid flow pane: today per crossing against target, and the dual-use queue."""

from __future__ import annotations

from datetime import date, timedelta

from console.domain import Entity
from console.screens.panes.base import Pane
from console.screens.summaries import aid_summary
from widgets.aid_board import AidBoard, CrossingRow

SPARK_DAYS = 14


class AidPane(Pane):
    KEY = "aid"
    TITLE = "Aid flow"
    TABLE = AidBoard
    ENTITIES = frozenset({Entity.MOVEMENT, Entity.CROSSING, Entity.DUAL_USE, Entity.SEED})

    async def load(self) -> None:
        today = date.today()
        board = await self.store.aid.board(self.actor, today)
        history = await self.store.aid.entered_per_day(self.actor, today - timedelta(days=SPARK_DAYS - 1), today)
        days = [(today - timedelta(days=n)).isoformat() for n in range(SPARK_DAYS - 1, -1, -1)]
        rows = []
        for day in board:
            code = day.crossing.code
            held = day.trucks_by_status.get("held", 0)
            pipeline = sum(day.trucks_by_status.get(s, 0) for s in ("scheduled", "at_crossing", "inspected"))
            rows.append(CrossingRow(day.crossing, day.entered, pipeline, held, day.crossing.daily_target,
                                    tuple(history.get((code, d), 0) for d in days)))
        text = self.filter_text.lower()
        self.table.sync([r for r in rows if text in r.crossing.name.lower()] if text else rows)
        queue = await self.store.aid.dual_use_queue(self.actor)
        self.set_summary(aid_summary(rows, history, days, self.settings.daily_truck_target, queue))
