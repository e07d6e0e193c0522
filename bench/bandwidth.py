"""Bytes the console writes to a terminal: first paint, idle, steady load, peak, and 9600 baud.

    python bench/bandwidth.py                # 80x24 and 132x43, normal and low-bandwidth (~4 min)
    python bench/bandwidth.py --quick        # 80x24 only, shorter windows (~1 min)
    python bench/bandwidth.py --sizes 80x24 --idle 30 --load 60

Each run starts a process in a fresh pseudo-terminal (TERM=xterm-256color,
COLORTERM unset as over OpenSSH, the window size set with TIOCSWINSZ) and
counts every byte it writes (bench/pty_capture.py):

- **first paint**: bytes from start until the output has been quiet for 1 s;
- **idle B/s**: bytes per second over the idle window (nothing changes but
  the clock and the ticker);
- **steady B/s**: the scripted load of 10 new headlines and 5 incident status
  changes *per minute*, written to the database through ``console.store``
  by this script (another process, as another console or a feed would). The
  minute's 15 changes are played ``60 / --load`` times faster, spread evenly
  over the load window; the figure reported is per real minute: (bytes the
  changes caused + one minute of idle) / 60 s. ``raw`` is the measured rate
  in the accelerated window.
- **peak 1 s**: the most bytes in any one second of the idle and load windows;
- **9600 baud**: when the first paint would have finished arriving over a
  9600 baud link (960 B/s), computed from the recorded writes (each write
  queued at the moment it was made, the queue drained at 960 B/s); and the
  steady rate as a share of that link.

The console runs as ``cmcc --db COPY`` on a copy of a demo database made with
``cmcc demo --no-console`` (the demo's own feed simulator is not started, and
``poll_feeds = false`` where the setting exists), so only the scripted load
changes anything. The empty app is a Textual App with a Header and a Footer,
measured the same way in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pty_capture import PtyCapture  # noqa: E402

EMPTY_APP = """
from textual.app import App
from textual.widgets import Footer, Header

class Empty(App):
    def compose(self):
        yield Header()
        yield Footer()

