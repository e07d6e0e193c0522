"""Every form keeps what is typed: enter moves from field to field and never saves, ctrl+s saves (the
footer says so), each message stands beside its field and goes once the field is right, and the
link dialog stays open with the store's refusal beside the id. At 80x24, on a real SQLite file."""

from __future__ import annotations

import re

import pytest

from textual.widgets import Input, Label, Static

from console.model.incidents import IncidentStatus
from console.model.journal import Entity
from console.model.plan import PlanStatus
from console.screens.aid_forms import AidForm, MovementStatusForm
from console.screens.incident_dialogs import AdvanceStatusScreen, LinkScreen
from console.screens.incident_form import IncidentFormScreen
from console.screens.forms import FormScreen
from console.screens.watch_floor import WatchFloor
from console.model.aid import aid_day
from tests.conftest import OPERATOR, WATCH_OFFICER, open_test_store
from tests.pilot import demo_app, until
from tests.test_aid_pane import fill, open_aid, open_movement_form
from tests.test_incidents_workflow import console, pane
from tests.test_partners_pane import open_partners, operator_app
from tests.test_plan_pane import open_plan, plain
from tests.test_store_foundation import an_incident


def focused_id(app) -> str | None:
    return app.focused.id if app.focused is not None else None


def footer_keys(screen) -> dict[str, str]:
    """What the screen's footer shows: description -> key, as drawn."""
    return {description: key for footer in screen.query("KeyFooter") for key, description, _action in footer.keys()}


def text_of(widget) -> str:
    return str(widget.render())


async def footer_names_ctrl_s_save(pilot, app) -> None:
    screen = app.screen
    assert await until(pilot, lambda: "Save" in footer_keys(screen) or "Apply" in footer_keys(screen))
    keys = footer_keys(screen)
    assert keys.get("Save", keys.get("Apply")) == "^s", keys
    footer = screen.query_one("KeyFooter")
    assert footer.display and footer.region.bottom == app.size.height  # on the screen's last line
    assert sum(1 for _key, _description, action in footer.keys() if action == "save") == 1  # one save key


# --- the footer -------------------------------------------------------------------------------------


async def test_every_form_s_footer_names_its_one_save_key(db_path):
    app = await demo_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_plan(app, pilot)  # the demo is loaded
        opened = []
        for pane_key, form_key in (("1", "n"), ("1", "l"), ("2", "n"), ("3", "n"), ("3", "f"), ("5", "v"),
                                   ("5", "o")):
            await pilot.press(pane_key)
            assert await until(pilot, lambda: isinstance(app.screen, WatchFloor) and app.focused is not None)
            await pilot.press(form_key)
            assert await until(pilot, lambda: not isinstance(app.screen, WatchFloor)), (pane_key, form_key)
            opened.append(type(app.screen).__name__)
            await footer_names_ctrl_s_save(pilot, app)
            await pilot.press("escape")
            assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
        assert opened == ["IncidentFormScreen", "LinkScreen", "MovementForm", "FormScreen", "RosterFilterScreen",
                          "FormScreen", "FormScreen"]


# --- Plan status: enter on to the note, ctrl+s saves it, the history says what really changed -----------


