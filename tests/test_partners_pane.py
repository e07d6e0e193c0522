"""The Partners pane at 80x24, driven by the keyboard: presence, officer forms, roster filter, ISF contributors."""

from __future__ import annotations

import pytest

from dataclasses import replace

from textual.widgets import Input, Static

from console.screens.confirm import ConfirmScreen
from console.model.isf import IsfStatus
from console.model.partners import Presence
from console.screens.isf_screens import ContributorDetailScreen, QuestionsScreen
from console.screens.forms import FormScreen
from console.screens.watch_floor import WatchFloor
from console.store import Store
from console.store.seed import seed_demo
from widgets.summary_lines import SummaryLines
from tests.conftest import REAL_LOGIN, ADMIN, OPERATOR
from tests.pilot import caught_up, demo_app, until


async def operator_app(db_path):
    """The seeded demo, opened by an operator (the seed has its own op_deu, so seed first as someone else)."""
    store = await Store.open(db_path)
    try:
        await seed_demo(store.database, operator_login=REAL_LOGIN)
    finally:
        await store.close()
    return await demo_app(db_path, OPERATOR)


def partners(app):
    screen = app.screen_stack[1] if len(app.screen_stack) > 1 else app.screen
    assert isinstance(screen, WatchFloor)
    return screen.pane("partners")


async def open_partners(app, pilot):
    assert await until(pilot, lambda: isinstance(app.screen, WatchFloor) and partners(app).roster.row_count > 0)
    await pilot.press("3")
    await pilot.pause()
    return partners(app)


async def type_text(pilot, text: str) -> None:
    await pilot.press(*[{" ": "space", ",": "comma", "-": "minus", ":": "colon"}.get(c, c) for c in text])


def form_error(app, name: str) -> str:
    return _plain(app.screen.query_one(f"#error-{name}", Static)).strip()


async def test_p_cycles_presence_and_a_second_console_sees_it(db_path):
    app = await operator_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_partners(app, pilot)
        officer = pane.roster.selected_record()
        await pilot.press("p")
        assert await until(pilot, lambda: pane.roster.records[officer.id].presence is officer.presence.next)
        second = await Store.open(db_path)
        try:
            other = (await second.partners.officers(ADMIN))[5]
            await second.partners.cycle_presence(ADMIN, other.id)
            assert await until(pilot, lambda: pane.roster.records[other.id].presence is other.presence.next)
            stored = await second.partners.officer(ADMIN, officer.id)
            assert stored.presence is officer.presence.next
        finally:
            await second.close()


async def test_n_form_shows_each_problem_beside_its_field_and_saves_only_when_valid(db_path):
    app = await operator_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_partners(app, pilot)
        before = pane.roster.row_count
        await pilot.press("n")
        assert await until(pilot, lambda: isinstance(app.screen, FormScreen))
        await type_text(pilot, "XX")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "not a partner" in form_error(app, "partner")
        assert "missing" in form_error(app, "name")
        assert isinstance(app.screen, FormScreen)
        partner = app.screen.query_one("#field-partner", Input)
        partner.value = ""
        partner.focus()
        await type_text(pilot, "GBR")
        await pilot.press("tab")
        await type_text(pilot, "MAJ")
        await pilot.press("tab")
        await type_text(pilot, "Helen Carter")
        app.screen.query_one("#field-rotation_end", Input).value = "2026-02-30"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "not a date" in form_error(app, "rotation_end")
        assert form_error(app, "partner") == "" and form_error(app, "name") == ""
        assert pane.roster.row_count == before
        app.screen.query_one("#field-rotation_end", Input).value = ""
        await pilot.press("ctrl+s")
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
        assert await until(pilot, lambda: any(o.name == "Helen Carter" for o in pane.roster.records.values()))
        carter = next(o for o in pane.roster.records.values() if o.name == "Helen Carter")
        assert (carter.partner_code, carter.rank, carter.presence) == ("GBR", "MAJ", Presence.OFF_SHIFT)


async def test_escape_cancels_the_form_and_saves_nothing(db_path):
    app = await operator_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_partners(app, pilot)
        before = pane.roster.row_count
        await pilot.press("n")
        assert await until(pilot, lambda: isinstance(app.screen, FormScreen))
        await type_text(pilot, "GBR")
        await pilot.press("tab", "tab")
        await type_text(pilot, "Never Saved")
        await pilot.press("escape")
        assert await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))  # typed in: it asks first
        await pilot.press("y")
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
        assert await caught_up(pilot, app)  # a save would have reached the roster by now
        assert pane.roster.row_count == before
        assert not any(o.name == "Never Saved" for o in await app.store.partners.officers(ADMIN))
        assert app.focused is pane.roster


