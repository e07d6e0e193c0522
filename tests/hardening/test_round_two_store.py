"""Round two, the store's side: a write lock held for long, a damaged page, a reader that hangs up.
Each is one plain line (or a quiet exit), never a traceback or a silent loss (area "store faults")."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from console.domain import StoreError
from tests.conftest import WATCH_OFFICER
from tests.pilot import demo_app, recorded_notices, until, watch_floor

AREA = "store faults"
ROOT = Path(__file__).resolve().parents[2]

HOLD_LOCK = textwrap.dedent("""
    import sqlite3, sys
    connection = sqlite3.connect(sys.argv[1], isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    print("locked", flush=True)
    sys.stdin.read()  # until the test closes our stdin
    connection.execute("ROLLBACK")
""")


def cmcc(*args: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "console.cli", *args], capture_output=True, text=True,
                          timeout=120, cwd=ROOT, env={**os.environ, **(env or {})}, **kwargs)


class LockHolder:
    """Another process holding the database's write lock until released."""

    def __init__(self, db) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(db)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "locked"

    def release(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(timeout=30)


@pytest.fixture
def short_busy_timeout(monkeypatch):
    import console.store.database as database

    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 100)
    monkeypatch.setenv("CMCC_BUSY_TIMEOUT_MS", "100")


async def test_a_write_against_a_lock_held_too_long_is_one_line_and_saves_nothing(demo_store, short_busy_timeout,
                                                                               tally):
    before = await demo_store.journal.last_id()
    holder = LockHolder(demo_store.path)
    try:
        tally.case(AREA)
        with pytest.raises(StoreError, match="stayed locked by another process: nothing was saved"):
            await demo_store.watch.add_log_entry(WATCH_OFFICER, "while locked")
        tally.fault(AREA)
        refused = cmcc("--db", str(demo_store.path), "feeds", "add", "late", "http://127.0.0.1:9/feed.xml")
        tally.case(AREA)
        assert refused.returncode == 2
        assert refused.stderr.strip().splitlines()[-1].endswith("nothing was saved; try again")
        assert "Traceback" not in refused.stderr
    finally:
        holder.release()
    tally.rows_checked(AREA, 1)
    assert await demo_store.journal.last_id() == before
    await demo_store.watch.add_log_entry(WATCH_OFFICER, "after the lock")  # and it writes again
    assert await demo_store.journal.last_id() == before + 1


async def test_the_console_says_an_acknowledgement_was_not_saved_while_locked(db_path, short_busy_timeout, tally):
    app = await demo_app(db_path, actor=WATCH_OFFICER)
    seen = recorded_notices(app)
    async with app.run_test(size=(80, 24)) as pilot:
        table = (await watch_floor(pilot, app)).panes[0].table
        assert await until(pilot, lambda: table.row_count > 0)
        holder = LockHolder(db_path)
        try:
            tally.case(AREA)
            await pilot.press("a")
            assert await until(pilot, lambda: any("nothing was saved" in m for m in seen), timeout=20)
        finally:
            holder.release()
        tally.fault(AREA)


def damaged_copy(tmp_path) -> Path:
    db = tmp_path / "demo.db"
    assert cmcc("demo", "--db", str(db), "--no-console").returncode == 0
    copy = tmp_path / "damaged.db"
    shutil.copy(db, copy)
    with copy.open("r+b") as raw:
        raw.seek(6 * 4096 + 8)
        raw.write(bytes(range(200)))
    return copy


@pytest.mark.parametrize("command", [("export", "incidents", "--since", "60d"), ("handover", "--since", "30d"),
                                     ("journal", "verify")], ids=lambda c: c[0])
def test_a_damaged_page_is_one_line_that_says_so(tmp_path, command, tally):
    copy = damaged_copy(tmp_path)
    tally.case(AREA)
    done = cmcc("--db", str(copy), *command)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode in (1, 2)
    last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.stdout.strip().splitlines()[0]
    assert "damaged" in last and "integrity_check" in last, (done.stdout, done.stderr)
    tally.fault(AREA)


def test_a_reader_that_hangs_up_ends_the_export_quietly(tmp_path, tally):
    db = tmp_path / "demo.db"
    assert cmcc("demo", "--db", str(db), "--no-console").returncode == 0
    tally.case(AREA)
    export = subprocess.Popen([sys.executable, "-m", "console.cli", "--db", str(db), "export", "incidents",
                               "--since", "60d", "--format", "csv"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, cwd=ROOT)
    first = export.stdout.readline()
    export.stdout.close()  # what `| head -1` does
    _, err = export.communicate(timeout=60)
    assert first.startswith(b"id,") and export.returncode == 0 and err == b""
