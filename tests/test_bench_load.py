"""bench/load.py's writer: it writes through the store, one journal row per write it reports."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from bench import load

ROOT = Path(__file__).resolve().parent.parent


async def test_the_writer_writes_one_journal_row_per_write_it_reports(demo_store, db_path):
    await load.register_operators(demo_store, 1)
    before = await demo_store.journal.last_id()
    writer = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "load.py"), "--writer", str(db_path), "--writers", "1"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=str(ROOT))
    try:
        assert writer.stdout.readline() == "ready\n"
        out, _ = writer.communicate(f"{time.time() + 1}\n", timeout=60)  # write for a second
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
    assert writer.returncode == 0
    lines = out.splitlines()
    assert [line for line in lines if line.startswith("!")] == []  # alone, nothing is refused
    writes = lines.count("+")
    assert writes > 0
    assert all(line.startswith("@") for line in lines if line != "+")  # each batch stamped
    entries = await demo_store.journal.after(before)
    assert len(entries) == writes
    assert {entry.actor for entry in entries} == {load.writer_login(0)}
    assert {entry.action for entry in entries} <= {"note", "log", "edit", "acknowledge"}
