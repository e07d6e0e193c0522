"""The Aid flow pane as the aid cell's operator uses it at 80x24: the board, a convoy recorded from the
keyboard, a status change, a crossing closed, the dual-use queue, and another console's change arriving."""

from __future__ import annotations

from datetime import timedelta

from console.screens.confirm import ConfirmScreen
from console.model.aid import Commodity, FigureSource, Movement, MovementStatus, aid_day
from console.model.journal import Entity
from console.screens.aid_detail import AidDetail
from console.screens.aid_forms import AidForm, CrossingForm, MovementForm
from console.screens.panes.aid import SPANS, AidPane
from console.screens.watch_floor import WatchFloor
from console.store import Store
from tests.conftest import OPERATOR, WATCH_OFFICER
from tests.pilot import demo_app, screen_lines, until


def aid_pane(app) -> AidPane:
    screen = app.screen_stack[1] if len(app.screen_stack) > 1 else app.screen
    assert isinstance(screen, WatchFloor)
    return screen.pane("aid")


def ks_row(app):
    return next(r for r in aid_pane(app).board.records.values() if r.crossing.code == "KS")


async def open_movement_form(pilot, app) -> MovementForm:
    """``n`` on the Aid flow pane: the movement form, open."""
    await pilot.press("n")
    assert await until(pilot, lambda: isinstance(app.screen, MovementForm))
    return app.screen


async def open_aid(pilot, app) -> AidPane:
    assert await until(pilot, lambda: isinstance(app.screen, WatchFloor) and aid_pane(app).board.row_count == 8)
    await pilot.press("2")
    await pilot.pause()
    pane = aid_pane(app)
    assert app.focused is pane.board
    return pane


async def fill(pilot, app, values: dict[str, str]) -> None:
    """Type into each named field of the open form (clearing what was there)."""
    for name, value in values.items():
        app.screen.query_one(f"#field-{name}").focus()
        await pilot.press("home", "ctrl+k", *value)


def error_beside(app, name: str) -> str:
    return str(app.screen.query_one(f"#error-{name}").render())


async def test_an_operator_records_a_convoy_from_the_keyboard_and_the_board_counts_it(db_path):
    app = await demo_app(db_path, OPERATOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_aid(pilot, app)
        before = ks_row(app)
        form = await open_movement_form(pilot, app)
        assert form.query_one("#field-crossing").value == "KS"  # the selected crossing
        assert form.query_one("#field-planned_date").value == "today"
        await fill(pilot, app, {"organisation": "WFP", "commodity": "food", "trucks": "many",
                                "reference": "WB-PILOT-1", "status": "offloaded"})
        await pilot.press("ctrl+s")
        assert await until(pilot, lambda: "not a whole number" in error_beside(app, "trucks"))
        assert app.screen is form  # nothing saved until valid
        await fill(pilot, app, {"trucks": "25"})
        assert app.focused is form.query_one("#field-trucks")
        for _ in range(7):  # enter walks to the last field (releasable), then back to the first; ctrl+s saves
            await pilot.press("enter")
        assert app.focused is form.query_one("#field-releasability")
        await pilot.press("enter")
        assert app.focused is form.query_one("#field-planned_date") and app.screen is form
        await pilot.press("ctrl+s")
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
        assert await until(pilot, lambda: ks_row(app).entered == before.entered + 25)
        assert ks_row(app).history[-1] == before.history[-1] + 25
        store = await Store.open(db_path)
        try:
            [saved] = [m for m in await store.aid.movements(OPERATOR, day=aid_day()) if m.reference == "WB-PILOT-1"]
            assert (saved.trucks, saved.status, saved.organisation) == (25, MovementStatus.OFFLOADED, "WFP")
        finally:
            await store.close()


async def test_escape_leaves_the_form_and_saves_nothing(db_path):
    app = await demo_app(db_path, OPERATOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_aid(pilot, app)
        count = await app.store.database.scalar("SELECT count(*) FROM movements")
        await pilot.press("n")
        assert await until(pilot, lambda: isinstance(app.screen, AidForm))
        await fill(pilot, app, {"organisation": "WFP", "commodity": "food", "trucks": "9"})
        await pilot.press("escape")
        assert await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))  # typed in: it asks first
        await pilot.press("y")
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
        assert await app.store.database.scalar("SELECT count(*) FROM movements") == count


