"""The incident log: one row per incident, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.text import Text

from console.domain import SEVERITY_MARKS, Incident, IncidentCategory
from console.dtg import format_age, format_short_dtg, utc_now
from widgets.cells import cell
from widgets.record_table import RecordTable

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


class IncidentTable(RecordTable):
    COLUMNS = (
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

    def cells(self, incident: Incident) -> Sequence[Text]:
        return self.cells_at(incident, utc_now())

    @staticmethod
    def cells_at(incident: Incident, now: datetime) -> Sequence[Text]:
        status = incident.status
        return (
            cell(format_short_dtg(incident.occurred_at), sort_key=incident.occurred_at.isoformat()),
            severity_cell(incident),
            cell(CATEGORY_SHORT[incident.category], sort_key=incident.category.value),
            cell(incident.place, sort_key=incident.place.lower()),
            cell(f"{status.mark} {status.value}", "dim" if status.value == "closed" else "", sort_key=status.value),
            cell(incident.grading),
            cell(format_age(incident.occurred_at, now), sort_key=-incident.occurred_at.timestamp()),
        )

    def refresh_ages(self) -> None:
        """Rewrite the age column where its text changed (once a minute at most)."""
        now = utc_now()
        with self.app.batch_update():
            for rid, incident in self.records.items():
                age = format_age(incident.occurred_at, now)
                if self.get_cell(str(rid), "age").plain != age:
                    self.update_cell(str(rid), "age", cell(age, sort_key=-incident.occurred_at.timestamp()))
