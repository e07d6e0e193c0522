"""What the import benches share: a fresh demo database, and a probe that keeps asking for the
write lock beside an import, as a console acknowledging an incident would, timing each wait."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from console.identity import os_login
from console.store import Store
from console.store.seed import seed_demo

#: One short write every 50 ms until the stop file appears; then each write's wait (ms), as JSON.
PROBE = """
import json, os, sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], timeout=60, isolation_level=None)
stop, waits = sys.argv[2], []
while not os.path.exists(stop):
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    waits.append((time.perf_counter() - started) * 1000)
    conn.execute("COMMIT")
    time.sleep(0.05)
print(json.dumps(waits))
"""


async def new_database(path: Path) -> None:
    """A fresh demo database at ``path`` (an earlier one and its -wal/-shm removed), run by this user."""
    for stale in path.parent.glob(path.name + "*"):
        stale.unlink()
    store = await Store.open(path)
    await seed_demo(store.database, operator_login=os_login())
    await store.close()


class LockProbe:
    """``with LockProbe(db) as probe: ...`` then ``probe.waits``: the waits (ms), sorted."""

    def __init__(self, database: Path) -> None:
        self.stop_file = database.with_suffix(".stop")
        self.database = database
        self.waits: list[float] = []

    def __enter__(self) -> "LockProbe":
        self.stop_file.unlink(missing_ok=True)
        self.process = subprocess.Popen([sys.executable, "-c", PROBE, str(self.database), str(self.stop_file)],
                                        stdout=subprocess.PIPE, text=True)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_file.touch()
        self.waits = sorted(json.loads(self.process.communicate(timeout=120)[0] or "[]")) or [0.0]
        self.stop_file.unlink(missing_ok=True)
