"""The roster import at scale: rows/s, and how long it keeps other writers waiting.

    python bench/bench_roster_import.py [--rows 10000,100000,1000000] [--keep]

For each size, a fresh demo database (in a folder of its own, bench/data/roster-bench-*/) and a generated roster CSV
(officers of the 19 partners, nine in ten with a service number, the others matched by name),
then ``cmcc import roster FILE`` as a real process, twice: the first run adds every officer,
the second finds each one and changes nothing. Beside each import a probe process writes
once every 50 ms, as a console acknowledging an incident would, and records how long each
of its writes waited for the lock.

Printed per size: rows/s of both runs, the ratio of the first run's rate to the rate at the
smallest size (the baseline, measured in the same run: 1.0 means linear; the old quadratic
match fell to 0.1 at 40k rows), the probe's longest and p95 wait, and the plans of the two
match queries (they must SEARCH an index, never SCAN officers).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.lock_probe import LockProbe, new_database  # noqa: E402
from console.store import Store  # noqa: E402
from console.store.partners import MATCH_BY_NAME, MATCH_BY_NUMBER  # noqa: E402
from console.store.seed import PARTNERS  # noqa: E402

#: Each run in a folder of its own under here (two runs at once must not delete each other's files).
DATA = ROOT / "bench" / "data"


def write_roster(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["partner", "rank", "name", "service_number", "cell", "shift"])
        for n in range(rows):
            code = PARTNERS[n % len(PARTNERS)][0]
            number = f"{code}-{n:07d}" if n % 10 else ""  # one in ten matched by partner + name
            out.writerow([code, "MAJ", f"Officer {n:07d}", number, "Plans", "day"])


async def plans(path: Path) -> list[tuple[str, list[str]]]:
    store = await Store.open(path)
    try:
        return [(name, [row[3] for row in await store.database.fetchall("EXPLAIN QUERY PLAN " + sql, params)])
                for name, sql, params in (("by service number", MATCH_BY_NUMBER, (1, "GBR-0000001")),
                                          ("by name (no service number)", MATCH_BY_NAME, (1, "Officer 0000010")))]
    finally:
        await store.close()


def timed_import(database: Path, roster: Path) -> tuple[float, list[float], str]:
    """Seconds the import took, the probe's waits (ms) meanwhile, and the import's summary line."""
    with LockProbe(database) as probe:
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "console.cli", "--db", str(database), "import", "roster",
                               str(roster)], capture_output=True, text=True, cwd=ROOT)
        elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"import failed: {done.stderr.strip()}")
    return elapsed, probe.waits, done.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="10000,100000,1000000", help="sizes, comma-separated")
    parser.add_argument("--keep", action="store_true", help="keep the run's folder (bench/data/roster-bench-*)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.rows.split(",")]
    DATA.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="roster-bench-", dir=DATA))
    baseline = None
    print(f"{'rows':>9} {'add rows/s':>11} {'vs base':>8} {'again rows/s':>13} {'probe max ms':>13}"
          f" {'p95 ms':>7}  summary of the first run")
    for rows in sizes:
        database, roster = work / f"roster-{rows}.db", work / f"roster-{rows}.csv"
        asyncio.run(new_database(database))
        write_roster(roster, rows)
        first, waits, summary = timed_import(database, roster)
        again, waits_again, _ = timed_import(database, roster)
        rate = rows / first
        baseline = baseline or rate
        all_waits = sorted(waits + waits_again) or [0.0]
        p95 = all_waits[int(0.95 * (len(all_waits) - 1))]
        print(f"{rows:>9,} {rate:>11,.0f} {rate / baseline:>8.2f} {rows / again:>13,.0f}"
              f" {max(all_waits):>13,.0f} {p95:>7,.0f}  {summary}", flush=True)
    for name, plan in asyncio.run(plans(work / f"roster-{sizes[0]}.db")):
        print(f"match {name}: {' / '.join(plan)}")
    print(f"(baseline: the {sizes[0]:,}-row import's rate, this run; probe: one write every 50 ms,"
          f" median wait {statistics.median(all_waits):.1f} ms at the last size)")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    raise SystemExit(main())
