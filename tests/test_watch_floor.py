"""The watch floor as an operator sees it, driven by the keyboard through Textual's Pilot."""

from __future__ import annotations

import re

from textual.command import CommandPalette

from console.screens.confirm import ConfirmScreen
from console.screens.help import HelpScreen, key_label
from console.screens.panes.incidents import IncidentsPane
from console.screens.watch_floor import PANES, WatchFloor
from console.store import Store
from tests.conftest import OPERATOR
from tests.pilot import demo_app, loaded, until
from tests.test_store_foundation import an_incident

#: Textual's names for keys, which an operator never types: slash, left_square_bracket, question_mark.
RAW_KEY_NAME = re.compile(r"\b(slash|question_mark|\w+_\w+)\b")


def floor(app) -> WatchFloor:
    screen = app.screen
    assert isinstance(screen, WatchFloor)
    return screen


async def test_at_80x24_each_pane_key_shows_one_pane_with_data(db_path):
    app = await demo_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: loaded(app))
        screen = floor(app)
        assert screen.has_class("-narrow")
        for index, (key, _title, _cls) in enumerate(PANES):
            await pilot.press(str(index + 1))
            await pilot.pause()
            visible = [p.KEY for p in screen.panes if p.display and p.region.width > 0]
            assert visible == [key]
            assert app.focused is screen.panes[index].table
            assert screen.panes[index].table.row_count > 0


async def test_at_160x48_several_panes_stand_side_by_side(db_path):
    app = await demo_app(db_path)
    async with app.run_test(size=(160, 48)) as pilot:
        assert await until(pilot, lambda: loaded(app))
        screen = floor(app)
        assert screen.has_class("-wide")
        regions = {p.KEY: p.region for p in screen.panes}
        assert all(r.width > 0 and r.height > 0 for r in regions.values())
        assert regions["incidents"].x < regions["aid"].x < regions["partners"].x
        assert regions["aid"].y < regions["headlines"].y


async def test_tab_and_j_k_move_between_panes_and_rows(db_path):
    app = await demo_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: loaded(app))
        screen = floor(app)
        table = screen.panes[0].table
        await pilot.press("j", "j")
        assert table.cursor_row == 2
        await pilot.press("k")
        assert table.cursor_row == 1
        await pilot.press("tab")
        assert app.focused is screen.panes[1].table


async def test_slash_narrows_the_incident_list_by_full_text(db_path):
    app = await demo_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: loaded(app))
        table = floor(app).panes[0].table
        everything = table.row_count
        await pilot.press("slash", *"drone")
        assert await until(pilot, lambda: 0 < table.row_count < everything)
        assert all("drone" in i.description.lower() for i in table.records.values())
        await pilot.press("escape")
        assert await until(pilot, lambda: table.row_count == everything)
        assert app.focused is table


async def test_help_and_the_command_palette_open(db_path):
    app = await demo_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: loaded(app))
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = {keys for _group, keys, _what in app.screen.rows}
        for binding in [*WatchFloor.BINDINGS, *IncidentsPane.BINDINGS]:
            assert ", ".join(key_label(app, k) for k in binding.key.split(",")) in keys
        # Keys as the footer shows them, never Textual's names for them ("left_square_bracket").
        assert "[" in {keys for group, keys, _what in app.screen.rows if group == "Aid flow pane"}
        assert "ctrl+p" in keys and "^p" not in keys  # as a person reads it, not the footer's shorthand
        assert not [keys for keys in keys if RAW_KEY_NAME.search(keys)]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, WatchFloor)
        palette_keys = [command.help for command in app.get_system_commands(app.screen)
                        if command.help.startswith("key: ")]
        assert "key: /" in palette_keys and not [k for k in palette_keys if RAW_KEY_NAME.search(k)]
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)


async def test_q_asks_before_quitting(db_path):
    app = await demo_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, WatchFloor)
        await pilot.press("q", "y")
        await pilot.pause()
    assert app.return_code == 0


async def test_a_change_by_another_process_appears_within_a_second(db_path):
    app = await demo_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: loaded(app))
        table = floor(app).panes[0].table
        other = await Store.open(db_path)
        try:
            created = await other.incidents.create(OPERATOR, an_incident(description="Seen on every console"))
        finally:
            await other.close()
        assert await until(pilot, lambda: created.id in table.records, timeout=1.0)
        assert table.get_row_index(str(created.id)) == 0  # newest first


async def test_acknowledge_from_the_keyboard_goes_through_the_journal(db_path):
    app = await demo_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: loaded(app))
        table = floor(app).panes[0].table
        target = next(i for i in table.records.values() if i.acknowledged_at is None)
        table.move_cursor(row=table.get_row_index(str(target.id)))
        await pilot.press("a")
        assert await until(pilot, lambda: table.records[target.id].acknowledged_at is not None)
        assert "!" not in table.get_cell(str(target.id), "severity").plain


async def test_markup_in_data_is_shown_as_typed(db_path):
    app = await demo_app(db_path)
    async with app.run_test(size=(120, 30)) as pilot:
        assert await until(pilot, lambda: loaded(app))
        other = await Store.open(db_path)
        try:
            created = await other.incidents.create(
                OPERATOR, an_incident(locality="[bold]Jenina[/bold] [@click=app.quit]x[/]\x1b[31m"))
        finally:
            await other.close()
        table = floor(app).panes[0].table
        assert await until(pilot, lambda: created.id in table.records)
        shown = table.get_cell(str(created.id), "place").plain
        assert "[bold]Jenina" in shown and "\x1b" not in shown


async def test_a_pane_summary_with_as_many_lines_as_before_is_redrawn_without_a_layout_pass(db_path):
    """A layout pass repaints neighbours too; the summary changes at every reload, its height rarely."""
    from tests.pilot import watch_floor
    from widgets.summary_lines import SummaryLines

    app = await demo_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await watch_floor(pilot, app)
        pane = app.screen.panes[0]
        summary = pane.query_one(".pane-summary", SummaryLines)
        layouts: list[bool] = []
        update = summary.update
        summary.update = lambda text, layout=True: (layouts.append(layout), update(text, layout=layout))[1]
        pane.set_summary("R 1  ? 2\n24h: Rafah 1")
        pane.set_summary("R 2  ? 2\n24h: Rafah 3")
        pane.set_summary("R 2  ? 2\n24h: Rafah 3")  # unchanged: not drawn at all
        pane.set_summary("R 2")
        assert layouts == [layouts[0], False, True]
