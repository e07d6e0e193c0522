"""How long ``cmcc journal verify`` takes on the year-long database (bench/build_large_db.py).

    python bench/bench_verify.py [--quick]

Runs the real command (``python -m console.cli --db BIG journal verify``) in a fresh process
with an empty state folder (no witness) and prints its wall time, the journal rows and the
records it replayed, and rows per second. bench/scale.py prints the same figure in its table
(``--only verify``).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OK = re.compile(r"journal ok: (\d+) rows, chain intact, (\d+) records match")


def measure(db: Path) -> tuple[float, int, int, str]:
    """(seconds, journal rows, records, first line of output) of one ``journal verify``."""
    with tempfile.TemporaryDirectory(prefix="cmcc-verify-") as state:
        env = {**os.environ, "XDG_STATE_HOME": state}
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "console.cli", "--db", str(db), "journal", "verify"],
                              cwd=ROOT, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - started
    first = (done.stdout.splitlines() or [done.stderr.strip()])[0]
    found = OK.search(first)
    rows, records = (int(found[1]), int(found[2])) if found else (0, 0)
    return seconds, rows, records, first


def main() -> int:
    from bench.build_large_db import ensure

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the tenth-size database")
    args = parser.parse_args()
    db, said = ensure(0.1 if args.quick else 1.0)
    print(said)
    seconds, rows, records, first = measure(db)
    print(first)
    rate = f"{rows / seconds:,.0f} journal rows/s" if rows else "did not verify ok"
    print(f"journal verify: {seconds:.1f} s, {rows:,} journal rows, {records:,} records replayed: {rate}")
    return 0 if rows else 1


if __name__ == "__main__":
    sys.exit(main())
