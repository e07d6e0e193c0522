"""The plan whiteboard at 80x24, driven by the keyboard: status, owner and next step, notes, the detail."""

from __future__ import annotations

from io import StringIO

from rich.console import Console
from textual.widgets import Input, Static

from console.model.plan import PlanStatus
from console.screens.forms import FormScreen
from console.screens.plan_screens import PlanDetailScreen
from console.screens.watch_floor import WatchFloor
from console.store import Store
from widgets.summary_lines import SummaryLines
from tests.conftest import ADMIN
from tests.pilot import demo_app, until


def plain(widget: Static) -> str:
    buffer = StringIO()
    Console(file=buffer, width=200).print(widget.content)
    return buffer.getvalue()


async def open_plan(app, pilot):
    assert await until(pilot, lambda: isinstance(app.screen, WatchFloor)
                       and app.screen.pane("plan").table.row_count == 20)
    await pilot.press("5")
    await pilot.pause()
    pane = app.screen.pane("plan")
    assert app.focused is pane.table
    return pane


async def test_the_whole_board_shows_at_80x24_as_numbers_and_marks(db_path):
    app = await demo_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_plan(app, pilot)
        strip = plain(pane.query_one(".pane-summary", SummaryLines)).splitlines()[1]
        points = list(pane.table.records.values())
        for point in points:
            assert f"{point.number}{point.status.mark}" in strip.split()
        assert pane.region.right <= 80 and pane.query_one(".pane-summary").region.height >= 2


async def test_v_changes_a_status_with_a_note_and_the_second_console_sees_it(db_path):
    app = await demo_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_plan(app, pilot)
        point = pane.table.selected_record()
        await pilot.press("v")
        assert await until(pilot, lambda: isinstance(app.screen, FormScreen))
        statuses = list(PlanStatus)
        target = statuses[(statuses.index(point.status) + 1) % len(statuses)]
        await pilot.press("down", "enter", "tab")
        await pilot.press(*"blocked", "space", *"by", "space", *"vote")
        await pilot.press("ctrl+s")
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
        assert await until(pilot, lambda: pane.table.records[point.id].status is target)
        assert pane.table.records[point.id].changed_by == ADMIN.login
        second = await Store.open(db_path)
        try:
            assert (await second.plan.point(point.number)).status is target
            assert [n.text for n in await second.plan.notes(point.number)] == ["blocked by vote"]
        finally:
            await second.close()


async def test_v_without_any_change_is_refused_beside_the_status(db_path):
    app = await demo_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_plan(app, pilot)
        point = pane.table.selected_record()
        await pilot.press("v")
        assert await until(pilot, lambda: isinstance(app.screen, FormScreen))
        await pilot.press("enter", "ctrl+s")
        await pilot.pause()
        assert "pick a new status" in plain(app.screen.query_one("#error-choice", Static))
        await pilot.press("escape")
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
        assert pane.table.records[point.id].version == point.version


async def test_o_edits_owner_and_next_step_and_enter_shows_notes_added_with_N(db_path):
    app = await demo_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_plan(app, pilot)
        await pilot.press("j", "j")
        point = pane.table.selected_record()
        await pilot.press("o")
        assert await until(pilot, lambda: isinstance(app.screen, FormScreen))
        app.screen.query_one("#field-owner", Input).value = "ISF cell"
        app.screen.query_one("#field-next_step", Input).value = "Vetting criteria to the Board"
        await pilot.press("ctrl+s")
        assert await until(pilot, lambda: pane.table.records[point.id].owner == "ISF cell")
        assert pane.table.records[point.id].next_step == "Vetting criteria to the Board"
        await pilot.press("N")
        assert await until(pilot, lambda: isinstance(app.screen, FormScreen))
        await pilot.press("enter")
        await pilot.pause()
        assert "cannot be empty" in plain(app.screen.query_one("#error-note", Static))
        await pilot.press(*"Jordan", "space", *"offers", "space", *"a", "space", *"site", "enter")
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
        await pilot.press("enter")
        assert await until(pilot, lambda: isinstance(app.screen, PlanDetailScreen))
        notes = app.screen.query_one("#plan-notes", Static)
        assert await until(pilot, lambda: "Jordan offers a site" in plain(notes))
        facts = plain(app.screen.query_one("#plan-facts", Static))
        assert point.title in facts and "ISF cell" in facts
        # a change made elsewhere shows while the detail is open
        second = await Store.open(db_path)
        try:
            await second.plan.add_note(ADMIN, point.number, "Egypt asks for a second site")
        finally:
            await second.close()
        assert await until(pilot, lambda: "Egypt asks for a second site" in plain(notes))
        await pilot.press("escape")
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
