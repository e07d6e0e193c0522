"""Round two, the store's side: a write lock held for long, a damaged page, a reader that hangs up.
Each is one plain line (or a quiet exit), never a traceback or a silent loss (area "store faults")."""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from console.model.errors import StoreError
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


async def test_a_write_against_a_lock_held_too_long_is_one_line_and_saves_nothing(short_busy_timeout, demo_store,
                                                                               tally):
    # short_busy_timeout first: the store opened after it waits 0.1 s a try, not 5 s (7 tries: 35 s).
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


class Lines:
    """A process's output read line by line in a thread, so a test can wait for a line with a deadline."""

    def __init__(self, stream) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in stream:
            self._queue.put(line)
        self._queue.put(None)

    def until(self, wanted: str, timeout: float = 30) -> bool:
        """Whether a line holding ``wanted`` comes within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                return False
            if line is None:
                return False
            self.seen.append(line)
            if wanted in line:
                return True
        return False

    def rest(self) -> list[str]:
        """Every line, once the process has ended."""
        while (line := self._queue.get(timeout=30)) is not None:
            self.seen.append(line)
        return self.seen


def test_a_poller_on_a_read_only_database_says_why_on_its_output(tally):
    from tests.os_users import cmcc_as, cmcc_process_as, os_user, shared_folder

    reader = os_user("cmcc_t_reader")
    db = shared_folder() / "read-only.db"
    assert cmcc_as(None, "demo", "--db", str(db), "--no-console").returncode == 0
    assert cmcc_as(None, "--db", str(db), "operators", "add", reader, "--name", "Reader",
                   "--nation", "GBR").returncode == 0
    for path in [db, *db.parent.glob(db.name + "-*")]:
        path.chmod(0o640)  # the group may read, not write
    poller = cmcc_process_as(reader, "--db", str(db), "poller", "--no-inbox")
    out = Lines(poller.stdout)
    try:
        tally.case(AREA)
        # the old poller said nothing on its output, only a warning on stderr every 3 s
        assert out.until("cannot ask for the feed-poller lease"), out.seen
        assert "read-only for you" in out.seen[-1]
    finally:
        poller.terminate()
        poller.wait(timeout=30)
        err = poller.stderr.read()
    assert "cannot" not in err, err  # nor when it stops: a lease never held is not given back
    tally.fault(AREA)


def test_a_poller_kept_from_the_lease_says_why_once_and_takes_it_when_it_can(demo_store, short_busy_timeout, tally):
    db = demo_store.path
    holder = LockHolder(db)
    poller = subprocess.Popen([sys.executable, "-m", "console.cli", "--db", str(db), "poller", "--no-inbox"],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "CMCC_BUSY_TIMEOUT_MS": "100"})
    out = Lines(poller.stdout)
    try:
        tally.case(AREA)
        assert out.until("cannot ask for the feed-poller lease"), out.seen
        subprocess.run(["sleep", "7"])  # two rounds of asking at the old pace (3 s), each one refused
        holder.release()
        assert out.until("holding the feed-poller lease"), out.seen
    finally:
        holder.release()
        poller.terminate()
        poller.wait(timeout=30)
        err = poller.stderr.read()
    out = out.rest()
    assert len([line for line in out if "cannot ask for the feed-poller lease" in line]) == 1, out
    assert any("the database takes writes again" in line for line in out), out
    assert "cannot ask" not in err, err
    tally.fault(AREA)