async def test_plan_status_enter_moves_on_to_the_note_and_ctrl_s_saves_the_real_change(db_path):
    app = await demo_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        plan = await open_plan(app, pilot)
        point = plan.table.selected_record()
        statuses = list(PlanStatus)
        target = statuses[(statuses.index(point.status) + 1) % len(statuses)]
        await pilot.press("v")
        assert await until(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        await pilot.press("down", "enter")  # the status chosen: on to the next step
        assert focused_id(app) == "field-next_step"
        await pilot.press("enter")  # the second enter: on to the note, nothing saved yet
        assert focused_id(app) == "field-note" and app.screen is form
        await pilot.press(*"Board", "space", *"agreed")
        await pilot.press("ctrl+s")
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
        assert [n.text for n in await app.store.plan.notes(point.number)] == ["Board agreed"]
        last = (await app.store.plan.history(point.number))[-1]
        assert (last.old, last.new, last.note) == (point.status.value, target.value, "Board agreed")


async def test_plan_a_note_without_a_new_status_is_not_a_status_change(db_path):
    app = await demo_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        plan = await open_plan(app, pilot)
        point = plan.table.selected_record()
        before = await app.store.plan.history(point.number)
        await pilot.press("v")
        assert await until(pilot, lambda: isinstance(app.screen, FormScreen))
        await pilot.press("tab", "tab")  # past the status (unchanged) and the next step, to the note
        assert focused_id(app) == "field-note"
        await pilot.press(*"Still", "space", *"waiting", "ctrl+s")
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
        assert [n.text for n in await app.store.plan.notes(point.number)] == ["Still waiting"]
        history = await app.store.plan.history(point.number)
        assert history == before  # no "in progress -> in progress"
        assert all(change.old != change.new for change in history)


async def test_plan_store_a_note_with_the_same_status_records_no_status_change(demo_store):
    point = await demo_store.plan.point(1)
    await demo_store.plan.set_status(OPERATOR, 1, point.status, point.next_step, note="Still waiting",
                                     expected_version=point.version)
    history = await demo_store.plan.history(1)
    assert all(change.old != change.new for change in history), history
    assert [n.text for n in await demo_store.plan.notes(1)] == ["Still waiting"]
    entry = (await demo_store.journal.for_entity(Entity.PLAN_POINT, point.id))[-1]
    assert entry.changes["note"] == "Still waiting" and "status" not in entry.changes


async def test_plan_status_the_message_beside_the_choice_goes_once_a_new_status_is_picked(db_path):
    app = await demo_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_plan(app, pilot)
        await pilot.press("v")
        assert await until(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        error = form.query_one("#error-choice", Static)
        await pilot.press("ctrl+s")  # nothing changed: refused beside the status
        assert await until(pilot, lambda: "pick a new status" in plain(error))
        assert focused_id(app) == "field-choice"
        await pilot.press("down")  # a new status: the message goes at once
        assert await until(pilot, lambda: plain(error).strip() == "" and not error.has_class("-shown"))
        assert app.screen is form


# --- the incident form ----------------------------------------------------------------------------------


async def test_incident_form_enter_walks_the_fields_in_order_and_never_saves(db_path):
    app = await console(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
        await pilot.press("n")
        assert await until(pilot, lambda: isinstance(app.screen, IncidentFormScreen))
        form = app.screen
        assert focused_id(app) == "f-when"
        walked = []
        for _ in range(7):
            await pilot.press("enter")
            walked.append(focused_id(app))
        assert walked == ["f-governorate", "f-locality", "f-latitude", "f-longitude", "f-grid_ref", "f-category",
                          "f-description"]  # through the choice lists too: enter does not open them
        await pilot.press("enter")  # in the description: a new line, not a save
        assert focused_id(app) == "f-description" and form.query_one("#f-description").text == "\n"
        form.query_one("#f-releasability").focus()
        await pilot.pause()
        await pilot.press("enter")  # from the last field back to the first
        assert focused_id(app) == "f-when"
        assert app.screen is form and text_of(form.query_one("#form-status", Static)) == ""
        assert await app.store.incidents.count(WATCH_OFFICER) == 0


async def test_incident_form_one_field_needs_attention(db_path):
    app = await console(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
        await pilot.press("n")
        assert await until(pilot, lambda: isinstance(app.screen, IncidentFormScreen))
        form = app.screen
        form.query_one("#f-governorate").value = "Rafah"
        form.query_one("#f-category").value = "shelling"
        form.query_one("#f-severity").value = "3"
        await pilot.press("ctrl+s")  # only the description is missing
        status = form.query_one("#form-status", Static)
        assert await until(pilot, lambda: "attention" in text_of(status))
        assert list(form.errors) == ["description"]
        assert text_of(status).startswith("1 field needs attention; nothing saved")


async def test_incident_form_choose_one_goes_once_a_choice_is_made(db_path):
    app = await console(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
        await pilot.press("n")
        assert await until(pilot, lambda: isinstance(app.screen, IncidentFormScreen))
        form = app.screen
        await pilot.press("ctrl+s")
        governorate = form.query_one("#error-governorate", Static)
        assert await until(pilot, lambda: governorate.display and "choose one" in text_of(governorate))
        assert "4 fields need attention" in text_of(form.query_one("#form-status", Static))
        form.query_one("#f-governorate").focus()
        await pilot.press("space", *"raf", "enter")  # open the list, pick Rafah
        assert await until(pilot, lambda: not governorate.display and text_of(governorate) == "")
        assert form.query_one("#f-governorate").value == "Rafah"
        category = form.query_one("#error-category", Static)
        assert category.display and "choose one" in text_of(category)  # still to choose
        assert "3 fields need attention" in text_of(form.query_one("#form-status", Static))


async def test_incident_form_a_refused_edit_says_so_in_sentences(db_path):
    app = await console(db_path)
    incident = await app.store.incidents.create(WATCH_OFFICER, an_incident(description="First wording"))
    async with app.run_test(size=(80, 24)) as pilot:
        table = pane(app).table
        assert await until(pilot, lambda: incident.id in table.records)
        await pilot.press("e")
        assert await until(pilot, lambda: isinstance(app.screen, IncidentFormScreen))
        form = app.screen
        other = await open_test_store(db_path)
        try:
            await other.incidents.update(WATCH_OFFICER, an_incident(id=incident.id, description="Their wording"),
                                         expected_version=incident.version)
        finally:
            await other.close()
        form.query_one("#f-description").text = "My wording"
        await pilot.press("ctrl+s")
        status = form.query_one("#form-status", Static)
        assert await until(pilot, lambda: "The form now shows" in text_of(status))
        message = text_of(status)
        assert re.search(r"[.!?] The form now shows the current values", message), message
        assert not re.search(r"[a-z] The form", message), message


# --- aid forms ------------------------------------------------------------------------------------------


async def test_aid_form_enter_walks_every_field_and_back_to_the_first_without_saving(db_path):
    app = await demo_app(db_path, OPERATOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_aid(pilot, app)
        before = len(await app.store.aid.movements(OPERATOR, day=aid_day()))
        form = await open_movement_form(pilot, app)
        names = [f"field-{spec.name}" for spec in form.fields()]
        assert focused_id(app) == names[0]
        walked = []
        for _ in range(len(names)):
            await pilot.press("enter")
            walked.append(focused_id(app))
        assert walked == names[1:] + names[:1]  # the last enter goes back to the first field
        assert app.screen is form
        assert all(text_of(form.query_one(f"#error-{spec.name}")) == "" for spec in form.fields())  # not checked
        assert len(await app.store.aid.movements(OPERATOR, day=aid_day())) == before


async def test_aid_form_choose_one_goes_once_the_field_is_right(db_path):
    app = await demo_app(db_path, OPERATOR)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_aid(pilot, app)
        form = await open_movement_form(pilot, app)
        await fill(pilot, app, {"organisation": "WFP", "trucks": "many"})
        await pilot.press("ctrl+s")
        commodity = form.query_one("#error-commodity", Static)
        trucks = form.query_one("#error-trucks", Static)
        assert await until(pilot, lambda: text_of(commodity).startswith("✗ choose one"))
        assert "not a whole number" in text_of(trucks)
        await fill(pilot, app, {"commodity": "food"})
        assert await until(pilot, lambda: text_of(commodity) == "")
        assert "not a whole number" in text_of(trucks)  # that one is still wrong
        assert app.screen is form


async def test_aid_form_labels_stand_apart_from_their_fields(db_path):
    app = await demo_app(db_path, OPERATOR)
    async with app.run_test(size=(80, 24)) as pilot:
        pane_ = await open_aid(pilot, app)
        await pilot.press("m")
        assert await until(pilot, lambda: pane_.movement_table.row_count > 0 and app.focused is pane_.movement_table)
        await pilot.press("v")
        assert await until(pilot, lambda: isinstance(app.screen, MovementStatusForm))
        form = app.screen
        await pilot.pause()
        for spec in form.fields():
            label = next(w for w in form.query(Label) if w.has_class("form-label") and
                         w.parent is form.query_one(f"#field-{spec.name}").parent)
            field = form.query_one(f"#field-{spec.name}", Input)
            # the label's last letter, then at least one blank column, then the field ("Note / reason why...")
            assert label.content_region.x + len(spec.label) < field.region.x, spec.label
        assert any(spec.label == "Note / reason" for spec in form.fields())


# --- the partner (officer) form -------------------------------------------------------------------------


async def test_officer_form_enter_moves_to_the_next_field_and_ctrl_s_saves(db_path):
    app = await operator_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        roster = await open_partners(app, pilot)
        before = roster.roster.row_count
        await pilot.press("n")
        assert await until(pilot, lambda: isinstance(app.screen, FormScreen))
        form = app.screen
        names = [f"field-{field.name}" for field in form.fields]
        assert focused_id(app) == "field-partner"
        await pilot.press(*"GBR", "enter")
        assert focused_id(app) == "field-rank"  # not a save: no message, on to the next field
        assert plain(form.query_one("#error-name", Static)).strip() == ""
        await pilot.press(*"MAJ", "enter", *"Helen", "space", *"Carter")
        assert focused_id(app) == "field-name"
        for _ in range(len(names) - 2):
            await pilot.press("enter")
        assert focused_id(app) == "field-partner"  # from the last field back to the first
        assert app.screen is form and roster.roster.row_count == before
        await pilot.press("ctrl+s")
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
        assert await until(pilot, lambda: any(o.name == "Helen Carter" for o in roster.roster.records.values()))


# --- the link dialog ------------------------------------------------------------------------------------


async def test_link_dialog_keeps_a_refusal_beside_the_id_and_links_a_good_one(db_path):
    app = await console(db_path, actor=OPERATOR)
    store = app.store
    first = await store.incidents.create(OPERATOR, an_incident(description="Report from the liaison"))
    second = await store.incidents.create(OPERATOR, an_incident(description="Same event, UN source"))
    async with app.run_test(size=(80, 24)) as pilot:
        table = pane(app).table
        assert await until(pilot, lambda: second.id in table.records)
        table.move_cursor(row=table.get_row_index(str(second.id)))
        await pilot.press("l")
        assert await until(pilot, lambda: isinstance(app.screen, LinkScreen))
        dialog = app.screen

        def beside_id() -> str:
            return text_of(dialog.query_one("#error-link-id", Static)) if app.screen is dialog else "(closed)"

        await pilot.press(*str(second.id), "ctrl+s")  # itself
        assert await until(pilot, lambda: "itself" in beside_id())
        assert app.screen is dialog and focused_id(app) == "link-id"

        dialog.query_one("#link-id", Input).value = ""
        await pilot.press(*"99999", "ctrl+s")  # no such incident: the store says so, beside the id
        assert await until(pilot, lambda: "no incident 99999" in beside_id())
        assert app.screen is dialog
        assert await store.incidents.corroborations(OPERATOR, second.id) == []

        dialog.query_one("#link-id", Input).value = ""
        await pilot.press(*str(first.id), "enter")  # enter moves on (to the relation), never links
        assert focused_id(app) == "link-relation" and app.screen is dialog
        await pilot.press("ctrl+s")
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
        links = await store.incidents.corroborations(OPERATOR, second.id)
        assert [(link.other_kind, link.other_id, link.relation)
                for link in links] == [("incident", first.id, "relates")]


async def test_advance_status_enter_moves_to_the_note_and_ctrl_s_moves_the_incident(db_path):
    app = await console(db_path)
    incident = await app.store.incidents.create(WATCH_OFFICER, an_incident())
    async with app.run_test(size=(80, 24)) as pilot:
        table = pane(app).table
        assert await until(pilot, lambda: incident.id in table.records)
        await pilot.press("v")
        assert await until(pilot, lambda: isinstance(app.screen, AdvanceStatusScreen))
        dialog = app.screen
        await pilot.press("enter")  # reported -> verifying, which needs a note: on to it
        assert focused_id(app) == "note"
        await pilot.press(*"Calling", "space", *"the", "space", *"liaison", "enter")
        assert app.screen is dialog  # enter in the note does not move the incident
        await footer_names_ctrl_s_save(pilot, app)
        await pilot.press("ctrl+s")
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
        assert await until(pilot, lambda: table.records[incident.id].status is IncidentStatus.VERIFYING)
        notes = await app.store.incidents.notes(WATCH_OFFICER, incident.id)
        assert [n.text for n in notes] == ["Calling the liaison"]


def test_every_form_is_a_form_modal():
    from console.screens.form_keys import FormModal
    from console.screens.incident_dialogs import NoteScreen
    from console.screens.text_prompt import TextPromptScreen

    for screen in (AidForm, FormScreen, IncidentFormScreen, LinkScreen, AdvanceStatusScreen, NoteScreen,
                   TextPromptScreen):
        assert issubclass(screen, FormModal), screen


@pytest.mark.parametrize("pane_key,form_key", [("1", "n"), ("2", "n"), ("3", "n")])  # the tallest forms
async def test_every_field_of_a_form_is_in_view_when_it_has_the_focus_at_80x24(db_path, pane_key, form_key):
    app = await demo_app(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_plan(app, pilot)  # the demo is loaded
        await pilot.press(pane_key)
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor) and app.focused is not None)
        await pilot.press(form_key)
        assert await until(pilot, lambda: not isinstance(app.screen, WatchFloor))
        form, first, seen = app.screen, app.focused, []
        for _ in range(40):
            await pilot.pause()
            field = app.focused
            region = field.region
            # On screen, above the footer's line: the field being typed in is never out of sight.
            assert region.height and region.y >= 0 and region.bottom <= 23, (field.id, region)
            seen.append(field.id)
            await pilot.press("tab")
            if app.focused is first:
                break
        assert app.screen is form and len(seen) > 1
