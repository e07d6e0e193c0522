"""Aid flow board: today per crossing, against target, with a 14-day sparkline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text

from console.domain import Crossing
from widgets.cells import cell, sparkline
from widgets.record_table import RecordTable


@dataclass(frozen=True)
class CrossingRow:
    """What the board shows for one crossing (built by the screen from store figures)."""

    crossing: Crossing
    entered: int
    in_pipeline: int
    held: int
    target: int | None
    history: tuple[int, ...]  # trucks entered per day, oldest first

    @property
    def id(self) -> int:
        return self.crossing.id or 0


class AidBoard(RecordTable):
    COLUMNS = (
        ("crossing", "Crossing", 16),
        ("state", "Open", 6),
        ("entered", "In", 4),
        ("target", "Target", 6),
        ("pipeline", "Pipe", 4),
        ("held", "Held", 4),
        ("trend", "14 days", 14),
    )
    DEFAULT_SORT = ""

    def cells(self, row: CrossingRow) -> Sequence[Text]:
        crossing = row.crossing
        short = row.target is not None and row.entered < row.target
        return (
            cell(crossing.name, sort_key=crossing.id),
            cell("open" if crossing.is_open else "CLOSED", "" if crossing.is_open else "bold red reverse"),
            cell(row.entered, "yellow" if short else "green", sort_key=row.entered),
            cell("-" if row.target is None else row.target, sort_key=row.target or 0),
            cell(row.in_pipeline, sort_key=row.in_pipeline),
            cell(row.held, "bold yellow" if row.held else "dim", sort_key=row.held),
            cell(sparkline(list(row.history))),
        )
