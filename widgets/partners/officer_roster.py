"""The liaison roster: officers of the partner nations and organisations.

An officer whose rotation ends within 7 days is marked ``!`` (``✗`` once
past) and styled, so the mark holds without colour. Columns past the first
seven (role, contact, since when present) show when the pane is wide.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rich.text import Text

from console.model.partners import Officer, Presence, rotation_ending
from console.dtg import format_short_dtg
from widgets.cells import cell
from widgets.record_table import RecordTable

PRESENCE_STYLE = {Presence.ON_FLOOR: "green", Presence.AWAY: "yellow", Presence.OFF_SHIFT: "dim"}


class OfficerRoster(RecordTable):
    COLUMNS = (
        ("partner", "Ptnr", 6),
        ("rank", "Rank", 4),
        ("name", "Name", 15),
        ("cell", "Cell", 11),
        ("shift", "Shift", 5),
        ("presence", "Presence", 11),
        ("rotation", "Rotates", 11),
        ("since", "Since", 7),
        ("role", "Role", 10),
        ("contact", "Contact", 18),
    )
    #: Narrower than all of it (80 columns, the split): who, where and whether on the floor stay;
    #: contact, role and the rest go first (`enter` shows the officer in full, `z` zooms the pane).
    DROP_FIRST = ("contact", "role", "since", "cell", "shift", "rotation")
    DEFAULT_SORT = "partner"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.today = date.today()

    def cells(self, officer: Officer) -> Sequence[Text]:
        presence = officer.presence
        end = officer.rotation_end
        if end is not None and end < self.today:
            rotation = cell(f"{end:%d %b %y} ✗", "bold reverse", sort_key=str(end))
        elif rotation_ending(officer, self.today):
            rotation = cell(f"{end:%d %b %y} !", "bold yellow", sort_key=str(end))
        else:
            rotation = cell(f"{end:%d %b %y}" if end else "-", sort_key=str(end or ""))
        return (
            cell(officer.partner_code),
            cell(officer.rank),
            cell(officer.name),
            cell(officer.cell),
            cell(officer.shift.value),
            cell(f"{presence.mark} {presence.label}", PRESENCE_STYLE[presence], sort_key=presence.value),
            rotation,
            cell(format_short_dtg(officer.presence_changed_at) if officer.presence_changed_at else "-", "dim",
                 sort_key=str(officer.presence_changed_at or "")),
            cell(officer.role),
            cell(officer.contact),
        )

    def new_day(self, today: date) -> bool:
        """A new day can mark more rotations; True when the caller should re-sync."""
        if today == self.today:
            return False
        self.today = today
        return True
