"""The one form framework, the one status dialog and the one detail-screen base, on a real SQLite file
at 80x24: a form built from ``FormField``s saves through the store; a refusal stands beside its field
and nothing is written; the status dialog offers exactly what the transition table allows; a detail
screen re-reads its record when another writer changes it, and says so when it is gone."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from textual.widgets import Input, OptionList, Static

from console.screens.confirm import ConfirmScreen
from console.model.access import may
from console.model.aid import MOVEMENT_TRANSITIONS, Commodity, FigureSource, Movement, MovementStatus
from console.model.incidents import INCIDENT_TRANSITIONS, IncidentStatus
from console.model.journal import Entity
from console.screens.aid_detail import AidDetail
from console.screens.aid_forms import MovementStatusForm
from console.screens.forms import DROPDOWN, FormField, FormScreen
from console.screens.incident_detail import IncidentDetailScreen
from console.screens.incident_dialogs import AdvanceStatusScreen
from console.screens.watch_floor import WatchFloor
from tests.conftest import OPERATOR, WATCH_OFFICER
from tests.pilot import caught_up, until
from tests.test_incidents_workflow import console, pane
from tests.test_store_foundation import an_incident


def text_of(widget) -> str:
    return str(widget.render())


async def floor(pilot, app) -> None:
    assert await until(pilot, lambda: isinstance(app.screen, WatchFloor), 10)


async def shown(pilot, app, screen) -> None:
    """``screen`` is in front, composed and mounted (a form has focused its first field)."""
    assert await until(pilot, lambda: app.screen is screen and screen.is_mounted and app.focused is not None)


def log_form(app, saves: list, **entry) -> FormScreen:
    """A form of the framework, built here from its fields: a watch-log entry, written by the store."""

    async def save(values: dict[str, str]) -> int:
        saves.append(dict(values))
        return await app.store.watch.add_log_entry(app.actor, values["text"], values["marking"])

    return FormScreen("Log entry", [
        FormField("text", "Entry", placeholder="what happened", **entry),
        FormField("marking", "Releasable", "GBR", kind=DROPDOWN, choices=(("ALL", "all"), ("GBR", "GBR only"))),
    ], save=save)


async def open_log_form(pilot, app, saves: list, results: list) -> FormScreen:
    """The log-entry form in front, its result going to ``results``."""
    form = log_form(app, saves)
    app.push_screen(form, results.append)
    await shown(pilot, app, form)
    return form


# --- the form -------------------------------------------------------------------------------------------


async def test_a_form_built_from_fields_saves_through_the_store_and_the_record_is_there(db_path, store):
    app = await console(db_path)
    saves: list = []
    results: list = []
    async with app.run_test(size=(80, 24)) as pilot:
        await floor(pilot, app)
        form = await open_log_form(pilot, app, saves, results)
        assert app.focused is form.field("text")
        await pilot.press(*"Convoy", "space", *"cleared", "enter")  # enter: on to the next field
        assert app.focused is form.field("marking") and app.screen is form and not saves
        await pilot.press("ctrl+s")
        assert await until(pilot, lambda: results), "the form never closed"
        assert saves == [{"text": "Convoy cleared", "marking": "GBR"}]
    entries = await store.watch.log_entries(WATCH_OFFICER)  # another connection: it is on disk
    assert [(e.id, e.text, e.releasability) for e in entries] == [(results[0], "Convoy cleared", "GBR")]


async def test_escape_closes_an_untouched_form_and_asks_before_it_throws_typing_away(db_path, store):
    app = await console(db_path)
    saves: list = []
    results: list = []
    async with app.run_test(size=(80, 24)) as pilot:
        await floor(pilot, app)
        await open_log_form(pilot, app, saves, results)
        await pilot.press("escape")  # nothing typed: it closes at once
        assert await until(pilot, lambda: results == [None])
        assert isinstance(app.screen, WatchFloor)

        form = await open_log_form(pilot, app, saves, results)
        await pilot.press(*"Half a report")
        await pilot.press("escape")
        assert await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")  # no: back in the form, the text still there
        assert await until(pilot, lambda: app.screen is form)
        assert form.values()["text"] == "Half a report" and results == [None]
        await pilot.press("escape")
        assert await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")  # yes: thrown away, nothing written
        assert await until(pilot, lambda: results == [None, None])
        assert isinstance(app.screen, WatchFloor) and not saves
    assert await store.watch.log_entries(WATCH_OFFICER) == []


async def test_a_refusal_stands_beside_its_field_and_nothing_is_written(db_path, store):
    app = await console(db_path)
    saves: list = []
    async with app.run_test(size=(80, 24)) as pilot:
        await floor(pilot, app)
        before = await store.journal.last_id()

        def messages(form) -> tuple[str, str, str]:
            return tuple(text_of(form.query_one(f"#{name}", Static)) for name in ("error-text", "error-marking",
                                                                                   "form-general"))

        # The form's own check: a required field left empty, refused before any save.
        form = log_form(app, saves, required=True, empty="write what happened")
        app.push_screen(form)
        await shown(pilot, app, form)
        await pilot.press("ctrl+s")
        assert await until(pilot, lambda: messages(form) == ("✗ write what happened", "", ""))
        assert form.query_one("#error-text").has_class("-shown") and not saves
        await pilot.press(*"x")  # put right: the message goes at once
        assert await until(pilot, lambda: messages(form) == ("", "", ""))
        await pilot.press("escape")
        assert await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))  # typed in: it asks first
        await pilot.press("y")
        await floor(pilot, app)

        # The store's refusal (a blank entry), beside the field the store names; the form stays open.
        form = log_form(app, saves)
        app.push_screen(form)
        await shown(pilot, app, form)
        await pilot.press("space", "ctrl+s")
        assert await until(pilot, lambda: "a log entry cannot be empty" in messages(form)[0])
        assert messages(form)[1:] == ("", "") and form.query_one("#error-text").has_class("-shown")
        assert app.screen is form and app.focused is form.field("text") and len(saves) == 1
        assert await store.journal.last_id() == before
        assert await store.watch.log_entries(WATCH_OFFICER) == []


# --- the status dialog ----------------------------------------------------------------------------------


def offered_options(dialog) -> list[tuple[str, str]]:
    options = dialog.query_one(OptionList)
    return [(str(options.get_option_at_index(i).id), str(options.get_option_at_index(i).prompt))
            for i in range(options.option_count)]


async def test_the_status_dialog_offers_an_incident_exactly_the_statuses_its_table_reaches(db_path, store):
    incident = await store.incidents.create(OPERATOR, an_incident())
    incident = await store.incidents.transition(WATCH_OFFICER, incident.id, IncidentStatus.VERIFYING, "checking")
    app = await console(db_path, actor=OPERATOR)
    async with app.run_test(size=(80, 24)) as pilot:
        table = pane(app).table
        assert await until(pilot, lambda: incident.id in table.records)
        await pilot.press("v")  # from the pane, as the operator does
        assert await until(pilot, lambda: isinstance(app.screen, AdvanceStatusScreen))
        offered = offered_options(app.screen)
        rules = INCIDENT_TRANSITIONS[IncidentStatus.VERIFYING]
        assert [key for key, _prompt in offered] == [rule.to.value for rule in rules]
        for (_key, prompt), rule in zip(offered, rules, strict=True):  # a step the operator may not make says so
            assert ("watch officer only" in prompt) is (not may(OPERATOR.role, rule.permission)), prompt
            assert ("needs a note" in prompt) is rule.needs_note, prompt
        await pilot.press("escape")
        await floor(pilot, app)
        for status in IncidentStatus:  # and from every status, exactly what the table allows
            dialog = AdvanceStatusScreen(replace(incident, status=status), OPERATOR)
            app.push_screen(dialog)
            await shown(pilot, app, dialog)
            assert [key for key, _ in offered_options(dialog)] == [r.to.value for r in INCIDENT_TRANSITIONS[status]]
            app.pop_screen()
            await floor(pilot, app)


async def a_movement(store, **changes) -> Movement:
    async with store.database.transaction() as conn:
        await conn.execute("INSERT OR IGNORE INTO crossings (code, name, border, daily_target)"
                           " VALUES ('KS', 'Kerem Shalom', '', 350)")
    values = dict(planned_date=date(2026, 11, 24), crossing_code="KS", organisation="WFP", commodity=Commodity.FOOD,
                  trucks=20, reference="WB-1", figure_source=FigureSource.UN2720)
    return await store.aid.create_movement(OPERATOR, Movement(**{**values, **changes}))


def offered_in_hint(form) -> list[str]:
    """The statuses the typed dialog names on its line "Next: a, b (note), c (...)"."""
    line = text_of(form.query_one(".form-about", Static))
    if not line.startswith("Next: "):
        return []
    return re.sub(r" \([^)]*\)", "", line.removeprefix("Next: ")).split(", ")


async def test_the_status_dialog_offers_a_movement_exactly_the_statuses_its_table_reaches(db_path, store):
    movement = await a_movement(store)
    app = await console(db_path, actor=WATCH_OFFICER)
    async with app.run_test(size=(80, 24)) as pilot:
        await floor(pilot, app)
        for status in MovementStatus:
            form = MovementStatusForm(replace(movement, status=status))
            app.push_screen(form)
            await shown(pilot, app, form)
            reachable = [rule.to.label for rule in MOVEMENT_TRANSITIONS[status]]
            assert offered_in_hint(form) == reachable, status
            assert form.field("status").value == (reachable[0] if reachable else "")
            app.pop_screen()
            await floor(pilot, app)

        # One the table does not reach from here is refused beside the status, in the table's words.
        form = MovementStatusForm(movement)
        app.push_screen(form)
        await shown(pilot, app, form)
        status_field = form.query_one("#field-status", Input)
        status_field.value = MovementStatus.REACHED.label
        await pilot.press("ctrl+s")
        error = form.query_one("#error-status", Static)
        assert await until(pilot, lambda: "cannot go from scheduled to reached destination" in text_of(error))
        # One that needs a note asks for it beside the note.
        status_field.value = MovementStatus.HELD.label
        await pilot.press("ctrl+s")
        note_error = form.query_one("#error-note", Static)
        assert await until(pilot, lambda: MOVEMENT_TRANSITIONS.note_message(MovementStatus.HELD) in text_of(note_error))
        assert (await store.aid.movement(OPERATOR, movement.id)).status is MovementStatus.SCHEDULED
        form.field("note").focus()
        await pilot.press(*"gate", "space", *"shut", "ctrl+s")
        assert await until(pilot, lambda: app.screen is not form)
        saved = await store.aid.movement(OPERATOR, movement.id)
        assert (saved.status, saved.status_note) == (MovementStatus.HELD, "gate shut")


# --- the detail screen ----------------------------------------------------------------------------------


async def test_a_detail_screen_rereads_its_record_when_another_writer_changes_it_and_says_when_it_is_gone(
        db_path, store):
    mine = await store.incidents.create(OPERATOR, an_incident(description="First wording"))
    other = await store.incidents.create(OPERATOR, an_incident(description="Another incident"))
    app = await console(db_path, actor=OPERATOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await floor(pilot, app)
        detail = IncidentDetailScreen(mine.id)
        app.push_screen(detail)
        assert await until(pilot, lambda: detail.record is not None)
        header = detail.query_one("#detail-header", Static)
        assert "First wording" in text_of(header)
        reads = []
        fetch = detail.fetch

        async def counted():
            reads.append(1)
            return await fetch()

        detail.fetch = counted
        # Another record's change is not this screen's: no re-read.
        await store.incidents.update(WATCH_OFFICER, replace(other, description="Changed elsewhere"),
                                     expected_version=other.version)
        assert await caught_up(pilot, app)
        assert reads == [] and "First wording" in text_of(header)
        # Its own record, changed by another writer: re-read and shown.
        await store.incidents.update(WATCH_OFFICER, replace(mine, description="Their wording"),
                                     expected_version=mine.version)
        assert await until(pilot, lambda: "Their wording" in text_of(header))
        assert reads and detail.record.description == "Their wording" and detail.record.version == 2
        # No longer releasable to this operator (DEU): shown gone, and nothing is left to act on.
        await store.incidents.update(WATCH_OFFICER, replace(detail.record, releasability="GBR"), expected_version=2)
        assert await until(pilot, lambda: "does not exist or is not releasable to you" in text_of(header))
        assert detail.record is None and detail.selected_incident() is None
        assert detail.query_one("#timeline").entries == []


async def test_the_aid_detail_rereads_its_movement_when_another_writer_moves_it(db_path, store):
    movement = await a_movement(store)
    app = await console(db_path, actor=OPERATOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await floor(pilot, app)
        detail = AidDetail(Entity.MOVEMENT, movement.id)
        app.push_screen(detail)
        assert await until(pilot, lambda: detail.record is not None)
        await store.aid.set_movement_status(WATCH_OFFICER, movement.id, MovementStatus.AT_CROSSING)
        header = detail.query_one("#detail-header", Static)
        assert await until(pilot, lambda: detail.record.status is MovementStatus.AT_CROSSING
                           and "at crossing" in text_of(header))
