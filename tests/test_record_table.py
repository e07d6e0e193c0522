"""The table every list uses, alone in a bare app: a ScrollView drawn a line at a time."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import App, ComposeResult

from tests.pilot import until
from widgets.cells import cell
from widgets.record_table import RecordTable, StoreOrderedTable


@dataclass(frozen=True)
class Row:
    id: int
    name: str
    note: str = ""


class Names(RecordTable):
    COLUMNS = (("id", "No", 5), ("name", "Name", 10), ("note", "Note", None))
    DEFAULT_SORT = "id"

    def __init__(self) -> None:
        super().__init__()
        self.drawn: list[int] = []  # the y of every line drawn, to see what a change repaints

    def cells(self, row: Row):
        return (cell(row.id, sort_key=row.id), cell(row.name), cell(row.note))

    def render_line(self, y: int):
        self.drawn.append(y)
        return super().render_line(y)


class Bare(App):
    def __init__(self) -> None:
        super().__init__()
        self.selected: list[int] = []

    def compose(self) -> ComposeResult:
        yield Names()

    def on_record_table_record_selected(self, event: RecordTable.RecordSelected) -> None:
        self.selected.append(event.record_id)


def shown(table: RecordTable) -> list[str]:
    """The lines on screen, as text."""
    return [table.render_line(y).text for y in range(table.scrollable_content_region.height)]


async def test_a_large_list_draws_only_the_lines_on_screen():
    app = Bare()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(Names)
        table.sync(Row(i, f"name {i}") for i in range(100_000))
        table.drawn.clear()
        assert await until(pilot, lambda: bool(table.drawn))
        await pilot.pause()
        assert table.row_count == 100_000
        assert max(table.drawn) < 12  # the screen's lines, not the list's
        assert shown(table)[0].split() == ["No", "Name", "Note"]  # the header stays on line 0
        assert shown(table)[1].split()[:3] == ["0", "name", "0"]


async def test_keys_move_the_cursor_keep_it_in_view_and_enter_opens_its_record():
    app = Bare()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(Names)
        table.sync(Row(i, f"name {i}") for i in range(500))
        table.focus()
        await pilot.press("j", "j", "down")
        assert table.selected_id == 3
        await pilot.press("pagedown")
        assert table.cursor_row > 3
        await pilot.press("end")
        assert table.selected_id == 499
        await pilot.pause()
        assert "499" in " ".join(shown(table))  # scrolled with it
        await pilot.press("enter")
        assert await until(pilot, lambda: app.selected == [499])
        await pilot.press("home", "k")
        assert table.selected_id == 0


async def test_a_changed_record_repaints_its_own_line_and_the_cursor_stays_on_its_record():
    app = Bare()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(Names)
        rows = [Row(i, f"name {i}") for i in range(20)]
        table.sync(rows)
        table.move_cursor(row=5)
        await pilot.pause()
        table.drawn.clear()
        rows[2] = Row(2, "renamed")
        table.sync(rows)
        assert await until(pilot, lambda: bool(table.drawn))
        await pilot.pause()
        assert set(table.drawn) == {3}  # row 2 is line 3 (the header is line 0)
        assert "renamed" in shown(table)[3]
        # A new first row: the cursor follows its record down.
        table.sync([Row(-1, "first"), *rows])
        assert table.selected_id == 5 and table.cursor_row == 6
        table.remove_record(-1)
        assert table.selected_id == 5 and table.cursor_row == 5 and table.row_count == 20


async def test_sorting_and_the_auto_column_fill_the_width_left():
    app = Bare()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(Names)
        table.sync([Row(1, "b", "x" * 100), Row(2, "a", "short")])
        table.focus()
        await pilot.press("s")  # id -> name
        assert [r.name for r in map(table.record_at, range(2))] == ["a", "b"]
        await pilot.press("S")
        assert [r.name for r in map(table.record_at, range(2))] == ["b", "a"]
        await pilot.pause()
        line = shown(table)[1]
        width = table.scrollable_content_region.width
        assert len(line) == width and line.rstrip().endswith("…")  # cut at the edge, and says so


async def test_cells_are_text_never_markup():
    app = Bare()
    async with app.run_test(size=(60, 8)) as pilot:
        table = app.query_one(Names)
        table.sync([Row(1, "[b]x[/b]", "[@click=app.quit]x[/]")])
        await pilot.pause()
        assert "[b]x[/b]" in shown(table)[1] and "[@click=app.quit]" in shown(table)[1]


async def test_a_click_moves_the_cursor_and_a_second_click_opens():
    app = Bare()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(Names)
        table.sync(Row(i, f"name {i}") for i in range(10))
        await pilot.click(Names, offset=(3, 3))  # line 3: row 2
        assert table.selected_id == 2 and not app.selected
        await pilot.click(Names, offset=(3, 3))
        assert await until(pilot, lambda: app.selected == [2])


async def test_a_changed_cell_repaints_that_cell_only():
    """The minute's ages: a few bytes a row over a slow link, not the whole row."""
    app = Bare()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(Names)
        table.sync(Row(i, f"name {i}") for i in range(5))
        await pilot.pause()
        regions: list = []
        refresh = table.refresh
        table.refresh = lambda *r, **k: (regions.extend(r), refresh(*r, **k))[1]
        table.update_cell(2, "name", cell("other"))
        assert [(r.x, r.y, r.width, r.height) for r in regions] == [(1 + 5 + 1, 3, 10, 1)]
        await pilot.pause()
        assert "other" in shown(table)[3]


