"""`:` the command line (issue 16): `:incident 420`, `:movement 555`, `:officer NAME`, `:point 7`,
`:feed NAME`, completing as typed; what it cannot open is a notice, never an error."""

from __future__ import annotations

import pytest

from console.screens.aid_detail import AidDetail
from console.screens.command_line import CommandLineScreen, parse_command
from console.screens.feed_health import FeedHealthScreen
from console.screens.incident_detail import IncidentDetailScreen
from console.screens.plan_screens import PlanDetailScreen
from console.screens.watch_floor import WatchFloor
from tests.conftest import ADMIN
from tests.pilot import demo_app, recorded_notices, until, watch_floor
from widgets.headlines.feed_health_table import FeedHealthTable


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_a_watch_officer_opens_records_by_number_and_name_from_the_command_line(db_path, size):
    app = await demo_app(db_path)
    notices = recorded_notices(app)
    async with app.run_test(size=size) as pilot:
        floor = await watch_floor(pilot, app)
        store = app.store

        async def command(*keys: str) -> None:
            await pilot.press("colon")
            assert await until(pilot, lambda: isinstance(app.screen, CommandLineScreen))
            await pilot.press(*keys)

        async def back() -> None:
            await pilot.press("escape")
            assert await until(pilot, lambda: app.screen is floor)

        incident = (await store.incidents.page(ADMIN, limit=1))[0]
        await command(*f"incident {incident.id}", "enter")
        assert await until(pilot, lambda: isinstance(app.screen, IncidentDetailScreen))
        assert app.screen.incident_id == incident.id
        await back()

        movement = (await store.aid.movements(ADMIN))[0]
        await command(*f"mov {movement.id}", "enter")  # a command is known by its first letters
        assert await until(pilot, lambda: isinstance(app.screen, AidDetail))
        await back()

        point = (await store.plan.points())[0]
        await command(*f"point {point.number}", "enter")
        assert await until(pilot, lambda: isinstance(app.screen, PlanDetailScreen))
        await back()

        # Completion: "off" + tab is "officer ", then the first letters of a name + tab, the name.
        officer = (await store.partners.officers(ADMIN))[0]
        await command(*"off", "tab", *officer.name[:4], "tab")
        field = app.screen.query_one("#command-input")
        assert await until(pilot, lambda: field.value.lower().startswith(f"officer {officer.name[:4].lower()}")
                           and len(field.value) > len("officer ") + 4)
        await pilot.press("enter")
        partners = floor.pane("partners")
        assert await until(pilot, lambda: floor.active == 2 and partners.filter_text.startswith(officer.name[:4]))
        assert await until(pilot, lambda: any(o.name == officer.name for o in partners.table.records.values()))

        feed = (await store.feeds.list())[-1]
        await command(*f"feed {feed.name}", "enter")
        assert await until(pilot, lambda: isinstance(app.screen, FeedHealthScreen))
        table = app.screen.query_one(FeedHealthTable)
        assert await until(pilot, lambda: table.selected_record() is not None
                           and table.selected_record().id == feed.id)
        await pilot.press("escape")
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))

        await command(*"incident 999999", "enter")
        assert await until(pilot, lambda: "no incident 999999 that you may see" in notices)
        await command(*"launch 1", "enter")
        assert await until(pilot, lambda: any(n.startswith("no command 'launch'") for n in notices))
        assert app.screen is floor


def test_a_command_line_is_read_as_its_first_letters_and_a_number_or_a_name():
    assert parse_command(":inc 420").verb == "incident" and parse_command("i 420").number == 420
    assert parse_command("officer  Jonas Weber").argument == "Jonas Weber"
    assert parse_command("point x") == ":point takes a number, not 'x'"
    assert parse_command("feed") == ":feed needs a name"
    assert parse_command("p 3").verb == "point"  # the only command with a p
    assert parse_command("\x1b[31mincident 5").verb == "incident"  # control codes are dropped
