"""The change feed: commits by another connection or process are seen within a second."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import threading

from console.model.journal import Entity
from console.store import Store
from console.store.changes import ChangeWatcher
from tests.conftest import OPERATOR
from tests.test_store_foundation import an_incident


async def wait_for_entries(watcher: ChangeWatcher, timeout: float = 5.0) -> list:
    """Poll as the console does (every 0.25 s) until something arrives or time runs out."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        entries = await watcher.poll()
        if entries:
            return entries
        await asyncio.sleep(0.25)
    return []


async def test_an_idle_database_reports_nothing(store):
    watcher = await ChangeWatcher.open(store.path)
    try:
        assert await watcher.poll() == []
        assert await watcher.poll() == []
    finally:
        await watcher.close()


async def test_a_write_on_another_connection_arrives_as_journal_rows(store, db_path):
    watcher = await ChangeWatcher.open(db_path)
    other = await Store.open(db_path)
    try:
        created = await other.incidents.create(OPERATOR, an_incident())
        entries = await wait_for_entries(watcher, timeout=1.5)
        assert [(e.entity, e.entity_id, e.action) for e in entries] == [(Entity.INCIDENT, created.id, "create")]
        assert await watcher.poll() == []  # seen once only
    finally:
        await other.close()
        await watcher.close()


async def test_the_consoles_own_writes_come_back_through_the_same_path(store):
    watcher = await ChangeWatcher.open(store.path)
    try:
        created = await store.incidents.create(OPERATOR, an_incident())
        entries = await wait_for_entries(watcher, timeout=1.5)
        assert [e.entity_id for e in entries] == [created.id]
    finally:
        await watcher.close()


async def test_a_write_by_a_separate_process_is_seen(store, db_path):
    watcher = await ChangeWatcher.open(db_path)
    script = textwrap.dedent(f"""
        import asyncio
        from console.store import Store
        from tests.conftest import OPERATOR
        from tests.test_store_foundation import an_incident
        async def main():
            store = await Store.open({str(db_path)!r})
            created = await store.incidents.create(OPERATOR, an_incident(description="From another process"))
            print(created.id)
            await store.close()
        asyncio.run(main())
    """)
    try:
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        entries = await wait_for_entries(watcher, timeout=1.5)
        assert [e.entity_id for e in entries] == [int(result.stdout.strip())]
        assert entries[0].changes["description"] == "From another process"
    finally:
        await watcher.close()


async def test_closing_a_watcher_twice_at_once_closes_it_once(store, db_path):
    """The poller closes it on its way out and the app at exit: both at once must neither hang nor leave its
    thread behind (a thread still running when the event loop ends dies with 'Event loop is closed')."""
    before = _database_threads()
    watcher = await ChangeWatcher.open(db_path)
    await asyncio.wait_for(asyncio.gather(watcher.close(), watcher.close()), timeout=5)
    assert await _threads_back_to(before)


async def _threads_back_to(count: int) -> bool:
    for _ in range(100):
        if _database_threads() <= count:
            return True
        await asyncio.sleep(0.01)
    return False


def _database_threads() -> int:
    return sum(1 for t in threading.enumerate() if "_connection_worker_thread" in t.name and t.is_alive())