async def test_e_edit_refuses_to_overwrite_a_newer_save_and_says_so(db_path):
    app = await operator_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_partners(app, pilot)
        officer = pane.roster.selected_record()
        await pilot.press("e")
        assert await until(pilot, lambda: isinstance(app.screen, FormScreen))
        assert app.screen.query_one("#field-name", Input).value == officer.name
        second = await Store.open(db_path)
        try:
            await second.partners.update_officer(ADMIN, replace(officer, cell="Maritime"))
            cell = app.screen.query_one("#field-cell", Input)
            cell.value = "Plans desk"
            cell.focus()
            await pilot.press("ctrl+s")
            general = app.screen.query_one("#form-general", Static)
            assert await until(pilot, lambda: "changed by someone else" in _plain(general))
            assert isinstance(app.screen, FormScreen)
            assert (await second.partners.officer(ADMIN, officer.id)).cell == "Maritime"
        finally:
            await second.close()
        await pilot.press("escape")
        assert await until(pilot, lambda: pane.roster.records[officer.id].cell == "Maritime")


async def test_f_filters_the_roster_by_partner_and_presence(db_path):
    app = await operator_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_partners(app, pilot)
        everyone = pane.roster.row_count
        await pilot.press("f")
        assert await until(pilot, lambda: isinstance(app.screen, FormScreen))
        await type_text(pilot, "GBR,FRA")
        await pilot.press("tab", "tab", "tab")
        await type_text(pilot, "on floor")
        await pilot.press("ctrl+s")
        assert await until(pilot, lambda: 0 < pane.roster.row_count < everyone)
        shown = list(pane.roster.records.values())
        assert {o.partner_code for o in shown} <= {"GBR", "FRA"}
        assert {o.presence for o in shown} == {Presence.ON_FLOOR}
        assert "partner FRA,GBR" in _plain(pane.query_one(".pane-summary", SummaryLines))


async def test_rotations_ending_within_seven_days_carry_a_mark(db_path):
    from datetime import date, timedelta

    app = await operator_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_partners(app, pilot)
        officer = pane.roster.selected_record()
        second = await Store.open(db_path)
        try:
            await second.partners.update_officer(ADMIN, replace(officer, rotation_start=None,
                                                                rotation_end=date.today() + timedelta(days=3)))
        finally:
            await second.close()
        key = str(officer.id)
        assert await until(pilot, lambda: pane.roster.get_cell(key, "rotation").plain.endswith(" !"))
        assert "bold" in str(pane.roster.get_cell(key, "rotation").style)
        assert "rotation" in _plain(pane.query_one(".pane-summary", SummaryLines))


async def test_i_shows_the_contributors_c_changes_status_with_a_note_and_enter_shows_the_history(db_path):
    app = await operator_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_partners(app, pilot)
        await pilot.press("i")
        assert await until(pilot, lambda: pane.contributor_table.row_count > 0)
        assert app.focused is pane.contributor_table and not pane.roster.display
        assert "pledged" in _plain(pane.query_one(".pane-summary", SummaryLines))
        contributor = pane.contributor_table.selected_record()
        await pilot.press("c")
        assert await until(pilot, lambda: isinstance(app.screen, FormScreen))
        target = list(IsfStatus)[(list(IsfStatus).index(contributor.status) + 1) % len(IsfStatus)]
        await pilot.press("down", "enter")  # next status; enter goes on to the numbers
        await pilot.press("tab", "tab")
        await type_text(pilot, "agreed at the ministers meeting")
        await pilot.press("ctrl+s")
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
        assert await until(pilot, lambda: pane.contributor_table.records[contributor.id].status is target)
        await pilot.press("enter")
        assert await until(pilot, lambda: isinstance(app.screen, ContributorDetailScreen))
        history = app.screen.query_one("#isf-history", Static)
        assert await until(pilot, lambda: "agreed at the ministers meeting" in _plain(history))
        assert OPERATOR.login in _plain(history)
        await pilot.press("escape")
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
        await pilot.press("p")  # a roster key does nothing on the contributors
        await pilot.press("i")
        assert await until(pilot, lambda: app.focused is pane.roster)


async def test_o_settles_an_open_question(db_path):
    app = await operator_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_partners(app, pilot)
        await pilot.press("i")
        assert await until(pilot, lambda: pane.contributor_table.row_count > 0)
        contributor = pane.contributor_table.selected_record()
        first = next(iter(contributor.questions))
        await pilot.press("o")
        assert await until(pilot, lambda: isinstance(app.screen, QuestionsScreen))
        await pilot.press("enter")
        assert await until(pilot, lambda: pane.contributor_table.records[contributor.id].questions[first]
                           != contributor.questions[first])
        await pilot.press("escape")
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))


def _plain(widget: Static) -> str:
    from io import StringIO

    from rich.console import Console

    buffer = StringIO()
    Console(file=buffer, width=200).print(widget.content)
    return buffer.getvalue()


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_enter_on_an_officer_shows_the_whole_record_to_read_even_to_a_viewer(db_path, size):
    from console.screens.full_record import FullRecordScreen
    from tests.conftest import VIEWER

    app = await demo_app(db_path, VIEWER)
    async with app.run_test(size=size) as pilot:
        pane = await open_partners(app, pilot)
        officer = pane.roster.selected_record()
        await pilot.press("enter")
        assert await until(pilot, lambda: isinstance(app.screen, FullRecordScreen))
        shown = app.screen.text()
        assert f"Name: {officer.name}" in shown and f"Contact: {officer.contact or '-'}" in shown
        assert f"Releasable: {officer.releasability}" in shown
