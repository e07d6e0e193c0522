"""The Incidents pane on a large log: a window of pages, sorting in SQL, filters and presets,
the bell, the governorate map and exporting the view."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

import pytest

from console.model.incidents import LOCALITIES, Governorate, Incident, IncidentCategory, IncidentFilter, IncidentStatus
from console.dtg import utc_now
from console.screens.incident_dialogs import ChoiceScreen
from console.screens.incident_filter import IncidentFilterScreen
from console.screens.panes.incidents import MAX_ROWS, PAGE
from tests.conftest import open_test_store, OPERATOR, WATCH_OFFICER
from tests.pilot import caught_up, loads_done, recorded_notices, until
from tests.test_incidents_workflow import console, pane
from tests.test_store_foundation import an_incident


def synthetic(count: int, seed: int = 5) -> list[Incident]:
    rng = random.Random(seed)
    now = utc_now()
    governorates = list(Governorate)
    categories = list(IncidentCategory)
    incidents = []
    for n in range(count):
        governorate = rng.choice(governorates)
        incidents.append(Incident(
            occurred_at=now - timedelta(minutes=n * 7 + rng.randint(0, 6)), governorate=governorate,
            locality=rng.choice(LOCALITIES[governorate]), category=rng.choice(categories),
            description=f"Report {n}: {rng.choice(['shots', 'drone', 'crowd', 'tunnel'])} near the line",
            severity=rng.choice([1, 2, 2, 3, 3, 4]), reliability=rng.choice("ABCDEF"),
            credibility=rng.randint(1, 6)))
    return incidents


@pytest.fixture
async def big_db(db_path):
    store = await open_test_store(db_path)
    try:
        async with store.database.transaction() as conn:
            created = await store.incidents.insert_in(conn, OPERATOR, synthetic(5000))
        # Everything is acknowledged except what a test adds, so the bell starts quiet.
        async with store.database.transaction() as conn:
            await conn.execute("UPDATE incidents SET acknowledged_by = 'seed', acknowledged_at = created_at")
    finally:
        await store.close()
    assert len(created) == 5000
    return db_path


class PageSpy:
    """Records every page the pane asks the store for."""

    def __init__(self, app) -> None:
        self.calls: list[tuple[int, int]] = []
        original = app.store.incidents.page

        async def page(actor, flt=IncidentFilter(), *, offset=0, limit=200):
            self.calls.append((offset, limit))
            return await original(actor, flt, offset=offset, limit=limit)

        app.store.incidents.page = page


async def test_a_5000_incident_log_is_read_a_window_at_a_time(big_db):
    app = await console(big_db)
    spy = PageSpy(app)
    async with app.run_test(size=(80, 24)) as pilot:
        incidents = pane(app)
        table = incidents.table
        assert await until(pilot, lambda: table.loaded_count == PAGE)
        # The table is the whole log (its scroll bar, End, the row count); it holds only a window.
        assert incidents.total == 5000 and table.row_count == 5000
        assert table.virtual_size.height == 5000 + 1  # every row and the header
        await pilot.press("end")
        assert table.cursor_row == 4999
        # The window around the last row is read: the cursor is on the log's last incident in SQL order.
        last = (await app.store.incidents.page(WATCH_OFFICER, IncidentFilter(), offset=4999, limit=1))[0]
        assert await until(pilot, lambda: table.selected_id == last.id)
        assert table.loaded_count <= MAX_ROWS
        assert max(limit for _offset, limit in spy.calls) <= MAX_ROWS
        # The rows held are exactly that window of the log.
        expected = await app.store.incidents.page(WATCH_OFFICER, IncidentFilter(), offset=table.window_start,
                                                  limit=table.loaded_count)
        assert table.ordered_ids == [i.id for i in expected]
        assert "5,000 incidents" in str(incidents.query_one(".pane-summary").render())
        # Scrolled to the middle with the wheel (the cursor stays): the rows on screen are read too.
        table.scroll_to(y=2500, animate=False)
        assert await until(pilot, lambda: table.id_at(2500) is not None)
        middle = (await app.store.incidents.page(WATCH_OFFICER, IncidentFilter(), offset=2500, limit=1))[0]
        # And it stays: the cursor's far-off row asks for nothing more (a window read for the cursor
        # would empty the screen, whose window would then be read again, and so on for ever).
        assert await loads_done(pilot, app)
        reads = len(spy.calls)
        for _ in range(3):  # three more rounds of every message handled and every load run
            assert await loads_done(pilot, app)
            await pilot.pause()
        assert len(spy.calls) == reads
        assert table.id_at(2500) == middle.id and table.cursor_row == 4999
        # Back to the top: the first rows are read again.
        await pilot.press("home")
        first = (await app.store.incidents.page(WATCH_OFFICER, IncidentFilter(), limit=1))[0]
        assert await until(pilot, lambda: table.selected_id == first.id)


async def test_sorting_is_done_by_the_database_across_pages(big_db):
    app = await console(big_db)
    async with app.run_test(size=(80, 24)) as pilot:
        incidents = pane(app)
        table = incidents.table
        assert await until(pilot, lambda: table.loaded_count == PAGE)
        await pilot.press("s")  # DTG -> severity
        assert await until(pilot, lambda: incidents.view.sort == "severity")
        assert await until(pilot, lambda: table.get_cell(table.id_at(0), "severity").plain.startswith("4"))
        # The first page holds the highest severities of the whole log, not of the rows that were loaded.
        top = await app.store.incidents.page(WATCH_OFFICER, IncidentFilter(sort="severity"), limit=PAGE)
        assert await until(pilot, lambda: table.ordered_ids == [i.id for i in top])
        await pilot.press("S")  # reversed: the lowest first
        assert await until(pilot, lambda: table.get_cell(table.id_at(0), "severity").plain.startswith("1"))


async def test_filters_presets_and_the_full_text_line(big_db):
    app = await console(big_db)
    async with app.run_test(size=(80, 24)) as pilot:
        incidents = pane(app)
        table = incidents.table
        assert await until(pilot, lambda: table.loaded_count == PAGE)
        await pilot.press("p")  # the first preset after none: "all"
        await pilot.press("p")  # "open"
        assert await until(pilot, lambda: incidents.preset_name == "open")
        await pilot.press("p")  # "hot": open, sev >= 3, last 24h
        assert await until(pilot, lambda: incidents.preset_name == "hot" and table.row_count > 0
                           and all(i.severity >= 3 and utc_now() - i.occurred_at <= timedelta(hours=24)
                                   for i in table.records.values()))
        # f: the filter form shows the preset and narrows it further.
        await pilot.press("f")
        assert await until(pilot, lambda: isinstance(app.screen, IncidentFilterScreen))
        form = app.screen
        assert form.query_one("#filter-severity").value == 3
        form.query_one("#filter-governorate").value = "Rafah"
        await pilot.press("ctrl+s")
        assert await until(pilot, lambda: not isinstance(app.screen, IncidentFilterScreen))
        assert await until(pilot, lambda: table.row_count > 0 and all(
            i.governorate is Governorate.RAFAH and i.severity >= 3 for i in table.records.values()))
        assert incidents.total == await app.store.incidents.count(WATCH_OFFICER, incidents.current_filter())
        # /: words in description or notes narrow the same view.
        await pilot.press("slash", *"tunnel")
        assert await until(pilot, lambda: table.row_count > 0 and all(
            "tunnel" in i.description for i in table.records.values()))
        await pilot.press("escape")
        await pilot.press("f", "ctrl+r", "ctrl+s")  # clear every condition
        assert await until(pilot, lambda: incidents.total == 5000)


async def test_a_new_unacknowledged_sev_4_marks_the_title_and_rings_once(big_db):
    app = await console(big_db, bell=True)
    rings = []
    app.bell = lambda: rings.append(1)
    async with app.run_test(size=(80, 24)) as pilot:
        incidents = pane(app)
        assert await until(pilot, lambda: incidents.table.loaded_count == PAGE)
        assert "unacknowledged" not in str(incidents.query_one(".pane-title").render())
        other = await open_test_store(big_db)
        try:
            urgent = await other.incidents.create(OPERATOR, an_incident(severity=4, description="Urgent"))
            assert await until(pilot, lambda: "1 unacknowledged sev 4-5" in
                               str(incidents.query_one(".pane-title").render()))
            assert rings == [1]
            await other.incidents.create(OPERATOR, an_incident(severity=2, description="Routine"))
            await other.incidents.add_note(OPERATOR, urgent.id, "still unacknowledged")
            assert await until(pilot, lambda: incidents.total == 5002)
            assert await caught_up(pilot, app)  # the reloads after the note have run too
            assert rings == [1]  # once per incident, not once per reload
            await other.incidents.acknowledge(OPERATOR, urgent.id)
            assert await until(pilot, lambda: "unacknowledged" not in str(incidents.query_one(".pane-title").render()))
        finally:
            await other.close()


async def test_the_bell_stays_quiet_when_switched_off(big_db):
    app = await console(big_db, bell=False)
    rings = []
    app.bell = lambda: rings.append(1)
    async with app.run_test(size=(80, 24)) as pilot:
        incidents = pane(app)
        assert await until(pilot, lambda: incidents.table.loaded_count == PAGE)
        await app.store.incidents.create(OPERATOR, an_incident(severity=5))
        assert await until(pilot, lambda: "unacknowledged sev 4-5" in str(incidents.query_one(".pane-title").render()))
        assert rings == []


async def test_the_governorate_map_shows_on_a_wide_pane_only(big_db):
    app = await console(big_db)
    async with app.run_test(size=(120, 30)) as pilot:
        incidents = pane(app)
        assert await until(pilot, lambda: incidents.table.loaded_count == PAGE)
        governorate_map = incidents.query_one("#incident-map")
        assert await until(pilot, lambda: governorate_map.display and governorate_map.region.width > 0)
        lines = str(governorate_map.render()).splitlines()
        assert [line.split("╱")[1].split()[0] for line in lines[1:]] == ["N.Gaza", "Gaza", "DeirB", "KhanY", "Rafah"]
        counts = await app.store.incidents.summary(WATCH_OFFICER)
        assert int(lines[5].split()[-1]) == counts.last_24h_by_governorate.get("Rafah", 0)
        await pilot.resize_terminal(80, 24)
        assert await until(pilot, lambda: governorate_map.region.width == 0)


async def test_at_80_columns_m_shows_the_map_in_a_view_of_its_own(big_db):
    from console.screens.map_view import MapScreen

    app = await console(big_db)
    async with app.run_test(size=(80, 24)) as pilot:
        incidents = pane(app)
        assert await until(pilot, lambda: incidents.table.loaded_count == PAGE)
        assert incidents.query_one("#incident-map").region.width == 0  # too narrow for it beside the summary
        await pilot.press("m")
        assert await until(pilot, lambda: isinstance(app.screen, MapScreen))
        shown = app.screen.query_one("#map-view")
        assert await until(pilot, lambda: shown.region.width > 0)
        lines = str(shown.render()).splitlines()
        counts = (await app.store.incidents.summary(WATCH_OFFICER)).last_24h_by_governorate
        assert [int(line.split()[-1]) for line in lines[1:]] == [
            counts.get(g, 0) for g in ("North Gaza", "Gaza", "Deir al-Balah", "Khan Younis", "Rafah")]
        assert "N.Gaza = North Gaza" in str(app.screen.query_one(".map-names").render())
        await pilot.press("escape")
        assert await until(pilot, lambda: not isinstance(app.screen, MapScreen))


async def test_x_exports_the_current_view_to_a_file(big_db, tmp_path):
    app = await console(big_db)
    shown = recorded_notices(app)
    async with app.run_test(size=(80, 24)) as pilot:
        incidents = pane(app)
        assert await until(pilot, lambda: incidents.table.loaded_count == PAGE)
        await pilot.press("slash", *"drone", "enter")
        assert await until(pilot, lambda: incidents.total < 5000)
        await pilot.press("x")
        assert await until(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("down", "enter")  # json
        assert await until(pilot, lambda: getattr(incidents, "last_export", None) is not None)
        import json

        exported = json.loads(incidents.last_export.read_text())
        assert len(exported) == incidents.total  # every matching row, not only the loaded window
        assert all("drone" in item["description"] for item in exported)
        assert incidents.last_export.is_relative_to(tmp_path)  # under the (test's) data directory
        assert any(str(incidents.last_export) in message for message in shown)


async def test_status_marks_reach_the_table_from_the_store(db_path):
    app = await console(db_path)
    store = app.store
    incident = await store.incidents.create(OPERATOR, an_incident())
    async with app.run_test(size=(80, 24)) as pilot:
        table = pane(app).table
        assert await until(pilot, lambda: incident.id in table.records)
        await store.incidents.transition(OPERATOR, incident.id, IncidentStatus.VERIFYING, "looking")
        assert await until(pilot, lambda: table.get_cell(str(incident.id), "status").plain == "? verifying")


async def test_a_slow_load_for_an_older_filter_never_overwrites_the_newer_one(big_db):
    app = await console(big_db)
    original = app.store.incidents.page
    slow_once, slow_answered = asyncio.Event(), asyncio.Event()

    async def page(actor, flt=IncidentFilter(), *, offset=0, limit=200):
        if flt.statuses and not slow_once.is_set():  # the "open" preset's page: answered late
            slow_once.set()
            rows = await original(actor, flt, offset=offset, limit=limit)
            await asyncio.sleep(1.0)
            slow_answered.set()
            return rows
        return await original(actor, flt, offset=offset, limit=limit)

    app.store.incidents.page = page
    async with app.run_test(size=(80, 24)) as pilot:
        incidents = pane(app)
        table = incidents.table
        assert await until(pilot, lambda: table.loaded_count == PAGE)
        await pilot.press("p")  # "all"
        await pilot.press("p")  # "open": its page is slow
        assert await until(pilot, slow_once.is_set)
        await pilot.press("p")  # "hot", while "open" is still loading
        assert await until(pilot, lambda: incidents.preset_name == "hot")
        assert await until(pilot, slow_answered.is_set)
        assert await loads_done(pilot, app)  # the slow "open" load, and any after it, have finished
        assert table.row_count > 0
        assert all(i.severity >= 3 and utc_now() - i.occurred_at <= timedelta(hours=24)
                   for i in table.records.values())  # "hot" rows, not "open" ones


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_brackets_jump_to_the_next_and_previous_incident_awaiting_acknowledgement(big_db, size):
    # Two severity-4 incidents wait far down the log (13 h and 23 h down, as the issue found them):
    # ] goes to each in turn, past the rows first read; [ goes back; at the end a notice says so.
    severe = [n for n, incident in enumerate(synthetic(5000)) if incident.severity >= 4]
    first, second = next(n for n in severe if n > 1100), next(n for n in severe if n > 2000)
    store = await open_test_store(big_db)
    try:
        async with store.database.transaction() as conn:
            for n in (first, second):
                await conn.execute("UPDATE incidents SET acknowledged_at = NULL, acknowledged_by = ''"
                                   " WHERE description LIKE ?", (f"Report {n}:%",))
    finally:
        await store.close()
    app = await console(big_db, bell=False)
    notices = recorded_notices(app)
    async with app.run_test(size=size) as pilot:
        incidents = pane(app)
        table = incidents.table
        assert await until(pilot, lambda: table.loaded_count == PAGE and table.cursor_row == 0)

        def on(n: int) -> bool:
            record = table.selected_record()
            return record is not None and record.description.startswith(f"Report {n}:")

        await pilot.press("right_square_bracket")
        assert await until(pilot, lambda: on(first))
        assert table.cursor_row == first
        await pilot.press("right_square_bracket")
        assert await until(pilot, lambda: on(second))
        await pilot.press("right_square_bracket")
        assert await until(pilot, lambda: any("no unacknowledged severity 4-5 incident below" in n for n in notices))
        assert on(second)
        await pilot.press("left_square_bracket")
        assert await until(pilot, lambda: on(first))


@pytest.mark.parametrize("sort,descending", [("occurred_at", True), ("severity", True), ("place", False),
                                             ("grading", True), ("status", False)])
async def test_the_store_names_the_row_of_the_next_incident_awaiting_acknowledgement_in_any_order(
        big_db, sort, descending):
    store = await open_test_store(big_db)
    try:
        async with store.database.transaction() as conn:  # every 97th waits again: ties of every sort key
            await conn.execute("UPDATE incidents SET acknowledged_at = NULL WHERE id % 97 = 0")
        flt = IncidentFilter(sort=sort, descending=descending, min_severity=2)
        rows = await store.incidents.page(WATCH_OFFICER, flt, limit=10_000)
        waiting = [n for n, incident in enumerate(rows) if incident.severity >= 4 and incident.id % 97 == 0]
        for start in (0, 7, len(rows) // 2, waiting[3], len(rows) - 1):
            after = [n for n in waiting if n > start]
            before = [n for n in waiting if n < start]
            assert await store.incidents.next_unacknowledged_high_row(
                WATCH_OFFICER, flt, rows[start].id) == (after[0] if after else None)
            assert await store.incidents.next_unacknowledged_high_row(
                WATCH_OFFICER, flt, rows[start].id, backwards=True) == (before[-1] if before else None)
    finally:
        await store.close()


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_an_incident_left_reported_or_verifying_too_long_is_marked_and_counted(big_db, size):
    # Defaults: 2 h reported, 6 h verifying, counted from the report. Three are past their limit.
    store = await open_test_store(big_db)
    try:
        async with store.database.transaction() as conn:
            for n, status, hours in ((1, "reported", 3), (2, "reported", 1), (3, "verifying", 5),
                                     (4, "verifying", 7), (5, "reported", 30), (6, "closed", 30)):
                created = (utc_now() - timedelta(hours=hours)).isoformat()
                await conn.execute("UPDATE incidents SET status = ?, created_at = ? WHERE description LIKE ?",
                                   (status, created, f"Report {n}:%"))
    finally:
        await store.close()
    app = await console(big_db, bell=False)
    async with app.run_test(size=size) as pilot:
        incidents = pane(app)
        table = incidents.table
        assert await until(pilot, lambda: table.loaded_count == PAGE)
        assert "! 3 ageing" in str(incidents.query_one(".pane-summary").render())
        marked = {int(r.description.split()[1].rstrip(":")) for r in table.records.values()
                  if table.get_cell(r.id, "age").plain.startswith("!")}
        assert marked == {1, 4, 5}


def test_the_ageing_limits_come_from_the_settings_file(tmp_path):
    from console.config import load_settings

    path = tmp_path / "config.toml"
    path.write_text("reported_ageing_hours = 1\nverifying_ageing_hours = 12.5\n")
    settings = load_settings(path, environ={})
    assert (settings.ageing.reported_hours, settings.ageing.verifying_hours) == (1.0, 12.5)
    assert not settings.problems
    path.write_text('reported_ageing_hours = "2h"\n')
    bad = load_settings(path, environ={})
    assert bad.ageing.reported_hours == 2.0 and "reported_ageing_hours" in " ".join(bad.problems)
