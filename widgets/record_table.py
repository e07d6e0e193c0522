"""A DataTable of domain records that updates in place.

``sync(records)`` diffs against what is shown: stale rows are removed, cells
are updated only where their text changed, new rows are added, and the table
re-sorts only if the order could have changed. Nothing is cleared and rebuilt,
so a live update repaints only the rows that changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.render import measure
from textual.widgets import DataTable

from widgets.cells import Cell


class RecordTable(DataTable):
    """Subclasses set COLUMNS and implement ``cells(record)``."""

    #: (key, label, width or None)
    COLUMNS: ClassVar[Sequence[tuple[str, str, int | None]]] = ()
    DEFAULT_SORT: ClassVar[str] = ""
    DEFAULT_REVERSE: ClassVar[bool] = False

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("s", "cycle_sort", "Sort", show=False, id="list.sort"),
        Binding("S", "reverse_sort", "Reverse sort", show=False, id="list.reverse"),
    ]

    class RecordSelected(Message):
        """The operator pressed enter on a row."""

        def __init__(self, table: "RecordTable", record_id: int) -> None:
            super().__init__()
            self.table = table
            self.record_id = record_id

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self.records: dict[int, Any] = {}
        self.sort_column = self.DEFAULT_SORT or (self.COLUMNS[0][0] if self.COLUMNS else "")
        self.sort_reverse = self.DEFAULT_REVERSE

    # --- repaint only what changed (bytes on a slow link) ------------------------

    def update_cell(self, row_key, column_key, value, *, update_width: bool = False) -> None:
        """DataTable.update_cell repaints the whole table; with fixed widths only the row changes."""
        self._repaint_row_only = None if update_width else row_key
        try:
            super().update_cell(row_key, column_key, value, update_width=update_width)
        finally:
            self._repaint_row_only = None

    def sort(self, *columns, key=None, reverse: bool = False):
        """DataTable.sort repaints the whole table; repaint only if the order really changed."""
        before = [row.key for row in self.ordered_rows]
        self._hold_repaint = True
        try:
            super().sort(*columns, key=key, reverse=reverse)
        finally:
            self._hold_repaint = False
        if [row.key for row in self.ordered_rows] != before:
            self.refresh()
        return self

    def refresh(self, *regions, **kwargs):
        if getattr(self, "_hold_repaint", False) and not regions and not kwargs:
            return self
        row_key = getattr(self, "_repaint_row_only", None)
        if row_key is not None and not regions and not any(kwargs.get(k) for k in ("layout", "recompose")):
            self._repaint_row_only = None
            if self.is_mounted:
                return self.refresh_row(self.get_row_index(row_key))
        return super().refresh(*regions, **kwargs)

    def _size_updated(self, size, virtual_size, container_size, layout: bool = True) -> bool:
        # Textual 8.2's ScrollView compares its container size with and without the scroll bar
        # gutter, so every layout pass anywhere on screen repainted the scroll bars; a pass that
        # brings the same sizes as the last one changes nothing.
        key = (size, virtual_size, container_size, self.virtual_size)
        if key == getattr(self, "_last_sizes", None):
            return False
        self._last_sizes = key
        return super()._size_updated(size, virtual_size, container_size, layout)

    def on_mount(self) -> None:
        for key, label, width in self.COLUMNS:
            self.add_column(label, key=key, width=width)

    def cells(self, record: Any) -> Sequence[Text]:  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def record_id(record: Any) -> int:
        return record.id

    # --- start-up cost on big lists ------------------------------------------------

    def _update_dimensions(self, new_rows) -> None:
        """Measure only the auto-width columns of new rows.

        DataTable measures every cell of every new row, but a fixed-width
        column never uses the result: on 200 incidents that was ~0.1 s of a
        ~0.2 s pane load, on 2,000 officers ~0.5 s (bench/scale.py).
        """
        rows = [self.rows.get(key) for key in new_rows]
        if any(row is not None and (row.label is not None or row.auto_height) for row in rows):
            super()._update_dimensions(new_rows)  # labels or tall rows: the full treatment
            return
        auto = [(index, column) for index, column in enumerate(self.ordered_columns) if column.auto_width]
        if auto:
            console = self.app.console
            for key in new_rows:
                row_index = self._row_locations.get(key)
                if row_index is None:
                    continue
                _label, cells = self._get_row_renderables(row_index)
                for index, column in auto:
                    column.content_width = max(column.content_width, measure(console, cells[index], 1))
        super()._update_dimensions(())  # the virtual size from the widths

    # --- updates -------------------------------------------------------------

    def sync(self, records: Iterable[Any], *, complete: bool = True) -> None:
        """Show ``records``. With ``complete``, rows not among them are removed."""
        incoming = {self.record_id(r): r for r in records}
        reorder = False
        with self.app.batch_update():
            if complete:
                for stale in [rid for rid in self.records if rid not in incoming]:
                    self.remove_record(stale)
            for rid, record in incoming.items():
                reorder |= self._upsert(rid, record)
            if reorder or not complete:
                self._apply_sort()

    def upsert(self, record: Any) -> None:
        if self._upsert(self.record_id(record), record):
            self._apply_sort()

    def remove_record(self, record_id: int) -> None:
        if self.records.pop(record_id, None) is not None:
            self.remove_row(str(record_id))

    def _upsert(self, rid: int, record: Any) -> bool:
        """Update or add one row; True when the order may have changed (a row added, a sort key moved)."""
        new_cells = self.cells(record)
        key = str(rid)
        if rid in self.records:
            moved = False
            for (column, _label, _width), value in zip(self.COLUMNS, new_cells):
                old = self.get_cell(key, column)
                resorts = _sort_key(old) != _sort_key(value)
                drawn = isinstance(old, Text) and old.plain == value.plain and old.style == value.style
                if not drawn or (resorts and not isinstance(old, Cell)):
                    self.update_cell(key, column, value)
                elif resorts:
                    # same text, new place ("comm" with other trucks): a stale key misorders the table,
                    # and the key is not drawn, so it changes without a repaint
                    old.sort_key = value.sort_key
                moved |= resorts and column == self.sort_column
            self.records[rid] = record
            return moved
        self.records[rid] = record
        self.add_row(*new_cells, key=key)
        return True

    # --- cursor and sort -----------------------------------------------------

    @property
    def selected_id(self) -> int | None:
        if not self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except Exception:  # noqa: BLE001 - cursor outside the rows
            return None
        return int(key.value) if key.value is not None else None

    def selected_record(self) -> Any:
        rid = self.selected_id
        return self.records.get(rid) if rid is not None else None

    def _apply_sort(self) -> None:
        if self.sort_column and self.row_count:
            selected = self.selected_id
            self.sort(self.sort_column, key=lambda c: c.sort_key if isinstance(c, Cell) else str(c),
                      reverse=self.sort_reverse)
            if selected is not None and str(selected) in self.rows:
                self.move_cursor(row=self.get_row_index(str(selected)), animate=False)

    def action_cycle_sort(self) -> None:
        keys = [k for k, _label, _width in self.COLUMNS]
        self.sort_column = keys[(keys.index(self.sort_column) + 1) % len(keys)] if self.sort_column in keys else keys[0]
        self._apply_sort()
        self.notify(f"sorted by {dict((k, lbl) for k, lbl, _ in self.COLUMNS)[self.sort_column]}", timeout=2)

    def action_reverse_sort(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self._apply_sort()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.RecordSelected(self, int(event.row_key.value)))


def _sort_key(value: Any) -> Any:
    return getattr(value, "sort_key", None)
