"""The roster and the stabilization-force contributors, as the store keeps them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from console.model.errors import PermissionDenied, StaleRecord, ValidationError
from console.model.isf import IsfStatus, OpenQuestion, question_marks
from console.model.journal import Entity
from console.model.partners import Presence, RosterFilter, Shift, officer_from_fields, rotation_ending
from console.store import Store
from tests.conftest import ADMIN, OPERATOR, VIEWER, WATCH_OFFICER


async def test_presence_cycles_is_journaled_and_a_second_console_sees_it(demo_store, db_path):
    officer = (await demo_store.partners.officers(ADMIN, RosterFilter(presence=Presence.ON_FLOOR)))[0]
    second = await Store.open(db_path)
    try:
        seen = []
        for _ in range(3):
            await demo_store.partners.cycle_presence(OPERATOR, officer.id)
            seen.append((await second.partners.officer(ADMIN, officer.id)).presence)
        assert seen == [Presence.AWAY, Presence.OFF_SHIFT, Presence.ON_FLOOR]
        entries = [e for e in await second.journal.for_entity(Entity.OFFICER, officer.id) if e.action == "presence"]
        assert [e.changes["presence"] for e in entries] == [
            ["on_floor", "away"], ["away", "off_shift"], ["off_shift", "on_floor"]]
        assert {e.actor for e in entries} == {OPERATOR.login}
        again = await second.partners.officer(ADMIN, officer.id)
        assert again.presence_changed_at is not None and again.presence_changed_at >= entries[0].at
    finally:
        await second.close()


async def test_a_viewer_may_not_change_presence(demo_store):
    officer = (await demo_store.partners.officers(ADMIN))[0]
    with pytest.raises(PermissionDenied):
        await demo_store.partners.cycle_presence(VIEWER, officer.id)


async def test_an_officer_is_checked_field_by_field_before_anything_is_saved(demo_store):
    codes = await demo_store.partners.partner_codes()
    officer, errors = officer_from_fields({"partner": "xx", "name": " ", "shift": "dawn",
                                           "rotation_start": "2026-10-01", "rotation_end": "2026-09-01"}, codes)
    assert officer is None
    assert set(errors) == {"partner", "name", "shift", "rotation_end"}
    before = len(await demo_store.partners.officers(ADMIN))
    built, errors = officer_from_fields({"partner": "gbr", "rank": "MAJ", "name": "Helen Carter",
                                         "shift": "night", "contact": "radio\x1b[31m CARTER"}, codes)
    assert errors == {}
    created = await demo_store.partners.create_officer(OPERATOR, built)
    assert (created.partner_code, created.shift, created.contact) == ("GBR", Shift.NIGHT, "radio CARTER")
    assert len(await demo_store.partners.officers(ADMIN)) == before + 1


async def test_an_edit_based_on_an_old_read_is_refused_not_applied(demo_store):
    officer = (await demo_store.partners.officers(ADMIN))[0]
    await demo_store.partners.update_officer(WATCH_OFFICER, replace(officer, cell="Maritime"),
                                             expected_version=officer.version)
    with pytest.raises(StaleRecord):
        await demo_store.partners.update_officer(OPERATOR, replace(officer, cell="Plans"),
                                                 expected_version=officer.version)
    assert (await demo_store.partners.officer(ADMIN, officer.id)).cell == "Maritime"
    with pytest.raises(ValidationError) as refused:
        await demo_store.partners.update_officer(OPERATOR, replace(officer, name=""))
    assert "name" in refused.value.errors


async def test_the_roster_filters_by_partner_cell_shift_and_presence(demo_store):
    flt = RosterFilter(partners=frozenset({"GBR", "FRA"}), shift=Shift.DAY, presence=Presence.ON_FLOOR)
    shown = await demo_store.partners.officers(ADMIN, flt)
    everyone = await demo_store.partners.officers(ADMIN)
    expected = [o.id for o in everyone if o.partner_code in ("GBR", "FRA") and o.shift is Shift.DAY
                and o.presence is Presence.ON_FLOOR]
    assert sorted(o.id for o in shown) == sorted(expected)
    cell = everyone[0].cell
    by_cell = await demo_store.partners.officers(ADMIN, RosterFilter(cell=cell[:3].lower()))
    assert by_cell and all(cell[:3].lower() in o.cell.lower() for o in by_cell)


def test_rotation_ending_marks_the_next_seven_days_and_the_past():
    from datetime import date

    from console.model.partners import Officer

    today = date(2026, 11, 25)
    ends = {d: rotation_ending(Officer("MAJ", "X", "GBR", rotation_end=date(2026, 11, d) if d else None), today)
            for d in (0, 20, 25, 30)}
    assert ends == {0: False, 20: True, 25: True, 30: True}
    assert not rotation_ending(Officer("MAJ", "X", "GBR", rotation_end=date(2026, 12, 3)), today)


async def test_isf_status_history_keeps_who_when_and_why(demo_store):
    egypt = next(c for c in await demo_store.partners.contributors() if c.nation == "EGY")
    await demo_store.partners.set_contributor_status(OPERATOR, egypt.id, IsfStatus.PLEDGED, "scaled back",
                                                     troops=1500, expected_version=egypt.version)
    await demo_store.partners.set_contributor_status(WATCH_OFFICER, egypt.id, IsfStatus.ACCEPTED,
                                                     "confirmed at the Thursday meeting")
    history = await demo_store.partners.contributor_history(egypt.id)
    assert [(h.old, h.new, h.actor, h.note) for h in history] == [
        ("", "accepted", "cmcc-seed", ""),
        ("accepted", "pledged", OPERATOR.login, "scaled back"),
        ("pledged", "accepted", WATCH_OFFICER.login, "confirmed at the Thursday meeting"),
    ]
    fresh = await demo_store.partners.contributor(egypt.id)
    assert (fresh.troops, fresh.police) == (1500, 1500)
    assert "confirmed at the Thursday meeting" in fresh.notes
    with pytest.raises(StaleRecord):
        await demo_store.partners.set_contributor_status(OPERATOR, egypt.id, IsfStatus.WITHDRAWN, "x",
                                                         expected_version=egypt.version)
    with pytest.raises(ValidationError):
        await demo_store.partners.set_contributor_status(OPERATOR, egypt.id, IsfStatus.PLEDGED, troops=-5)


async def test_an_open_question_is_settled_and_reopened(demo_store):
    turkey = next(c for c in await demo_store.partners.contributors() if c.nation == "TUR")
    before = turkey.questions[OpenQuestion.COMMAND]
    after = await demo_store.partners.toggle_question(OPERATOR, turkey.id, OpenQuestion.COMMAND)
    assert after != before
    fresh = await demo_store.partners.contributor(turkey.id)
    assert fresh.questions[OpenQuestion.COMMAND] == after
    assert question_marks(fresh.open_questions)[1] == ("C" if after == "open" else "·")
    await demo_store.partners.toggle_question(OPERATOR, turkey.id, OpenQuestion.COMMAND)
    assert (await demo_store.partners.contributor(turkey.id)).questions[OpenQuestion.COMMAND] == before
    entries = [e for e in await demo_store.journal.for_entity(Entity.CONTRIBUTOR, turkey.id) if e.action == "question"]
    assert [e.changes["question"] for e in entries] == ["command", "command"]


async def test_the_roster_is_counted_whole_not_a_page_of_it(demo_store):
    """65,000 officers once read 'On floor 6/5000': the summary counted a page of rows."""
    import sqlite3
    from datetime import date, timedelta

    from console.screens.summaries import partner_summary

    everyone = await demo_store.partners.officers(ADMIN)
    with sqlite3.connect(demo_store.path) as raw:
        partner_id = raw.execute("SELECT id FROM partners WHERE code = 'GBR'").fetchone()[0]
        ends = (date.today() + timedelta(days=3)).isoformat()
        raw.executemany("INSERT INTO officers (partner_id, name, presence, rotation_end, releasability)"
                        " VALUES (?, ?, ?, ?, 'ALL')",
                        [(partner_id, f"Officer {n}", "on_floor" if n % 10 == 0 else "off_shift",
                          ends if n % 100 == 0 else None) for n in range(6000)])
    raw.close()
    counts = await demo_store.partners.roster_counts(ADMIN, date.today())
    assert counts.total == len(everyone) + 6000
    on_floor_before = sum(1 for o in everyone if o.presence is Presence.ON_FLOOR)
    assert counts.on_floor == on_floor_before + 600
    assert dict(counts.on_floor_by_partner)["GBR"] >= 600
    assert counts.rotations_ending >= 60
    line = partner_summary(counts, [], 20000).plain.splitlines()[0]
    assert line.startswith(f"On floor {on_floor_before + 600}/{len(everyone) + 6000}: ")
