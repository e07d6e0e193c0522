"""Aid flow board: one row per crossing for the chosen day, against target, with a 14-day sparkline.

A closed crossing says ``✗ SHUT`` (a mark, not colour alone). ``In`` is the
combined figure (each convoy once, best source); ``UN`` and ``COGAT`` beside it
are each source's own reports at that crossing (``-``: it reported none entered),
so neither is picked over the other and neither is filled in from the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text

from console.model.aid import Crossing, EnteredFigures, FigureSource
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
    figures: EnteredFigures = EnteredFigures()  # per source and combined (``entered``)
    trucks_by_status: tuple[tuple[str, int], ...] = ()

    @property
    def id(self) -> int:
        return self.crossing.id or 0


class AidBoard(RecordTable):
    COLUMNS = (
        ("crossing", "Crossing", 13),
        ("state", "State", 6),
        ("entered", "In", 4),
        ("target", "Tgt", 4),
        ("pipeline", "Pipe", 4),
        ("held", "Held", 4),
        ("un", "UN", 4),
        ("cogat", "COGAT", 5),
        ("trend", "14 days", 14),
    )
    #: In a narrow pane the crossing, its state, trucks in, target and held stay; the 14-day trend,
    #: pipeline and the two sources' counts go first (`z` zooms the pane to show them all).
    DROP_FIRST = ("trend", "pipeline", "un", "cogat")
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
            source_cell(row, FigureSource.UN2720),
            source_cell(row, FigureSource.COGAT),
            cell(sparkline(list(row.history))),
        )


def source_cell(row: CrossingRow, source: FigureSource) -> Text:
    """One source's own figure; magenta where it differs from the combined one, so a gap stands out."""
    figure = row.figures.of(source)
    if not figure.convoys:
        return cell("-", "dim", sort_key=-1)
    return cell(figure.trucks, "bold magenta" if figure.trucks != row.entered else "", sort_key=figure.trucks)
