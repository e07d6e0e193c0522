"""kill -9, again and again: a console in the middle of a burst of writes and of inbox imports, and
the headless ``cmcc poller`` in the middle of polling. Afterwards the database is intact, every row
a process reported as committed is there, and every dropped inbox file is in exactly one place
and imported exactly once (all its rows, or none yet).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import textwrap
import time
from pathlib import Path

from tests.feed_server import FeedServer, rss_document
from tests.hardening.helpers import ROOT, child_env, count, integrity, python

AREA = "kills"
#: 12 rounds in the suite (each starts a Python process); the report (bench/hardening_report.py) runs 20.
ITERATIONS = int(os.environ.get("CMCC_HARDENING_KILLS", "12"))
POLLER_ITERATIONS = max(3, ITERATIONS // 3)

#: A console at work: a burst of incident writes (each committed id printed, flushed, after its
#: commit) while its inbox imports whatever files are there.
CONSOLE = textwrap.dedent("""
    import asyncio, sys
    from console.model.access import SYSTEM_ACTOR
    from console.store import Store
    from feeds.inbox import Inbox
    from tests.conftest import OPERATOR
    from tests.test_store_foundation import an_incident

    async def burst(store, tag):
        n = 0
        while True:
            incident = await store.incidents.create(OPERATOR, an_incident(description=f"burst {tag} {n}"))
            print(f"committed {incident.id}", flush=True)
            n += 1

    async def inbox(store, folder):
        box = Inbox(folder, store, SYSTEM_ACTOR, settle_seconds=0.0)
        while True:
            await box.scan_once()
            await asyncio.sleep(0.01)

    async def main(path, folder, tag):
        store = await Store.open(path)
        print("ready", flush=True)
        await asyncio.gather(burst(store, tag), inbox(store, folder))

    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))
""")


def drop_incidents_file(folder: Path, number: int, rows: int) -> str:
    """Written under a temporary name and renamed, as the README asks of writers."""
    name = f"incidents-kill-{number:03d}.json"
    items = [{"when": "now", "governorate": "Gaza", "category": "shelling", "severity": 2,
              "description": f"file {number} row {r}"} for r in range(rows)]
    temporary = folder / f".{name}.tmp"
    temporary.write_text(json.dumps(items), encoding="utf-8")
    temporary.rename(folder / name)
    return name


def where_is(folder: Path, name: str) -> list[str]:
    places = []
    if (folder / name).exists():
        places.append("inbox")
    for sub in ("processed", "rejected"):
        if (folder / sub / name).exists():
            places.append(sub)
    return places


def rows_of_file(db: Path, number: int) -> int:
    return count(db, "SELECT count(*) FROM incidents WHERE description LIKE ?", (f"file {number} row %",))


def create_database(db: Path) -> None:
    """A new database whose operators are the tests' actors (the store judges writes by them)."""
    subprocess.run([python(), "-c", "import asyncio, sys\nfrom tests.conftest import open_test_store\n"
                    "async def m():\n    s = await open_test_store(sys.argv[1])\n    await s.close()\n"
                    "asyncio.run(m())", str(db)], check=True, env=child_env(), cwd=ROOT, timeout=60)


