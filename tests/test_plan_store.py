"""The plan whiteboard: status, owner, next step, notes and history, all journaled."""

from __future__ import annotations

import pytest

from console.model.errors import PermissionDenied, StaleRecord, ValidationError
from console.model.journal import Entity
from console.model.plan import PlanStatus
from console.store import Store
from tests.conftest import OPERATOR, VIEWER, WATCH_OFFICER


async def test_a_status_change_records_who_when_and_the_note(demo_store, db_path):
    point = await demo_store.plan.point(8)
    updated = await demo_store.plan.set_status(OPERATOR, 8, PlanStatus.IN_PROGRESS, "Open Rafah both ways",
                                               note="Egypt agreed to a trial day", expected_version=point.version)
    assert (updated.status, updated.next_step, updated.changed_by) == (
        PlanStatus.IN_PROGRESS, "Open Rafah both ways", OPERATOR.login)
    assert updated.version == point.version + 1
    second = await Store.open(db_path)
    try:
        history = await second.plan.history(8)
        assert [(h.old, h.new, h.actor, h.note) for h in history][-1] == (
            point.status.value, "in_progress", OPERATOR.login, "Egypt agreed to a trial day")
        assert [n.text for n in await second.plan.notes(8)] == ["Egypt agreed to a trial day"]
    finally:
        await second.close()
    with pytest.raises(StaleRecord):
        await demo_store.plan.set_status(WATCH_OFFICER, 8, PlanStatus.DONE, expected_version=point.version)
    assert (await demo_store.plan.point(8)).status is PlanStatus.IN_PROGRESS


async def test_owner_next_step_and_notes_are_kept_in_order(demo_store):
    await demo_store.plan.set_owner(OPERATOR, 15, "ISF cell", "Draft the police vetting criteria")
    await demo_store.plan.add_note(OPERATOR, 15, "Jordan offers a training site")
    await demo_store.plan.add_note(WATCH_OFFICER, 15, "Egypt: 5,000 trainees in the first intake")
    point = await demo_store.plan.point(15)
    assert (point.owner, point.next_step, point.changed_by) == (
        "ISF cell", "Draft the police vetting criteria", WATCH_OFFICER.login)
    notes = await demo_store.plan.notes(15)
    assert [(n.author, n.text) for n in notes] == [
        (OPERATOR.login, "Jordan offers a training site"),
        (WATCH_OFFICER.login, "Egypt: 5,000 trainees in the first intake")]
    actions = [e.action for e in await demo_store.journal.for_entity(Entity.PLAN_POINT, point.id)]
    assert actions == ["seed", "update", "note", "note"]


async def test_bad_plan_input_is_refused(demo_store):
    with pytest.raises(ValidationError):
        await demo_store.plan.add_note(OPERATOR, 3, "   ")
    with pytest.raises(ValidationError):
        await demo_store.plan.set_owner(OPERATOR, 3, "x" * 61, "")
    with pytest.raises(PermissionDenied):
        await demo_store.plan.set_status(VIEWER, 3, PlanStatus.DONE)
    assert await demo_store.plan.notes(3) == []
