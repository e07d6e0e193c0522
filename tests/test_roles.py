"""Every role against every kind of mutation, at the store: what the interface offers does not matter."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from console.model.access import SYSTEM_ACTOR, Actor, Operator, Role
from console.model.aid import Commodity, DualUseRequest, DualUseStatus, Movement, MovementStatus
from console.model.errors import PermissionDenied
from console.model.headlines import Feed, Headline
from console.model.incidents import IncidentStatus
from console.model.isf import IsfStatus, OpenQuestion
from console.model.partners import Officer, Presence
from console.model.plan import PlanStatus
from console.dtg import utc_now
from console.store import Store
from console.store.seed import seed_demo
from tests.test_store_foundation import an_incident

ADMIN = Actor("root", "Root", Role.ADMIN, "USA", "test")


async def _incident(store, status: IncidentStatus = IncidentStatus.REPORTED):
    incident = await store.incidents.create(ADMIN, an_incident())
    path = {IncidentStatus.VERIFYING: [IncidentStatus.VERIFYING],
            IncidentStatus.VERIFIED: [IncidentStatus.VERIFYING, IncidentStatus.VERIFIED]}.get(status, [])
    for step in path:
        incident = await store.incidents.transition(ADMIN, incident.id, step, "setting up")
    return incident


async def _movement(store, status: MovementStatus = MovementStatus.SCHEDULED):
    movement = await store.aid.create_movement(ADMIN, Movement(
        planned_date=date.today(), crossing_code="KS", organisation="WFP", commodity=Commodity.FOOD, trucks=10))
    if status is MovementStatus.REJECTED:
        movement = await store.aid.set_movement_status(ADMIN, movement.id, MovementStatus.REJECTED, "no permit")
    return movement


async def _dual_use(store, under_review: bool = False):
    request = await store.aid.create_dual_use(ADMIN, DualUseRequest(item="Generator", quantity="2", organisation="WHO"))
    if under_review:
        await store.aid.set_dual_use_status(ADMIN, request.id, DualUseStatus.UNDER_REVIEW)
    return request


async def _handover(store):
    return await store.watch.sign_handover(ADMIN, utc_now() - timedelta(hours=12), {"brief": "test"})


async def _officer_id(store):
    return (await store.partners.officers(ADMIN))[0].id


async def _contributor_id(store):
    return (await store.partners.contributors())[0].id


async def _headline_id(store):
    return (await store.headlines.latest(ADMIN, limit=1))[0].id


#: (kind of mutation, least role that may do it, the call given a store and an actor)
MUTATIONS = [
    ("report an incident", Role.OPERATOR, lambda s, a: s.incidents.create(a, an_incident())),
    ("edit an incident", Role.OPERATOR, lambda s, a: _edit_incident(s, a)),
    ("acknowledge an incident", Role.OPERATOR, lambda s, a: _then(_incident(s), lambda i: s.incidents.acknowledge(
        a, i.id))),
    ("note an incident", Role.OPERATOR, lambda s, a: _then(_incident(s), lambda i: s.incidents.add_note(a, i.id, "n"))),
    ("start verifying", Role.OPERATOR, lambda s, a: _then(_incident(s), lambda i: s.incidents.transition(
        a, i.id, IncidentStatus.VERIFYING, "checking"))),
    ("verify an incident", Role.WATCH_OFFICER, lambda s, a: _then(_incident(s, IncidentStatus.VERIFYING),
                                                                  lambda i: s.incidents.transition(
                                                                      a, i.id, IncidentStatus.VERIFIED))),
    ("close an incident", Role.WATCH_OFFICER, lambda s, a: _then(_incident(s, IncidentStatus.VERIFIED),
                                                                 lambda i: s.incidents.transition(
                                                                     a, i.id, IncidentStatus.CLOSED, "done"))),
    ("record a movement", Role.OPERATOR, lambda s, a: s.aid.create_movement(a, Movement(
        planned_date=date.today(), crossing_code="KS", organisation="WFP", commodity=Commodity.FOOD, trucks=3))),
    ("move a convoy on", Role.OPERATOR, lambda s, a: _then(_movement(s), lambda m: s.aid.set_movement_status(
        a, m.id, MovementStatus.AT_CROSSING))),
    ("re-plan a rejected convoy", Role.WATCH_OFFICER, lambda s, a: _then(
        _movement(s, MovementStatus.REJECTED), lambda m: s.aid.set_movement_status(
            a, m.id, MovementStatus.SCHEDULED, "permit granted"))),
    ("close a crossing", Role.OPERATOR, lambda s, a: s.aid.set_crossing_open(a, "ZIK", False, "security incident")),
    ("submit a dual-use request", Role.OPERATOR, lambda s, a: s.aid.create_dual_use(
        a, DualUseRequest(item="Pipes", quantity="40 m", organisation="UNICEF"))),
    ("approve a dual-use request", Role.WATCH_OFFICER, lambda s, a: _then(
        _dual_use(s, under_review=True), lambda r: s.aid.set_dual_use_status(a, r.id, DualUseStatus.APPROVED))),
    ("add an officer", Role.OPERATOR, lambda s, a: s.partners.create_officer(
        a, Officer(rank="MAJ", name="Test Officer", partner_code="GBR"))),
    ("change presence", Role.OPERATOR, lambda s, a: _then(_officer_id(s), lambda o: s.partners.set_presence(
        a, o, Presence.AWAY))),
    ("change an ISF status", Role.OPERATOR, lambda s, a: _then(
        _contributor_id(s), lambda c: s.partners.set_contributor_status(
            a, c, IsfStatus.WITHDRAWN, "government decision"))),
    ("settle an ISF question", Role.OPERATOR, lambda s, a: _then(
        _contributor_id(s), lambda c: s.partners.toggle_question(a, c, OpenQuestion.FUNDING))),
    ("update a plan point", Role.OPERATOR, lambda s, a: s.plan.set_status(a, 7, PlanStatus.DONE)),
    ("note a plan point", Role.OPERATOR, lambda s, a: s.plan.add_note(a, 7, "convoys resumed")),
    ("add headlines", Role.OPERATOR, lambda s, a: s.headlines.add_many(a, [Headline(
        title="Role test", published_at=utc_now(), source="test", dedup_key=f"role-{a.login}")], None)),
    ("mark a headline read", Role.OPERATOR, lambda s, a: _then(_headline_id(s), lambda h: s.headlines.mark_read(a, h))),
    ("write the watch log", Role.OPERATOR, lambda s, a: s.watch.add_log_entry(a, "entry")),
    ("sign a handover", Role.WATCH_OFFICER, lambda s, a: s.watch.sign_handover(
        a, utc_now() - timedelta(hours=12), {"brief": 1})),
    ("acknowledge a handover", Role.WATCH_OFFICER, lambda s, a: _then(
        _handover(s), lambda h: s.watch.acknowledge_handover(a, h.id))),
    ("add a feed", Role.ADMIN, lambda s, a: s.feeds.add(a, Feed(name=f"feed-{a.login}", url="https://example.org/rss"))),
    ("disable a feed", Role.ADMIN, lambda s, a: s.feeds.set_enabled(a, "Wire Service", False)),
    ("add an operator", Role.ADMIN, lambda s, a: s.operators.add(a, Operator("newbie", "New", "FRA", Role.VIEWER))),
    ("change a role", Role.ADMIN, lambda s, a: s.operators.set_role(a, "op_deu", Role.WATCH_OFFICER)),
]


async def _then(setup, action):
    return await action(await setup)


async def _edit_incident(store, actor):
    from dataclasses import replace

    incident = await _incident(store)
    return await store.incidents.update(actor, replace(incident, severity=4), expected_version=incident.version)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.label)
async def test_each_role_may_do_exactly_what_its_table_allows(tmp_path, role):
    store = await Store.open(tmp_path / "roles.db")
    try:
        await seed_demo(store.database, operator_login="root")
        actor = Actor(f"tester-{role.name.lower()}", "Tester", role, "USA", "test")
        await store.operators.add(SYSTEM_ACTOR, Operator(actor.login, actor.name, actor.nation, role))
        outcomes = {}
        for kind, least, call in MUTATIONS:
            before = await store.journal.last_id()
            try:
                await call(store, actor)
            except PermissionDenied as refused:
                outcomes[kind] = "refused"
                assert "may not" in str(refused)  # a clear sentence for the screen
                # Nothing written by the actor: setup rows belong to the admin.
                assert all(e.actor != actor.login for e in await store.journal.after(before))
            else:
                outcomes[kind] = "allowed"
        expected = {kind: "allowed" if role >= least else "refused" for kind, least, _ in MUTATIONS}
        assert outcomes == expected
    finally:
        await store.close()


async def test_the_system_actor_of_the_poller_may_add_headlines(demo_store):
    assert await demo_store.headlines.add_many(SYSTEM_ACTOR, [Headline(
        title="From the poller", published_at=utc_now(), source="feed", dedup_key="system-1")], None)


async def test_a_viewer_is_told_no_on_screen_and_the_console_keeps_running(db_path):
    from tests.conftest import VIEWER
    from tests.pilot import demo_app, until, watch_floor

    app = await demo_app(db_path, actor=VIEWER)
    async with app.run_test(size=(80, 24)) as pilot:
        table = (await watch_floor(pilot, app)).panes[0].table
        assert await until(pilot, lambda: table.row_count > 0)
        # The footer offers the viewer no write: "Ack" is greyed and the key runs nothing (the
        # store would refuse it anyway: test_each_role_may_do_exactly_what_its_table_allows).
        assert app.screen.active_bindings["a"].enabled is False
        assert app.screen.active_bindings["j"].enabled is True
        await pilot.press("a")
        await pilot.press("2")
        assert app.screen.panes[1].table is app.focused  # still driving the console


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_a_viewer_finds_the_writes_greyed_on_detail_screens_and_the_log_entry_key_too(db_path, size):
    from console.screens.handover import HandoverScreen
    from console.screens.headline_detail import HeadlineDetailScreen
    from console.screens.incident_detail import IncidentDetailScreen
    from tests.conftest import VIEWER
    from tests.pilot import demo_app, until, watch_floor

    app = await demo_app(db_path, actor=VIEWER)
    async with app.run_test(size=size) as pilot:
        floor = await watch_floor(pilot, app)
        table = floor.panes[0].table
        assert await until(pilot, lambda: table.row_count > 0)
        assert app.screen.active_bindings["L"].enabled is False  # no watch-log entry
        await pilot.press("enter")
        assert await until(pilot, lambda: isinstance(app.screen, IncidentDetailScreen))
        detail = app.screen
        for key in "evalc":
            assert detail.active_bindings[key].enabled is False, key
        assert detail.active_bindings["escape"].enabled is True
        await pilot.press("escape", "4")
        headlines = floor.pane("headlines")
        assert await until(pilot, lambda: headlines.table.row_count > 0)
        headlines.table.focus()
        await pilot.press("enter")
        assert await until(pilot, lambda: isinstance(app.screen, HeadlineDetailScreen))
        assert app.screen.active_bindings["p"].enabled is False
        await pilot.press("escape", "H")
        assert await until(pilot, lambda: isinstance(app.screen, HandoverScreen))
        assert app.screen.active_bindings["s"].enabled is False
