"""Ten consoles on one database file: no lock errors, nothing lost, conflicts detected."""

from __future__ import annotations

import asyncio
import json
import sys
import textwrap

import pytest

from console.model.errors import StaleRecord
from console.store.changes import ChangeWatcher
from tests.conftest import open_test_store, OPERATOR, WATCH_OFFICER
from tests.test_store_foundation import an_incident

WRITER = textwrap.dedent("""
    import asyncio, json, sys
    from console.store import Store
    from tests.conftest import OPERATOR
    from tests.test_store_foundation import an_incident

    async def main(path, name, count):
        store = await Store.open(path)
        made, errors = [], []
        try:
            for n in range(count):
                try:
                    incident = await store.incidents.create(OPERATOR, an_incident(description=f"{name} report {n}"))
                    await store.incidents.add_note(OPERATOR, incident.id, f"{name} note {n}")
                    made.append(incident.id)
                except Exception as error:  # count every failure: none may surface
                    errors.append(repr(error))
        finally:
            await store.close()
        print(json.dumps({"made": made, "errors": errors}))

    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
""")


async def test_ten_processes_write_at_once_without_lock_errors_or_losses(db_path):
    store = await open_test_store(db_path)
    watcher = await ChangeWatcher.open(db_path)
    per_process = 25
    try:
        writers = [await asyncio.create_subprocess_exec(
            sys.executable, "-c", WRITER, str(db_path), f"console{n}", str(per_process),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE) for n in range(10)]
        seen = []
        results = []
        for writer in writers:
            out, err = await asyncio.wait_for(writer.communicate(), timeout=240)
            assert writer.returncode == 0, err.decode()
            results.append(json.loads(out))
            seen += await watcher.poll()
        while batch := await watcher.poll():
            seen += batch
        assert [r["errors"] for r in results] == [[]] * 10
        made = sorted(i for r in results for i in r["made"])
        assert len(made) == 10 * per_process == len(set(made))
        assert await store.incidents.count(OPERATOR) == 10 * per_process
        # Every change reached the watcher, in journal order, each once.
        created = [e.entity_id for e in seen if e.action == "create"]
        assert sorted(created) == made
        assert [e.id for e in seen] == sorted({e.id for e in seen})
        assert (await store.journal.verify_chain()).ok
        assert await store.database.scalar("PRAGMA integrity_check") == "ok"
    finally:
        await watcher.close()
        await store.close()


async def test_a_second_save_of_the_same_incident_is_told_it_changed(db_path):
    first = await open_test_store(db_path)
    second = await open_test_store(db_path)
    try:
        created = await first.incidents.create(OPERATOR, an_incident())
        mine = await first.incidents.get(OPERATOR, created.id)
        theirs = await second.incidents.get(WATCH_OFFICER, created.id)
        await second.incidents.update(WATCH_OFFICER, theirs.__class__(**{**theirs.__dict__, "severity": 5}),
                                      expected_version=theirs.version)
        with pytest.raises(StaleRecord, match="changed by someone else"):
            await first.incidents.update(OPERATOR, mine.__class__(**{**mine.__dict__, "severity": 2}),
                                         expected_version=mine.version)
        assert (await first.incidents.get(OPERATOR, created.id)).severity == 5
    finally:
        await first.close()
        await second.close()
