"""Retention: an admin moves old headlines to an archive file; nothing is lost, and they stay searchable."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta

import pytest

from console import cli
from console.model.errors import PermissionDenied, StoreError
from console.model.headlines import Headline
from console.dtg import utc_now
from console.screens.watch_floor import WatchFloor
from console.store import Store, archive as archive_module
from console.store.archive import archive_headlines, archive_path_for
from tests.conftest import REAL_LOGIN, register_test_operators, ADMIN, OPERATOR, WATCH_OFFICER
from tests.pilot import demo_app, until

OLD_DAYS = (200, 150, 120, 100)
NEW_DAYS = (60, 10, 1)


def headline(title: str, days_ago: float) -> Headline:
    return Headline(title=title, published_at=utc_now() - timedelta(days=days_ago), source="Wire Service",
                    summary=f"{title}, reported by the wire", guid=f"t:{title}", dedup_key=f"t:{title}")


async def fill(store: Store) -> None:
    await store.headlines.add_many(ADMIN, [headline(f"Old convoy report {d}", d) for d in OLD_DAYS], None)
    await store.headlines.add_many(ADMIN, [headline(f"Recent convoy report {d}", d) for d in NEW_DAYS], None)


def titles(path, table: str = "headlines") -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute(f"SELECT title FROM {table}")}


def cutoff(days: int = 90):
    return utc_now() - timedelta(days=days)


async def test_archive_moves_exactly_the_headlines_older_than_the_cutoff(store, db_path):
    await fill(store)
    result = await archive_headlines(store.database, ADMIN, cutoff())
    assert result.moved == len(OLD_DAYS) and result.archive == archive_path_for(db_path)
    assert result.archive.name == "cmcc-archive.db"
    live = titles(db_path)
    assert not any(t.startswith("Old") for t in live)
    assert {f"Recent convoy report {d}" for d in NEW_DAYS} <= live
    assert titles(result.archive) == {f"Old convoy report {d}" for d in OLD_DAYS}
    entries = await store.database.fetchall("SELECT action, changes FROM journal WHERE action = 'archive'")
    assert len(entries) == 1 and '"count": 4' in entries[0]["changes"] and "cmcc-archive.db" in entries[0]["changes"]
    assert (await store.journal.verify_chain()).ok


async def test_running_it_again_moves_nothing_and_journals_nothing(store, db_path):
    await fill(store)
    await archive_headlines(store.database, ADMIN, cutoff())
    again = await archive_headlines(store.database, ADMIN, cutoff())
    assert again.moved == 0 and again.copied == 0
    assert len(titles(again.archive)) == len(OLD_DAYS)
    assert await store.database.scalar("SELECT count(*) FROM journal WHERE action = 'archive'") == 1


async def test_a_crash_between_copy_and_delete_loses_nothing_and_a_rerun_completes(store, db_path, monkeypatch):
    await fill(store)

    async def killed(*args, **kwargs):
        raise RuntimeError("killed between copy and delete")

    monkeypatch.setattr(archive_module, "delete_archived", killed)
    with pytest.raises(RuntimeError):
        await archive_headlines(store.database, ADMIN, cutoff())
    # Copied, not yet deleted: every old headline is in both files.
    assert {f"Old convoy report {d}" for d in OLD_DAYS} <= titles(db_path)
    assert titles(archive_path_for(db_path)) == {f"Old convoy report {d}" for d in OLD_DAYS}
    monkeypatch.undo()
    result = await archive_headlines(store.database, ADMIN, cutoff())
    assert result.moved == len(OLD_DAYS) and result.copied == 0
    assert not any(t.startswith("Old") for t in titles(db_path))


async def test_an_archive_that_cannot_be_written_deletes_nothing(store, db_path):
    await fill(store)
    unusable = db_path.parent / "a-folder"
    unusable.mkdir()
    with pytest.raises(StoreError):
        await archive_headlines(store.database, ADMIN, cutoff(), unusable)
    assert {f"Old convoy report {d}" for d in OLD_DAYS} <= titles(db_path)
    assert await store.database.scalar("SELECT count(*) FROM journal WHERE action = 'archive'") == 0


async def test_the_newest_headline_stays_live_so_no_id_is_handed_out_twice(store, db_path):
    await store.headlines.add_many(ADMIN, [headline(f"Old report {d}", d) for d in OLD_DAYS], None)
    result = await archive_headlines(store.database, ADMIN, cutoff())
    assert result.moved == len(OLD_DAYS) - 1
    assert titles(db_path) == {f"Old report {OLD_DAYS[-1]}"}
    new_id = (await store.headlines.add_many(ADMIN, [headline("Fresh report", 0)], None))[0]
    with sqlite3.connect(result.archive) as conn:
        assert new_id > conn.execute("SELECT max(id) FROM headlines").fetchone()[0]


async def test_a_headline_linked_to_an_incident_stays_live(demo_store, db_path):
    store = demo_store
    await store.headlines.add_many(ADMIN, [headline("Old linked report", 300), headline("Old plain report", 299),
                                           headline("Fresh report", 0)], None)
    linked = await store.database.scalar("SELECT id FROM headlines WHERE title = 'Old linked report'")
    incident = (await store.incidents.page(ADMIN, limit=1))[0]
    await store.incidents.link(ADMIN, incident.id, "headline", linked)
    result = await archive_headlines(store.database, ADMIN, cutoff())
    assert result.moved == 1
    assert titles(result.archive) == {"Old plain report"}
    assert "Old linked report" in titles(db_path)


async def test_only_an_admin_may_archive(store):
    await fill(store)
    for actor in (OPERATOR, WATCH_OFFICER):
        with pytest.raises(PermissionDenied):
            await archive_headlines(store.database, actor, cutoff())


async def test_archived_headlines_are_found_by_search_marked_archived(store, db_path):
    await fill(store)
    await archive_headlines(store.database, ADMIN, cutoff())
    found = await store.headlines.search(OPERATOR, "convoy report")
    assert {h.title for h in found if h.archived} == {f"Old convoy report {d}" for d in OLD_DAYS}
    assert {h.title for h in found if not h.archived} == {f"Recent convoy report {d}" for d in NEW_DAYS}
    assert [h.published_at for h in found] == sorted((h.published_at for h in found), reverse=True)
    assert await store.headlines.search(OPERATOR, "convoy report", archive=False) == \
        [h for h in found if not h.archived]


def test_the_command_archives_and_says_what_it_did(db_path, capsys):
    async def prepare() -> None:
        store = await Store.open(db_path)
        try:
            from console.store.seed import seed_demo

            await seed_demo(store.database, operator_login=REAL_LOGIN)  # we, the real login, are its admin
            await register_test_operators(store)
            await fill(store)
        finally:
            await store.close()

    asyncio.run(prepare())
    target = db_path.parent / "elsewhere" / "old-news.db"
    target.parent.mkdir()
    assert cli.main(["archive", "--db", str(db_path), "--before", "90d", "--archive", str(target)]) == 0
    said = capsys.readouterr().out
    assert "archived 4 headlines" in said and str(target) in said
    assert titles(target) == {f"Old convoy report {d}" for d in OLD_DAYS}
    assert cli.main(["archive", "--db", str(db_path), "--before", "90d", "--archive", str(target)]) == 0
    assert "nothing to archive" in capsys.readouterr().out
    assert cli.main(["archive", "--db", str(db_path), "--before", "soon"]) == 2
    assert "not a duration" in capsys.readouterr().err


async def test_the_headlines_pane_search_shows_archived_headlines_marked(db_path):
    app = await demo_app(db_path)
    await app.store.headlines.add_many(ADMIN, [headline(f"Zikim ferry report {d}", d) for d in (400, 5)], None)
    await archive_headlines(app.store.database, ADMIN, cutoff())
    async with app.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
        await pilot.press("4")
        await pilot.press("slash", *"ferry", "enter")
        pane = app.screen.pane("headlines")
        assert await until(pilot, lambda: pane.table.row_count == 2)
        shown = {h.title: h.archived for h in pane.table.records.values()}
        assert shown == {"Zikim ferry report 400": True, "Zikim ferry report 5": False}
        archived = next(h for h in pane.table.records.values() if h.archived)
        row = pane.table.get_row(str(archived.id))
        assert "A" in str(row[1]) and str(row[3]).startswith("[archived] ")
        assert "1 archived" in str(pane.query_one(".pane-summary").render())
