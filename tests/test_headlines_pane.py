"""The Headlines pane as a watch officer uses it: read, search, watch list, promote, feed health, ticker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Input, TextArea

from console.app import CmccApp
from console.config import Settings
from console.model.access import SYSTEM_ACTOR
from console.model.errors import PermissionDenied
from console.model.headlines import Feed, Headline
from console.model.incidents import SourceType
from console.model.journal import Entity
from console.dtg import utc_now
from console.screens.feed_health import FeedHealthScreen
from console.screens.headline_detail import HeadlineDetailScreen
from console.screens.headline_promote import incident_from_headline
from console.screens.incident_form import IncidentFormScreen
from console.screens.panes.headlines import PAGE, HeadlinesPane
from console.screens.watch_floor import WatchFloor
from console.store import Store
from console.model.leases import FEED_POLLER
from tests.conftest import ADMIN, VIEWER, register_test_operators
from tests.pilot import demo_app, loads_done, recorded_notifications, screen_text, until
from widgets.clock_bar import ClockBar
from widgets.headlines.feed_health_table import FeedHealthTable
from widgets.headlines.headline_ticker import HeadlineTicker

QUIET = Settings(bell=False, poll_feeds=False)


def pane(app) -> HeadlinesPane:
    screen = app.screen_stack[1] if len(app.screen_stack) > 1 else app.screen
    assert isinstance(screen, WatchFloor)
    return screen.pane("headlines")


def a_headline(title: str, *, minutes_ago: float = 0, summary: str = "", source: str = "Wire Service",
               hits: tuple[str, ...] = ()) -> Headline:
    return Headline(title=title, published_at=utc_now() - timedelta(minutes=minutes_ago), source=source,
                    link=f"https://news.example/{abs(hash(title))}", summary=summary, guid=f"test:{title}",
                    dedup_key=f"test:{title}", watch_hits=hits)


async def open_headlines(app, pilot) -> HeadlinesPane:
    assert await until(pilot, lambda: isinstance(app.screen, WatchFloor) and pane(app).table.row_count > 0)
    await pilot.press("4")
    await pilot.pause()
    return pane(app)


async def test_enter_shows_the_summary_and_link_and_marks_the_headline_read(db_path):
    app = await demo_app(db_path, settings=QUIET)
    async with app.run_test(size=(80, 24)) as pilot:
        headlines = await open_headlines(app, pilot)
        chosen = next(h for h in headlines.table.records.values() if not h.read)
        headlines.table.move_cursor(row=headlines.table.get_row_index(str(chosen.id)))
        await pilot.press("enter")
        assert await until(pilot, lambda: isinstance(app.screen, HeadlineDetailScreen))
        shown = str(app.screen.query_one("#headline-detail").render())
        assert chosen.title in shown and chosen.link in shown and chosen.summary[:30] in shown
        await pilot.press("escape")
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
        # Marked read through the store; the pane shows it because the journal said so.
        assert await until(pilot, lambda: headlines.table.records[chosen.id].read)
        assert (await app.store.headlines.get(ADMIN, chosen.id)).read


async def test_r_toggles_read_and_each_change_is_journaled(db_path):
    app = await demo_app(db_path, settings=QUIET)
    async with app.run_test(size=(80, 24)) as pilot:
        headlines = await open_headlines(app, pilot)
        chosen = headlines.table.selected_record()
        was = chosen.read
        await pilot.press("r")
        assert await until(pilot, lambda: headlines.table.records[chosen.id].read is (not was))
        await pilot.press("r")
        assert await until(pilot, lambda: headlines.table.records[chosen.id].read is was)
        journal = [e for e in await app.store.journal.for_entity(Entity.HEADLINE, chosen.id) if e.action == "read"]
        assert [e.changes["read"] for e in journal] == [not was, was]


async def test_a_viewer_is_offered_no_read_mark_and_the_store_refuses_one(db_path):
    seeded = await demo_app(db_path, settings=QUIET)  # seeded with the admin
    app = CmccApp(seeded.store, VIEWER, QUIET)
    async with app.run_test(size=(80, 24)) as pilot:
        headlines = await open_headlines(app, pilot)
        chosen = headlines.table.selected_record()
        assert app.screen.active_bindings["r"].enabled is False  # greyed in the footer
        with pytest.raises(PermissionDenied, match="may not mark headlines read"):
            await app.store.headlines.mark_read(VIEWER, chosen.id, not chosen.read)
        assert (await app.store.headlines.get(ADMIN, chosen.id)).read == chosen.read


async def test_a_headline_added_by_another_process_appears_within_a_second_and_on_the_ticker(db_path):
    app = await demo_app(db_path, settings=QUIET)
    async with app.run_test(size=(80, 24)) as pilot:
        headlines = await open_headlines(app, pilot)
        before = headlines.table.row_count
        other = await Store.open(db_path)
        try:
            title = "Kissufim crossing opens a second inspection lane"
            await other.headlines.add_many(SYSTEM_ACTOR, [a_headline(title)], None)
        finally:
            await other.close()
        ticker = app.screen.query_one(HeadlineTicker)
        assert await until(pilot, lambda: any(h.title == title for h in headlines.table.records.values()),
                           timeout=1.5)
        newest = next(h for h in headlines.table.records.values() if h.title == title)
        assert headlines.table.get_row_index(str(newest.id)) == 0  # at the top: newest first
        assert headlines.table.row_count == before + 1  # the whole list: nothing cut at a page
        assert headlines.table.loaded_count == min(before + 1, PAGE)  # what is held is a window
        assert await until(pilot, lambda: title in ticker.shown_text, timeout=1.0)


async def test_a_change_by_another_process_is_loaded_when_it_is_seen_not_at_the_next_reload_tick(db_path):
    """The floor's reload clock set to 30 s: the headline still arrives as soon as the change feed sees it."""
    from dataclasses import replace

    app = await demo_app(db_path, settings=replace(QUIET, refresh_seconds=30.0))
    async with app.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
        await pilot.press("4")  # shown at once, not at its turn among the hidden panes (30 s apart here)
        headlines = pane(app)
        assert await until(pilot, lambda: headlines.table.row_count > 0)
        other = await Store.open(db_path)
        try:
            title = "Zikim crossing opens for the morning convoy"
            await other.headlines.add_many(SYSTEM_ACTOR, [a_headline(title)], None)
        finally:
            await other.close()
        assert await until(pilot, lambda: any(h.title == title for h in headlines.table.records.values()),
                           timeout=10)


