"""Eight writer processes on one database for a sustained period: no lock error surfaces and no
write is lost. Each writer prints every id after its commit; every printed id must be in the file.
"""

from __future__ import annotations

import os
import subprocess
import textwrap
import time

from tests.hardening.helpers import ROOT, child_env, count, integrity, python
from tests.hardening.test_kills import create_database

AREA = "eight writers"
WRITERS = 8
#: 6 s in the suite (eight processes writing flat out fill a two-core machine); the report
#: (bench/hardening_report.py) runs 12.
SECONDS = float(os.environ.get("CMCC_HARDENING_WRITER_SECONDS", "6"))

WRITER = textwrap.dedent("""
    import asyncio, sys, time
    from console.store import Store
    from tests.conftest import OPERATOR, WATCH_OFFICER
    from tests.test_store_foundation import an_incident

    async def main(path, name, seconds):
        store = await Store.open(path)
        deadline = time.monotonic() + seconds
        n = 0
        try:
            while time.monotonic() < deadline:
                try:
                    incident = await store.incidents.create(OPERATOR, an_incident(description=f"{name} {n}"))
                    print(f"incident {incident.id}", flush=True)
                    note = await store.incidents.add_note(OPERATOR, incident.id, f"{name} note {n}")
                    print(f"note {note}", flush=True)
                    entry = await store.watch.add_log_entry(WATCH_OFFICER, f"{name} log {n}")
                    print(f"log {entry}", flush=True)
                except Exception as error:  # every failure is counted: none may surface
                    print(f"error {type(error).__name__}: {error}", flush=True)
                n += 1
        finally:
            await store.close()

    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))
""")


def test_eight_writers_for_a_sustained_period_lose_nothing_and_see_no_lock_errors(tmp_path, tally):
    db = tmp_path / "writers.db"
    create_database(db)
    processes = [subprocess.Popen([python(), "-c", WRITER, str(db), f"writer{n}", str(SECONDS)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env(), cwd=ROOT,
                                  text=True) for n in range(WRITERS)]
    outputs = []
    deadline = time.monotonic() + SECONDS + 120
    for process in processes:
        out, err = process.communicate(timeout=max(1, deadline - time.monotonic()))
        assert process.returncode == 0, err
        outputs.append(out)
    committed: dict[str, set[int]] = {"incident": set(), "note": set(), "log": set()}
    errors = []
    for out in outputs:
        for line in out.splitlines():
            kind, _, value = line.partition(" ")
            if kind == "error":
                errors.append(value)
            else:
                committed[kind].add(int(value))
    assert not errors, errors[:5]
    tables = {"incident": "incidents", "note": "incident_notes", "log": "log_entries"}
    lost = 0
    for kind, ids in committed.items():
        present = count(db, f"SELECT count(*) FROM {tables[kind]} WHERE id IN ({','.join(map(str, ids)) or 0})")
        lost += len(ids) - present
        tally.rows_checked(AREA, len(ids))
    tally.lost_rows(AREA, lost)
    tally.case(AREA, sum(len(ids) for ids in committed.values()))
    assert lost == 0
    assert len(committed["incident"]) >= WRITERS  # every writer got through
    assert len(committed["incident"]) == len(committed["note"]) == len(committed["log"])
    assert integrity(db) == "ok"