Empty().run()
"""

TARGETS = {  # at 80x24: (normal, low-bandwidth), from issue 8
    "first": (16_000, 10_000),
    "idle": (100, 10),
    "steady": (300, 120),
    "baud": (20.0, 12.0),
}
HEADLINES_PER_MINUTE = 10
INCIDENT_CHANGES_PER_MINUTE = 5


@dataclass
class Result:
    name: str
    size: str
    first_bytes: int = 0
    first_seconds: float = 0.0
    idle_rate: float = 0.0
    steady_rate: float | None = None
    raw_rate: float | None = None
    peak: int = 0
    settle_9600: float = 0.0
    notes: list[str] = field(default_factory=list)


# --- the scripted load -------------------------------------------------------------------


async def play_load(db: Path, seconds: float, stop_at: float) -> int:
    """A minute's worth of changes, evenly over ``seconds``; returns how many were written."""
    from console.model.access import SYSTEM_ACTOR
    from console.model.headlines import Headline
    from console.model.incidents import INCIDENT_TRANSITIONS
    from console.dtg import utc_now
    from console.store import Store

    store = await Store.open(db)
    written = 0
    try:
        incidents = await store.incidents.page(SYSTEM_ACTOR, limit=10)
        plan = (["headline", "headline", "incident"] * 5)[: HEADLINES_PER_MINUTE + INCIDENT_CHANGES_PER_MINUTE]
        gap = seconds / len(plan)
        start = time.monotonic()
        for index, kind in enumerate(plan):
            await asyncio.sleep(max(0.0, start + index * gap - time.monotonic()))
            if time.monotonic() > stop_at:
                break
            if kind == "headline":
                stamp = utc_now()
                await store.headlines.add_many(SYSTEM_ACTOR, [Headline(
                    title=f"Bench report {index}: crossing traffic update at {stamp:%H%M%S}",
                    published_at=stamp - timedelta(seconds=5), source="Bench Wire",
                    guid=f"bench-{stamp.timestamp()}-{index}", dedup_key=f"bench-{stamp.timestamp()}-{index}")],
                    feed_id=None)
            else:
                incident = incidents[(index // 3) % len(incidents)]
                current = await store.incidents.get(SYSTEM_ACTOR, incident.id)
                step = INCIDENT_TRANSITIONS[current.status][0]
                await store.incidents.transition(SYSTEM_ACTOR, incident.id, step.to, note="bench: status change")
            written += 1
    finally:
        await store.close()
    return written


# --- one measured run -----------------------------------------------------------------


def measure(name: str, argv: list[str], env: dict[str, str], size: tuple[int, int], *,
            idle: float, load: float, db: Path | None) -> Result:
    result = Result(name, f"{size[0]}x{size[1]}")
    capture = PtyCapture(argv, size=size, env=env, cwd=str(ROOT))
    capture.keep_data = False
    with capture:
        quiet_at = capture.wait_quiet(1.0, timeout=30)
        result.first_bytes, result.first_seconds = capture.first_paint(1.0)
        result.settle_9600 = capture.settle_at_baud(9600, until=quiet_at)
        if not capture.running():
            result.notes.append("exited early")
            return result
        idle_start = capture.now()
        time.sleep(idle)
        idle_end = capture.now()
        result.idle_rate = capture.between(idle_start, idle_end) / (idle_end - idle_start)
        peak_end = idle_end
        if db is not None and load > 0:
            load_start = capture.now()
            written = asyncio.run(play_load(db, load, time.monotonic() + load + 5))
            time.sleep(2.0)  # let the last change arrive (change feed + refresh timer)
            load_end = capture.now()
            window = load_end - load_start
            load_bytes = capture.between(load_start, load_end)
            caused = max(0.0, load_bytes - result.idle_rate * window)
            result.raw_rate = load_bytes / window
            result.steady_rate = (caused + result.idle_rate * 60) / 60  # one minute of changes, per real second
            if written < HEADLINES_PER_MINUTE + INCIDENT_CHANGES_PER_MINUTE:
                result.notes.append(f"only {written} changes written")
            peak_end = load_end
        result.peak = capture.peak_second(idle_start, peak_end)
    return result


# --- the table -------------------------------------------------------------------------


def verdict(value: float | None, target: float | None) -> str:
    if value is None or target is None:
        return ""
    return "ok" if value <= target else "OVER"


def print_table(results: list[Result]) -> None:
    header = (f"{'run':<14} {'size':<7} {'first paint':>12} {'idle B/s':>9} {'steady B/s':>11} {'raw B/s':>8}"
              f" {'peak 1s':>8} {'9600 settle':>12} {'9600 use':>9}  vs issue-8 targets (80x24)")
    print(header)
    print("-" * len(header))
    for r in results:
        target_index = {"normal": 0, "low-bandwidth": 1}.get(r.name)
        def target(key):
            return TARGETS[key][target_index] if target_index is not None and r.size == "80x24" else None
        checks = [verdict(r.first_bytes, target("first")), verdict(r.idle_rate, target("idle")),
                  verdict(r.steady_rate, target("steady")), verdict(r.settle_9600, target("baud"))]
        steady = "-" if r.steady_rate is None else f"{r.steady_rate:.0f}"
        raw = "-" if r.raw_rate is None else f"{r.raw_rate:.0f}"
        use_rate = r.steady_rate if r.steady_rate is not None else r.idle_rate
        summary = " ".join(c for c in checks if c) if any(checks) else ""
        print(f"{r.name:<14} {r.size:<7} {r.first_bytes:>9,} B {r.idle_rate:>9.1f} {steady:>11} {raw:>8}"
              f" {r.peak:>8,} {r.settle_9600:>10.1f} s {use_rate / 960:>8.1%}  {summary}"
              + (f"  ({'; '.join(r.notes)})" if r.notes else ""))


# --- main ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="80x24,132x43", help="comma-separated COLSxROWS (default: 80x24,132x43)")
    parser.add_argument("--idle", type=float, default=20.0, help="idle window, seconds (default 20)")
    parser.add_argument("--load", type=float, default=20.0,
                        help="seconds to play one minute of load in (default 20: three times real speed)")
    parser.add_argument("--runs", default="empty,normal,low-bandwidth", help="which runs (default: all three)")
    parser.add_argument("--quick", action="store_true", help="80x24 only, 8 s idle, 10 s load")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.idle, args.load = "80x24", 8.0, 10.0
    sizes = [tuple(int(n) for n in s.split("x")) for s in args.sizes.split(",") if s]
    runs = [r.strip() for r in args.runs.split(",") if r.strip()]

    work = Path(tempfile.mkdtemp(prefix="cmcc-bandwidth-"))
    try:
        env = {k: v for k, v in os.environ.items() if k not in ("COLORTERM", "NO_COLOR", "CMCC_LOW_BANDWIDTH",
                                                                 "CMCC_THEME", "TEXTUAL_ANIMATIONS")}
        env.update(TERM="xterm-256color", XDG_CONFIG_HOME=str(work / "config"), XDG_DATA_HOME=str(work / "data"),
                   PYTHONPATH=str(ROOT))
        (work / "config" / "cmcc").mkdir(parents=True)
        from console.config import Settings

        if "poll_feeds" in Settings.__dataclass_fields__:
            (work / "config" / "cmcc" / "config.toml").write_text("poll_feeds = false\n")
        seeded = work / "seeded.db"
        subprocess.run([sys.executable, "-m", "console.cli", "demo", "--no-console", "--db", str(seeded)],
                       env=env, cwd=str(ROOT), check=True, stdout=subprocess.DEVNULL)

        results = []
        for size in sizes:
            for run in runs:
                db = None
                if run == "empty":
                    argv = [sys.executable, "-c", EMPTY_APP]
                else:
                    db = work / f"{run}-{size[0]}x{size[1]}.db"
                    _copy_database(seeded, db)
                    argv = [sys.executable, "-m", "console.cli", "--db", str(db)]
                    if run == "low-bandwidth":
                        argv.append("--low-bandwidth")
                print(f"measuring {run} at {size[0]}x{size[1]} ...", file=sys.stderr, flush=True)
                results.append(measure(run, argv, env, size, idle=args.idle, load=args.load if db else 0, db=db))
        print()
        print_table(results)
        print(f"\nidle window {args.idle:.0f} s; one minute of load played in {args.load:.0f} s"
              f" ({60 / args.load:.1f}x); steady B/s is per real minute.")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _copy_database(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    # As cmcc creates its databases (owner and group only): a copy readable by every user would be
    # measured with the console's warning about it on screen, a toast in every first paint.
    target.chmod(0o660)


if __name__ == "__main__":
    sys.exit(main())