async def test_the_ticker_redraws_only_when_its_text_changes(db_path):
    app = await demo_app(db_path, settings=QUIET)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_headlines(app, pilot)
        ticker = app.screen.query_one(HeadlineTicker)
        draws = ticker.draws
        reloads = app.screen.reloads
        for n in range(1, 4):  # reloads that bring nothing new
            before = reloads["headlines"]
            app.screen.mark_dirty("headlines")
            assert await loads_done(pilot, app)
            assert reloads["headlines"] > before, n  # it did reload
        assert ticker.draws == draws
        ticker.step()
        assert ticker.draws == draws + 1


async def test_a_new_watch_list_hit_is_highlighted_counted_and_announced_once(db_path):
    settings = Settings(bell=False, poll_feeds=False, watch_keywords="Zikim, tunnel")
    app = await demo_app(db_path, settings=settings)
    shown = recorded_notifications(app)
    async with app.run_test(size=(100, 30)) as pilot:
        headlines = await open_headlines(app, pilot)
        assert not shown  # what was there at start is marked, not announced
        title = "Zikim crossing closed after tunnel report"
        other = await Store.open(db_path)
        try:
            await other.headlines.add_many(SYSTEM_ACTOR, [a_headline(title)], None)
            assert await until(pilot, lambda: any(title in message for message, _title in shown), timeout=2)
            await other.headlines.add_many(SYSTEM_ACTOR, [a_headline("Bakeries reopen", minutes_ago=1)], None)
            assert await until(pilot, lambda: any(h.title == "Bakeries reopen"
                                                  for h in headlines.table.records.values()))
        finally:
            await other.close()
        announced = [(message, heading) for message, heading in shown if title in message]
        assert len(announced) == 1
        assert "Zikim" in announced[0][1] and "tunnel" in announced[0][1]
        row = next(h for h in headlines.table.records.values() if h.title == title)
        assert set(row.watch_hits) >= {"Zikim", "tunnel"}
        cells = headlines.table.get_row(str(row.id))
        assert cells[1].plain.startswith("*")
        assert any(span.style == "bold reverse" for span in cells[3].spans)
        summary = str(headlines.query_one(".pane-summary").render())
        assert "watch-list hits" in summary