def test_a_console_killed_mid_burst_and_mid_import_loses_no_committed_row_and_no_file(tmp_path, tally):
    db, folder = tmp_path / "kills.db", tmp_path / "inbox"
    folder.mkdir()
    create_database(db)
    rng = random.Random(10)
    committed: set[int] = set()
    dropped: dict[int, int] = {}  # file number -> rows
    for iteration in range(ITERATIONS):
        for _ in range(2):  # two new files each round, one of them large enough to be mid-import
            number = len(dropped)
            dropped[number] = rng.choice([5, 400])
            drop_incidents_file(folder, number, dropped[number])
        process = subprocess.Popen([python(), "-c", CONSOLE, str(db), str(folder), str(iteration)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env(), cwd=ROOT,
                                   text=True)
        assert process.stdout.readline().strip() == "ready", process.stderr.read()
        time.sleep(rng.uniform(0.05, 0.6))
        process.send_signal(signal.SIGKILL)
        out, err = process.communicate(timeout=30)
        assert process.returncode == -signal.SIGKILL, err
        committed |= {int(line.split()[1]) for line in out.splitlines() if line.startswith("committed ")}
        tally.fault(AREA)
        # After each kill: intact, nothing reported as committed is missing, no file lost or half-imported.
        assert integrity(db) == "ok"
        present = {r[0] for r in _rows(db, "SELECT id FROM incidents WHERE description LIKE 'burst %'")}
        missing = committed - present
        tally.rows_checked(AREA, len(committed))
        tally.lost_rows(AREA, len(missing))
        assert not missing, f"iteration {iteration}: committed rows lost: {sorted(missing)[:10]}"
        for number, rows in dropped.items():
            name = f"incidents-kill-{number:03d}.json"
            places = where_is(folder, name)
            imported = rows_of_file(db, number)
            tally.rows_checked(AREA, imported + 1)
            if len(places) != 1:
                tally.lost_rows(AREA, 1)
            assert len(places) == 1, f"{name} is in {places or 'no folder'}"
            assert imported in (0, rows), f"{name}: {imported} of {rows} rows: half imported or twice"
            if places == ["processed"]:
                assert imported == rows, f"{name} moved to processed but only {imported} of {rows} rows are in"
    # A last, unkilled scan takes whatever is left (a file killed between commit and move is only moved).
    process = subprocess.Popen([python(), "-c", CONSOLE, str(db), str(folder), "final"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=child_env(), cwd=ROOT, text=True)
    process.stdout.readline()
    deadline = time.monotonic() + 60
    # Until every file is in processed/ alone: a move is a link then an unlink, and a file seen in both
    # is still being moved (killed then, it would be left in both).
    while left := [n for n in dropped if where_is(folder, f"incidents-kill-{n:03d}.json") != ["processed"]]:
        assert time.monotonic() < deadline, f"the inbox did not take the files left by the killed consoles: {left}"
        time.sleep(0.1)
    process.send_signal(signal.SIGKILL)
    out, _ = process.communicate(timeout=30)
    committed |= {int(line.split()[1]) for line in out.splitlines() if line.startswith("committed ")}
    for number, rows in dropped.items():
        assert where_is(folder, f"incidents-kill-{number:03d}.json") == ["processed"]
        assert rows_of_file(db, number) == rows  # every file imported, exactly once
    assert count(db, "SELECT count(*) FROM inbox_files WHERE outcome = 'imported'") == len(dropped)
    assert integrity(db) == "ok"
    assert len(committed) > ITERATIONS  # the bursts did write between the kills
    assert count(db, "SELECT count(*) FROM incidents WHERE description LIKE 'burst %'") >= len(committed)
    tally.case(AREA, ITERATIONS)


def _rows(db: Path, sql: str) -> list[tuple]:
    connection = sqlite3.connect(db, timeout=30)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def test_the_poller_killed_again_and_again_loses_nothing_and_stores_each_headline_once(tmp_path, tally):
    db, folder = tmp_path / "poller.db", tmp_path / "inbox"
    folder.mkdir()
    create_database(db)
    rng = random.Random(11)
    home = tmp_path / "home"
    env = child_env(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
                    USER="tester", LOGNAME="tester")
    dropped: dict[int, int] = {}
    guids: set[str] = set()
    with FeedServer() as server:
        feeds = [f"/feed{n}.xml" for n in range(3)]
        connection = sqlite3.connect(db)
        with connection:
            for n, path in enumerate(feeds):
                connection.execute(
                    "INSERT INTO feeds (name, url, interval_seconds, enabled, header_env, keywords)"
                    " VALUES (?, ?, 5, 1, '', '')", (f"feed {n}", server.url(path)))
        connection.close()
        for iteration in range(POLLER_ITERATIONS):
            for n, path in enumerate(feeds):  # each round every feed has 150 new items, and keeps the old
                items = [{"title": f"feed {n} item {i}", "guid": f"f{n}-{i}", "link": f"http://x.test/{n}/{i}"}
                         for i in range((iteration + 1) * 150)]
                guids |= {item["guid"] for item in items}
                server.ok(path, rss_document(items))
            number = len(dropped)
            dropped[number] = 300
            drop_incidents_file(folder, number, 300)
            _lapse_lease(db)  # the killed holder's lease runs out (time passing, without waiting 10 s)
            process = subprocess.Popen([python(), "-m", "console.cli", "--db", str(db), "poller", "--inbox",
                                        str(folder)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                       cwd=ROOT, text=True)
            deadline = time.monotonic() + 30
            while "holding the feed-poller lease" not in (process.stdout.readline() or "holding the feed-poller"):
                assert time.monotonic() < deadline
            time.sleep(rng.uniform(0.1, 1.5))
            process.send_signal(signal.SIGKILL)
            process.communicate(timeout=30)
            tally.fault(AREA)
            assert integrity(db) == "ok"
            duplicates = count(db, "SELECT count(*) FROM (SELECT dedup_key FROM headlines GROUP BY dedup_key"
                                   " HAVING count(*) > 1)")
            assert duplicates == 0
            for number, rows in dropped.items():
                name = f"incidents-kill-{number:03d}.json"
                places = where_is(folder, name)
                assert len(places) == 1, f"{name} is in {places or 'no folder'}"
                assert rows_of_file(db, number) in (0, rows)
                tally.rows_checked(AREA, rows)
        tally.case(AREA, POLLER_ITERATIONS)
        stored = count(db, "SELECT count(*) FROM headlines")
        tally.rows_checked(AREA, stored)
        assert 0 < stored <= len(guids)  # it did poll between the kills, and stored each item once at most


def _lapse_lease(db: Path) -> None:
    connection = sqlite3.connect(db, timeout=30)
    try:
        with connection:
            connection.execute("UPDATE leases SET expires_at = '2000-01-01T00:00:00+00:00'")
    finally:
        connection.close()
