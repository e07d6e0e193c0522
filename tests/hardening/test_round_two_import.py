"""Issue 22, round two: ``cmcc import aid`` of a large file.

It held every row several times over (1.35 GB for a million rows) and wrote them all in one
transaction, so every other writer waited minutes for the lock. Now the file is checked in
one pass that keeps nothing in memory and the movements are written in short transactions;
a failure midway leaves the earlier batches written, and running the same command again
finishes the import. Real files, real SQLite, ``cmcc import aid`` as a real process.
"""

from __future__ import annotations

import asyncio
import io
import os
import signal
import sqlite3
import subprocess
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import pytest

from console.model.errors import StoreError
from console.identity import current_actor
from console.model.aid import aid_day
from feeds.importers import aid
from tests.conftest import open_test_store
from tests.hardening.helpers import ROOT, child_env, count, integrity, python
from tests.test_aid_import import make_db

AREA = "large imports (memory, lock, interruptions)"
HEADER = "planned_date,crossing,organisation,commodity,trucks,tonnes,reference,source,status,note"


def movements_file(path: Path, rows: int, *, reference: str = "WB-{n:08d}") -> Path:
    """``rows`` good movements of the last 300 days, one reference each (unless ``reference`` is '')."""
    today = aid_day()
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEADER + "\n")
        for n in range(rows):
            day = (today - timedelta(days=n % 300)).isoformat()
            handle.write(f"{day},{'KS' if n % 3 else 'Zikim'},WFP,food,{1 + n % 60},{n % 900}.5,"
                         f"{reference.format(n=n)},un2720,offloaded,\n")
    return path


def import_command(db_path: Path, path: Path) -> list[str]:
    return [python(), "-m", "console.cli", "--db", str(db_path), "import", "aid", str(path)]


def start_import(db_path: Path, path: Path, folder: Path) -> tuple[subprocess.Popen, Path, Path]:
    """The import as a process (its output to files: a pipe nobody reads could block it)."""
    out, err = folder / "import.out", folder / "import.err"
    with out.open("w") as stdout, err.open("w") as stderr:
        child = subprocess.Popen(import_command(db_path, path), cwd=ROOT, env=child_env(), stdout=stdout,
                                 stderr=stderr)
    return child, out, err