def test_promoting_prefills_the_words_time_place_and_source_of_the_headline():
    headline = Headline(title="Drone strike reported in Khan Younis", summary="Monitors asked both parties.",
                        published_at=utc_now() - timedelta(hours=2), source="Social Monitor", id=7)
    incident = incident_from_headline(headline)
    assert incident.id is None
    assert incident.description.startswith("Drone strike reported in Khan Younis")
    assert "Monitors asked both parties." in incident.description
    assert incident.occurred_at == headline.published_at
    assert incident.source == "Social Monitor" and incident.source_type is SourceType.SOCIAL_MEDIA
    assert incident.governorate.value == "Khan Younis"
    wire = incident_from_headline(Headline(title="Quiet night", published_at=utc_now(), source="Wire Service"))
    assert wire.source_type is SourceType.MEDIA


async def test_p_opens_the_incident_form_prefilled_from_the_headline(db_path):
    app = await demo_app(db_path, settings=QUIET)
    async with app.run_test(size=(100, 40)) as pilot:
        headlines = await open_headlines(app, pilot)
        chosen = headlines.table.selected_record()
        await pilot.press("p")
        assert await until(pilot, lambda: isinstance(app.screen, IncidentFormScreen))
        values = [w.value for w in app.screen.query(Input)] + [w.text for w in app.screen.query(TextArea)]
        assert any(chosen.title in value for value in values), values
        assert any(chosen.source == value for value in values), values


def test_a_promoted_headline_leaves_what_it_cannot_say_to_the_operator():
    from console.screens.headline_promote import left_to_choose

    named = Headline(title="Drone strike reported in Khan Younis", published_at=utc_now(), source="Wire")
    unnamed = Headline(title="Quiet night reported by monitors", published_at=utc_now(), source="Wire")
    assert left_to_choose(named) == {"category", "severity"}
    assert left_to_choose(unnamed) == {"category", "severity", "governorate"}


async def test_promoting_a_headline_that_names_no_place_asks_where_as_a_new_report_does(db_path):
    app = await demo_app(db_path, settings=QUIET)
    async with app.run_test(size=(100, 40)) as pilot:
        headlines = await open_headlines(app, pilot)
        other = await Store.open(db_path)
        try:
            await other.headlines.add_many(SYSTEM_ACTOR, [a_headline("Quiet night reported by monitors")], None)
        finally:
            await other.close()
        table = headlines.table
        assert await until(pilot, lambda: any(h.title == "Quiet night reported by monitors"
                                              for h in table.records.values()))
        quiet = next(h for h in table.records.values() if h.title == "Quiet night reported by monitors")
        table.move_cursor(row=table.get_row_index(str(quiet.id)))
        incidents_before = await app.store.incidents.count(ADMIN)
        await pilot.press("p")
        assert await until(pilot, lambda: isinstance(app.screen, IncidentFormScreen))
        form = app.screen
        assert await until(pilot, lambda: form.opened_with is not None)
        values = form.values()
        assert (values["governorate"], values["category"], values["severity"]) == ("", "", "")  # not "Gaza"
        assert "Quiet night" in values["description"]
        await pilot.press("ctrl+s")
        assert await until(pilot, lambda: {"governorate", "category", "severity"} <= set(form.errors))
        assert isinstance(app.screen, IncidentFormScreen)
        assert await app.store.incidents.count(ADMIN) == incidents_before


