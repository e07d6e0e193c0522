"""The store on a real database file: migrations, refusals, the journal."""

from __future__ import annotations

import sqlite3

import pytest

from console.model.errors import PermissionDenied, ValidationError
from console.model.incidents import Governorate, Incident, IncidentCategory, IncidentStatus
from console.model.journal import Entity
from console.dtg import utc_now
from console.store import DatabaseOpenError, SchemaTooNew, Store
from console.store.database import latest_version, migrations, split_statements
from tests.conftest import OPERATOR, VIEWER, WATCH_OFFICER


def an_incident(**changes) -> Incident:
    values = dict(occurred_at=utc_now(), governorate=Governorate.RAFAH, category=IncidentCategory.SHELLING,
                  description="Shelling reported east of Rafah", severity=3, locality="Jenina")
    values.update(changes)
    return Incident(**values)


async def test_a_new_database_gets_every_migration_and_wal(db_path):
    store = await Store.open(db_path)
    try:
        assert await store.database.schema_version() == latest_version()
        assert await store.database.scalar("PRAGMA journal_mode") == "wal"
        assert await store.database.scalar("PRAGMA foreign_keys") == 1
        tables = {r[0] for r in await store.database.fetchall("SELECT name FROM sqlite_master WHERE type='table'")}
        for table in ("incidents", "incident_notes", "movements", "crossings", "dual_use_requests", "partners",
                      "officers", "contributors", "plan_points", "feeds", "headlines", "operators", "journal"):
            assert table in tables
    finally:
        await store.close()


async def test_an_older_database_is_upgraded_in_place_keeping_its_rows(db_path):
    version, _name, sql = migrations()[0]
    with sqlite3.connect(db_path) as raw:
        for statement in split_statements(sql):
            raw.execute(statement)
        raw.execute(f"PRAGMA user_version = {version}")
        raw.execute("INSERT INTO partners (code, name, kind) VALUES ('GBR', 'United Kingdom', 'military')")
    raw.close()
    store = await Store.open(db_path)
    try:
        assert await store.database.schema_version() == latest_version()
        assert [p.code for p in await store.partners.partners()] == ["GBR"]
    finally:
        await store.close()


async def test_a_database_newer_than_the_code_is_refused(db_path):
    (await Store.open(db_path)).database  # create it
    with sqlite3.connect(db_path) as raw:
        raw.execute(f"PRAGMA user_version = {latest_version() + 1}")
    raw.close()
    with pytest.raises(SchemaTooNew, match="newer than this cmcc"):
        await Store.open(db_path)


async def test_a_file_that_is_not_sqlite_is_refused_with_a_clear_message(tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("this is not a database\n" * 200)
    with pytest.raises(DatabaseOpenError, match="is not a SQLite database"):
        await Store.open(bogus)
    assert bogus.read_text().startswith("this is not a database")  # untouched


async def test_every_mutation_writes_its_journal_row_in_the_same_transaction(store):
    before = await store.journal.last_id()
    created = await store.incidents.create(OPERATOR, an_incident())
    entries = await store.journal.after(before)
    assert [(e.entity, e.entity_id, e.action, e.actor) for e in entries] == [
        (Entity.INCIDENT, created.id, "create", "op_deu")]
    assert entries[0].changes["description"] == "Shelling reported east of Rafah"
    assert entries[0].origin == "test"

    await store.incidents.transition(OPERATOR, created.id, IncidentStatus.VERIFYING, "calling the liaison")
    entries = await store.journal.after(entries[-1].id)
    assert entries[0].action == "transition"
    assert entries[0].changes["status"] == ["reported", "verifying"]


async def test_a_refused_change_leaves_neither_row_nor_journal(store):
    before_rows = await store.incidents.count(OPERATOR)
    before_journal = await store.journal.last_id()
    with pytest.raises(PermissionDenied):
        await store.incidents.create(VIEWER, an_incident())
    with pytest.raises(ValidationError) as refused:
        await store.incidents.create(OPERATOR, an_incident(severity=0, latitude=40.0, longitude=34.3))
    assert set(refused.value.errors) == {"severity", "latitude"}
    assert await store.incidents.count(OPERATOR) == before_rows
    assert await store.journal.last_id() == before_journal


async def test_the_journal_refuses_edits_and_its_chain_detects_tampering(store):
    await store.incidents.create(OPERATOR, an_incident())
    await store.incidents.create(WATCH_OFFICER, an_incident(description="Second report"))
    assert (await store.journal.verify_chain()).ok
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        async with store.database.transaction() as conn:
            await conn.execute("UPDATE journal SET actor = 'someone' WHERE id = 1")
    # Someone with the file and a SQLite shell drops the guard and edits history.
    async with store.database.transaction() as conn:
        await conn.execute("DROP TRIGGER journal_no_update")
        await conn.execute("UPDATE journal SET actor = 'someone' WHERE id = 1")
    report = await store.journal.verify_chain()
    assert not report.ok and report.first_broken_id == 1


async def test_demo_seed_is_realistic_and_fully_journaled(demo_store):
    from console.model.access import SYSTEM_ACTOR

    assert await demo_store.incidents.count(SYSTEM_ACTOR) >= 300
    assert len(await demo_store.plan.points()) == 20
    assert len(await demo_store.aid.crossings()) >= 6
    assert await demo_store.headlines.count(SYSTEM_ACTOR) >= 200
    assert len(await demo_store.partners.officers(SYSTEM_ACTOR)) >= 40
    journal_rows = await demo_store.database.scalar("SELECT count(*) FROM journal")
    assert journal_rows >= 1000
    assert (await demo_store.journal.verify_chain()).ok
