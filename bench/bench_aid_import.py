"""``cmcc import aid`` at scale: rows/s, peak memory, and how long other writers wait.

    python bench/bench_aid_import.py [--rows 10000,100000,1000000] [--read-by-importer] [--keep]

For each size, a fresh demo database and a generated CSV of movements (bench/data/aid-import-bench/),
then ``cmcc import aid FILE`` as a real process. Beside it, a probe process writes once every
50 ms, as a console acknowledging an incident would, and records how long each of its writes
waited for the lock. The import runs under a small wrapper that times each of its write
transactions (the bench's instrumentation; nothing in cmcc is changed) and is reaped with
``os.wait4``, whose rusage gives the import's own peak RSS.

Printed per size: rows/s and its ratio to the smallest size's rate (the baseline, this run),
peak RSS of the import and how far above the baseline RSS (a one-row import, this run) it
is, the longest single write transaction, and the probe's longest and p95 wait. Also, per
size, the rate of a plain csv.reader pass over the file (no checks, no database): the floor
of what reading costs.

``--read-by-importer``: the importer reads the file itself (``import_text(..., text=None)``)
instead of being given the whole text by ``console/commands/importing.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from console.model.aid import aid_day  # noqa: E402
from bench.lock_probe import LockProbe, new_database  # noqa: E402

DATA = ROOT / "bench" / "data" / "aid-import-bench"
HEADER = ["planned_date", "crossing", "organisation", "commodity", "trucks", "tonnes", "reference", "source",
          "status", "note"]
#: The import under a wrapper timing each write transaction, written as JSON to argv[1] at exit.
TIMED = """
import atexit, json, sys, time
from contextlib import asynccontextmanager
from console.store import database
durations, original = [], database.Database.transaction

@asynccontextmanager
async def timed(self):
    async with original(self) as conn:
        started = time.perf_counter()
        yield conn
    durations.append((time.perf_counter() - started) * 1000)

database.Database.transaction = timed
atexit.register(lambda: open(sys.argv[1], "w").write(json.dumps(durations)))
if sys.argv[2] == "cli":
    from console.cli import main
    sys.exit(main(sys.argv[3:]))

import asyncio
from pathlib import Path
from console.identity import current_actor
from console.store import Store
from feeds.importers.aid import import_text

async def by_importer(db, file):
    store = await Store.open(db)
    try:
        actor, _ = await current_actor(store)
        return await import_text(store, actor, Path(file), None)
    finally:
        await store.close()

sys.exit(asyncio.run(by_importer(sys.argv[3], sys.argv[4])))
"""


def write_movements(path: Path, rows: int) -> None:
    rng, today = random.Random(20261203), aid_day()
    crossings, sources = ("KS", "KS", "Zikim", "ZIK", "Kerem Shalom", "G96"), ("un2720", "cogat", "partner")
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for n in range(rows):
            day = today - timedelta(days=rng.randrange(300))
            out.writerow([day.isoformat(), rng.choice(crossings), rng.choice(("WFP", "UNICEF", "WCK")), "food",
                          rng.randint(1, 60), f"{rng.randint(10, 900)}.5", f"BENCH-{n:08d}", rng.choice(sources),
                          "offloaded", ""])


def plain_read_rate(path: Path) -> float:
    started = time.perf_counter()
    with path.open(newline="", encoding="utf-8") as handle:
        rows = sum(1 for _ in csv.reader(handle)) - 1
    return rows / (time.perf_counter() - started)


def timed_import(database: Path, movements: Path, *, by_importer: bool) -> dict:
    """The import as a process, with the probe beside it: seconds, peak RSS, transactions, waits."""
    with LockProbe(database) as probe, tempfile.TemporaryDirectory() as scratch:
        durations, out, err = (Path(scratch) / name for name in ("durations.json", "out", "err"))
        how = ["importer", str(database), str(movements)] if by_importer else \
            ["cli", "--db", str(database), "import", "aid", str(movements)]
        started = time.perf_counter()
        with out.open("w") as stdout, err.open("w") as stderr:
            child = subprocess.Popen([sys.executable, "-c", TIMED, str(durations), *how], stdout=stdout,
                                     stderr=stderr, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
            _pid, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise SystemExit(f"import failed ({child.returncode}): {err.read_text().strip()}")
        summary, transactions = out.read_text().strip(), json.loads(durations.read_text())
    return {"seconds": elapsed, "rss_mb": usage.ru_maxrss / 1024, "summary": summary,
            "transactions": transactions, "waits": probe.waits}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="10000,100000,1000000", help="sizes, comma-separated")
    parser.add_argument("--read-by-importer", action="store_true",
                        help="import_text reads the file itself (text=None) instead of cmcc reading it whole")
    parser.add_argument("--keep", action="store_true", help="keep bench/data/aid-import-bench afterwards")
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.rows.split(","))
    DATA.mkdir(parents=True, exist_ok=True)
    database, floor_file = DATA / "aid-import.db", DATA / "aid-1.csv"
    asyncio.run(new_database(database))
    write_movements(floor_file, 1)
    floor = timed_import(database, floor_file, by_importer=args.read_by_importer)["rss_mb"]
    print(f"{'rows':>9} {'file MB':>8} {'rows/s':>8} {'vs base':>8} {'read rows/s':>12} {'RSS MB':>7}"
          f" {'over floor':>11} {'txns':>5} {'longest txn ms':>15} {'probe max ms':>13} {'p95 ms':>7}  summary")
    baseline = None
    for rows in sizes:
        movements = DATA / f"aid-{rows}.csv"
        asyncio.run(new_database(database))
        write_movements(movements, rows)
        run = timed_import(database, movements, by_importer=args.read_by_importer)
        rate = rows / run["seconds"]
        baseline = baseline or rate
        waits, transactions = run["waits"], run["transactions"] or [0.0]
        print(f"{rows:>9,} {movements.stat().st_size / 2**20:>8.1f} {rate:>8,.0f} {rate / baseline:>8.2f}"
              f" {plain_read_rate(movements):>12,.0f} {run['rss_mb']:>7.0f} {run['rss_mb'] - floor:>11.0f}"
              f" {len(transactions):>5} {max(transactions):>15,.0f} {max(waits):>13,.0f}"
              f" {waits[int(0.95 * (len(waits) - 1))]:>7,.0f}  {run['summary']}", flush=True)
    print(f"(baseline: the {sizes[0]:,}-row import's rate, this run; floor: a one-row import's peak RSS,"
          f" {floor:.0f} MB; read: csv.reader over the file alone; probe: one write every 50 ms;"
          f" {'import_text read the file itself' if args.read_by_importer else 'cmcc import aid as shipped'})")
    if not args.keep:
        shutil.rmtree(DATA, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    raise SystemExit(main())
