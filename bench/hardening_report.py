"""Run the hardening suite (tests/hardening, and the later cases tally.SUITE names) and print its summary table.

    python bench/hardening_report.py [--kills 20] [--writer-seconds 12] [-- extra pytest args]

One row per area (hostile text, hostile documents, kills, disk faults, eight writers, feed
faults, properties, tampering: each edit made behind the journal's back that verify must name)
and a total: cases tried, faults survived, rows checked, and anything lost, which must be zero.
The exit status is pytest's (non-zero if any test failed or anything was lost).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.hardening.tally import REPORT_ENV, SUITE, table  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20, help="kill -9 rounds of a console (default 20)")
    parser.add_argument("--writer-seconds", type=float, default=12.0,
                        help="how long the eight writers write (default 12)")
    parser.add_argument("pytest_args", nargs="*", help="extra arguments for pytest (after --)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cmcc-hardening-") as folder:
        report = Path(folder) / "tally.json"
        env = dict(os.environ, **{REPORT_ENV: str(report), "CMCC_HARDENING_KILLS": str(args.kills),
                                  "CMCC_HARDENING_WRITER_SECONDS": str(args.writer_seconds)})
        started = time.monotonic()
        # One process ("-n 0"): the tally is counted where the tests run.
        completed = subprocess.run([sys.executable, "-m", "pytest", *SUITE, "-q", "-p", "no:cacheprovider", "-n", "0",
                                    *args.pytest_args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
        elapsed = time.monotonic() - started
        if not report.exists():
            sys.stdout.write(completed.stdout)
            print("hardening_report: the suite wrote no tally (did it run?)", file=sys.stderr)
            return completed.returncode or 1
        data = json.loads(report.read_text(encoding="utf-8"))
    failures = [line for line in completed.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
    print(f"hardening suite: {elapsed:.0f} s, pytest exit status {completed.returncode}")
    for line in failures:
        print(f"  {line}")
    print(table(data["tally"], data["outcome"]))
    if data["tally"]["lost"]:
        return 1
    return completed.returncode


if __name__ == "__main__":
    sys.exit(main())
