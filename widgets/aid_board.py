"""Aid flow board: one row per crossing for the chosen day, against target, with a 14-day sparkline.

A closed crossing says ``✗ SHUT`` (a mark, not colour alone). Where another
source's figure for the day differs from the main one, the ``Other`` column
shows it beside the main figure (``COGAT 103``) instead of picking one.
"""

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
    others: tuple[tuple[str, int], ...] = ()  # (source short name, its figure) where it differs
    trucks_by_status: tuple[tuple[str, int], ...] = ()

    @property
    def id(self) -> int:
        return self.crossing.id or 0

    @property
    def others_text(self) -> str:
        return " ".join(f"{name} {n}" for name, n in self.others)


class AidBoard(RecordTable):
    COLUMNS = (
        ("crossing", "Crossing", 13),
        ("state", "State", 6),
        ("entered", "In", 4),
        ("target", "Tgt", 4),
        ("pipeline", "Pipe", 4),
        ("held", "Held", 4),
        ("others", "Other src", 9),
        ("trend", "14 days", 14),
    )
    DEFAULT_SORT = ""

    def cells(self, row: CrossingRow) -> Sequence[Text]:
        crossing = row.crossing
        short = row.target is not None and row.entered < row.target
        return (
            cell(crossing.name, sort_key=crossing.id),
            cell("open" if crossing.is_open else "✗ SHUT", "" if crossing.is_open else "bold red reverse",
                 sort_key=int(crossing.is_open)),
            cell(row.entered, "yellow" if short else "green", sort_key=row.entered),
            cell("-" if row.target is None else row.target, sort_key=row.target or 0),
            cell(row.in_pipeline, sort_key=row.in_pipeline),
            cell(f"{row.held}!" if row.held else "0", "bold yellow" if row.held else "dim", sort_key=row.held),
            cell(row.others_text or "-", "bold magenta" if row.others else "dim", sort_key=row.others_text),
            cell(sparkline(list(row.history))),
        )
