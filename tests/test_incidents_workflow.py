"""A watch officer runs an incident from first report to closure with the keyboard alone, at 80x24,
while a second console on the same database sees every step."""

from __future__ import annotations

import dataclasses

from console.screens.confirm import ConfirmScreen
from console.app import CmccApp
from console.config import Settings
from console.model.access import Role
from console.model.incidents import IncidentStatus
from console.screens.incident_detail import IncidentDetailScreen
from console.screens.incident_dialogs import AdvanceStatusScreen
from console.screens.incident_form import IncidentFormScreen
from console.screens.watch_floor import WatchFloor
from console.store import Store
from tests.conftest import open_test_store, WATCH_OFFICER
from tests.pilot import recorded_notices, until


def quiet_settings(**changes) -> Settings:
    settings = Settings(bell=False)
    if any(f.name == "poll_feeds" for f in dataclasses.fields(Settings)):
        settings = dataclasses.replace(settings, poll_feeds=False)
    return dataclasses.replace(settings, **changes)


async def console(db_path, actor=WATCH_OFFICER, **settings) -> CmccApp:
    return CmccApp(await open_test_store(db_path), actor, quiet_settings(**settings))


def pane(app):
    screen = app.screen_stack[1] if len(app.screen_stack) > 1 else app.screen
    assert isinstance(screen, WatchFloor)
    return screen.pane("incidents")


async def status_seen_by(other: Store, incident_id: int) -> IncidentStatus | None:
    incident = await other.incidents.get(WATCH_OFFICER, incident_id)
    return incident.status if incident else None


async def test_a_watch_officer_reports_verifies_and_closes_an_incident_from_the_keyboard(db_path):
    app = await console(db_path)
    other = await open_test_store(db_path)  # the second console on the same file
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
            table = pane(app).table

            # n: the form. Tab between fields, open a list with space and choose by typing, ctrl+s saves.
            await pilot.press("n")
            assert await until(pilot, lambda: isinstance(app.screen, IncidentFormScreen))
            form = app.screen
            await pilot.press("tab", "space", *"raf", "enter")  # governorate
            await pilot.press("tab", *"Jenina")  # locality
            await pilot.press("tab", *"31.29", "tab", *"34.25", "tab")  # latitude, longitude, grid ref
            await pilot.press("tab", "space", *"shell", "enter")  # category
            await pilot.press("tab", *"Mortar rounds east of the camp")  # description
            await pilot.press("tab", "space", "4", "enter")  # severity
            await pilot.press("ctrl+s")
            assert await until(pilot, lambda: isinstance(app.screen, WatchFloor)), form.errors
            created = form.saved
            assert (created.governorate.value, created.locality, created.category.value, created.severity) == (
                "Rafah", "Jenina", "shelling", 4)
            assert await status_seen_by(other, created.id) is IncidentStatus.REPORTED
            assert await until(pilot, lambda: created.id in table.records)
            table.move_cursor(row=table.get_row_index(str(created.id)))

            # v: reported -> verifying needs a note; verifying -> verified does not; closing does.
            steps = [(IncidentStatus.VERIFYING, "Calling the GBR liaison"), (IncidentStatus.VERIFIED, ""),
                     (IncidentStatus.CLOSED, "Confirmed by two sources")]
            for target, note in steps:
                await pilot.press("v")
                assert await until(pilot, lambda: isinstance(app.screen, AdvanceStatusScreen))
                await pilot.press("enter")  # the first allowed next status; enter moves on to the note
                assert app.focused.id == "note"
                await pilot.press(*note, "ctrl+s")
                assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
                assert await until(pilot, lambda t=target: table.records[created.id].status is t)
                assert await status_seen_by(other, created.id) is target
                await pilot.pause()

            # enter: the detail screen and its timeline show each step, who and when.
            await pilot.press("enter")
            assert await until(pilot, lambda: isinstance(app.screen, IncidentDetailScreen))
            timeline = app.screen.query_one("#timeline")
            assert await until(pilot, lambda: len(timeline.entries) == 4)
            lines = timeline.plain.splitlines()
            assert "reported: sev 4 shelling, Rafah/Jenina" in lines[0]
            assert "status reported → verifying: Calling the GBR liaison" in lines[1]
            assert "status verifying → verified" in lines[2]
            assert "status verified → closed: Confirmed by two sources" in lines[3]
            assert all(WATCH_OFFICER.login in line for line in lines)

            # The detail screen follows changes made on the other console while it is open.
            await other.incidents.add_note(WATCH_OFFICER, created.id, "Second console adds a note")
            assert await until(pilot, lambda: "note: Second console adds a note" in timeline.plain)
            await pilot.press("escape")
            assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
        assert [e.action for e in await other.incidents.timeline(WATCH_OFFICER, created.id)] == [
            "create", "transition", "transition", "transition", "note"]
    finally:
        await other.close()