async def test_f_opens_feed_health_which_follows_each_poll_live(db_path):
    app = await demo_app(db_path, settings=QUIET)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_headlines(app, pilot)
        await pilot.press("F")
        assert await until(pilot, lambda: isinstance(app.screen, FeedHealthScreen))
        table = app.screen.query_one(FeedHealthTable)
        feeds = await app.store.feeds.list()
        assert await until(pilot, lambda: table.row_count == len(feeds))
        wire = next(f for f in feeds if f.name == "Wire Service")
        other = await Store.open(db_path)
        try:
            await other.feeds.record_failure(wire.id, error="HTTP 503 Service Unavailable",
                                             next_poll_at=utc_now() + timedelta(minutes=2))
        finally:
            await other.close()
        assert await until(pilot, lambda: "HTTP 503" in table.get_cell(str(wire.id), "last_error").plain)
        assert table.get_cell(str(wire.id), "failures").plain == "✗1"
        await pilot.press("escape")
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))


async def test_the_clock_bar_says_whether_this_console_polls_or_which_process_does(db_path, tmp_path):
    store = await Store.open(db_path)
    await store.feeds.add(SYSTEM_ACTOR, Feed(name="Local file", url=str(tmp_path / "none.xml"), interval_seconds=60))
    await store.close()
    polling = Settings(bell=False, poll_feeds=True, inbox=str(tmp_path / "inbox"))
    app = await demo_app(db_path, settings=polling)
    async with app.run_test(size=(160, 30)) as pilot:
        await open_headlines(app, pilot)
        bar = app.screen.query_one(ClockBar)
        assert await until(pilot, lambda: "polling here" in bar.feed_health, timeout=5)
    # The console released the lease on exit; now another process holds it.
    store = await Store.open(db_path)
    try:
        assert await store.leases.holder(FEED_POLLER) is None
        assert await store.leases.try_acquire(FEED_POLLER, "ops@poller-host:99", 30)
        app = await demo_app(db_path, settings=QUIET)
        async with app.run_test(size=(160, 30)) as pilot:
            await open_headlines(app, pilot)
            bar = app.screen.query_one(ClockBar)
            assert await until(pilot, lambda: "polled by ops@poller-host" in bar.feed_health)
    finally:
        await store.close()


async def test_at_80_columns_the_clock_bar_still_says_who_polls_and_the_link_mode(db_path, tmp_path):
    store = await Store.open(db_path)
    await store.feeds.add(SYSTEM_ACTOR, Feed(name="Local file", url=str(tmp_path / "none.xml"), interval_seconds=60))
    await store.close()
    settings = Settings(bell=False, poll_feeds=True, inbox=str(tmp_path / "inbox"), low_bandwidth=True)
    app = await demo_app(db_path, settings=settings)
    async with app.run_test(size=(80, 24)) as pilot:
        bar = app.screen.query_one(ClockBar)
        line = lambda: "".join(segment.text for segment in bar.render_line(0))  # noqa: E731
        # the long form was cut at "feeds 1/1 ok": whether this console polls never showed
        assert await until(pilot, lambda: "polling here" in line(), timeout=10), line()
        assert line().startswith(" CMCC  LOW-BW ")
        assert "/1 ok" in line() and len(line().rstrip()) <= 80
        await pilot.resize_terminal(160, 30)
        assert await until(pilot, lambda: all(part in line() for part in ("/1 ok", "· polling here", " IST "))), line()


async def long_list(db_path) -> Store:
    """1,500 headlines "Item N convoy" (N even) or "Item N strike", Item 0 the newest, on an open store."""
    store = await Store.open(db_path)
    await register_test_operators(store)
    words = ["convoy", "strike"]
    # Oldest first, so that the store's order (newest stored first) is also the newest published first.
    await store.headlines.add_many(SYSTEM_ACTOR, [
        a_headline(f"Item {n} {words[n % 2]}", minutes_ago=n) for n in reversed(range(1500))], None)
    return store


