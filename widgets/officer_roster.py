"""The liaison roster: officers of the partner nations and organisations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from rich.text import Text

from console.domain import Officer, Presence
from widgets.cells import cell
from widgets.record_table import RecordTable


class OfficerRoster(RecordTable):
    COLUMNS = (
        ("partner", "Ptnr", 6),
        ("rank", "Rank", 4),
        ("name", "Name", 16),
        ("cell", "Cell", 12),
        ("shift", "Shift", 5),
        ("presence", "Presence", 11),
        ("rotation", "Rotates", 10),
    )
    DEFAULT_SORT = "partner"

    def cells(self, officer: Officer) -> Sequence[Text]:
        ending = officer.rotation_end is not None and officer.rotation_end <= date.today() + timedelta(days=7)
        presence = officer.presence
        return (
            cell(officer.partner_code),
            cell(officer.rank),
            cell(officer.name),
            cell(officer.cell),
            cell(officer.shift.value),
            cell(f"{presence.mark} {presence.label}", "green" if presence is Presence.ON_FLOOR else "dim",
                 sort_key=presence.value),
            cell(f"{officer.rotation_end or '-'}{' !' if ending else ''}", "bold yellow" if ending else "",
                 sort_key=str(officer.rotation_end or "")),
        )
