"""The Plan pane: the whiteboard of the plan's 20 points."""

from __future__ import annotations

from console.domain import Entity, PlanPoint
from console.screens.panes.base import Pane
from console.screens.summaries import plan_summary
from widgets.plan_board import PlanBoard


class PlanPane(Pane):
    KEY = "plan"
    TITLE = "Plan"
    TABLE = PlanBoard
    ENTITIES = frozenset({Entity.PLAN_POINT, Entity.SEED})

    async def load(self) -> None:
        points: list[PlanPoint] = await self.store.plan.points()
        text = self.filter_text.lower()
        self.table.sync([p for p in points if text in f"{p.title} {p.owner} {p.status.label}".lower()] if text
                        else points)
        self.set_summary(plan_summary(points))
