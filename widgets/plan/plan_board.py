"""The plan whiteboard: 20 points, each with a status mark, owner and next step (last change when wide)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from console.model.plan import PlanPoint, PlanStatus
from console.dtg import format_short_dtg
from widgets.cells import cell
from widgets.record_table import RecordTable

STATUS_STYLE = {
    PlanStatus.NOT_STARTED: "dim",
    PlanStatus.IN_PROGRESS: "",
    PlanStatus.DONE: "green",
    PlanStatus.BLOCKED: "bold red",
    PlanStatus.DISPUTED: "yellow",
}


class PlanBoard(RecordTable):
    COLUMNS = (
        ("number", "#", 2),
        ("status", "Status", 13),
        ("title", "Point", 34),
        ("owner", "Owner", 10),
        ("next", "Next step", 30),
        ("changed", "Changed", 7),
        ("by", "By", 10),
    )
    #: Narrow: who changed a point and when go first (`enter` shows them, with the history).
    DROP_FIRST = ("by", "changed")
    DEFAULT_SORT = "number"

    def cells(self, point: PlanPoint) -> Sequence[Text]:
        status = point.status
        return (
            cell(point.number, sort_key=point.number),
            cell(f"{status.mark} {status.label}", STATUS_STYLE[status], sort_key=status.value),
            cell(point.title),
            cell(point.owner),
            cell(point.next_step),
            cell(format_short_dtg(point.changed_at) if point.changed_at else "-", "dim",
                 sort_key=str(point.changed_at or "")),
            cell(point.changed_by, "dim"),
        )
