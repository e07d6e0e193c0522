"""Totals for a day or range: trucks entered, tonnes and convoys by commodity and by organisation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text

from widgets.cells import cell
from widgets.record_table import RecordTable


@dataclass(frozen=True)
class TotalRow:
    id: int
    kind: str  # "commodity" | "organisation"
    name: str
    trucks: int
    tonnes: float
    convoys: int


class AidTotals(RecordTable):
    COLUMNS = (
        ("kind", "By", 5),
        ("name", "Commodity / organisation", 26),
        ("trucks", "Trucks", 6),
        ("tonnes", "Tonnes", 9),
        ("convoys", "Convoys", 7),
    )
    DEFAULT_SORT = ""

    def cells(self, row: TotalRow) -> Sequence[Text]:
        return (
            # each block (commodities, then organisations) by trucks, ties by name: the store's order
            cell("comm" if row.kind == "commodity" else "org", sort_key=(row.kind, -row.trucks, row.name)),
            cell(row.name.replace("_", " ") if row.kind == "commodity" else row.name),
            cell(row.trucks, sort_key=row.trucks),
            cell(f"{row.tonnes:,.1f}", sort_key=row.tonnes),
            cell(row.convoys, sort_key=row.convoys),
        )
