"""Movements through the crossings: one row per convoy record, newest day first.

Status is shown as a short word (``HELD``, ``REJ``, ``INTC`` in capitals for the
stopped ones), never by colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from console.model.aid import Movement, MovementStatus
from widgets.cells import cell
from widgets.record_table import RecordTable

STATUS_SHORT = {
    MovementStatus.SCHEDULED: ("sched", ""),
    MovementStatus.AT_CROSSING: ("at X", "cyan"),
    MovementStatus.INSPECTED: ("insp", "cyan"),
    MovementStatus.OFFLOADED: ("offl", "green"),
    MovementStatus.COLLECTED: ("coll", "green"),
    MovementStatus.REACHED: ("dest", "bold green"),
    MovementStatus.HELD: ("HELD", "bold yellow"),
    MovementStatus.REJECTED: ("REJ", "bold red"),
    MovementStatus.INTERCEPTED: ("INTC", "bold red"),
}
PIPELINE_ORDER = list(MovementStatus)


class MovementTable(RecordTable):
    COLUMNS = (
        ("day", "Day", 5),
        ("crossing", "X", 4),
        ("organisation", "Org", 10),
        ("commodity", "Commodity", 10),
        ("trucks", "Trk", 3),
        ("status", "Status", 6),
        ("source", "Src", 5),
        ("reference", "Ref", 14),
    )
    DEFAULT_SORT = "day"
    DEFAULT_REVERSE = True

    def cells(self, movement: Movement) -> Sequence[Text]:
        word, style = STATUS_SHORT[movement.status]
        return (
            cell(movement.planned_date.strftime("%d%b"), sort_key=(movement.planned_date, movement.id or 0)),
            cell(movement.crossing_code),
            cell(movement.organisation),
            cell(movement.commodity.label),
            cell("-" if movement.trucks is None else movement.trucks, sort_key=movement.trucks or 0),
            cell(word, style, sort_key=PIPELINE_ORDER.index(movement.status)),
            cell(movement.figure_source.short),
            cell(movement.reference or "-"),
        )