async def test_closing_a_crossing_needs_a_reason_and_flags_it_on_the_board(db_path):
    app = await demo_app(db_path, OPERATOR)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_aid(pilot, app)
        assert pane.board.selected_record().crossing.code == "KS"
        await pilot.press("c")
        assert await until(pilot, lambda: isinstance(app.screen, CrossingForm))
        await pilot.press("enter")
        assert await until(pilot, lambda: "needs a reason" in error_beside(app, "reason"))
        await pilot.press(*"fire at the gate", "enter")
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
        assert await until(pilot, lambda: not ks_row(app).crossing.is_open)
        assert pane.board.get_cell("1", "state").plain == "✗ SHUT"
        # The summary comes at the end of the same load, after the dual-use queue is read.
        assert await until(pilot, lambda: "Kerem Shalom (fire at the gate)"
                           in str(pane.query_one(".pane-summary").render()))


async def test_a_status_change_from_another_console_reaches_the_movement_list_and_its_history(db_path):
    app = await demo_app(db_path, OPERATOR)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_aid(pilot, app)
        await pilot.press("m")
        assert await until(pilot, lambda: pane.movement_table.row_count > 0 and app.focused is pane.movement_table)
        scheduled = next(m for m in pane.movement_table.records.values() if m.status is MovementStatus.SCHEDULED)
        pane.movement_table.move_cursor(row=pane.movement_table.get_row_index(str(scheduled.id)))
        await pilot.press("enter")
        assert await until(pilot, lambda: isinstance(app.screen, AidDetail) and app.screen.record is not None)
        detail = app.screen
        other = await Store.open(db_path)  # the watch officer's console, another connection
        try:
            await other.aid.set_movement_status(WATCH_OFFICER, scheduled.id, MovementStatus.AT_CROSSING)
        finally:
            await other.close()
        assert await until(pilot, lambda: detail.record.status is MovementStatus.AT_CROSSING)
        history = detail.query_one("#detail-history")
        assert await until(pilot, lambda: any(
            "scheduled -> at crossing" in history.get_row_at(i)[3].plain for i in range(history.row_count)))
        await pilot.press("escape")
        assert await until(pilot, lambda: pane.movement_table.records[scheduled.id].status
                           is MovementStatus.AT_CROSSING)


async def test_the_dual_use_queue_marks_long_waits_and_takes_a_decision(db_path):
    app = await demo_app(db_path, WATCH_OFFICER)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_aid(pilot, app)
        await pilot.press("u")
        queue = pane.queue_table
        assert await until(pilot, lambda: queue.row_count == 8 and app.focused is queue)
        ages = [queue.get_row_at(i)[0].plain for i in range(queue.row_count)]
        assert any(a.startswith("!") for a in ages)  # waiting over 72 h: a mark, not colour alone
        request = next(r for r in queue.records.values() if r.status.value == "submitted")
        queue.move_cursor(row=queue.get_row_index(str(request.id)))
        await pilot.press("v")
        assert await until(pilot, lambda: isinstance(app.screen, AidForm))
        assert app.screen.query_one("#field-status").value == "under review"
        await pilot.press("enter", "ctrl+s")
        assert await until(pilot, lambda: queue.records[request.id].status.value == "under_review")
        entries = await app.store.journal.for_entity(Entity.DUAL_USE, request.id)
        assert entries[-1].changes["status"] == ["submitted", "under_review"]


def a_report(day, reference: str, source: FigureSource, trucks: int) -> Movement:
    return Movement(planned_date=day, crossing_code="KS", organisation="WFP", commodity=Commodity.FOOD,
                    trucks=trucks, reference=reference, figure_source=source, status=MovementStatus.OFFLOADED)


