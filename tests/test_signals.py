"""A console ended by a signal (an SSH connection dropping is SIGHUP; a service manager sends
SIGTERM) gives back the feed-poller lease and the terminal, in a real pseudo-terminal."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.pty_capture import PtyCapture, visible

#: The row of bench/hardening_report.py these cases count in.
AREA = "signals: SIGHUP, SIGTERM, SIGSTOP, SIGTSTP, SIGCONT"

ROOT = Path(__file__).resolve().parent.parent


def lease_holder(db: Path) -> str | None:
    with sqlite3.connect(db) as connection:
        row = connection.execute("SELECT holder FROM leases WHERE name = 'feed-poller'").fetchone()
    return row[0] if row else None


def wait_for(condition, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def demo_db(tmp_path) -> tuple[Path, dict]:
    db = tmp_path / "demo.db"
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_STATE_HOME": str(tmp_path / "state"), "TERM": "xterm-256color"}
    made = subprocess.run([sys.executable, "-m", "console.cli", "demo", "--db", str(db), "--no-console"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    return db, env


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM], ids=["SIGHUP", "SIGTERM"])
def test_a_console_ended_by_a_signal_releases_the_lease_and_the_terminal(tally, demo_db, signum):
    tally.case(AREA)
    db, env = demo_db
    with PtyCapture([sys.executable, "-m", "console.cli", "--db", str(db)], size=(80, 24), env=env,
                    cwd=str(ROOT)) as console:
        assert wait_for(lambda: lease_holder(db) is not None), bytes(console.data)[-300:]
        console.signal(signum)
        tally.fault(AREA)
        assert wait_for(lambda: not console.running()), "still running after the signal"
        # the old console died of the signal: lease kept (another process waited 11 s for it to
        # lapse), the terminal left in the alternate screen and in mouse-reporting mode
        assert lease_holder(db) is None
        assert console.returncode == 0
        assert b"\x1b[?1049l" in bytes(console.data)  # back from the alternate screen


def process_state(pid: int) -> str:
    """R, S, T (stopped), ... from /proc: the field after the command's closing parenthesis."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def thread_count(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("Threads:")).split()[1])


def test_a_console_stopped_and_continued_keeps_one_keyboard_reader_and_still_quits(tally, demo_db):
    tally.case(AREA)
    db, env = demo_db
    with PtyCapture([sys.executable, "-m", "console.cli", "--db", str(db)], size=(80, 24), env=env,
                    cwd=str(ROOT)) as console:
        pid = console.pid
        assert wait_for(lambda: lease_holder(db) is not None), bytes(console.data)[-300:]
        console.wait_quiet(quiet=1.0)
        before = thread_count(pid)
        # kill -STOP (a stopped SSH session) three times, then ctrl+z as a shell's job control sends it
        for signum in (signal.SIGSTOP, signal.SIGSTOP, signal.SIGSTOP, signal.SIGTSTP, signal.SIGTSTP):
            console.signal(signum)
            tally.fault(AREA)
            assert wait_for(lambda: process_state(pid) == "T"), f"not stopped by {signal.Signals(signum).name}"
            mark = len(console.data)
            console.signal(signal.SIGCONT)
            assert wait_for(lambda: process_state(pid) != "T")
            # on the terminal it was given back, the console enters its screen again and draws it
            assert wait_for(lambda: b"\x1b[?1049h" in bytes(console.data)[mark:])
        console.wait_quiet(quiet=1.0)
        # Each SIGCONT started another keyboard reader and writer (two threads); one more thread
        # may be asyncio's executor pool warming up.
        assert thread_count(pid) <= before + 1, (before, thread_count(pid))
        mark = len(console.data)
        console.send("q")
        assert wait_for(lambda: b"Quit" in visible(bytes(console.data)[mark:])), "q went unanswered"
        console.send("y")
        assert wait_for(lambda: not console.running()), "y did not quit"
        assert console.returncode == 0
