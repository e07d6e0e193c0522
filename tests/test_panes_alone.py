"""Each watch-floor pane mounted alone, in a bare App: no watch floor, no CmccApp.

A pane is given a ``PaneContext`` (store, operator, settings) and asks for what it cannot do
itself by posting Messages (``Pane.ReloadRequested``, ``Pane.AlertChanged``,
``Pane.TickerHeadlines``). Here the App records them, as the watch floor would handle them.
"""

from __future__ import annotations

import pytest
from textual import on
from textual.app import App, ComposeResult
from textual.message import Message

from console.config import Settings
from console.model.access import Actor
from console.screens.panes.aid import AidPane
from console.screens.panes.base import Pane, PaneContext
from console.screens.panes.headlines import HeadlinesPane
from console.screens.panes.incidents import IncidentsPane
from console.screens.panes.partners import PartnersPane
from console.screens.panes.plan import PlanPane
from console.store import Store
from console.store.seed import is_seeded, seed_demo
from tests.conftest import ADMIN, REAL_LOGIN, VIEWER, register_test_operators
from tests.pilot import until

PANES = [IncidentsPane, AidPane, PartnersPane, HeadlinesPane, PlanPane]


class PaneAlone(App):
    """Composes one pane and nothing else; records the Messages the pane posts."""

    def __init__(self, pane_class: type[Pane], context: PaneContext) -> None:
        super().__init__()
        self.pane = pane_class(context)
        self.posted: list[Message] = []

    def compose(self) -> ComposeResult:
        yield self.pane

    @on(Pane.ReloadRequested)
    @on(Pane.AlertChanged)
    @on(Pane.TickerHeadlines)
    def record(self, message: Message) -> None:
        self.posted.append(message)

    def of(self, kind: type[Message]) -> list:
        return [m for m in self.posted if isinstance(m, kind)]


class Operator:
    """Who is at the keyboard: changeable while the pane runs, as the App's actor is."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor

    def __call__(self) -> Actor:
        return self.actor


@pytest.fixture
async def demo_store(db_path):
    store = await Store.open(db_path)
    if not await is_seeded(store.database):
        await seed_demo(store.database, operator_login=REAL_LOGIN)
    await register_test_operators(store)
    yield store
    await store.close()


def context_of(store, actor: Actor | Operator = ADMIN) -> PaneContext:
    current = actor if isinstance(actor, Operator) else Operator(actor)
    return PaneContext(store, current, Settings(bell=False, poll_feeds=False))


@pytest.mark.parametrize("pane_class", PANES, ids=[cls.KEY for cls in PANES])
async def test_a_pane_alone_loads_its_rows_and_asks_for_a_reload_by_message(pane_class, demo_store):
    app = PaneAlone(pane_class, context_of(demo_store))
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.pane
        await pane.fill_and_load()
        assert await until(pilot, lambda: pane.table.row_count > 0)
        # The filter line is the pane's own: a word typed asks the holder for a reload.
        pane.open_filter()
        await pilot.press("a")
        assert await until(pilot, lambda: app.of(Pane.ReloadRequested))
        asked = app.of(Pane.ReloadRequested)[-1]
        assert (asked.key, asked.pane, asked.at_once) == (pane.KEY, pane, False)
        assert pane.filter_text == "a"
        await pane.load()  # what the holder does next: the filter applies
        await pilot.press("escape")
        assert await until(pilot, lambda: pane.filter_text == "" and app.focused is pane.table)


async def test_the_incidents_pane_alone_posts_its_alert_mark(demo_store):
    app = PaneAlone(IncidentsPane, context_of(demo_store))
    async with app.run_test(size=(120, 40)) as pilot:
        await app.pane.fill_and_load()
        assert await until(pilot, lambda: app.of(Pane.AlertChanged))
        alert = app.of(Pane.AlertChanged)[-1]
        summary = app.pane.summary
        assert alert.key == "incidents"
        assert alert.mark == (" !" if summary.unacknowledged_high else "")


async def test_the_incidents_pane_alone_asks_for_a_reload_at_once_when_paging(demo_store):
    app = PaneAlone(IncidentsPane, context_of(demo_store))
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.pane
        await pane.fill_and_load()
        assert await until(pilot, lambda: pane.table.row_count > 0)
        if pane.total <= pane.table.row_count:
            pytest.skip("the demo log fits in one window")
        pane.table.focus()
        pane.table.move_cursor(row=pane.table.row_count - 1, animate=False)
        assert await until(pilot, lambda: any(m.at_once for m in app.of(Pane.ReloadRequested)))


async def test_the_headlines_pane_alone_posts_the_ticker_headlines(demo_store):
    app = PaneAlone(HeadlinesPane, context_of(demo_store))
    async with app.run_test(size=(120, 40)) as pilot:
        await app.pane.fill_and_load()
        assert await until(pilot, lambda: app.of(Pane.TickerHeadlines))
        ticker = app.of(Pane.TickerHeadlines)[-1].headlines
        assert ticker and len(ticker) <= 20
        assert [h.id for h in ticker] == [h.id for h in (await demo_store.headlines.latest(ADMIN, limit=20))]


async def test_a_pane_alone_writes_through_its_own_store_action(demo_store):
    app = PaneAlone(HeadlinesPane, context_of(demo_store))
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.pane
        await pane.fill_and_load()
        assert await until(pilot, lambda: pane.table.row_count > 0)
        pane.table.focus()
        headline = pane.table.selected_record()
        assert headline is not None

        async def now_read() -> bool | None:
            stored = await demo_store.headlines.get(ADMIN, headline.id)
            return None if stored is None else stored.read

        before = await now_read()
        pane.action_toggle_read()
        flipped = False
        for _ in range(100):
            if await now_read() is (not before):
                flipped = True
                break
            await pilot.pause(0.05)
        assert flipped


async def test_a_pane_alone_reads_the_operator_from_its_context_each_time(demo_store):
    operator = Operator(ADMIN)
    app = PaneAlone(IncidentsPane, context_of(demo_store, operator))
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.pane
        await pane.fill_and_load()
        assert await until(pilot, lambda: pane.table.row_count > 0)
        assert pane.check_action("new", ()) is True
        operator.actor = VIEWER  # as ActorChanged: the App's actor changed while the console ran
        assert pane.context.actor is VIEWER
        assert pane.check_action("new", ()) is None
        await pane.load()  # and the next load reads as the viewer
