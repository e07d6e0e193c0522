"""A full disk and a read-only database: one clear line, no corruption, and writes work again once
space returns.

The full disk is real where the platform allows it (a 2 MB tmpfs mounted for the test: root
only) and emulated everywhere with SQLite's ``max_page_count``, which fails a write with the
same "database or disk is full" error.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import tempfile
import textwrap
from pathlib import Path

import pytest

from console.app import CmccApp
from console.config import Settings
from console.model.errors import StoreError
from console.screens.watch_floor import WatchFloor
from console.store import Store
from tests.conftest import open_test_store, OPERATOR, WATCH_OFFICER
from tests.hardening.helpers import ROOT, child_env, integrity, python
from tests.pilot import recorded_notices, until
from tests.test_store_foundation import an_incident

AREA = "disk faults"


async def fill_until_full(store: Store, tally, limit: int = 5000) -> tuple[list[int], StoreError]:
    """Write incidents until the store refuses; (the ids it committed, the refusal)."""
    made = []
    for n in range(limit):
        try:
            incident = await store.incidents.create(OPERATOR, an_incident(description=f"filler {n} " + "x" * 2000))
        except StoreError as error:
            tally.fault(AREA)
            return made, error
        made.append(incident.id)
    pytest.fail(f"{limit} writes and the disk never filled")


async def assert_all_there(store: Store, ids: list[int], tally) -> None:
    present = {r["id"] for r in await store.database.fetchall("SELECT id FROM incidents")}
    missing = set(ids) - present
    tally.rows_checked(AREA, len(ids))
    tally.lost_rows(AREA, len(missing))
    assert not missing


def one_plain_line(error: Exception) -> str:
    text = str(error)
    assert "\n" not in text and "Traceback" not in text and 20 < len(text) < 200, text
    return text


async def test_a_full_database_says_so_in_one_line_keeps_every_commit_and_recovers(db_path, tally):
    store = await open_test_store(db_path)
    try:
        pages = await store.database.scalar("PRAGMA page_count")
        await store.database.connection.execute(f"PRAGMA max_page_count = {pages + 40}")
        made, error = await fill_until_full(store, tally)
        assert "is full" in one_plain_line(error) and "nothing was saved" in str(error)
        # The same write again is refused the same way; the database stays whole, nothing committed is gone.
        with pytest.raises(StoreError, match="is full"):
            await store.incidents.create(OPERATOR, an_incident(description="again " + "x" * 2000))
        assert await store.database.scalar("PRAGMA integrity_check") == "ok"
        await assert_all_there(store, made, tally)
        # Space returns: writing works again.
        await store.database.connection.execute("PRAGMA max_page_count = 1073741823")
        after = await store.incidents.create(OPERATOR, an_incident(description="after the disk was freed"))
        await assert_all_there(store, [*made, after.id], tally)
        tally.case(AREA)
    finally:
        await store.close()


async def test_the_console_notifies_a_full_disk_and_keeps_running(db_path, tally):
    store = await open_test_store(db_path)
    app = CmccApp(store, WATCH_OFFICER, Settings(bell=False, poll_feeds=False))
    shown = recorded_notices(app)
    async with app.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
        pages = await store.database.scalar("PRAGMA page_count")
        await store.database.connection.execute(f"PRAGMA max_page_count = {pages + 20}")
        await fill_until_full(store, tally)
        app.run_store_action(store.incidents.create(OPERATOR, an_incident(description="y" * 2010)), "saved")
        assert await until(pilot, lambda: any("is full" in message for message in shown))
        assert app.is_running and isinstance(app.screen, WatchFloor)
        await pilot.press("2", "3", "1")  # still answering keys
        assert app.is_running
        await store.database.connection.execute("PRAGMA max_page_count = 1073741823")
        app.run_store_action(store.watch.add_log_entry(WATCH_OFFICER, "space is back"), "logged")
        assert await until(pilot, lambda: any(message == "logged" for message in shown))
    tally.fault(AREA)
    tally.case(AREA)
    assert integrity(db_path) == "ok"


def _mount_tmpfs(folder: Path, size: str) -> bool:
    if os.geteuid() != 0:
        return False
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                            capture_output=True)
    return result.returncode == 0


async def test_a_really_full_filesystem_says_so_and_writes_again_once_it_grows(tally):
    folder = Path(tempfile.mkdtemp(prefix="cmcc-full-"))
    if not _mount_tmpfs(folder, "2m"):
        os.rmdir(folder)
        pytest.skip("mounting a small tmpfs needs root and mount permission (max_page_count covers the rest)")
    try:
        path = folder / "full.db"
        store = await open_test_store(path)
        try:
            made, error = await fill_until_full(store, tally)
            assert "is full" in one_plain_line(error)
            assert await store.database.scalar("PRAGMA integrity_check") == "ok"
            await assert_all_there(store, made, tally)
            subprocess.run(["mount", "-o", "remount,size=16m", str(folder)], check=True)
            after = await store.incidents.create(OPERATOR, an_incident(description="after remount"))
            await assert_all_there(store, [*made, after.id], tally)
        finally:
            await store.close()
        assert integrity(path) == "ok"
        tally.case(AREA)
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)
        os.rmdir(folder)


READ_ONLY_PROBE = textwrap.dedent("""
    import asyncio, sys
    from console.store import Store, DatabaseOpenError
    from console.model.errors import StoreError
    from tests.conftest import OPERATOR
    from tests.test_store_foundation import an_incident

    async def main(path):
        try:
            store = await Store.open(path)
        except DatabaseOpenError as error:
            print("open-refused", error)
            return
        try:
            print("read", await store.incidents.count(OPERATOR))
            try:
                await store.incidents.create(OPERATOR, an_incident(description="should not land"))
                print("write-accepted")
            except StoreError as error:
                print("write-refused", error)
        finally:
            await store.close()

    asyncio.run(main(sys.argv[1]))
