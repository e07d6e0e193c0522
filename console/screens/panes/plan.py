"""The Plan pane: the whiteboard of the plan's 20 points.

The summary's second line is the whole board at a glance (number and status
mark of every point); the table below gives owner and next step. Keys: `v`
status, `o` owner and next step, `N` add a note, enter the point in full with
its notes and status history.

The forms and detail screens are imported when a key opens them, not at start-up.
"""

from __future__ import annotations

from textual.binding import Binding

from console.model.journal import Entity
from console.model.plan import PlanPoint
from console.screens.panes.base import Pane
from console.screens.summaries import plan_summary
from widgets.plan.plan_board import PlanBoard
from widgets.record_table import RecordTable


class PlanPane(Pane):
    KEY = "plan"
    TITLE = "Plan"
    TABLE = PlanBoard
    ENTITIES = frozenset({Entity.PLAN_POINT, Entity.SEED})

    DEFAULT_CSS = """
    PlanPane > .pane-summary { text-wrap: nowrap; text-overflow: ellipsis; }
    """

    WRITES = frozenset({"plan_status", "plan_owner", "plan_note"})
    BINDINGS = [
        Binding("v", "plan_status", "Status", id="plan.status",
                tooltip="Change the selected point's status (and next step), with a note"),
        Binding("o", "plan_owner", "Owner", id="plan.owner", tooltip="Edit the selected point's owner and next step"),
        Binding("N", "plan_note", "Note", id="plan.note", tooltip="Add a note to the selected point"),
    ]

    async def load(self) -> None:
        points: list[PlanPoint] = await self.store.plan.points()
        words = self.filter_text.lower().split()
        self.table.sync([p for p in points
                         if all(w in f"{p.number} {p.title} {p.owner} {p.status.label} {p.next_step}".lower()
                                for w in words)])
        self.set_summary(plan_summary(points))

    def _point(self) -> PlanPoint | None:
        return self.table.selected_record()

    def _back(self, _result) -> None:
        self.table.focus()

    def action_plan_status(self) -> None:
        from console.screens.plan_screens import plan_status_form

        point = self._point()
        if point is not None:
            self.app.push_screen(plan_status_form(self.store, self.actor, point), self._back)

    def action_plan_owner(self) -> None:
        from console.screens.plan_screens import plan_owner_form

        point = self._point()
        if point is not None:
            self.app.push_screen(plan_owner_form(self.store, self.actor, point), self._back)

    def action_plan_note(self) -> None:
        from console.screens.plan_screens import plan_note_form

        point = self._point()
        if point is not None:
            self.app.push_screen(plan_note_form(self.store, self.actor, point), self._back)

    def on_record_table_record_selected(self, event: RecordTable.RecordSelected) -> None:
        from console.screens.plan_screens import PlanDetailScreen

        event.stop()
        point = self.table.records.get(event.record_id)
        if point is not None:
            self.app.push_screen(PlanDetailScreen(self.store, self.actor, point.number))
