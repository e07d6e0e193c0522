"""The table every list of the console uses: records drawn a line at a time.

A ``ScrollView`` on Textual's public line API: ``virtual_size`` comes from the
row count, ``render_line`` draws only the rows on screen, and each row's line
is kept until that row changes. ``sync(records)`` diffs against what is shown:
a record whose cells did not change costs nothing, a changed one repaints its
own line, and the order is rebuilt only when it may have changed. Nothing is
cleared and rebuilt, so a live update repaints only the rows that changed.

Cells are Rich ``Text`` (``widgets.cells.cell``), never markup. The header is
line 0 and does not scroll; row ``r`` is virtual line ``r + 1``.

A list too long to hold (a year of incidents, a million headlines) is shown a
window at a time: ``show_window(start, records, total)`` gives the rows from
``start`` and the length of the whole list, so the scroll bar, ``End`` and the
row count are the whole list's. When the cursor nears the window's edge, or
rows on screen are not in it, the table posts ``WindowWanted`` and whoever
owns the data reads that window and shows it; until then such a row is drawn
as a placeholder. A widget never reads the store itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from widgets.cells import Cell
from widgets.key_prefix import KeyPrefix

#: Blank cells between columns, and before the first.
GAP = 1
#: The narrowest an auto-width column (``None`` in COLUMNS) is squeezed to before the table scrolls sideways.
MIN_AUTO_WIDTH = 8


#: What a row of the whole list not read yet looks like, for the moment it takes to read it.
PLACEHOLDER = "…"


class RecordTable(ScrollView, can_focus=True):
    """Subclasses set COLUMNS and implement ``cells(record)``."""

    #: Rows in a window of a long list (``show_window``), and how near its edge the cursor comes
    #: before the next window is wanted.
    WINDOW_ROWS: ClassVar[int] = 600
    WINDOW_MARGIN: ClassVar[int] = 20

    #: (key, label, width or None: None shares the width left over, up to its widest cell)
    COLUMNS: ClassVar[Sequence[tuple[str, str, int | None]]] = ()
    #: Columns given up, in this order, while the table is narrower than its columns want: the most
    #: important ones keep their room (a headline's title before its source). ``z`` zooms a pane.
    DROP_FIRST: ClassVar[Sequence[str]] = ()
    #: The width an auto column wants before any column of DROP_FIRST is kept beside it.
    WANTS: ClassVar[dict[str, int]] = {}
    DEFAULT_SORT: ClassVar[str] = ""
    DEFAULT_REVERSE: ClassVar[bool] = False

    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first_row", "First row", show=False),
        Binding("end", "last_row", "Last row", show=False),
        # As in vim, less and k9s: g g the first row, G the last.
        Binding("g", "g_prefix", "g g: first row; g 42 enter: row 42", show=False, id="list.first"),
        Binding("G", "last_row", "Last row", show=False, id="list.last"),
        Binding("enter", "select", "Open", show=False),
        Binding("s", "cycle_sort", "Sort", show=False, id="list.sort"),
        Binding("S", "reverse_sort", "Reverse sort", show=False, id="list.reverse"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {"record-table--header", "record-table--cursor", "record-table--scrollbar"}

    DEFAULT_CSS = """
    RecordTable {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;
        overflow: hidden hidden;
        & > .record-table--scrollbar { color: $scrollbar; }
        & > .record-table--header { text-style: bold; background: $panel; color: $foreground; }
        &:ansi > .record-table--header { background: ansi_bright_blue; color: ansi_default; }
        & > .record-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .record-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
    }
    """

    class RecordSelected(Message):
        """The operator pressed enter on a row (or clicked the row the cursor is on)."""

        def __init__(self, table: RecordTable, record_id: int) -> None:
            super().__init__()
            self.table = table
            self.record_id = record_id

    class RowHighlighted(Message):
        """The cursor moved to another row."""

        def __init__(self, table: RecordTable, cursor_row: int) -> None:
            super().__init__()
            self.table = table
            self.cursor_row = cursor_row

    class WindowWanted(Message):
        """A long list (``show_window``) needs rows ``start`` to ``start + rows`` read and shown."""

        def __init__(self, table: RecordTable, start: int, rows: int) -> None:
            super().__init__()
            self.table = table
            self.start = start
            self.rows = rows

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.records: dict[int, Any] = {}
        self.sort_column = self.DEFAULT_SORT or (self.COLUMNS[0][0] if self.COLUMNS else "")
        self.sort_reverse = self.DEFAULT_REVERSE
        self.cursor_row = 0
        self._cells: dict[int, tuple[Text, ...]] = {}
        self._order: list[int] = []  # record ids, top to bottom
        self._row_of: dict[int, int] = {}  # record id -> row
        self._column_of = {key: index for index, (key, _label, _width) in enumerate(self.COLUMNS)}
        #: The widest cell (or label) of each auto-width column so far.
        self._content_widths = {index: Text(label).cell_len for index, (_key, label, width)
                                in enumerate(self.COLUMNS) if width is None}
        self._widths: tuple[int, ...] = ()
        self._widths_key: tuple[int, tuple[int, ...]] | None = None
        self._lines: dict[int, Strip] = {}  # record id -> its line at the current widths, without the cursor
        self._announced_row: int | None = None
        #: A long list shown a window at a time: the window's first row and the whole list's length
        #: (None: every row is here).
        self.window_start = 0
        self._total: int | None = None
        self._wanted: tuple[int, int] | None = None  # the window asked for and not shown yet
        self._g = KeyPrefix()  # the g of g g, or of g 4 2 enter
        #: The digits typed after g (g 4 2 enter: row 42); None when no g is pending.
        self._row_typed: str | None = None
        #: New rows above the cursor not yet reached (see ``arrange``).
        self.new_above = 0
        self._window_moving = False

    # --- reading ---------------------------------------------------------------

    @property
    def row_count(self) -> int:
        """Rows in the list: with ``show_window``, the whole list's, not only those read."""
        return len(self._order) if self._total is None else self._total

    @property
    def loaded_count(self) -> int:
        """Rows read and held (the window, for a long list)."""
        return len(self._order)

    @property
    def ordered_ids(self) -> list[int]:
        """The ids of the rows held, top to bottom."""
        return list(self._order)

    def id_at(self, row: int) -> int | None:
        """The record id of ``row`` of the list, None when that row is not read yet."""
        index = row - self.window_start
        return self._order[index] if 0 <= index < len(self._order) else None

    @property
    def selected_id(self) -> int | None:
        return self.id_at(self.cursor_row)

    def selected_record(self) -> Any:
        rid = self.selected_id
        return self.records.get(rid) if rid is not None else None

    def record_at(self, row: int) -> Any:
        rid = self.id_at(row)
        if rid is None:
            raise IndexError(f"row {row} is not read yet")
        return self.records[rid]

    def get_row_index(self, record_id: int | str) -> int:
        return self.window_start + self._row_of[int(record_id)]

    def get_row_at(self, row: int) -> tuple[Text, ...]:
        return self._cells[self._order[row - self.window_start]]

    def get_row(self, record_id: int | str) -> tuple[Text, ...]:
        return self._cells[int(record_id)]

    def get_cell(self, record_id: int | str, column: str) -> Text:
        return self._cells[int(record_id)][self._column_of[column]]

    def cells(self, record: Any) -> Sequence[Text]:  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def record_id(record: Any) -> int:
        return int(record.id)

    # --- updates -------------------------------------------------------------

    def sync(self, records: Iterable[Any], *, complete: bool = True) -> None:
        """Show ``records``. With ``complete``, rows not among them are removed."""
        incoming = {self.record_id(r): r for r in records}
        reorder = False
        if complete:
            stale = [rid for rid in self.records if rid not in incoming]
            for rid in stale:
                self._forget(rid)
            reorder = bool(stale)
        for rid, record in incoming.items():
            reorder |= self._upsert(rid, record)
        if reorder or not complete:
            self._apply_sort()

    def upsert(self, record: Any) -> None:
        if self._upsert(self.record_id(record), record):
            self._apply_sort()

    def remove_record(self, record_id: int) -> None:
        if self._forget(record_id):
            self._apply_sort()

    def show_window(self, start: int, records: Iterable[Any], total: int) -> None:
        """Rows ``start`` onwards of a list ``total`` long (see the module's docstring)."""
        records = list(records)
        selected = self.selected_id
        self._wanted = None
        # Another window's rows are not new rows: ``arrange`` counts those for the same window only.
        moving = start != self.window_start
        self._window_moving = moving
        self.window_start = start
        self._total = max(total, start + len(records))
        try:
            self.sync(records)
        finally:
            self._window_moving = False
        # The list's length may have changed though the rows held did not. Only then does the
        # (reactive) virtual size change, and repaint: a status change repaints its own line alone.
        self.virtual_size = self._virtual_size()
        # The same window: ``arrange`` placed the cursor. Another: on its record if read, else on its
        # row. Not a move of the operator's: it asks for no window, or a window read for the rows on
        # screen (the view scrolled away from the cursor) would be answered by one for the cursor's,
        # and that by the first again.
        row = self.cursor_row
        if moving and selected is not None and selected in self._row_of:
            row = self.window_start + self._row_of[selected]
        self.move_cursor(row=row, scroll=False, read_around=False)

    def clear(self) -> None:
        self.records.clear()
        self._cells.clear()
        self._lines.clear()
        self.arrange([])

    def update_cell(self, record_id: int | str, column: str, value: Text) -> None:
        """Replace one cell; only its row is repainted."""
        rid = int(record_id)
        cells = list(self._cells[rid])
        index = self._column_of[column]
        cells[index] = value
        self._set_cells(rid, tuple(cells), only_column=index)

    def _forget(self, rid: int) -> bool:
        if self.records.pop(rid, None) is None:
            return False
        del self._cells[rid]
        self._lines.pop(rid, None)
        return True

    def _upsert(self, rid: int, record: Any) -> bool:
        """Update or add one row; True when the order may have changed (a row added, a sort key moved)."""
        new_cells = tuple(self.cells(record))
        self.records[rid] = record
        old_cells = self._cells.get(rid)
        if old_cells is None:
            self._set_cells(rid, new_cells)
            return True
        sort_index = self._column_of.get(self.sort_column)
        moved = sort_index is not None and _sort_key(old_cells[sort_index]) != _sort_key(new_cells[sort_index])
        if any(not _drawn_alike(old, new) for old, new in zip(old_cells, new_cells)):
            self._set_cells(rid, new_cells)
        else:
            self._cells[rid] = new_cells  # same look, maybe new sort keys: no repaint
        return moved

    def _set_cells(self, rid: int, cells: tuple[Text, ...], only_column: int | None = None) -> None:
        self._cells[rid] = cells
        self._lines.pop(rid, None)
        wider = False
        for index, content in enumerate(cells):
            if index in self._content_widths and content.cell_len > self._content_widths[index]:
                self._content_widths[index] = content.cell_len
                wider = True
        index = self._row_of.get(rid)
        row = None if index is None else self.window_start + index
        if wider:  # an auto column may widen: every line again, at the new widths (``_widths_for``)
            self.virtual_size = self._virtual_size()
            self.refresh()
        elif row is not None and only_column is not None and self._widths:
            self._refresh_cell(row, only_column)
        elif row is not None:
            self.refresh_line(row + 1)

    def _refresh_cell(self, row: int, column: int) -> None:
        """Repaint one cell, not its row: the ages ticking each minute are a few bytes, not every line."""
        if self._widths[column] < 0:  # not drawn at this width
            return
        left = GAP + sum(width + GAP for width in self._widths[:column] if width >= 0) - round(self.scroll_x)
        self.refresh(Region(left, row + 1 - round(self.scroll_y), self._widths[column], 1))

    # --- order and cursor ------------------------------------------------------

    def _apply_sort(self) -> None:
        """Order the rows by the sort column (subclasses showing the store's order override this)."""
        index = self._column_of.get(self.sort_column)
        ids = list(self.records)
        if index is not None:
            ids.sort(key=lambda rid: _sort_value(self._cells[rid][index]), reverse=self.sort_reverse)
        self.arrange(ids)

    def arrange(self, ids: list[int]) -> None:
        """Show the rows in this order; the cursor stays on the record it was on.

        New rows above it (a live list's newest): on the first row, the cursor stays on the first
        row and the view at the top, so the newest show; further down, the view moves with the rows
        it showed, and the header counts the new rows above (``new_above``: "3 new ↑") until the
        cursor reaches them (``home``)."""
        selected, was_at, had = self.selected_id, self.cursor_row, set(self._order)
        if ids == self._order:
            return
        self._order = ids
        self._row_of = {rid: row for row, rid in enumerate(ids)}
        self.virtual_size = self._virtual_size()
        self.refresh()
        if selected is None or selected not in self._row_of:
            self.move_cursor(row=self.cursor_row, scroll=False, read_around=False)
            return
        index = self._row_of[selected]
        row = self.window_start + index
        added_above = 0 if self._window_moving or not had else sum(1 for rid in ids[:index] if rid not in had)
        if added_above and was_at == 0:
            row = 0
        elif added_above:
            self.scroll_to(y=self.scroll_y + added_above, animate=False, immediate=True)
            self._set_new_above(self.new_above + added_above)
        self.move_cursor(row=row, scroll=False, read_around=False)

    def _set_new_above(self, count: int) -> None:
        if count != self.new_above:
            self.new_above = count
            self.refresh(Region(0, 0, self.size.width, 1))  # the header, which never scrolls

    def move_cursor(self, *, row: int, animate: bool = False, scroll: bool = True, read_around: bool = True) -> None:
        row = max(0, min(row, self.row_count - 1))
        if row < self.new_above:  # on the new rows: seen
            self._set_new_above(0)
        if row != self.cursor_row:
            self.refresh_line(self.cursor_row + 1)
            self.cursor_row = row
            self.refresh_line(row + 1)
        if scroll:
            self._keep_cursor_in_view(animate)
        if self.row_count and row != self._announced_row:
            self._announced_row = row
            self.post_message(self.RowHighlighted(self, row))
        if read_around:
            self._want_window_near(row)

    def _want_window_near(self, row: int, *, missing: bool = False) -> None:
        """A long list: ask for the window around ``row`` when it is at (or past) the held one's edge,
        or (``missing``) a row on screen is not held."""
        if self._total is None or not self._total:
            return
        start, end = self.window_start, self.window_start + len(self._order)
        near_start = row < start + self.WINDOW_MARGIN and start > 0
        near_end = row >= end - self.WINDOW_MARGIN and end < self._total
        if not (near_start or near_end or missing):
            return
        wanted = (max(0, min(row - self.WINDOW_ROWS // 2, self._total - self.WINDOW_ROWS)), self.WINDOW_ROWS)
        held = wanted[0] == start and end >= min(self._total, sum(wanted))
        if wanted != self._wanted and not held:
            self._wanted = wanted
            self.post_message(self.WindowWanted(self, *wanted))

    def _keep_cursor_in_view(self, animate: bool) -> None:
        if self.scrollable_content_region.height < 2:  # not laid out yet: done on the first resize
            return
        rows_shown = self._rows_per_page()
        top = round(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=animate, immediate=True)
        elif self.cursor_row >= top + rows_shown:
            self.scroll_to(y=self.cursor_row - rows_shown + 1, animate=animate, immediate=True)

    def _rows_per_page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self.cursor_row + 1)

    def action_page_up(self) -> None:
        self.move_cursor(row=self.cursor_row - self._rows_per_page())

    def action_page_down(self) -> None:
        self.move_cursor(row=self.cursor_row + self._rows_per_page())

    def action_first_row(self) -> None:
        self.move_cursor(row=0)

    def action_last_row(self) -> None:
        self.move_cursor(row=self.row_count - 1)

    def action_g_prefix(self) -> None:
        if self._g.pending and not self._row_typed:
            self._end_g()
            self.action_first_row()
        else:
            self._g.start()
            self._row_typed = ""

    def _end_g(self) -> None:
        self._g.end()
        typed, self._row_typed = self._row_typed, None
        if typed:
            self.refresh(Region(0, 0, self.size.width, 1))  # the header's "row 42…" goes

    def on_key(self, event: events.Key) -> None:
        """After g, digits are a row number (here, not the floor's pane keys) and enter goes there,
        as 42G in vim; a second apart from the last, or any other key, and the g is forgotten."""
        if self._row_typed is None:
            return
        if not self._g.pending:
            self._end_g()
            return
        if event.character is not None and event.character.isdigit() and len(self._row_typed) < 9:
            event.stop()
            event.prevent_default()
            self._row_typed += event.character
            self._g.start()
            self.refresh(Region(0, 0, self.size.width, 1))
        elif event.key == "enter" and self._row_typed:
            event.stop()
            event.prevent_default()
            row = int(self._row_typed) - 1
            self._end_g()
            self.move_cursor(row=row)
        elif event.key != "g":
            self._end_g()

    def action_select(self) -> None:
        rid = self.selected_id
        if rid is not None:
            self.post_message(self.RecordSelected(self, rid))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        row = round(self.scroll_y) + offset.y - 1
        if 0 <= row < self.row_count:
            event.stop()
            self.focus()
            if row == self.cursor_row:
                self.action_select()
            else:
                self.move_cursor(row=row, scroll=False)

    def action_cycle_sort(self) -> None:
        keys = [k for k, _label, _width in self.COLUMNS]
        self.sort_column = keys[(keys.index(self.sort_column) + 1) % len(keys)] if self.sort_column in keys else keys[0]
        self._apply_sort()
        self.notify(f"sorted by {dict((k, lbl) for k, lbl, _ in self.COLUMNS)[self.sort_column]}", timeout=2)

    def action_reverse_sort(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self._apply_sort()

    # --- drawing ---------------------------------------------------------------

    def on_resize(self) -> None:
        self.virtual_size = self._virtual_size()  # the columns given up for room depend on the width
        self._keep_cursor_in_view(False)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()  # a theme change: every line in the new colours

    def _widths_for(self, width: int) -> tuple[int, ...]:
        """Fixed columns keep their width; auto columns share what is left, each up to its widest cell;
        a column given up for room (DROP_FIRST) is -1, and not drawn.

        Worked out when drawing, for the width drawn: a resize or a wider cell never needs another
        layout pass (the virtual width counts auto columns at their narrowest, see ``_total_width``).
        """
        if self._widths_key == (width, tuple(self._content_widths.values())):
            return self._widths
        dropped = self._dropped_for(width)
        spare = width - self._total_width(dropped)
        widths = [-1 if i in dropped else w or min(MIN_AUTO_WIDTH, self._content_widths[i])
                  for i, (_k, _l, w) in enumerate(self.COLUMNS)]
        auto = sorted((i for i in self._content_widths if i not in dropped), key=lambda i: self._content_widths[i])
        for place, index in enumerate(auto):
            extra = min(self._content_widths[index] - widths[index], max(0, spare) // (len(auto) - place))
            widths[index] += extra
            spare -= extra
        self._widths_key = (width, tuple(self._content_widths.values()))
        self._widths = tuple(widths)
        self._lines.clear()
        return self._widths

    def _dropped_for(self, width: int) -> frozenset[int]:
        """The columns of DROP_FIRST given up at ``width``: as few as leave the rest their room."""
        dropped: set[int] = set()
        for key in self.DROP_FIRST:
            if self._wanted_width(dropped) <= width:
                break
            dropped.add(self._column_of[key])
        return frozenset(dropped)

    def _wanted_width(self, dropped: set[int]) -> int:
        shown = [(i, key, w) for i, (key, _l, w) in enumerate(self.COLUMNS) if i not in dropped]
        return GAP * (len(shown) + 1) + sum(
            w if w is not None else max(self.WANTS.get(key, 0), min(MIN_AUTO_WIDTH, self._content_widths[i]))
            for i, key, w in shown)

    def _virtual_size(self) -> Size:
        """The rows' width and the scroll bar's column; the header and every row, a line each."""
        width = max(0, self.scrollable_content_region.width - 1)
        return Size(self._total_width(self._dropped_for(width) if width else frozenset()) + 1, self.row_count + 1)

    def _total_width(self, dropped: frozenset[int] = frozenset()) -> int:
        """The width the rows need: fixed columns, auto ones at their narrowest, and the gaps."""
        shown = [(i, w) for i, (_key, _label, w) in enumerate(self.COLUMNS) if i not in dropped]
        return GAP * (len(shown) + 1) + sum(w or min(MIN_AUTO_WIDTH, self._content_widths[i]) for i, w in shown)

    def render_line(self, y: int) -> Strip:
        # The last column is the table's own scroll bar (``_scroll_mark``); the rows get the rest.
        width = max(0, self.scrollable_content_region.width - 1)
        self._widths_for(width)
        scroll_x = round(self.scroll_x)
        base = self.rich_style
        if y == 0:
            style = base + self.get_component_rich_style("record-table--header")
            header = self._draw([Text(label) for _key, label, _width in self.COLUMNS], style)
            header = header.crop_extend(scroll_x, scroll_x + width + 1, style)
            said = (f" row {self._row_typed}… " if self._row_typed
                    else f" {self.new_above:,} new ↑ " if self.new_above else "")
            if said:  # over the header's right end: "3 new ↑", or the row being typed after g
                mark = Text(said, style=style + Style(bold=True, reverse=True))
                mark.truncate(width + 1)
                header = Strip.join([header.crop(0, width + 1 - mark.cell_len),
                                     Strip(list(mark.render(self.app.console)), mark.cell_len)])
            return header
        row = round(self.scroll_y) + y - 1
        mark = self._scroll_mark(y - 1, base)
        if not 0 <= row < self.row_count:
            return Strip.join([Strip.blank(width, base), mark])
        rid = self.id_at(row)
        if rid is None:  # a long list's row not read yet: asked for, drawn when it comes
            self._want_window_near(round(self.scroll_y) + self._rows_per_page() // 2, missing=True)
            style = base + self.get_component_rich_style("record-table--cursor") if row == self.cursor_row else base
            return Strip.join([self._draw([Text(PLACEHOLDER)], style).crop_extend(scroll_x, scroll_x + width, style),
                               mark])
        if row == self.cursor_row:  # one line, drawn afresh: the cursor's colours under the cells' own
            style = base + self.get_component_rich_style("record-table--cursor")
            return Strip.join([self._draw(self._cells[rid], style).crop_extend(scroll_x, scroll_x + width, style),
                               mark])
        line = self._lines.get(rid)
        if line is None:
            line = self._lines[rid] = self._draw(self._cells[rid], base)
        return Strip.join([line.crop_extend(scroll_x, scroll_x + width, base), mark])

    def _scroll_mark(self, place: int, base: Style) -> Strip:
        """One cell of the scroll bar: the thumb where the rows shown sit in the whole list, else blank.

        Textual's own scroll bars are off (``overflow: hidden``): in Textual 8.2 every layout pass
        anywhere on screen repainted them, two columns of every table, on every reload.
        """
        shown, total = self._rows_per_page(), self.row_count
        if total <= shown:
            return Strip.blank(1, base)
        thumb = max(1, round(shown * shown / total))
        start = round(self.scroll_y / max(1, total - shown) * (shown - thumb))
        on_thumb = start <= place < start + thumb
        style = base + self.get_component_rich_style("record-table--scrollbar")
        return Strip([Segment("┃" if on_thumb else " ", style)], 1)

    @property
    def allow_vertical_scroll(self) -> bool:
        # The scroll bars are ours (see ``_scroll_mark``), so Textual's test of its own is not the one.
        return not self.disabled and self.max_scroll_y > 0

    @property
    def allow_horizontal_scroll(self) -> bool:
        return not self.disabled and self.max_scroll_x > 0

    def _draw(self, cells: Sequence[Text], style: Style) -> Strip:
        console = self.app.console
        segments: list[Segment] = [Segment(" " * GAP, style)]
        for content, width in zip(cells, self._widths):
            if width < 0:  # given up for room (DROP_FIRST)
                continue
            shown = content.copy()
            shown.no_wrap = True
            shown.end = ""
            shown.truncate(width, overflow="ellipsis", pad=True)
            # Text.render gives the spans' styles only: the cell's own style goes under them, over the row's.
            own = console.get_style(shown.style, default=Style.null())
            segments.extend(Segment.apply_style(shown.render(console), style + own))
            segments.append(Segment(" " * GAP, style))
        return Strip(segments).simplify()


def _drawn_alike(old: Text, new: Text) -> bool:
    return old.plain == new.plain and old.style == new.style and old.spans == new.spans


def _sort_key(value: Any) -> Any:
    return getattr(value, "sort_key", None)


def _sort_value(value: Text) -> Any:
    return value.sort_key if isinstance(value, Cell) else value.plain


class StoreOrderedTable(RecordTable):
    """Rows in the order the store gave them (a long list is sorted in SQL, a window at a time)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._order_of: dict[int, int] = {}

    def sync(self, records: Iterable[Any], *, complete: bool = True) -> None:
        """Show ``records`` in the given order; the cursor stays on the record it was on."""
        records = list(records)
        self._order_of = {self.record_id(r): index for index, r in enumerate(records)}
        super().sync(records, complete=complete)
        self._apply_sort()

    def _apply_sort(self) -> None:
        """The store's order, never a sort in memory (see ``sync``); records it did not give go last."""
        last = len(self._order_of)
        self.arrange(sorted(self.records, key=lambda rid: self._order_of.get(rid, last)))