async def test_a_cell_is_drawn_in_its_own_style_and_its_spans():
    """A severity 5 cell is bold white on red; a watch-list word in a title is marked inside it."""
    app = Bare()
    async with app.run_test(size=(60, 8)) as pilot:
        table = app.query_one(Names)
        note = cell("drone over Rafah")
        note.stylize("reverse", 6, 10)
        table.sync([Row(1, "x"), Row(2, "y")])
        table.update_cell(2, "name", cell("alarm", "bold white on red"))
        table.update_cell(2, "note", note)
        await pilot.pause()
        styles = {segment.text.strip(): segment.style for segment in table.render_line(2) if segment.text.strip()}
        assert styles["alarm"].bold and styles["alarm"].bgcolor.name == "red"
        assert styles["over"].reverse and not styles["drone"].reverse


async def test_the_table_draws_its_own_scroll_bar_in_its_last_column():
    """Textual's bars are off (each layout pass repainted them); ours moves only when the rows do."""
    app = Bare()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(Names)
        table.sync(Row(i, f"name {i}") for i in range(100))
        table.focus()
        await pilot.pause()
        assert not table.show_vertical_scrollbar

        def thumb() -> list[int]:
            return [y for y, line in enumerate(shown(table)) if line.endswith("┃")]

        assert thumb() == [1]  # 11 of 100 rows shown: a one-line thumb at the top
        await pilot.press("end")
        await pilot.pause()
        assert thumb() == [11]
        await pilot.press("home")
        await pilot.pause()
        assert thumb() == [1]
        table.sync([Row(1, "few")])  # all rows on screen: no bar
        await pilot.pause()
        assert thumb() == []


async def test_the_minute_repaints_only_the_ages_whose_text_changed(monkeypatch):
    """An idle console over SSH: at the minute, a row of three hours ago says "3h" still; one of
    twelve minutes ago becomes "13m" and is the only line repainted."""
    from datetime import timedelta

    import widgets.incidents.incident_table as incident_table
    from console.dtg import utc_now
    from console.model.incidents import Governorate, Incident, IncidentCategory
    from widgets.incidents.incident_table import IncidentTable

    now = utc_now().replace(second=30, microsecond=0)
    monkeypatch.setattr(incident_table, "utc_now", lambda: now)

    class Log(App):
        def compose(self) -> ComposeResult:
            yield IncidentTable()

    def an_incident(number: int, ago: timedelta) -> Incident:
        return Incident(id=number, occurred_at=now - ago, governorate=Governorate.RAFAH, severity=3,
                        category=IncidentCategory.SHELLING, description="shelling east of Rafah")

    app = Log()
    async with app.run_test(size=(80, 10)) as pilot:
        table = app.query_one(IncidentTable)
        table.sync([an_incident(1, timedelta(minutes=12)), an_incident(2, timedelta(hours=3, minutes=12))])
        await pilot.pause()
        repainted: list = []
        update_cell = table.update_cell
        table.update_cell = lambda rid, column, value: (repainted.append((rid, column, value.plain)),
                                                        update_cell(rid, column, value))[1]
        monkeypatch.setattr(incident_table, "utc_now", lambda: now + timedelta(minutes=1))
        table.refresh_ages()
        assert repainted == [(1, "age", "13m")]
        assert table.get_cell(2, "age").plain == "!3h"  # still reported 3 h after: ageing (issue 16)


async def test_a_window_of_a_long_list_repaints_only_the_line_that_changed():
    app = Bare()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(Names)
        rows = [Row(i, f"name {i}") for i in range(100, 300)]
        table.show_window(100, rows, 5000)
        assert table.row_count == 5000 and table.loaded_count == 200 and table.get_row_index(100) == 100
        table.move_cursor(row=105)
        assert await until(pilot, lambda: table.selected_id == 105)
        await pilot.pause()
        table.drawn.clear()
        rows[3] = Row(103, "renamed")  # the same window read again, one record on screen changed
        table.show_window(100, rows, 5000)
        assert await until(pilot, lambda: bool(table.drawn))
        await pilot.pause()
        assert "renamed" in table.get_row(103)[1].plain
        top = round(table.scroll_y)
        assert top <= 103 < top + 10
        assert set(table.drawn) == {103 - top + 1}  # its own line, not the table


