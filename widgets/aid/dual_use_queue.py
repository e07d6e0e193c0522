"""The dual-use working group's queue: each request's age and status.

A request waiting on the group longer than the limit (72 h) is marked ``!``
before its age and highlighted: a mark, not colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.text import Text

from console.model.aid import DUAL_USE_OVERDUE_HOURS, DUAL_USE_WAITING, DualUseRequest, DualUseStatus
from console.dtg import format_age, utc_now
from widgets.cells import cell
from widgets.record_table import RecordTable

STATUS_SHORT = {
    DualUseStatus.SUBMITTED: "submitted",
    DualUseStatus.UNDER_REVIEW: "review",
    DualUseStatus.APPROVED: "APPROVED",
    DualUseStatus.DENIED: "DENIED",
    DualUseStatus.MORE_INFO: "more info",
    DualUseStatus.RESUBMITTED: "resubmit",
}


def is_overdue(request: DualUseRequest, now: datetime | None = None) -> bool:
    if request.status not in DUAL_USE_WAITING or request.submitted_at is None:
        return False
    return ((now or utc_now()) - request.submitted_at).total_seconds() > DUAL_USE_OVERDUE_HOURS * 3600


class DualUseQueue(RecordTable):
    COLUMNS = (
        ("age", "Age", 7),
        ("status", "Status", 9),
        ("item", "Item", 22),
        ("organisation", "Org", 11),
        ("quantity", "Qty", 9),
        ("list_reference", "List ref", 10),
    )
    DEFAULT_SORT = ""

    def cells(self, request: DualUseRequest) -> Sequence[Text]:
        now = utc_now()
        overdue = is_overdue(request, now)
        age = format_age(request.submitted_at, now, coarse=True) if request.submitted_at else "-"
        seconds = (now - request.submitted_at).total_seconds() if request.submitted_at else 0
        return (
            cell(f"!{age}" if overdue else f" {age}", "bold yellow reverse" if overdue else "", sort_key=seconds),
            cell(STATUS_SHORT[request.status], "" if request.status in DUAL_USE_WAITING else "dim",
                 sort_key=list(DualUseStatus).index(request.status)),
            cell(request.item),
            cell(request.organisation),
            cell(request.quantity),
            cell(request.list_reference or "-"),
        )

    def refresh_ages(self) -> None:
        for record in list(self.records.values()):
            self.upsert(record)