async def test_the_board_at_80_columns_shows_each_source_its_own_figure_and_the_combined_one_as_such(db_path):
    app = await demo_app(db_path, OPERATOR)
    day = aid_day() + timedelta(days=2)  # a day the demo leaves empty
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_aid(pilot, app)
        other = await Store.open(db_path)  # another console records the reports
        try:
            for n, trucks in enumerate((30, 25, 20, 15, 13), start=1):
                await other.aid.create_movement(OPERATOR, a_report(day, f"C{n}", FigureSource.COGAT, trucks))
            await pilot.press("right_square_bracket", "right_square_bracket")
            line = "UN 2720 0 (0 convoys) · COGAT 103 (5 convoys) · combined 103"
            assert await until(pilot, lambda: line in screen_lines(app)[4])
            # a convoy only UN 2720 reported: COGAT's own figure stays COGAT's
            await other.aid.create_movement(OPERATOR, a_report(day, "U1", FigureSource.UN2720, 20))
        finally:
            await other.close()
        line = "UN 2720 20 (1 convoy) · COGAT 103 (5 convoys) · combined 123"
        assert await until(pilot, lambda: line in screen_lines(app)[4]), "\n".join(screen_lines(app))
        lines = screen_lines(app)
        assert "combined 123/600 trucks (each convoy once, best source)" in lines[3]
        header = next(n for n, text in enumerate(lines) if text.split()[:1] == ["Crossing"])
        assert lines[header].split()[:9] == ["Crossing", "State", "In", "Tgt", "Pipe", "Held", "UN", "COGAT", "14"]
        assert lines[header + 1].split()[:9] == ["Kerem", "Shalom", "open", "123", "350", "0", "0", "20", "103"]
        assert all(len(text) <= 80 for text in lines) and len(lines) == 24
        assert ks_row(app).entered == 123 and pane.day == day


async def test_totals_keep_each_block_sorted_by_trucks_for_every_period(db_path):
    app = await demo_app(db_path, OPERATOR)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_aid(pilot, app)
        table = pane.totals_table
        await pilot.press("t")
        for span in SPANS:
            store_order = await app.store.aid.totals(OPERATOR, pane.day - timedelta(days=span - 1), pane.day)

            def shown() -> list[tuple[str, str, int]]:
                rows = (table.records[rid] for rid in table.ordered_ids)
                return [(r.kind, r.name, r.trucks) for r in rows]

            expected = [(t.kind, t.name, t.trucks) for t in store_order]
            assert await until(pilot, lambda: pane.span == span and sorted(shown()) == sorted(expected))
            rows = shown()
            kinds = [kind for kind, _name, _trucks in rows]
            assert kinds == sorted(kinds), f"{span} days: an organisation among the commodities"
            for kind in ("commodity", "organisation"):
                trucks = [n for k, _name, n in rows if k == kind]
                assert trucks == sorted(trucks, reverse=True), f"{span} days: {kind} not by trucks"
            assert rows == expected
            await pilot.press("r")


async def test_the_movement_form_offers_sources_by_the_names_the_board_shows(db_path):
    from textual.widgets import Select

    from console.model.aid import FigureSource

    app = await demo_app(db_path, OPERATOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_aid(pilot, app)
        form = await open_movement_form(pilot, app)
        source = form.query_one("#field-figure_source")
        assert isinstance(source, Select) and source.value == FigureSource.OWN.value
        offered = [label for _key, label in next(f for f in form.specs if f.name == "figure_source").choices]
        assert offered[0].startswith("UN") and "COGAT" in offered  # as on the board, not "un2720"
        await fill(pilot, app, {"organisation": "WFP", "commodity": "food", "trucks": "12",
                                "reference": "WB-SOURCE-1"})
        source.value = FigureSource.UN2720.value  # what choosing "UN (UN 2720)" in the list sets
        await pilot.press("ctrl+s")
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
        [saved] = [m for m in await app.store.aid.movements(OPERATOR, day=aid_day()) if m.reference == "WB-SOURCE-1"]
        assert saved.figure_source is FigureSource.UN2720
