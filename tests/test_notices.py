"""Attention (issue 16): what interrupts and what waits. Only what needs a decision pops up over the
data; everything else is counted in the clock bar and listed behind `M`, newest first, each notice
opening the record it is about."""

from __future__ import annotations

from datetime import timedelta

import pytest

from console.config import Settings
from console.dtg import utc_now
from console.model.access import SYSTEM_ACTOR
from console.model.errors import PermissionDenied
from console.model.headlines import Headline
from console.model.incidents import Governorate, Incident, IncidentCategory
from console.notices import KEEP, Notice, NoticeLog, pops_up
from console.screens.headline_detail import HeadlineDetailScreen
from console.screens.incident_detail import IncidentDetailScreen
from console.screens.notices_screen import NoticesScreen
from console.screens.watch_floor import WatchFloor
from console.store import Store
from tests.conftest import OPERATOR
from tests.pilot import demo_app, screen_text, until, watch_floor
from widgets.clock_bar import ClockBar

WATCHING = Settings(bell=False, poll_feeds=False, watch_keywords="Zikim")
SIZES = [(80, 24), (160, 48)]


def clock_line(app) -> str:
    return app.screen_stack[1].query_one(ClockBar).render().plain


@pytest.mark.parametrize("size", SIZES)
async def test_a_watch_list_hit_waits_in_the_list_and_opens_its_headline(db_path, size):
    # A watch officer works the floor; another process stores a headline on the watch list. Nothing
    # covers the table: the clock bar counts it, M lists it with its time, enter opens the headline.
    app = await demo_app(db_path, settings=WATCHING)
    async with app.run_test(size=size, notifications=True) as pilot:
        await watch_floor(pilot, app)
        title = "Zikim crossing closed for the day"
        other = await Store.open(db_path)
        try:
            await other.headlines.add_many(SYSTEM_ACTOR, [Headline(
                title=title, published_at=utc_now() - timedelta(minutes=1), source="Wire Service",
                link="https://news.example/zikim", guid="t:zikim", dedup_key="t:zikim")], None)
        finally:
            await other.close()
        assert await until(pilot, lambda: "1 new M" in clock_line(app), timeout=10)
        assert "Zikim crossing" not in screen_text(app).split("\n", 1)[0]  # no toast: only the ticker/rows
        assert not any("Watch list" in line for line in screen_text(app).splitlines())
        await pilot.press("M")
        assert await until(pilot, lambda: isinstance(app.screen, NoticesScreen)
                           and "Watch list: Zikim" in screen_text(app))
        listed = screen_text(app)
        assert "Zikim crossing closed" in listed and f"⏎ {utc_now().strftime('%d%H')}" in listed  # time: a DTG
        assert await until(pilot, lambda: "new M" not in clock_line(app))  # seen
        await pilot.press("enter")
        assert await until(pilot, lambda: isinstance(app.screen, HeadlineDetailScreen))
        assert app.screen.headline.title == title


async def test_a_new_severity_5_incident_pops_up_and_its_notice_opens_it(db_path):
    app = await demo_app(db_path, settings=Settings(bell=False, poll_feeds=False))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await watch_floor(pilot, app)
        other = await Store.open(db_path)
        try:
            created = await other.incidents.create(OPERATOR, Incident(
                occurred_at=utc_now(), governorate=Governorate.RAFAH, category=IncidentCategory.SHELLING,
                description="Shelling on the crossing road", severity=5))
        finally:
            await other.close()
        assert await until(pilot, lambda: f"incident {created.id} · severity 5" in screen_text(app), timeout=10)
        await pilot.press("M")
        assert await until(pilot, lambda: isinstance(app.screen, NoticesScreen))
        assert app.screen.notices[0].title == "New incident"  # newest first
        await pilot.press("enter")
        assert await until(pilot, lambda: isinstance(app.screen, IncidentDetailScreen))
        assert app.screen.incident_id == created.id


async def test_a_refusal_of_the_operator_s_own_action_pops_up_and_a_confirmation_does_not(db_path):
    app = await demo_app(db_path, settings=Settings(bell=False, poll_feeds=False))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await watch_floor(pilot, app)

        async def refused() -> None:
            raise PermissionDenied("viewers cannot change incidents")

        async def accepted() -> None:
            return None

        app.run_store_action(accepted(), "saved the thing")
        assert await until(pilot, lambda: "1 new M" in clock_line(app))
        assert "saved the thing" not in screen_text(app)
        app.run_store_action(refused())
        assert await until(pilot, lambda: "viewers cannot change incidents" in screen_text(app))
        assert "1 new M" in clock_line(app)  # what popped up was seen: only what waits is counted
        assert [n.text for n in app.notices.newest_first()][:2] == ["viewers cannot change incidents",
                                                                    "saved the thing"]


async def test_the_notices_list_says_so_when_empty_and_m_closes_it(db_path):
    app = await demo_app(db_path, settings=Settings(bell=False, poll_feeds=False))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await watch_floor(pilot, app)
        await pilot.press("M")
        assert await until(pilot, lambda: isinstance(app.screen, NoticesScreen))
        assert "Nothing yet" in screen_text(app)
        await pilot.press("M")
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))


def test_the_log_keeps_the_newest_few_hundred_first_and_counts_the_unseen():
    log = NoticeLog()
    start = utc_now()
    for n in range(KEEP + 50):
        log.add(Notice(start + timedelta(seconds=n), f"notice {n}"))
    listed = log.newest_first()
    assert len(listed) == KEEP and listed[0].text == f"notice {KEEP + 49}" and listed[-1].text == "notice 50"
    assert log.unseen == KEEP
    log.seen()
    log.add(Notice(utc_now(), "one more"))
    log.add(Notice(utc_now(), "a refusal, already shown over the data"), popped_up=True)
    assert log.unseen == 1 and log.newest_first()[0].text.startswith("a refusal")


def test_only_failures_warnings_and_urgent_news_pop_up():
    assert pops_up("error") and pops_up("warning") and pops_up("information", urgent=True)
    assert not pops_up("information")


async def test_the_notices_list_moves_as_every_list_does(db_path):
    from textual.widgets import OptionList

    app = await demo_app(db_path, settings=Settings(bell=False, poll_feeds=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await watch_floor(pilot, app)
        for n in range(5):
            app.notify(f"confirmation {n}", markup=False)
        await pilot.press("M")
        assert await until(pilot, lambda: isinstance(app.screen, NoticesScreen))
        listed = app.screen.query_one(OptionList)
        await pilot.press("G")
        assert await until(pilot, lambda: listed.highlighted == 4)
        await pilot.press("g", "g")
        assert await until(pilot, lambda: listed.highlighted == 0)
        await pilot.press("j", "j", "end", "k")
        assert await until(pilot, lambda: listed.highlighted == 3)


async def test_a_notice_of_outside_text_pops_up_and_is_listed_as_inert_text(db_path):
    app = await demo_app(db_path, settings=Settings(bell=False, poll_feeds=False))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await watch_floor(pilot, app)
        app.notify("feed said \x1b[2J\x1b]0;owned\x07 [bold]x[/bold]\rend", title="Wire\x1b[31m",
                   severity="error", markup=False)
        assert await until(pilot, lambda: "feed said" in screen_text(app))
        toast = next(line for line in screen_text(app).splitlines() if "feed said" in line)
        assert "[bold]x[/bold]" in toast and "owned" not in toast and "\x1b" not in toast
        listed = app.notices.newest_first()[0]
        assert "\x1b" not in listed.text + listed.title and "\r" not in listed.text
        assert listed.title == "Wire"