""")


@pytest.mark.parametrize("how", ["chmod 0444", "read-only mount"])
async def test_a_read_only_database_opens_for_reading_or_says_why_and_refuses_writes_plainly(how, tally):
    if how == "chmod 0444" and os.geteuid() == 0:
        pytest.skip("root ignores file permissions (and the venv is not reachable as another user):"
                    " the read-only mount case covers root")
    folder = Path(tempfile.mkdtemp(prefix="cmcc-ro-"))
    os.chmod(folder, 0o755)
    mounted = False
    if how == "read-only mount":
        if not _mount_tmpfs(folder, "8m"):
            os.rmdir(folder)
            pytest.skip("mounting a tmpfs needs root and mount permission (chmod covers the rest)")
        mounted = True
        os.chmod(folder, 0o755)
    try:
        path = folder / "ro.db"
        store = await open_test_store(path)
        made = await store.incidents.create(OPERATOR, an_incident(description="before read-only"))
        await store.close()
        if how == "chmod 0444":
            for item in folder.iterdir():
                os.chmod(item, 0o444)
            os.chmod(folder, 0o555)
        else:
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        probe = await asyncio.to_thread(
            subprocess.run, [python(), "-c", READ_ONLY_PROBE, str(path)], capture_output=True, text=True,
            env=child_env(), cwd=ROOT, timeout=60)
        assert probe.returncode == 0 and "Traceback" not in probe.stderr, probe.stderr
        lines = probe.stdout.splitlines()
        if lines[0].startswith("open-refused"):
            assert len(lines) == 1 and "read" in lines[0]  # one line saying what to check
        else:
            assert lines[0] == "read 1"  # the records are there to read
            assert lines[1].startswith("write-refused") and "read-only" in lines[1], lines
        # The command line: one line, exit status 2, never a traceback.
        cli = await asyncio.to_thread(
            subprocess.run, [python(), "-m", "console.cli", "--db", str(path), "journal", "verify"],
            capture_output=True, text=True, env=child_env(HOME=str(folder)), cwd=ROOT, timeout=60)
        assert "Traceback" not in cli.stderr, cli.stderr
        tally.fault(AREA)
        tally.case(AREA)
    finally:
        if mounted:
            subprocess.run(["mount", "-o", "remount,rw", str(folder)], capture_output=True)
        os.chmod(folder, 0o755)
        for item in folder.iterdir():
            os.chmod(item, 0o644)
    store = await open_test_store(path)
    try:
        assert (await store.incidents.get(OPERATOR, made.id)) is not None
        assert await store.database.scalar("PRAGMA integrity_check") == "ok"
    finally:
        await store.close()
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
