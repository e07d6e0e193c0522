"""The headline store: dedup, journal rows, releasability, search that never raises."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.model.access import SYSTEM_ACTOR, Actor, Role
from console.model.errors import PermissionDenied, StoreError
from console.model.headlines import Feed, Headline
from console.model.journal import Entity
from feeds.parse import dedup_key

WHEN = datetime(2025, 11, 25, 10, 0, tzinfo=timezone.utc)
GBR = Actor("gbr", "UK officer", Role.OPERATOR, "GBR")
FRA = Actor("fra", "FR officer", Role.OPERATOR, "FRA")
VIEWER = Actor("view", "Viewer", Role.VIEWER, "GBR")


def headline(n: int, **changes) -> Headline:
    values = dict(title=f"Headline {n} about Kerem Shalom", published_at=WHEN + timedelta(minutes=n),
                  source="wire", link=f"https://example.test/{n}", guid=f"g{n}", summary=f"Summary {n}")
    values.update(changes)
    values.setdefault("dedup_key", dedup_key(values["guid"], values["link"], values["title"], WHEN))
    return Headline(**values)


@pytest.fixture
def store_operators():
    return GBR, FRA, VIEWER


async def test_add_many_inserts_only_new_headlines_with_one_journal_row_each(store):
    feed = await store.feeds.add(SYSTEM_ACTOR, Feed(name="wire", url="https://example.test/rss"))
    first = await store.headlines.add_many(SYSTEM_ACTOR, [headline(1), headline(2), headline(2)], feed.id)
    assert len(first) == 2
    again = await store.headlines.add_many(SYSTEM_ACTOR, [headline(2), headline(3)], feed.id)
    assert len(again) == 1 and again[0] > max(first)
    assert await store.headlines.count(SYSTEM_ACTOR) == 3
    rows = [e for e in await store.journal.recent(limit=100) if e.entity is Entity.HEADLINE]
    assert sorted(e.entity_id for e in rows) == sorted(first + again)
    assert all(e.action == "add" for e in rows)
    assert (await store.journal.verify_chain()).ok  # batched rows keep the hash chain intact
    got = await store.headlines.get(SYSTEM_ACTOR, again[0])
    assert got.title == "Headline 3 about Kerem Shalom" and got.feed_id == feed.id


async def test_latest_is_newest_first_and_pages(store):
    await store.headlines.add_many(SYSTEM_ACTOR, [headline(n) for n in range(10)], None)
    latest = await store.headlines.latest(SYSTEM_ACTOR, limit=4)
    assert [h.guid for h in latest] == ["g9", "g8", "g7", "g6"]
    page = await store.headlines.latest(SYSTEM_ACTOR, limit=4, offset=8)
    assert [h.guid for h in page] == ["g1", "g0"]


async def test_releasability_filters_every_read(store):
    ids = await store.headlines.add_many(SYSTEM_ACTOR, [
        headline(1), headline(2, releasability="GBR,USA", title="Restricted convoy plan")], None)
    assert await store.headlines.count(GBR) == 2 and await store.headlines.count(FRA) == 1
    assert await store.headlines.get(FRA, ids[1]) is None
    assert [h.guid for h in await store.headlines.latest(FRA)] == ["g1"]
    assert await store.headlines.search(FRA, "restricted") == []
    assert [h.guid for h in await store.headlines.search(GBR, "restricted")] == ["g2"]
    with pytest.raises(StoreError):
        await store.headlines.mark_read(FRA, ids[1])
    journal = [e for e in await store.journal.recent(limit=50) if e.entity_id == ids[1]]
    assert journal and "title" not in journal[0].changes  # restricted titles stay out of the journal


async def test_mark_read_is_journaled_and_needs_an_operator(store):
    (hid,) = await store.headlines.add_many(SYSTEM_ACTOR, [headline(1)], None)
    await store.headlines.mark_read(GBR, hid)
    assert (await store.headlines.get(GBR, hid)).read is True
    await store.headlines.mark_read(GBR, hid, read=False)
    assert (await store.headlines.get(GBR, hid)).read is False
    actions = [e.action for e in await store.journal.for_entity(Entity.HEADLINE, hid)]
    assert actions == ["add", "read", "read"]
    with pytest.raises(PermissionDenied):
        await store.headlines.mark_read(VIEWER, hid)
    with pytest.raises(PermissionDenied):
        await store.headlines.add_many(VIEWER, [headline(5)], None)


async def test_search_finds_words_in_title_and_summary(store):
    await store.headlines.add_many(SYSTEM_ACTOR, [
        headline(1, title="Zikim crossing reopens", summary="flour and fuel"),
        headline(2, title="Rafah queue grows", summary="evacuees wait"),
    ], None)
    assert [h.guid for h in await store.headlines.search(SYSTEM_ACTOR, "zikim")] == ["g1"]
    assert [h.guid for h in await store.headlines.search(SYSTEM_ACTOR, "FUEL")] == ["g1"]
    assert [h.guid for h in await store.headlines.search(SYSTEM_ACTOR, "evac")] == ["g2"]  # prefix on last word
    assert await store.headlines.search(SYSTEM_ACTOR, "zikim rafah") == []


@pytest.mark.parametrize("text", ['a"b OR', "*", '"', "NEAR(", "title:x", "a AND", "-", "^x", "", "   ",
                                  "(", "))", "x*y", "\x00", "'; DROP TABLE headlines; --"])
async def test_search_never_raises_on_odd_input(store, text):
    await store.headlines.add_many(SYSTEM_ACTOR, [headline(1)], None)
    assert isinstance(await store.headlines.search(SYSTEM_ACTOR, text), list)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=40))
async def test_search_never_raises_for_any_text(store, text):
    assert isinstance(await store.headlines.search(SYSTEM_ACTOR, text), list)


async def test_the_count_per_marking_follows_every_add_archive_and_remark(store, tmp_path):
    from console.store.archive import archive_headlines

    def counted(actor):  # what the triggers keep, against a count of the rows themselves
        return store.headlines.count(actor)

    async def real(actor):
        return len(await store.headlines.latest(actor, limit=10_000))

    await store.headlines.add_many(SYSTEM_ACTOR, [headline(n) for n in range(5)], None)
    await store.headlines.add_many(SYSTEM_ACTOR, [headline(n, releasability="GBR,USA") for n in range(5, 8)], None)
    await store.headlines.add_many(SYSTEM_ACTOR, [headline(1), headline(6)], None)  # duplicates: not added
    assert (await counted(GBR), await counted(FRA)) == (await real(GBR), await real(FRA)) == (8, 5)
    # Re-marked behind the store (the triggers, not the store's code, keep the counts).
    async with store.database.transaction() as conn:
        await conn.execute("UPDATE headlines SET releasability = 'FRA' WHERE guid = 'g0'")
    assert (await counted(GBR), await counted(FRA)) == (await real(GBR), await real(FRA)) == (7, 5)
    result = await archive_headlines(store.database, SYSTEM_ACTOR, WHEN + timedelta(minutes=3),
                                     tmp_path / "archive.db")
    assert result.moved == 3  # g0, g1, g2: published before the cutoff
    assert (await counted(GBR), await counted(FRA)) == (await real(GBR), await real(FRA)) == (5, 2)


async def test_a_search_counts_its_matches_up_to_a_bound_and_says_when_there_are_more(store, monkeypatch):
    import console.store.headlines as headlines_store

    await store.headlines.add_many(SYSTEM_ACTOR, [headline(n) for n in range(30)], None)
    window = await store.headlines.search_window(SYSTEM_ACTOR, "Kerem", offset=10, limit=5)
    assert (window.total, window.complete) == (30, True)
    assert [h.guid for h in window.rows] == ["g19", "g18", "g17", "g16", "g15"]  # newest stored first
    monkeypatch.setattr(headlines_store, "SEARCH_COUNT_LIMIT", 7)
    window = await store.headlines.search_window(SYSTEM_ACTOR, "Kerem", offset=0, limit=5)
    assert (window.total, window.complete) == (12, False)  # the window and 7 past it: at least 12
    window = await store.headlines.search_window(SYSTEM_ACTOR, "Kerem", offset=10, limit=5)
    assert (window.total, window.complete) == (22, False)  # further down, counted further
    window = await store.headlines.search_window(SYSTEM_ACTOR, "Kerem", offset=20, limit=5)
    assert (window.total, window.complete) == (30, True)


async def test_a_window_past_the_middle_is_read_from_the_oldest_end_and_is_the_same_rows(store, monkeypatch):
    import console.store.headlines as headlines_store

    # Ties in publication time too: the two ends must order them as mirror images.
    await store.headlines.add_many(SYSTEM_ACTOR, [headline(n, published_at=WHEN + timedelta(minutes=n // 3))
                                                  for n in range(31)], None)
    everything = [h.id for h in await store.headlines.latest(SYSTEM_ACTOR, limit=100)]
    monkeypatch.setattr(headlines_store, "DEEP_OFFSET", 0)
    for offset in range(0, 32):
        for limit in (1, 4, 10):
            got = [h.id for h in await store.headlines.latest(SYSTEM_ACTOR, limit=limit, offset=offset)]
            assert got == everything[offset:offset + limit], (offset, limit)
