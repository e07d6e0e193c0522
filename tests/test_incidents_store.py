"""The incident workflow in the store: every transition, notes in the full-text index, links,
promotion from a headline in one transaction, presets, paging and sorting in SQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from console.model.access import Permission
from console.model.errors import PermissionDenied, StaleRecord, StoreError, ValidationError
from console.model.headlines import Headline
from console.model.incidents import (
    BUILTIN_PRESETS,
    INCIDENT_TRANSITIONS,
    Governorate,
    IncidentCategory,
    IncidentFilter,
    IncidentStatus,
    describe_filter,
    parse_filter_spec,
)
from console.model.journal import Entity
from console.dtg import utc_now
from console.store import Store
from tests.conftest import OPERATOR, VIEWER, WATCH_OFFICER
from tests.test_store_foundation import an_incident

S = IncidentStatus
#: How to bring a fresh (reported) incident to each status, allowed steps only.
PATHS = {
    S.REPORTED: [],
    S.VERIFYING: [S.VERIFYING],
    S.VERIFIED: [S.VERIFYING, S.VERIFIED],
    S.UNSUBSTANTIATED: [S.VERIFYING, S.UNSUBSTANTIATED],
    S.CLOSED: [S.VERIFYING, S.VERIFIED, S.CLOSED],
}
PAIRS = [(a, b) for a in IncidentStatus for b in IncidentStatus]


async def incident_in(store: Store, status: IncidentStatus):
    created = await store.incidents.create(OPERATOR, an_incident())
    for step in PATHS[status]:
        await store.incidents.transition(WATCH_OFFICER, created.id, step, "moving on")
    current = await store.incidents.get(WATCH_OFFICER, created.id)
    assert current.status is status
    return current


def allowed(current: IncidentStatus, target: IncidentStatus):
    return next((t for t in INCIDENT_TRANSITIONS[current] if t.to is target), None)


@pytest.mark.parametrize(("current", "target"), PAIRS, ids=[f"{a.value}->{b.value}" for a, b in PAIRS])
async def test_every_transition_is_allowed_or_refused_as_the_table_says(store, current, target):
    incident = await incident_in(store, current)
    before = await store.journal.last_id()
    rule = allowed(current, target)
    if rule is None:
        with pytest.raises(StoreError, match=f"cannot go from {current.value} to {target.value}"):
            await store.incidents.transition(WATCH_OFFICER, incident.id, target, "a note")
        assert (await store.incidents.get(WATCH_OFFICER, incident.id)).status is current
        assert await store.journal.last_id() == before
        return
    # An operator may only make the transitions that need no more than EDIT.
    if rule.permission is not Permission.EDIT:
        with pytest.raises(PermissionDenied, match="watch officer"):
            await store.incidents.transition(OPERATOR, incident.id, target, "a note")
    with pytest.raises(PermissionDenied):
        await store.incidents.transition(VIEWER, incident.id, target, "a note")
    if rule.needs_note:
        with pytest.raises(ValidationError, match="needs a note"):
            await store.incidents.transition(WATCH_OFFICER, incident.id, target, "  ")
    assert await store.journal.last_id() == before  # every refusal left nothing behind
    actor = OPERATOR if rule.permission is Permission.EDIT else WATCH_OFFICER
    moved = await store.incidents.transition(actor, incident.id, target, "checked with the liaison",
                                             expected_version=incident.version)
    assert moved.status is target
    entry = (await store.journal.after(before))[-1]
    assert (entry.action, entry.changes["status"]) == ("transition", [current.value, target.value])


async def test_only_a_watch_officer_closes_and_the_refusal_says_so(store):
    incident = await incident_in(store, S.VERIFIED)
    with pytest.raises(PermissionDenied) as refused:
        await store.incidents.transition(OPERATOR, incident.id, S.CLOSED, "done")
    assert "may not move an incident to closed" in str(refused.value)
    assert "watch officer" in str(refused.value)


async def test_a_transition_based_on_an_old_read_is_refused(store):
    incident = await incident_in(store, S.REPORTED)
    await store.incidents.acknowledge(OPERATOR, incident.id)
    with pytest.raises(StaleRecord, match="changed by someone else"):
        await store.incidents.transition(OPERATOR, incident.id, S.VERIFYING, "why", expected_version=incident.version)


async def test_notes_are_found_by_full_text_search(store):
    quiet = await store.incidents.create(OPERATOR, an_incident(description="Shots heard near the school"))
    await store.incidents.create(OPERATOR, an_incident(description="Another report entirely"))
    await store.incidents.add_note(OPERATOR, quiet.id, "Liaison confirms a quadcopter overhead")
    found = await store.incidents.page(OPERATOR, IncidentFilter(text="quadcop"))
    assert [i.id for i in found] == [quiet.id]
    # The description stays searchable after a note, and a transition note is indexed too.
    assert [i.id for i in await store.incidents.page(OPERATOR, IncidentFilter(text="school"))] == [quiet.id]
    await store.incidents.transition(OPERATOR, quiet.id, S.VERIFYING, "Awaiting UNOSAT imagery")
    assert [i.id for i in await store.incidents.page(OPERATOR, IncidentFilter(text="unosat"))] == [quiet.id]
    assert await store.incidents.count(OPERATOR, IncidentFilter(text='") OR *')) == 0  # never a syntax error


async def test_a_promoted_headline_and_its_link_are_written_together(store):
    [headline_id] = await store.headlines.add_many(OPERATOR, [Headline(
        title="Drone strike reported in Khan Younis", published_at=utc_now(), source="wire", guid="g1",
        dedup_key="guid:g1")], None)
    created = await store.incidents.create(OPERATOR, an_incident(description="From the wire"),
                                           link_headline_id=headline_id)
    links = await store.incidents.corroborations(OPERATOR, created.id)
    assert [(link.other_kind, link.other_id, link.relation) for link in links] == [
        ("headline", headline_id, "promoted_from")]
    actions = [e.action for e in await store.incidents.timeline(OPERATOR, created.id)]
    assert actions == ["create", "link"]
    # A headline that does not exist: neither the incident nor the link is written.
    before = await store.incidents.count(OPERATOR)
    with pytest.raises(ValidationError, match="no headline 999"):
        await store.incidents.create(OPERATOR, an_incident(), link_headline_id=999)
    assert await store.incidents.count(OPERATOR) == before


async def test_links_confirm_or_dispute_and_are_seen_from_both_sides(store):
    first = await store.incidents.create(OPERATOR, an_incident())
    second = await store.incidents.create(OPERATOR, an_incident(description="Same event, other source"))
    await store.incidents.link(OPERATOR, second.id, "incident", first.id, "confirms")
    seen_from_first = await store.incidents.corroborations(OPERATOR, first.id)
    assert [(link.other_id, link.relation, link.outgoing) for link in seen_from_first] == [
        (second.id, "confirms", False)]
    with pytest.raises(ValidationError, match="cannot corroborate itself"):
        await store.incidents.link(OPERATOR, first.id, "incident", first.id, "confirms")
    with pytest.raises(ValidationError, match="confirms, disputes or relates"):
        await store.incidents.link(OPERATOR, first.id, "incident", second.id, "promoted_from")


async def test_the_timeline_tells_every_change_with_old_and_new_values(store):
    incident = await store.incidents.create(OPERATOR, an_incident())
    edited = await store.incidents.update(OPERATOR, an_incident(id=incident.id, severity=4, locality="Tal al-Sultan"),
                                          expected_version=incident.version)
    with pytest.raises(StaleRecord):
        await store.incidents.update(OPERATOR, an_incident(id=incident.id, severity=5),
                                     expected_version=incident.version)
    await store.incidents.add_note(OPERATOR, incident.id, "for GBR eyes", releasability="GBR")
    await store.incidents.acknowledge(WATCH_OFFICER, incident.id)
    entries = await store.incidents.timeline(WATCH_OFFICER, incident.id)
    assert [e.action for e in entries] == ["create", "edit", "note", "acknowledge"]
    assert entries[1].changes == {"severity": [3, 4], "locality": ["Jenina", "Tal al-Sultan"]}
    assert entries[1].actor == OPERATOR.login
    assert entries[2].changes["note"] == "for GBR eyes"
    # A DEU operator sees that a note was added, not what it says.
    hidden = await store.incidents.timeline(OPERATOR, incident.id)
    assert hidden[2].changes["note"] == "(note not releasable to you)"
    assert edited.version == incident.version + 1


async def test_presets_read_and_describe_the_same_filter():
    flt = parse_filter_spec("open, sev >= 3, last 24h")
    assert flt.statuses == frozenset({S.REPORTED, S.VERIFYING, S.VERIFIED, S.UNSUBSTANTIATED})
    assert (flt.min_severity, flt.window) == (3, timedelta(hours=24))
    assert describe_filter(flt) == "open, sev >= 3, last 24h"
    busy = parse_filter_spec("closed, Rafah, shelling, unacknowledged, text: drone strike")
    assert busy.governorates == {Governorate.RAFAH} and busy.categories == {IncidentCategory.SHELLING}
    assert parse_filter_spec(describe_filter(busy)) == busy
    for spec in BUILTIN_PRESETS.values():
        assert describe_filter(parse_filter_spec(spec)) == spec
    with pytest.raises(ValueError, match="'sev > nine' is not a filter term"):
        parse_filter_spec("open, sev > nine")


async def test_pages_come_in_sql_order_for_every_sort_key(store):
    now = utc_now()
    for n in range(30):
        await store.incidents.create(OPERATOR, an_incident(
            occurred_at=now - timedelta(minutes=n), severity=1 + n % 5,
            governorate=list(Governorate)[n % 5], category=list(IncidentCategory)[n % 13],
            reliability="ABCDEF"[n % 6], credibility=1 + n % 6))
    keys = {
        "occurred_at": lambda i: (i.occurred_at, i.id),
        "severity": lambda i: (i.severity, i.occurred_at, i.id),
        "category": lambda i: (i.category.value, i.occurred_at, i.id),
        "place": lambda i: (i.governorate.value, i.locality, i.occurred_at, i.id),
        "status": lambda i: (i.status.value, i.occurred_at, i.id),
        "grading": lambda i: (i.reliability, i.credibility, i.occurred_at, i.id),
    }
    for sort, key in keys.items():
        for descending in (True, False):
            flt = IncidentFilter(sort=sort, descending=descending)
            paged = [i for offset in (0, 10, 20) for i in await store.incidents.page(OPERATOR, flt, offset=offset,
                                                                                   limit=10)]
            assert [i.id for i in paged] == [i.id for i in sorted(paged, key=key, reverse=descending)], sort
            assert len({i.id for i in paged}) == 30


async def test_a_moving_window_and_the_summary_bell_list(store):
    now = utc_now()
    old = await store.incidents.create(OPERATOR, an_incident(occurred_at=now - timedelta(hours=30), severity=5))
    new = await store.incidents.create(OPERATOR, an_incident(occurred_at=now - timedelta(hours=1), severity=4))
    assert [i.id for i in await store.incidents.page(OPERATOR, IncidentFilter(window=timedelta(hours=24)))] == [new.id]
    summary = await store.incidents.summary(OPERATOR)
    assert set(summary.unacknowledged_high_ids) == {old.id, new.id}
    await store.incidents.acknowledge(OPERATOR, old.id)
    assert (await store.incidents.summary(OPERATOR)).unacknowledged_high_ids == (new.id,)


async def test_insert_in_writes_many_incidents_with_their_journal_rows(store):
    async with store.database.transaction() as conn:
        created = await store.incidents.insert_in(conn, OPERATOR, [an_incident(description=f"bulk {n}")
                                                                   for n in range(5)])
    assert [i.description for i in created] == [f"bulk {n}" for n in range(5)]
    for incident in created:
        assert [e.action for e in await store.journal.for_entity(Entity.INCIDENT, incident.id)] == ["create"]
    assert await store.incidents.count(OPERATOR, IncidentFilter(text="bulk")) == 5
    assert (await store.journal.verify_chain()).ok


async def test_the_summary_counts_only_what_the_operator_may_see(store):
    await store.incidents.create(OPERATOR, an_incident(severity=5))
    await store.incidents.create(OPERATOR, an_incident(severity=5, releasability="GBR,USA"))
    closed = await incident_in(store, S.CLOSED)
    for_deu = await store.incidents.summary(OPERATOR)  # DEU
    for_gbr = await store.incidents.summary(WATCH_OFFICER)  # GBR
    assert for_deu.by_status == {"reported": 1, "closed": 1}
    assert for_gbr.by_status == {"reported": 2, "closed": 1}
    assert (for_deu.by_severity, for_gbr.by_severity) == ({5: 1}, {5: 2})  # open incidents only
    assert (for_deu.unacknowledged_high, for_gbr.unacknowledged_high) == (1, 2)
    assert closed.id not in for_gbr.unacknowledged_high_ids
    assert await store.incidents.count(OPERATOR) == 2 and await store.incidents.count(WATCH_OFFICER) == 3
    # What the pane shows as the total of an unfiltered view, without a count query of its own.
    assert (for_deu.total, for_gbr.total) == (2, 3)


def test_only_a_filter_that_leaves_something_out_narrows():
    assert not IncidentFilter().narrows()
    assert not IncidentFilter(sort="severity", descending=False).narrows()  # an order leaves nothing out
    narrowing = [IncidentFilter(text="rafah"), IncidentFilter(min_severity=3),
                 IncidentFilter(window=timedelta(hours=24)), IncidentFilter.open_incidents(),
                 IncidentFilter(unacknowledged_only=True),
                 IncidentFilter(governorates=frozenset({Governorate.RAFAH}))]
    assert all(f.narrows() for f in narrowing)