async def test_a_long_list_and_a_long_search_are_whole_lists_held_a_window_at_a_time(db_path):
    store = await long_list(db_path)
    app = CmccApp(store, ADMIN, QUIET)
    async with app.run_test(size=(80, 24)) as pilot:
        headlines = await open_headlines(app, pilot)
        table = headlines.table
        assert await until(pilot, lambda: table.row_count == 1500)
        assert table.loaded_count == PAGE  # the list is whole; what is held is a window
        await pilot.press("end")  # the oldest headline, 1,200 rows below what was read
        assert await until(pilot, lambda: table.selected_record() is not None
                           and table.selected_record().title == "Item 1499 strike")
        assert table.loaded_count <= table.WINDOW_ROWS
        # A search with more matches than a window: counted in full, read as far as the cursor goes.
        await pilot.press("slash")
        await pilot.press(*"convoy", "enter")
        # The list follows the line as it is typed ("convo" matches as many): wait for the whole word.
        assert await until(pilot, lambda: "750 matching 'convoy'" in str(headlines.query_one(".pane-summary").render()))
        assert table.row_count == 750
        # From the top of the matches, wherever the cursor was in the whole list.
        assert table.cursor_row == 0 and table.selected_record().title == "Item 0 convoy"
        await pilot.press("end")
        assert await until(pilot, lambda: table.selected_record() is not None
                           and table.selected_record().title == "Item 1498 convoy")
        assert all("convoy" in h.title for h in table.records.values())


async def test_n_goes_to_the_next_unread_headline_wherever_it_is_in_the_list_or_the_search(db_path):
    from tests.pilot import recorded_notices

    store = await long_list(db_path)
    async with store.database.transaction() as conn:  # all read but two, far below the rows first read
        await conn.execute("UPDATE headlines SET read = 1 WHERE title NOT IN ('Item 1199 strike', 'Item 1300 convoy')")
    app = CmccApp(store, ADMIN, QUIET)
    notices = recorded_notices(app)
    async with app.run_test(size=(80, 24)) as pilot:
        headlines = await open_headlines(app, pilot)
        table = headlines.table
        assert await until(pilot, lambda: table.row_count == 1500 and table.cursor_row == 0)

        def on(title: str) -> bool:
            record = table.selected_record()
            return record is not None and record.title == title

        await pilot.press("n")
        assert await until(pilot, lambda: on("Item 1199 strike"))
        assert table.cursor_row == 1199
        await pilot.press("n")
        assert await until(pilot, lambda: on("Item 1300 convoy"))
        await pilot.press("n")
        assert await until(pilot, lambda: "no unread headline below" in notices)
        assert on("Item 1300 convoy")
        # In a search, in the search's order: the even items, so Item 1300 is its row 650.
        await pilot.press("slash", *"convoy", "enter")
        assert await until(pilot, lambda: "750 matching 'convoy'" in str(headlines.query_one(".pane-summary").render()))
        assert await until(pilot, lambda: table.cursor_row == 0)
        await pilot.press("n")
        assert await until(pilot, lambda: on("Item 1300 convoy"))
        assert table.cursor_row == 650


async def test_enter_on_a_feed_shows_its_whole_last_error(db_path):
    from console.screens.full_record import FullRecordScreen

    app = await demo_app(db_path, settings=QUIET)
    error = "HTTP 503 from the upstream proxy " + "x" * 250 + " END-OF-ERROR"
    async with app.run_test(size=(80, 24)) as pilot:
        await open_headlines(app, pilot)
        wire = next(f for f in await app.store.feeds.list() if f.name == "Wire Service")
        await app.store.feeds.record_failure(wire.id, error=error, next_poll_at=utc_now() + timedelta(minutes=2))
        await pilot.press("F")
        assert await until(pilot, lambda: isinstance(app.screen, FeedHealthScreen))
        table = app.screen.query_one(FeedHealthTable)
        assert await until(pilot, lambda: "HTTP 503" in table.get_cell(str(wire.id), "last_error").plain)
        table.move_cursor(row=table.get_row_index(str(wire.id)))
        assert await until(pilot, lambda: "Wire Service" in screen_text(app))
        assert "END-OF-ERROR" not in screen_text(app)  # the list cuts it at the screen's width
        await pilot.press("enter")
        assert await until(pilot, lambda: isinstance(app.screen, FullRecordScreen))
        assert "END-OF-ERROR" in app.screen.text() and wire.url in app.screen.text()
        assert await until(pilot, lambda: "END-OF-ERROR" in screen_text(app))  # wrapped onto the screen
        await pilot.press("escape")
        assert await until(pilot, lambda: isinstance(app.screen, FeedHealthScreen))