def run_import(db_path: Path, path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(import_command(db_path, path), cwd=ROOT, env=child_env(), capture_output=True, text=True,
                          timeout=600, check=False)


def peak_rss_mb(db_path: Path, path: Path, folder: Path) -> float:
    """The import's own peak resident memory (os.wait4 reports it for that one child), in MB."""
    child, _out, err = start_import(db_path, path, folder)
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    assert child.returncode == 0, err.read_text()
    return usage.ru_maxrss / 1024


def until(condition, child: subprocess.Popen, what: str, timeout: float = 300.0) -> None:
    """Poll ``condition`` every 2 ms while the import runs; fail if it ends (or time runs out) first."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert child.poll() is None, f"the import ended before {what}"
        assert time.monotonic() < deadline, f"no {what} in {timeout:.0f} s"
        time.sleep(0.002)


def write_lock_is_taken(db_path: Path) -> bool:
    """Whether another connection holds the write lock now (asked without waiting)."""
    connection = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("COMMIT")
        return False
    except sqlite3.OperationalError as error:
        assert "locked" in str(error), error
        return True
    finally:
        connection.close()


def movements_in(db_path: Path) -> int:
    connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    try:
        return int(connection.execute("SELECT count(*) FROM movements").fetchone()[0])
    finally:
        connection.close()


# --- memory -------------------------------------------------------------------------------------


def test_a_large_import_stays_in_flat_memory(db_path, tmp_path, tally):
    make_db(db_path)
    floor = peak_rss_mb(db_path, movements_file(tmp_path / "one.csv", 1), tmp_path)
    rows = 50_000
    peak = peak_rss_mb(db_path, movements_file(tmp_path / "large.csv", rows), tmp_path)
    tally.case(AREA)
    # Holding the rows cost ~1.7 kB each (~85 MB over the floor here); streamed, what grows is the
    # file's text that cmcc reads whole (~3 MB, twice while it is decoded) and a few MB of caches.
    assert peak - floor < 45, f"peak {peak:.0f} MB, {peak - floor:.0f} MB over a one-row import ({floor:.0f} MB)"
    assert count(db_path, "SELECT count(*) FROM movements") == rows  # the one row is the file's first
    tally.rows_checked(AREA, rows)


# --- the write lock -----------------------------------------------------------------------------


def test_another_writer_gets_the_lock_while_a_large_import_writes(db_path, tmp_path, tally):
    make_db(db_path)
    rows = 30_000  # a few seconds of writing: time for the five writes below
    child, out, err = start_import(db_path, movements_file(tmp_path / "large.csv", rows), tmp_path)
    try:
        until(lambda: write_lock_is_taken(db_path), child, "write")
        # A console's write while the import is writing: it waits for one batch at most. Refused
        # with a 3 s busy timeout means the import held the lock longer than that.
        writer = sqlite3.connect(db_path, timeout=3, isolation_level=None)
        try:
            for _ in range(5):
                writer.execute("BEGIN IMMEDIATE")
                writer.execute("UPDATE crossings SET status_reason = status_reason WHERE code = 'KS'")
                writer.execute("COMMIT")
                time.sleep(0.1)
        finally:
            writer.close()
        assert child.poll() is None, "the import ended before the writes were tried"
        tally.case(AREA)
    finally:
        child.wait(timeout=600)
    assert child.returncode == 0, err.read_text()
    assert out.read_text().strip() == f"{rows} imported, 0 already present"
    assert movements_in(db_path) == rows
    tally.rows_checked(AREA, rows)


# --- interrupted imports ------------------------------------------------------------------------


def test_an_import_killed_midway_is_finished_by_running_it_again(db_path, tmp_path, tally):
    make_db(db_path)
    rows = 20_000
    path = movements_file(tmp_path / "convoys.csv", rows)
    child, _out, _err = start_import(db_path, path, tmp_path)
    try:
        until(lambda: movements_in(db_path) > 0, child, "a committed batch")
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
    tally.fault(AREA)
    written = movements_in(db_path)
    assert 0 < written < rows, "the kill should have come between two batches"
    again = run_import(db_path, path)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == f"{rows - written} imported, {written} already present"
    assert movements_in(db_path) == rows and integrity(db_path) == "ok"
    tally.rows_checked(AREA, rows)
    tally.case(AREA)


def _mount_tmpfs(folder: Path, size: str) -> bool:
    if os.geteuid() != 0:
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True, check=False).returncode == 0


def test_a_disk_full_midway_says_what_was_written_and_running_again_finishes(tmp_path, tally):
    folder = Path(tempfile.mkdtemp(prefix="cmcc-import-full-"))
    if not _mount_tmpfs(folder, "8m"):
        os.rmdir(folder)
        pytest.skip("mounting a small tmpfs needs root and mount permission (the kill test covers the rest)")
    try:
        db_path = folder / "cmcc.db"
        make_db(db_path)
        rows = 20_000  # ~19 MB of movements and journal: the 8 MB disk fills a few batches in
        path = movements_file(tmp_path / "convoys.csv", rows)
        first = run_import(db_path, path)
        tally.fault(AREA)
        written = movements_in(db_path)
        assert first.returncode == 2 and 0 < written < rows, (first.returncode, written, first.stderr)
        assert "Traceback" not in first.stderr and "is full" in first.stderr, first.stderr
        assert (f"convoys.csv: stopped after writing {written} of {rows} movements ({written} imported, 0 already"
                f" present), every good row up to line {written + 1}; the batch after it was not saved. Running the"
                " same command again imports the rest") in first.stderr, first.stderr
        subprocess.run(["mount", "-o", "remount,size=64m", str(folder)], check=True)
        again = run_import(db_path, path)
        assert again.returncode == 0, again.stderr
        assert again.stdout.strip() == f"{rows - written} imported, {written} already present"
        assert movements_in(db_path) == rows and integrity(db_path) == "ok"
        tally.rows_checked(AREA, rows)
        tally.case(AREA)
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)
        os.rmdir(folder)


async def test_a_stop_midway_warns_that_rows_without_a_reference_would_be_imported_twice(db_path, tmp_path,
                                                                                         monkeypatch, tally):
    await asyncio.to_thread(make_db, db_path)
    store = await open_test_store(db_path)
    try:
        rows = 3 * aid.BATCH
        path = movements_file(tmp_path / "convoys.csv", rows, reference="")  # nothing tells two rows apart
        real, calls = store.aid.insert_in, []

        async def fails_on_the_second_batch(conn, actor, movements):
            calls.append(len(movements))
            if len(calls) == 2:
                raise StoreError("the disk holding cmcc.db is full: nothing was saved")
            return await real(conn, actor, movements)

        monkeypatch.setattr(store.aid, "insert_in", fails_on_the_second_batch)
        err = io.StringIO()
        with pytest.raises(StoreError):
            await aid.import_text(store, (await current_actor(store))[0], path, None, out=io.StringIO(), err=err)
        tally.fault(AREA)
        assert await store.database.scalar("SELECT count(*) FROM movements") == aid.BATCH
        assert err.getvalue().splitlines() == [(
            f"convoys.csv: stopped after writing {aid.BATCH} of {rows} movements ({aid.BATCH} imported, 0 already"
            f" present), every good row up to line {aid.BATCH + 1}; the batch after it was not saved. Of those,"
            f" {aid.BATCH} have no reference, so running the same command again would import them twice: remove"
            f" the rows up to line {aid.BATCH + 1} from the file first.")]
        tally.case(AREA)
    finally:
        await store.close()


async def test_a_stop_before_any_batch_was_written_adds_nothing_to_say(db_path, tmp_path, monkeypatch):
    """The first batch failing is the old single transaction's failure: nothing written, nothing to finish."""
    await asyncio.to_thread(make_db, db_path)
    store = await open_test_store(db_path)
    try:
        async def fails(conn, actor, movements):
            raise StoreError("the disk holding cmcc.db is full: nothing was saved")

        monkeypatch.setattr(store.aid, "insert_in", fails)
        err = io.StringIO()
        with pytest.raises(StoreError):
            await aid.import_text(store, (await current_actor(store))[0], movements_file(tmp_path / "convoys.csv", 10),
                                  None, err=err)
        assert err.getvalue() == ""
        assert await store.database.scalar("SELECT count(*) FROM movements") == 0
    finally:
        await store.close()