async def test_the_form_shows_every_problem_beside_its_field_and_saves_nothing(db_path):
    app = await console(db_path)
    registered = await app.store.journal.last_id()  # the test operators' own rows
    async with app.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
        await pilot.press("n")
        assert await until(pilot, lambda: isinstance(app.screen, IncidentFormScreen))
        form = app.screen
        await pilot.press("ctrl+a", "ctrl+k", *"321099Z")  # a DTG that cannot be
        await pilot.press("tab", "tab", "tab", *"40.1", "tab", *"34.3")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, IncidentFormScreen)
        for name in ("when", "governorate", "latitude", "category", "description", "severity"):
            error = form.query_one(f"#error-{name}")
            assert error.display and str(error.render()).startswith("↑"), name
        assert "hour must be 00-23" in form.errors["when"]
        assert "not in or near the Gaza Strip" in form.errors["latitude"]
        assert "longitude" not in form.errors
        assert app.focused is form.query_one("#f-when")  # back to the first field in error
        await pilot.press("escape")
        assert await until(pilot, lambda: isinstance(app.screen, ConfirmScreen))  # typed in: it asks first
        await pilot.press("y")
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
        assert await app.store.incidents.count(WATCH_OFFICER) == 0
        assert await app.store.journal.last_id() == registered


async def test_an_edit_over_a_newer_save_is_refused_and_the_form_reloads(db_path):
    app = await console(db_path)
    store = app.store
    from tests.test_store_foundation import an_incident

    incident = await store.incidents.create(WATCH_OFFICER, an_incident(description="First wording"))
    async with app.run_test(size=(80, 24)) as pilot:
        table = pane(app).table
        assert await until(pilot, lambda: incident.id in table.records)
        await pilot.press("e")
        assert await until(pilot, lambda: isinstance(app.screen, IncidentFormScreen))
        form = app.screen
        assert form.query_one("#f-description").text == "First wording"
        # Meanwhile, another console saves the incident.
        other = await open_test_store(db_path)
        try:
            await other.incidents.update(WATCH_OFFICER, an_incident(id=incident.id, description="Their wording",
                                                                    severity=5), expected_version=1)
        finally:
            await other.close()
        form.query_one("#f-description").text = "My wording"
        await pilot.press("ctrl+s")
        assert await until(pilot, lambda: "changed by someone else" in str(form.query_one("#form-status").render()))
        assert isinstance(app.screen, IncidentFormScreen)
        assert form.query_one("#f-description").text == "Their wording"
        assert form.query_one("#f-severity").value == "5"
        await pilot.press("ctrl+s")  # saving again now builds on their version
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
    reopened = await open_test_store(db_path)
    try:
        assert (await reopened.incidents.get(WATCH_OFFICER, incident.id)).version == 2
    finally:
        await reopened.close()


async def test_an_operator_is_told_that_closing_needs_a_watch_officer(db_path):
    from tests.conftest import OPERATOR
    from tests.test_store_foundation import an_incident

    app = await console(db_path, actor=OPERATOR)
    store = app.store
    incident = await store.incidents.create(OPERATOR, an_incident())
    await store.incidents.transition(WATCH_OFFICER, incident.id, IncidentStatus.VERIFYING, "checking")
    await store.incidents.transition(WATCH_OFFICER, incident.id, IncidentStatus.VERIFIED)
    shown = recorded_notices(app)
    async with app.run_test(size=(80, 24)) as pilot:
        table = pane(app).table
        assert await until(pilot, lambda: incident.id in table.records)
        await pilot.press("v")
        assert await until(pilot, lambda: isinstance(app.screen, AdvanceStatusScreen))
        assert "watch officer only" in str(app.screen.query_one("OptionList").get_option_at_index(0).prompt)
        await pilot.press("tab", *"done", "ctrl+s")
        assert await until(pilot, lambda: any("may not move an incident to closed" in message
                                              for message in shown))
        assert (await store.incidents.get(OPERATOR, incident.id)).status is IncidentStatus.VERIFIED
    assert OPERATOR.role is Role.OPERATOR


async def test_linking_and_noting_from_the_detail_screen(db_path):
    from tests.conftest import OPERATOR
    from tests.test_store_foundation import an_incident

    app = await console(db_path, actor=OPERATOR)
    store = app.store
    first = await store.incidents.create(OPERATOR, an_incident(description="Report from the liaison"))
    second = await store.incidents.create(OPERATOR, an_incident(description="Same event, UN source"))
    async with app.run_test(size=(80, 24)) as pilot:
        table = pane(app).table
        assert await until(pilot, lambda: second.id in table.records)
        table.move_cursor(row=table.get_row_index(str(second.id)))
        await pilot.press("enter")
        assert await until(pilot, lambda: isinstance(app.screen, IncidentDetailScreen))
        detail = app.screen
        await pilot.press("l", *str(first.id))
        await pilot.press("tab", "space", *"conf", "enter")  # relation: confirms
        await pilot.press("ctrl+s")
        header = detail.query_one("#detail-header")
        assert await until(pilot, lambda: f"confirms incident {first.id}" in str(header.render()))
        await pilot.press("c", *"UN team on site", "enter")
        timeline = detail.query_one("#timeline")
        assert await until(pilot, lambda: "note: UN team on site" in timeline.plain)
        assert f"linked incident {first.id} (confirms)" in timeline.plain
        # Linking to an incident that does not exist is refused beside the id, and nothing changes.
        await pilot.press("l", *"99999", "ctrl+s")
        assert await until(pilot, lambda: "no incident 99999" in str(app.screen.query_one("#error-link-id").render()))
        await pilot.press("escape")
        assert [link.relation for link in await store.incidents.corroborations(OPERATOR, first.id)] == ["confirms"]