async def test_g_g_goes_to_the_first_row_and_capital_g_to_the_last_as_home_and_end_do():
    app = Bare()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(Names)
        table.sync(Row(i, f"name {i}") for i in range(50))
        table.focus()
        await pilot.press("G")
        assert table.cursor_row == 49
        await pilot.press("g")
        assert table.cursor_row == 49  # one g is only the start of g g
        await pilot.press("g")
        assert table.cursor_row == 0
        await pilot.press("end", "home")
        assert table.cursor_row == 0


class Newest(StoreOrderedTable):
    """A live list, newest first, in the order it is given (as the headlines are)."""

    COLUMNS = (("id", "No", 5), ("name", "Name", None))

    def cells(self, row: Row):
        return (cell(row.id, sort_key=row.id), cell(row.name))


class LiveList(App):
    def compose(self) -> ComposeResult:
        yield Newest()


async def test_new_rows_show_at_the_top_or_are_counted_above_a_cursor_further_down():
    app = LiveList()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(Newest)
        rows = [Row(i, f"item {i}") for i in range(100, 50, -1)]  # newest (highest) first
        table.sync(rows)
        table.focus()
        await pilot.pause()
        # On the first row: the newest arrive above it and the cursor stays on top, on the newest.
        rows = [Row(i, f"item {i}") for i in (103, 102, 101)] + rows
        table.sync(rows)
        assert table.cursor_row == 0 and table.selected_id == 103 and table.new_above == 0
        # Further down: the same rows stay in view and under the cursor; the header counts the new ones.
        table.move_cursor(row=20)
        await pilot.pause()
        top, chosen = round(table.scroll_y), table.selected_id
        rows = [Row(i, f"item {i}") for i in (106, 105, 104)] + rows
        table.sync(rows)
        await pilot.pause()
        assert table.selected_id == chosen and table.cursor_row == 23
        assert round(table.scroll_y) == top + 3  # the view moved with its rows: nothing jumped
        assert table.new_above == 3
        assert table.render_line(0).text.rstrip().endswith("3 new ↑")
        await pilot.press("home")  # to the new rows: counted no more
        assert table.cursor_row == 0 and table.selected_id == 106 and table.new_above == 0
        assert "new ↑" not in table.render_line(0).text


async def test_g_and_a_number_goes_to_that_row_and_the_digits_are_not_pane_keys_then(db_path):
    from tests.pilot import demo_app, until, watch_floor

    app = await demo_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        floor = await watch_floor(pilot, app)
        table = floor.pane("incidents").table
        assert await until(pilot, lambda: table.row_count > 300)
        await pilot.press("g", "3", "1")
        assert floor.active == 0  # 3 did not switch to the Partners pane
        assert "row 31…" in table.render_line(0).text  # the header says what is being typed
        await pilot.press("2", "enter")
        assert await until(pilot, lambda: table.cursor_row == 311)
        assert "row" not in table.render_line(0).text
        assert app.screen is floor  # enter went to the row, it did not open the incident
        await pilot.press("g", "k", "3")  # any other key (up, here) forgets the g: 3 is the pane key again
        assert await until(pilot, lambda: floor.active == 2)


class Headlines(RecordTable):
    """A title that matters more than its source: in a narrow table the source goes first."""

    COLUMNS = (("id", "No", 3), ("source", "Source", 12), ("title", "Title", None))
    DROP_FIRST = ("source",)
    WANTS = {"title": 30}

    def cells(self, row: Row):
        return (cell(row.id, sort_key=row.id), cell(row.note), cell(row.name))


async def test_a_narrow_table_gives_up_its_least_important_column_and_a_wide_one_shows_all():
    class Narrow(App):
        def compose(self) -> ComposeResult:
            yield Headlines()

    title = "Remains handover scheduled at Kerem Shalom for the morning"
    app = Narrow()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(Headlines)
        table.sync([Row(1, title, "Wire Service")])
        await pilot.pause()
        header, line = table.render_line(0).text, table.render_line(1).text
        assert "Source" not in header and "Wire Service" not in line
        assert title[:30] in line  # the title keeps its 30 columns
        assert table.virtual_size.width <= table.size.width  # and nothing to scroll sideways to
        await pilot.resize_terminal(100, 8)
        await pilot.pause()
        assert "Source" in table.render_line(0).text and "Wire Service" in table.render_line(1).text
        assert title in table.render_line(1).text
