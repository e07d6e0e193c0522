"""Aid flow rules at the store: the movement pipeline, the dual-use queue, crossings, the day and the targets."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from console.config import load_settings
from console.model.aid import (
    MOVEMENT_TRANSITIONS,
    Commodity,
    DualUseRequest,
    DualUseStatus,
    FigureSource,
    Movement,
    MovementStatus,
    SourceFigure,
    aid_day,
    crossing_target,
)
from console.model.errors import PermissionDenied, StoreError, ValidationError
from console.model.journal import Entity
from console.dtg import LOCAL_ZONE
from tests.conftest import OPERATOR, VIEWER, WATCH_OFFICER

DAY = date(2026, 11, 24)


async def a_crossing(store, code="KS", name="Kerem Shalom", target=350):
    async with store.database.transaction() as conn:
        await conn.execute("INSERT INTO crossings (code, name, border, daily_target) VALUES (?, ?, '', ?)",
                           (code, name, target))


def a_convoy(**overrides) -> Movement:
    values = dict(planned_date=DAY, crossing_code="KS", organisation="WFP", commodity=Commodity.FOOD, trucks=20,
                  reference="WB-1", figure_source=FigureSource.UN2720)
    values.update(overrides)
    return Movement(**values)


async def recorded(store, **overrides) -> Movement:
    return await store.aid.create_movement(OPERATOR, a_convoy(**overrides))


# --- the movement pipeline ---------------------------------------------------------------


async def test_a_convoy_walks_the_whole_pipeline_and_every_step_is_journaled(store):
    await a_crossing(store)
    convoy = await recorded(store)
    assert convoy.status is MovementStatus.SCHEDULED
    for status in (MovementStatus.AT_CROSSING, MovementStatus.INSPECTED, MovementStatus.OFFLOADED,
                   MovementStatus.COLLECTED, MovementStatus.REACHED):
        convoy = await store.aid.set_movement_status(OPERATOR, convoy.id, status, expected_version=convoy.version)
    assert (await store.aid.movement(OPERATOR, convoy.id)).status is MovementStatus.REACHED
    history = await store.aid.history(convoy.id)
    assert [e.action for e in history] == ["create"] + ["transition"] * 5
    assert [e.changes["status"] for e in history[1:]] == [
        ["scheduled", "at_crossing"], ["at_crossing", "inspected"], ["inspected", "offloaded"],
        ["offloaded", "collected"], ["collected", "reached_destination"]]
    assert all(e.actor == OPERATOR.login for e in history)


async def test_a_jump_in_the_pipeline_is_refused_and_changes_nothing(store):
    await a_crossing(store)
    convoy = await recorded(store)
    with pytest.raises(StoreError, match="cannot go from scheduled to offloaded"):
        await store.aid.set_movement_status(OPERATOR, convoy.id, MovementStatus.OFFLOADED)
    assert (await store.aid.movement(OPERATOR, convoy.id)).status is MovementStatus.SCHEDULED
    assert [e.action for e in await store.aid.history(convoy.id)] == ["create"]


@pytest.mark.parametrize("status", [MovementStatus.HELD, MovementStatus.REJECTED])
async def test_held_and_rejected_need_a_reason(store, status):
    await a_crossing(store)
    convoy = await recorded(store)
    with pytest.raises(ValidationError) as refused:
        await store.aid.set_movement_status(OPERATOR, convoy.id, status, "  ")
    assert "note" in refused.value.errors
    moved = await store.aid.set_movement_status(OPERATOR, convoy.id, status, "pallets not as manifested")
    assert moved.status_note == "pallets not as manifested"
    assert (await store.aid.history(convoy.id))[-1].changes["note"] == "pallets not as manifested"


async def test_intercepted_needs_a_note_and_is_final(store):
    await a_crossing(store)
    convoy = await recorded(store, status=MovementStatus.COLLECTED)
    with pytest.raises(ValidationError):
        await store.aid.set_movement_status(OPERATOR, convoy.id, MovementStatus.INTERCEPTED)
    await store.aid.set_movement_status(OPERATOR, convoy.id, MovementStatus.INTERCEPTED,
                                        "taken by a crowd at Salah al-Din rd")
    assert MOVEMENT_TRANSITIONS[MovementStatus.INTERCEPTED] == ()
    with pytest.raises(StoreError, match="allowed: none"):
        await store.aid.set_movement_status(WATCH_OFFICER, convoy.id, MovementStatus.REACHED)


async def test_re_planning_a_rejected_convoy_needs_a_watch_officer(store):
    await a_crossing(store)
    convoy = await recorded(store, status=MovementStatus.REJECTED, status_note="dual-use item on board")
    with pytest.raises(PermissionDenied):
        await store.aid.set_movement_status(OPERATOR, convoy.id, MovementStatus.SCHEDULED, "item removed")
    again = await store.aid.set_movement_status(WATCH_OFFICER, convoy.id, MovementStatus.SCHEDULED, "item removed")
    assert again.status is MovementStatus.SCHEDULED


async def test_a_viewer_may_not_record_or_move_convoys(store):
    await a_crossing(store)
    convoy = await recorded(store)
    with pytest.raises(PermissionDenied):
        await store.aid.create_movement(VIEWER, a_convoy(reference="WB-2"))
    with pytest.raises(PermissionDenied):
        await store.aid.set_movement_status(VIEWER, convoy.id, MovementStatus.AT_CROSSING)


async def test_a_save_over_someone_elses_newer_status_is_refused(store):
    await a_crossing(store)
    convoy = await recorded(store)
    await store.aid.set_movement_status(WATCH_OFFICER, convoy.id, MovementStatus.AT_CROSSING)
    with pytest.raises(StoreError, match="changed by someone else"):
        await store.aid.set_movement_status(OPERATOR, convoy.id, MovementStatus.HELD, "x",
                                            expected_version=convoy.version)


async def test_a_new_movement_is_checked_field_by_field(store):
    await a_crossing(store)
    with pytest.raises(ValidationError) as refused:
        await store.aid.create_movement(OPERATOR, a_convoy(crossing_code="XX", organisation=" ", trucks=None,
                                                          status=MovementStatus.HELD))
    assert set(refused.value.errors) == {"crossing", "organisation", "trucks", "status_note"}
    await recorded(store)
    with pytest.raises(ValidationError, match="already recorded"):
        await recorded(store)


# --- crossings -------------------------------------------------------------------------


async def test_closing_a_crossing_needs_a_reason_and_is_journaled_with_its_time(store):
    await a_crossing(store)
    with pytest.raises(ValidationError):
        await store.aid.set_crossing_open(OPERATOR, "KS", False, "")
    closed = await store.aid.set_crossing_open(OPERATOR, "KS", False, "security incident at the gate")
    assert not closed.is_open and closed.status_changed_at is not None
    with pytest.raises(StoreError, match="already closed"):
        await store.aid.set_crossing_open(OPERATOR, "KS", False, "again")
    await store.aid.set_crossing_open(OPERATOR, "KS", True)
    entries = await store.journal.for_entity(Entity.CROSSING, closed.id)
    assert [(e.action, e.changes["reason"]) for e in entries] == [
        ("close", "security incident at the gate"), ("reopen", "")]
    assert (await store.aid.crossing("KS")).is_open


# --- dual-use ----------------------------------------------------------------------------


async def test_a_dual_use_request_goes_round_more_information_then_is_approved(store):
    request = await store.aid.create_dual_use(OPERATOR, DualUseRequest(
        item="Diesel generator 250 kVA", quantity="4 units", organisation="WHO", list_reference="DU-ELEC-04"))
    rid = request.id
    await store.aid.set_dual_use_status(OPERATOR, rid, DualUseStatus.UNDER_REVIEW)
    with pytest.raises(ValidationError):
        await store.aid.set_dual_use_status(OPERATOR, rid, DualUseStatus.MORE_INFO)
    asked = await store.aid.set_dual_use_status(OPERATOR, rid, DualUseStatus.MORE_INFO, "end-user certificate")
    assert asked.decided_at is not None and asked.decision_note == "end-user certificate"
    with pytest.raises(StoreError, match="cannot go from more information to approved"):
        await store.aid.set_dual_use_status(WATCH_OFFICER, rid, DualUseStatus.APPROVED)
    await store.aid.set_dual_use_status(OPERATOR, rid, DualUseStatus.RESUBMITTED, "certificate attached")
    await store.aid.set_dual_use_status(OPERATOR, rid, DualUseStatus.UNDER_REVIEW)
    with pytest.raises(PermissionDenied):
        await store.aid.set_dual_use_status(OPERATOR, rid, DualUseStatus.APPROVED)
    approved = await store.aid.set_dual_use_status(WATCH_OFFICER, rid, DualUseStatus.APPROVED, "for Nasser hospital")
    assert approved.status is DualUseStatus.APPROVED and approved.decision_note == "for Nasser hospital"
    steps = [e.changes.get("status") for e in await store.aid.dual_use_history(rid)]
    assert steps == ["submitted", ["submitted", "under_review"], ["under_review", "more_information"],
                     ["more_information", "resubmitted"], ["resubmitted", "under_review"],
                     ["under_review", "approved"]]


async def test_a_denial_needs_a_note_and_a_decided_request_goes_nowhere(store):
    request = await store.aid.create_dual_use(OPERATOR, DualUseRequest(item="Pipes", quantity="40",
                                                                       organisation="UNICEF"))
    await store.aid.set_dual_use_status(OPERATOR, request.id, DualUseStatus.UNDER_REVIEW)
    with pytest.raises(ValidationError):
        await store.aid.set_dual_use_status(WATCH_OFFICER, request.id, DualUseStatus.DENIED)
    await store.aid.set_dual_use_status(WATCH_OFFICER, request.id, DualUseStatus.DENIED, "listed item")
    with pytest.raises(StoreError, match="allowed: none"):
        await store.aid.set_dual_use_status(WATCH_OFFICER, request.id, DualUseStatus.UNDER_REVIEW)


# --- the day, the targets and two sources -------------------------------------------------


async def test_just_before_midnight_utc_the_board_still_counts_the_utc_day_not_the_local_one(store):
    await a_crossing(store, target=350)
    late = datetime(2026, 11, 24, 23, 30, tzinfo=timezone.utc)
    assert late.astimezone(LOCAL_ZONE).date() == date(2026, 11, 25)  # 01:30 on the 25th in Jerusalem
    assert aid_day(late) == date(2026, 11, 24)
    assert aid_day(datetime(2026, 11, 25, 0, 0, tzinfo=timezone.utc)) == date(2026, 11, 25)
    await recorded(store, reference="A", trucks=120, status=MovementStatus.OFFLOADED)
    await recorded(store, reference="B", trucks=30, status=MovementStatus.REACHED)
    await recorded(store, reference="C", trucks=50, status=MovementStatus.AT_CROSSING)
    await recorded(store, reference="D", trucks=75, status=MovementStatus.OFFLOADED, planned_date=date(2026, 11, 25))
    ks = (await store.aid.board(OPERATOR, aid_day(late)))[0]
    assert (ks.entered, ks.in_pipeline, ks.remaining(crossing_target(ks.crossing))) == (150, 50, 200)
    after_midnight = (await store.aid.board(OPERATOR, aid_day(datetime(2026, 11, 25, 0, 5, tzinfo=timezone.utc))))[0]
    assert (after_midnight.entered, after_midnight.remaining(350)) == (75, 275)


async def test_a_configured_target_overrides_the_crossings_own(store, tmp_path):
    await a_crossing(store, target=350)
    config = tmp_path / "config.toml"
    config.write_text("daily_truck_target = 500\n[crossing_targets]\nks = 400\n", encoding="utf-8")
    settings = load_settings(config, {})
    crossing = (await store.aid.crossings())[0]
    assert settings.daily_truck_target == 500
    assert crossing_target(crossing, settings.crossing_targets) == 400
    assert crossing_target(crossing, {}) == 350


async def test_two_sources_reporting_one_convoy_differently_are_shown_side_by_side_and_counted_once(store):
    await a_crossing(store)
    await recorded(store, reference="WB-7", trucks=40, status=MovementStatus.OFFLOADED)
    cogat = FigureSource.COGAT
    await recorded(store, reference="WB-7", trucks=46, status=MovementStatus.OFFLOADED, figure_source=cogat)
    await recorded(store, reference="WB-8", trucks=10, status=MovementStatus.OFFLOADED, figure_source=cogat)
    ks = (await store.aid.board(OPERATOR, DAY))[0]
    assert ks.entered == 50  # UN 2720's figure for WB-7, COGAT's only report of WB-8
    assert (ks.figures.of(FigureSource.UN2720), ks.figures.of(FigureSource.COGAT)) == (
        SourceFigure(40, 1), SourceFigure(56, 2))
    history = await store.aid.entered_per_day(OPERATOR, DAY, DAY)
    assert history == {("KS", DAY.isoformat()): 50}
    totals = {(t.kind, t.name): t.trucks for t in await store.aid.totals(OPERATOR, DAY, DAY)}
    assert totals[("commodity", "food")] == 50 and totals[("organisation", "WFP")] == 50


UN, COGAT, PARTNER = FigureSource.UN2720, FigureSource.COGAT, FigureSource.PARTNER
IN, GONE, REACHED, WAITING = (MovementStatus.OFFLOADED, MovementStatus.COLLECTED, MovementStatus.REACHED,
                              MovementStatus.AT_CROSSING)
#: (reference, source, crossing, trucks, status): single-source UN, COGAT and partner convoys, convoys both
#: report with other counts, one they place at different crossings, one only COGAT says has entered,
#: and one still scheduled.
TWO_SOURCES_DAY = (
    ("U1", UN, "KS", 20, IN),
    ("C1", COGAT, "KS", 30, REACHED), ("C2", COGAT, "KS", 25, GONE),
    ("D1", UN, "KS", 40, IN), ("D1", COGAT, "KS", 44, IN),
    ("D2", UN, "KS", 12, GONE), ("D2", COGAT, "KS", 10, GONE),
    ("D3", UN, "KS", 15, IN), ("D3", COGAT, "ZK", 16, IN),
    ("D4", UN, "KS", 8, WAITING), ("D4", COGAT, "KS", 9, IN),
    ("P1", PARTNER, "KS", 7, IN),
    ("S1", UN, "KS", 50, MovementStatus.SCHEDULED),
)


async def two_sources_day(store, day: date = DAY) -> None:
    """Kerem Shalom and Zikim with the convoys of ``TWO_SOURCES_DAY`` on ``day``."""
    await a_crossing(store)
    await a_crossing(store, code="ZK", name="Zikim", target=60)
    movements = [a_convoy(reference=ref, figure_source=source, crossing_code=crossing, trucks=trucks,
                          status=status, planned_date=day, status_note="")
                 for ref, source, crossing, trucks, status in TWO_SOURCES_DAY]
    async with store.database.write(OPERATOR) as (conn, actor):
        assert len((await store.aid.insert_in(conn, actor, movements)).inserted) == len(movements)


async def test_each_source_figure_is_only_its_own_reports_and_combined_counts_each_convoy_once(store):
    await two_sources_day(store)
    ks, zk = await store.aid.board(OPERATOR, DAY)
    # UN 2720: U1 20 + D1 40 + D2 12 + D3 15 (D4 it has at the crossing, S1 scheduled)
    assert ks.figures.of(UN) == SourceFigure(87, 4)
    # COGAT: C1 30 + C2 25 + D1 44 + D2 10 + D4 9; its D3 is at Zikim, where it put it
    assert ks.figures.of(COGAT) == SourceFigure(118, 5)
    assert ks.figures.of(PARTNER) == SourceFigure(7, 1)
    # each convoy once, best source: U1 20, C1 30, C2 25, D1 40, D2 12, D3 15 (UN's, at KS), P1 7;
    # D4's best source has it still at the crossing
    assert ks.figures.combined == SourceFigure(149, 7) and ks.entered == 149
    assert ks.in_pipeline == 50 + 8
    assert zk.figures.of(COGAT) == SourceFigure(16, 1)
    assert zk.figures.of(UN) == SourceFigure() and zk.figures.combined == SourceFigure() and zk.entered == 0
    day = ks.figures + zk.figures
    assert (day.of(UN), day.of(COGAT), day.of(PARTNER), day.combined) == (
        SourceFigure(87, 4), SourceFigure(134, 6), SourceFigure(7, 1), SourceFigure(149, 7))
    assert day.line == "UN 2720 87 (4 convoys) · COGAT 134 (6 convoys) · partner 7 (1 convoy) · combined 149"
    assert zk.figures.line == "UN 2720 0 (0 convoys) · COGAT 16 (1 convoy) · combined 0"
    # the sparkline and the totals count the same convoys as the combined figure
    assert await store.aid.entered_per_day(OPERATOR, DAY, DAY) == {("KS", DAY.isoformat()): 149}
    assert sum(t.trucks for t in await store.aid.totals(OPERATOR, DAY, DAY) if t.kind == "commodity") == 149
