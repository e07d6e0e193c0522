"""The incident log: one row per incident, in the order the store gave.

The pane reads a window of rows from the database, already sorted (by SQL,
so paging and sorting agree); this table keeps exactly that order. ``s`` and
``S`` do not sort the rows in memory: they post ``SortRequested`` and the
pane reloads in the new order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.text import Text
from textual.message import Message

from console.model.incidents import SEVERITY_MARKS, Ageing, Incident, IncidentCategory
from console.dtg import format_age, format_short_dtg, utc_now
from widgets.cells import cell
from widgets.record_table import StoreOrderedTable

CATEGORY_SHORT = {
    IncidentCategory.YELLOW_LINE: "yellow line",
    IncidentCategory.SMALL_ARMS: "small arms",
    IncidentCategory.ANTI_TANK: "anti-tank",
    IncidentCategory.AIR_STRIKE: "air/drone",
    IncidentCategory.SHELLING: "shelling",
    IncidentCategory.ARMED_CLASH: "armed clash",
    IncidentCategory.TUNNEL: "tunnel",
    IncidentCategory.DEMOLITION: "demolition",
    IncidentCategory.AID_LOOTING: "aid looting",
    IncidentCategory.AID_OBSTRUCTION: "aid obstruct",
    IncidentCategory.REMAINS_DELAY: "remains delay",
    IncidentCategory.ROCKET: "rocket/mortar",
    IncidentCategory.OTHER: "other",
}


def severity_cell(incident: Incident) -> Text:
    """Severity as digit and mark (never colour alone); '!' while unacknowledged."""
    unacked = incident.acknowledged_at is None
    text = f"{incident.severity}{SEVERITY_MARKS[incident.severity]}{'!' if unacked else ''}"
    style = _SEVERITY_STYLE[incident.severity]
    return cell(text, f"reverse {style}".strip() if unacked else style, sort_key=(incident.severity, unacked))


_SEVERITY_STYLE = {1: "dim", 2: "", 3: "yellow", 4: "bold red", 5: "bold white on red"}


class IncidentTable(StoreOrderedTable):
    #: Column -> the store's sort key. Age sorts like DTG (the newest is the youngest).
    SORT_KEYS = {"occurred_at": "occurred_at", "severity": "severity", "category": "category", "place": "place",
                 "status": "status", "grading": "grading"}

    class SortRequested(Message):
        """The operator asked for another sort column or direction (``s`` / ``S``)."""

        def __init__(self, table: "IncidentTable", column: str, descending: bool) -> None:
            super().__init__()
            self.table = table
            self.column = column
            self.descending = descending

    COLUMNS = (
        ("id", "#", None),  # the number `l`, `:incident` and the detail use; as wide as the widest id
        ("occurred_at", "DTG", 7),
        ("severity", "Sev", 4),
        ("category", "Category", 13),
        ("place", "Where", 20),
        ("status", "Status", 11),
        ("grading", "Grd", 3),
        ("age", "Age", 6),
    )
    DEFAULT_SORT = "occurred_at"
    DEFAULT_REVERSE = True

    def action_cycle_sort(self) -> None:
        keys = list(self.SORT_KEYS)
        column = keys[(keys.index(self.sort_column) + 1) % len(keys)] if self.sort_column in keys else keys[0]
        self.sort_column = column
        self.post_message(self.SortRequested(self, column, self.sort_reverse))

    def action_reverse_sort(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self.post_message(self.SortRequested(self, self.sort_column, self.sort_reverse))

    def sort_label(self) -> str:
        label = dict((k, lbl) for k, lbl, _ in self.COLUMNS).get(self.sort_column, self.sort_column)
        return f"{label} {'↓' if self.sort_reverse else '↑'}"

    #: When an incident still reported or verifying is marked as ageing (the pane sets it from the settings).
    ageing = Ageing()

    def cells(self, incident: Incident) -> Sequence[Text]:
        return self.cells_at(incident, utc_now(), self.ageing)

    @staticmethod
    def cells_at(incident: Incident, now: datetime, ageing: Ageing = Ageing()) -> Sequence[Text]:
        status = incident.status
        return (
            # The number in the row's colours: a style of its own cost ~35 B a row of the first frame.
            cell(str(incident.id), sort_key=incident.id or 0),
            cell(format_short_dtg(incident.occurred_at), sort_key=incident.occurred_at.isoformat()),
            severity_cell(incident),
            cell(CATEGORY_SHORT[incident.category], sort_key=incident.category.value),
            cell(incident.place, sort_key=incident.place.lower()),
            cell(f"{status.mark} {status.value}", "dim" if status.value == "closed" else "", sort_key=status.value),
            # '◊' after the grading: releasable only to some nations (the detail names them).
            cell(incident.grading + ("" if incident.releasability == "ALL" else "◊"),
                 sort_key=incident.grading),
            age_cell(incident, now, ageing),
        )

    def refresh_ages(self) -> None:
        """Rewrite the age column where its text changed (once a minute at most), its ageing mark too."""
        now = utc_now()
        for rid, incident in self.records.items():
            age = age_cell(incident, now, self.ageing)
            if self.get_cell(rid, "age").plain != age.plain:
                self.update_cell(rid, "age", age)


def age_cell(incident: Incident, now: datetime, ageing: Ageing) -> Text:
    """How long ago it happened; "!" before it while it has stayed reported or verifying too long
    after its report (as a dual-use request waiting too long is marked). The mark alone, in the row's
    colours: a style of its own cost ~45 B a row of the first frame, over the slow-link budget."""
    age = format_age(incident.occurred_at, now, coarse=True)
    return cell(f"!{age}" if ageing.is_ageing(incident, now) else age, sort_key=-incident.occurred_at.timestamp())
