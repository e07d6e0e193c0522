"""Ten writers at full speed, two consoles watching: does the interface keep up?

    python bench/load.py [--writers 10] [--seconds 30] [--after 15] [--before 10] [--size 160x48] [--grow 0]

The issue: ten writer processes at full speed (about 1,500 writes/s) froze an
open, filtered watch log (``W``) for the whole load and left it stale long
after; pane keys went unanswered for seconds. This scenario plays that load
and measures what an operator sees.

The database is a fresh demo database (``prepare_demo``, as ``cmcc demo``
makes it) in a temporary folder that also holds the config (``poll_feeds =
false``: no feed polling, only the writers change anything), data and state
(XDG_* point there). ``--grow N`` first adds N headlines in batches of
2,000 through ``store.headlines.add_many`` (one journal row each, as a feed
poller adds them): a grown journal, such as the issue's 45,000 rows of load
leave behind, for a machine whose writers cannot write that many. Around it:

- **writers**: ``--writers`` child processes (this script with ``--writer``),
  each a registered watch officer writing through ``console.store`` as fast as
  it can: incident notes, incident edits (severity), acknowledgements and
  watch-log entries, every one a journal row. They open the database first,
  start together on the parent's word and stop ``--seconds`` later; each write
  is one line on their stdout, flushed in batches every 0.1 s, each batch
  stamped with the middle of the time it covers, which the parent counts.
- **console 1, measured**: ``CmccApp`` in this process under Textual's
  headless pilot at ``--size``, its watch log open (``W``) and filtered
  (``/`` then the word ``beacon``): an open, filtered watch log is what froze.
- **console 2, watching**: ``python -m console.cli --db DB`` in a
  pseudo-terminal (bench/pty_capture.py) at the same size, left on the watch
  floor: its change feed and pane reloads add their reads to the database's
  load. Its output is shown as bytes/s per window.
- **the probe**: every 0.5 s a log entry ``beacon <token>`` written through a
  second ``Store.open`` of the same file (another connection, as another
  console would), in a thread of its own so that the moment of its commit is
  noted even while console 1's event loop is busy.

Three windows in the same run: **before** the load (``--before`` s, the
baseline), **during** it (``--seconds``), and **after** it (``--after``).
For each:

- **writes/s**: writes the writers reported in the window, per second;
  ``refused`` counts writes the store refused (a stale version, a lock held
  past the busy timeout), shown apart.
- **key to screen p50/p95/max ms**: an operator in the watch log moves the
  cursor (``down``/``up``) every 0.15 s, and every 20 moves leaves it
  (``escape``) and opens it again (``W``, ``/``, ``beacon``, ``enter``). Each
  key is timed from the press to the moment its own effect is first seen
  (looked at every 5 ms: the cursor row moved, the screen in front changed,
  the filter took the letter, the focus moved); a key whose effect is never
  seen counts with the whole time it waited. Target: p95 <= 200 ms.
  Beside it, not judged, ``settled95``: the p95 of ``pilot.press(key)`` and
  ``pilot.pause(0)`` as bench/soak.py times a key, which return only once the
  whole process is idle again: the work the key set off (a filter letter
  searches the journal again) and everything else of the moment (the
  writers' changes arriving, the probe's thread, SQLite's threads) counts
  there. The slowest keys of each window are listed under the table with
  both times.
- **change p50/p95 ms**: from the probe's commit to the first time console 1's
  watch log table holds that entry (``JournalTable.records``, looked at every
  20 ms while the watch log is the screen in front). The percentiles are over
  the probes shown at any time before the run ends; ``seen/sent`` counts those
  shown in time: before their window ended, or within 1 s of their commit for
  the ones sent in a window's last second. Every probe not shown in time is
  listed. Target: p95 <= 1 s, none missed.

The exit status is 1 if any window misses a target (the baseline too: a
machine too busy for the baseline cannot judge the rest), 0 otherwise; 2 if
the run could not finish (a part did not start; console 1 ended, as SIGTERM
ends it), 130 on Ctrl+C. Either way the writers and console 2 are stopped and
the temporary folder removed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import sqlite3
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pty_capture import PtyCapture  # noqa: E402
from bench.scale import DTG, cmcc_argv, wait_painted  # noqa: E402
from bench.soak import pct  # noqa: E402

#: The word every probe carries and console 1's watch log is filtered by; no writer writes it.
FILTER = "beacon"
NATION = "GBR"
PROBE_LOGIN, PROBE_NAME = "load_probe", "Capt. Load Probe"
PROBE_EVERY = 0.5
POLL_EVERY = 0.02
KEY_EVERY = 0.15
REOPEN_EVERY = 20
#: A writer's stdout is flushed this often (one line per write): the parent reads in batches.
FLUSH_EVERY = 0.1
KEY_TARGET_MS = 200.0
CHANGE_TARGET_MS = 1000.0
#: What a writer writes, and how often (weights).
KINDS = {"note": 45, "log": 30, "edit": 20, "ack": 5}


class Stopped(Exception):
    """The run cannot go on (a part did not start, or console 1 exited): said in one line, exit 2."""


def writer_login(n: int) -> str:
    return f"load_w{n:02d}"


async def register_operators(store, writers: int) -> None:
    """The writers and the probe, as watch officers of ``store``."""
    from console.model.access import SYSTEM_ACTOR, Operator, Role

    wanted = [(writer_login(n), f"Capt. Load Writer {n}") for n in range(writers)] + [(PROBE_LOGIN, PROBE_NAME)]
    for login, name in wanted:
        if await store.operators.get(login) is None:
            await store.operators.add(SYSTEM_ACTOR, Operator(login, name, NATION, Role.WATCH_OFFICER))


def actor_for(login: str, name: str):
    from console.model.access import Actor, Role

    return Actor(login, name, Role.WATCH_OFFICER, NATION, "load")


# --- a writer (a child process) ----------------------------------------------------------


async def writer(db: str, n: int, writers: int) -> None:
    """Open the database, say ``ready``, wait for a line on stdin (the end of the load, as a
    ``time.time()``), then write as fast as the store allows until then: one ``+`` line per write,
    ``!refused KIND: why`` per refusal, each flushed batch led by ``@`` and a ``time.time()`` (``flush``)."""
    from console.model.errors import StoreError
    from console.store import Store

    actor = actor_for(writer_login(n), f"Capt. Load Writer {n}")
    rng = random.Random(n)
    store = await Store.open(db)
    try:
        incidents = await store.incidents.page(actor, limit=200)
        ids = [incident.id for incident in incidents]
        # Each writer acknowledges its own share, so that every acknowledgement is a journal row.
        unacknowledged = [i.id for i in incidents if i.acknowledged_at is None and i.id % writers == n]
        print("ready", flush=True)
        line = await asyncio.to_thread(sys.stdin.readline)
        if not line:
            return  # the parent went away before the start
        deadline = float(line)
        lines: list[str] = []
        flushed = time.time()
        while (now := time.time()) < deadline:
            kind = rng.choices(list(KINDS), weights=list(KINDS.values()))[0]
            if kind == "ack" and not unacknowledged:
                kind = "note"
            try:
                if kind == "note":
                    await store.incidents.add_note(actor, rng.choice(ids), f"load: follow-up {rng.randint(1, 99999)}")
                elif kind == "log":
                    await store.watch.add_log_entry(actor, f"load: routine check {rng.randint(1, 99999)}")
                elif kind == "edit":
                    current = await store.incidents.get(actor, rng.choice(ids))
                    await store.incidents.update(actor, replace(current, severity=current.severity % 5 + 1),
                                                 current.version)
                else:
                    await store.incidents.acknowledge(actor, unacknowledged.pop())
                lines.append("+")
            except (StoreError, sqlite3.Error) as error:
                lines.append(f"!refused {kind}: {' '.join(str(error).split())}")
            if now - flushed >= FLUSH_EVERY:
                flush(lines, flushed)
                lines, flushed = [], now
        flush(lines, flushed)
    finally:
        await store.close()


def flush(lines: list[str], since: float) -> None:
    """One batch of a writer's lines, stamped with the middle of the time it covers."""
    if lines:
        sys.stdout.write(f"@{(since + time.time()) / 2:.3f}\n" + "\n".join(lines) + "\n")
        sys.stdout.flush()


class Writers:
    """The writer processes and what they reported: ``(time, writes)`` per batch (the writer's
    clock, as ``time.monotonic()`` here), and the refusals."""

    def __init__(self) -> None:
        self.processes: list[asyncio.subprocess.Process] = []
        self.batches: list[list] = []  # [time, writes]
        self.refused: list[tuple[float, str]] = []
        self.ready = 0
        self._readers: list[asyncio.Task] = []

    async def start(self, db: Path, count: int) -> None:
        for n in range(count):
            process = await asyncio.create_subprocess_exec(
                sys.executable, __file__, "--writer", str(db), "--writer-number", str(n), "--writers", str(count),
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, cwd=str(ROOT))
            self.processes.append(process)
            self._readers.append(asyncio.create_task(self._read(process)))

    async def _read(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        rest = b""
        to_monotonic = time.monotonic() - time.time()
        while chunk := await process.stdout.read(65536):
            lines = (rest + chunk).split(b"\n")
            rest = lines.pop()
            for line in lines:
                if line == b"+":
                    self.batches[-1][1] += 1
                elif line.startswith(b"@"):
                    self.batches.append([float(line[1:]) + to_monotonic, 0])
                elif line.startswith(b"!"):
                    self.refused.append((self.batches[-1][0], line[1:].decode(errors="replace")))
                elif line == b"ready":
                    self.ready += 1

    async def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while self.ready < len(self.processes):
            if time.monotonic() > deadline or any(p.returncode is not None for p in self.processes):
                raise Stopped(f"only {self.ready} of {len(self.processes)} writers started")
            await asyncio.sleep(0.05)

    def go(self, seconds: float) -> None:
        """Start them all: each writes until ``seconds`` from now."""
        line = f"{time.time() + seconds}\n".encode()
        for process in self.processes:
            assert process.stdin is not None
            process.stdin.write(line)

    def writes_between(self, start: float, end: float) -> int:
        return sum(n for t, n in self.batches if start <= t < end)

    async def stop(self) -> None:
        """Kill the writers still running (each ends by itself at the end of the load)."""
        for process in self.processes:
            if process.returncode is None:
                process.kill()
        await asyncio.gather(*(p.wait() for p in self.processes), return_exceptions=True)
        for task in self._readers:
            task.cancel()
        await asyncio.gather(*self._readers, return_exceptions=True)


# --- the probe (a thread with its own event loop and connection) ----------------------------


@dataclass
class Probe:
    token: str
    entry_id: int
    committed: float
    seen: float | None = None


class Prober:
    """A ``beacon <token>`` log entry every PROBE_EVERY s through its own ``Store.open``, each noted
    with the moment its commit returned (``time.monotonic()``), in ``sent``."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.sent: list[Probe] = []
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), name="load-probe", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(30)

    async def _run(self) -> None:
        from console.model.errors import StoreError
        from console.store import Store

        actor = actor_for(PROBE_LOGIN, PROBE_NAME)
        store = await Store.open(self.db)
        try:
            while not self._stop.is_set():
                token = secrets.token_hex(4)
                try:
                    entry_id = await store.watch.add_log_entry(actor, f"{FILTER} {token}")
                except (StoreError, sqlite3.Error) as error:
                    self.failures.append(str(error))
                else:
                    self.sent.append(Probe(token, entry_id, time.monotonic()))
                await asyncio.sleep(PROBE_EVERY)
        finally:
            await store.close()


async def watch_for_probes(app, prober: Prober) -> None:
    """Every POLL_EVERY s, while the watch log is in front: which probes does its table hold now?"""
    from console.model.journal import Entity
    from console.screens.watch_log import WatchLogScreen
    from widgets.watch.journal_table import JournalTable

    pending: dict[int, Probe] = {}
    taken = 0
    while True:
        await asyncio.sleep(POLL_EVERY)
        while taken < len(prober.sent):
            probe = prober.sent[taken]
            pending[probe.entry_id] = probe
            taken += 1
        screen = app.screen
        if not pending or not isinstance(screen, WatchLogScreen):
            continue
        tables = screen.query(JournalTable)
        if not tables:
            continue
        now = time.monotonic()
        for entry in list(tables.first().records.values()):
            if entry.entity is Entity.LOG and entry.entity_id in pending:
                pending.pop(entry.entity_id).seen = now


# --- the operator at console 1 ---------------------------------------------------------------


@dataclass
class Press:
    key: str
    start: float
    seconds: float  # pilot.press + pilot.pause(0)
    handled: float | None  # seconds until the key's effect was first seen (None: not seen)


@dataclass
class Keys:
    presses: list[Press] = field(default_factory=list)
    in_flight: tuple[float, str] | None = None

    def between(self, start: float, end: float) -> list[Press]:
        return [press for press in self.presses if start <= press.start < end]


async def operator(pilot, app, keys: Keys) -> None:
    """Moves in the filtered watch log; every REOPEN_EVERY moves, out of it and back in."""
    from textual.widgets import Input

    from console.screens.watch_floor import WatchFloor
    from console.screens.watch_log import WatchLogScreen
    from widgets.watch.journal_table import JournalTable

    rng = random.Random(15)

    async def press(key: str) -> None:
        handled = effect(key)
        started = time.monotonic()
        keys.in_flight = started, key
        # returns once the screen and its widgets have handled what the key queued
        pressing = asyncio.ensure_future(pilot.press(key))
        seen = None
        while not pressing.done():
            if seen is None and handled():
                seen = time.monotonic()
            await asyncio.wait([pressing], timeout=0.005)
        pressing.result()
        if seen is None and handled():
            seen = time.monotonic()
        await pilot.pause(0)  # and the screen's pending repaint is done
        keys.presses.append(Press(key, started, time.monotonic() - started,
                                  None if seen is None else seen - started))
        keys.in_flight = None

    def effect(key: str):
        """What shows that ``key`` was handled, as a test on the app now."""
        screen = app.screen
        if key == "W":
            return lambda: isinstance(app.screen, WatchLogScreen)
        if key == "escape":
            return lambda: isinstance(app.screen, WatchFloor)
        if key == "slash":
            return lambda: isinstance(app.focused, Input)
        if key == "enter":
            return lambda: isinstance(app.focused, JournalTable)
        if key in ("down", "up"):
            table = screen.query_one(JournalTable)
            before = table.cursor_row
            return lambda: table.cursor_row != before
        typed = screen.query_one(Input).value + key  # a letter of the filter
        return lambda: screen.query_one(Input).value == typed

    moves = 0
    while True:
        await asyncio.sleep(KEY_EVERY)
        if isinstance(app.screen, WatchLogScreen) and moves < REOPEN_EVERY:
            table = app.screen.query_one(JournalTable)
            moves += 1
            if table.row_count >= 2:  # a key that can move the cursor
                row = table.cursor_row
                await press("down" if row <= 0 else "up" if row >= table.row_count - 1
                            else rng.choice(("down", "down", "up")))
                continue
            if moves < REOPEN_EVERY:
                continue
        for _ in range(3):
            if isinstance(app.screen, WatchFloor):
                break
            await press("escape")
        await open_filtered_log(press)
        moves = 0


async def open_filtered_log(press) -> None:
    for key in ("W", "slash", *FILTER, "enter"):
        await press(key)


# --- the run ----------------------------------------------------------------------------------


async def grow(store, headlines: int, batch: int = 2000) -> None:
    """``headlines`` more headlines (and journal rows), ``batch`` to a transaction, as a poller adds them."""
    from datetime import timedelta

    from console.model.access import SYSTEM_ACTOR
    from console.model.headlines import Headline
    from console.dtg import utc_now

    now = utc_now()
    for first in range(0, headlines, batch):
        await store.headlines.add_many(SYSTEM_ACTOR, [
            Headline(title=f"Load bench: crossing report {n}", published_at=now - timedelta(seconds=headlines - n),
                     source="Load bench", guid=f"load-{n}", dedup_key=f"load:{n}")
            for n in range(first, min(headlines, first + batch))], feed_id=None)


@dataclass
class Window:
    name: str
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


async def load(args: argparse.Namespace, work: Path) -> int:
    from console import collector, low_bandwidth
    from console.config import load_settings

    settings = load_settings()
    collector.pause()  # as the console command does: resumed (and frozen) at the first frame
    low_bandwidth.set_frame_rate(settings)

    from console.app import CmccApp
    from console.commands.demo import prepare_demo
    from console.identity import current_actor
    from console.screens.watch_floor import WatchFloor
    from console.screens.watch_log import WatchLogScreen
    from console.store import Store

    db = work / "demo.db"
    store = await Store.open(db)
    await prepare_demo(store)
    await register_operators(store, args.writers)
    await grow(store, args.grow)
    actor, _ = await current_actor(store)
    columns, rows = (int(n) for n in args.size.split("x"))
    print(f"load: {args.writers} writers for {args.seconds:g} s ({args.before:g} s before, {args.after:g} s after), "
          f"console 1 in process and console 2 in a pty at {columns}x{rows}, journal {await store.journal.last_id()}"
          f" rows, {db}", flush=True)

    env = {k: v for k, v in os.environ.items()
           if k not in ("COLORTERM", "NO_COLOR", "CMCC_LOW_BANDWIDTH", "CMCC_THEME", "TEXTUAL_ANIMATIONS")}
    env.update(TERM="xterm-256color", PYTHONPATH=str(ROOT))
    second = PtyCapture(cmcc_argv(db), size=(columns, rows), env=env, cwd=str(ROOT))
    writers = Writers()
    prober = Prober(db)
    keys = Keys()
    helpers: list[asyncio.Task] = []
    try:
        second.start()
        await writers.start(db, args.writers)
        if await asyncio.to_thread(wait_painted, second, DTG) is None:
            raise Stopped("console 2 never drew its clock: " + bytes(second.data[-300:]).decode(errors="replace"))
        second.keep_data = False
        await writers.wait_ready()
        app = CmccApp(store, actor, settings)
        async with app.run_test(size=(columns, rows)) as pilot:
            while not isinstance(app.screen, WatchFloor):
                await pilot.pause(0.1)
            await open_filtered_log(pilot.press)
            if not isinstance(app.screen, WatchLogScreen):
                raise Stopped(f"W did not open the watch log (in front: {type(app.screen).__name__})")
            await asyncio.sleep(1)  # the filtered log loaded, the first frames drawn
            prober.start()
            helpers = [asyncio.create_task(job) for job in (watch_for_probes(app, prober),
                                                             operator(pilot, app, keys))]

            async def until(moment: float) -> None:
                while (left := moment - time.monotonic()) > 0:
                    if stopped := [task for task in helpers if task.done()]:
                        stopped[0].result()  # its error, not a quiet run
                        raise Stopped("a helper stopped")
                    if app.return_code is not None:  # SIGTERM or SIGHUP end the console as q does
                        raise Stopped(f"console 1 exited (status {app.return_code}): no figures")
                    await asyncio.sleep(min(left, 0.5))

            started = time.monotonic()
            await until(started + args.before)
            go = time.monotonic()
            writers.go(args.seconds)
            stop = go + args.seconds
            windows = [Window("before", started, go), Window("during", go, stop),
                       Window("after", stop, stop + args.after)]
            print(f"load: baseline {go - started:.1f} s, writers started", flush=True)
            await until(stop)
            print("load: writers stopped, watching the after window", flush=True)
            await until(stop + args.after)
            prober.stop()
            await until(time.monotonic() + CHANGE_TARGET_MS / 1000)  # the last probes' second to show
            ended = time.monotonic()
            if keys.in_flight is not None:  # a key still unanswered counts with the time it waited
                pressed_at, key = keys.in_flight
                keys.presses.append(Press(key + " (unanswered)", pressed_at, ended - pressed_at, None))
            for task in helpers:
                task.cancel()
            await asyncio.gather(*helpers, return_exceptions=True)
            helpers = []
        return report(windows, writers, prober, keys, second)
    finally:
        for task in helpers:
            task.cancel()
        await asyncio.gather(*helpers, return_exceptions=True)
        prober.stop()
        await writers.stop()
        second.stop()
        await store.close()


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report(windows: list[Window], writers: Writers, prober: Prober, keys: Keys, second: PtyCapture) -> int:
    offset = time.monotonic() - second.now()  # monotonic time -> console 2's capture time
    print(f"\n{'':30}|{'key to screen, ms':^40}|{'change to screen, ms':^31}|")
    print(f"{'window':<7} {'secs':>5} {'writes/s':>8} {'refused':>7}"
          f"|{'keys':>5} {'p50':>6} {'p95':>6} {'max':>6} {'':6} {'settled95':>9}"
          f"|{'seen/sent':>9} {'p50':>6} {'p95':>6} {'':6} |{'console 2 B/s':>14}")
    missed_any = False
    late: list[tuple[str, Probe]] = []
    slowest: list[tuple[str, list[Press]]] = []
    for window in windows:
        writes = writers.writes_between(window.start, window.end)
        refused = sum(1 for t, _ in writers.refused if window.start <= t < window.end)
        pressed = keys.between(window.start, window.end)
        settled = [press.seconds * 1000 for press in pressed]
        # key to screen: until the key's effect is seen; never seen, the whole time it waited
        handled = [(press.seconds if press.handled is None else press.handled) * 1000 for press in pressed]
        slowest.append((window.name, sorted(pressed, key=lambda press: -press.seconds)[:5]))
        key_ok = bool(handled) and pct(handled, 0.95) <= KEY_TARGET_MS
        probes = [p for p in prober.sent if window.start <= p.committed < window.end]
        shown = [(p.seen - p.committed) * 1000 for p in probes if p.seen is not None]
        in_time = [p for p in probes if p.seen is not None
                   and p.seen <= max(window.end, p.committed + CHANGE_TARGET_MS / 1000)]
        late += [(window.name, p) for p in probes if p not in in_time]
        change_ok = bool(probes) and len(in_time) == len(probes) and pct(shown, 0.95) <= CHANGE_TARGET_MS
        missed_any |= not (key_ok and change_ok)
        bytes_per_s = second.between(window.start - offset, window.end - offset) / window.seconds
        print(f"{window.name:<7} {window.seconds:5.1f} {writes / window.seconds:8.1f} {refused:7d}"
              f"|{len(handled):5d} {pct(handled, 0.5):6.0f} {pct(handled, 0.95):6.0f}"
              f" {max(handled, default=float('nan')):6.0f} {verdict(key_ok):<6} {pct(settled, 0.95):9.0f}"
              f"|{f'{len(in_time)}/{len(probes)}':>9} {pct(shown, 0.5):6.0f} {pct(shown, 0.95):6.0f}"
              f" {verdict(change_ok):<6} |{bytes_per_s:14.0f}")
    print(f"targets: key p95 <= {KEY_TARGET_MS:.0f} ms; change p95 <= {CHANGE_TARGET_MS:.0f} ms and every change"
          f" shown in its window (or within {CHANGE_TARGET_MS / 1000:g} s of its commit at the window's end);"
          f" settled95: p95 of the press until the process is idle again (not judged)")
    start = windows[0].start
    print("slowest keys to settle: key, settled ms (effect first seen ms), at s from the start:")
    for name, presses in slowest:
        print(f"  {name:<7} " + ", ".join(
            f"{p.key} {p.seconds * 1000:.0f} ({'-' if p.handled is None else f'{p.handled * 1000:.0f}'})"
            f" at {p.start - start:.1f}" for p in presses))
    if late:
        print(f"changes not shown in time ({len(late)}):")
        for name, probe in late:
            seen = ("never" if probe.seen is None else
                    f"shown at {probe.seen - start:6.1f} s ({probe.seen - probe.committed:.1f} s after)")
            print(f"  {name:<7} {FILTER} {probe.token}  committed at {probe.committed - start:6.1f} s, {seen}")
    if writers.refused:
        print(f"refused writes ({len(writers.refused)}), first: {writers.refused[0][1]}")
    if prober.failures:
        print(f"probe writes that failed ({len(prober.failures)}), first: {prober.failures[0]}")
    print("load: target missed" if missed_any else "load: all targets met")
    return 1 if missed_any else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--writers", type=int, default=10, help="writer processes (default 10)")
    parser.add_argument("--seconds", type=float, default=30, help="seconds of load (default 30)")
    parser.add_argument("--before", type=float, default=10, help="seconds of baseline before the load (default 10)")
    parser.add_argument("--after", type=float, default=15, help="seconds watched after the load (default 15)")
    parser.add_argument("--grow", type=int, default=0, metavar="N",
                        help="add N headlines (N journal rows) before the run: a grown database (default 0)")
    parser.add_argument("--size", default="160x48", help="terminal COLUMNSxROWS of both consoles (default 160x48)")
    parser.add_argument("--writer", metavar="DB", help=argparse.SUPPRESS)  # a writer (child process)
    parser.add_argument("--writer-number", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.writer:
        try:
            asyncio.run(writer(args.writer, args.writer_number, args.writers))
        except KeyboardInterrupt:
            pass
        return 0
    with tempfile.TemporaryDirectory(prefix="cmcc-load-") as folder:
        work = Path(folder)
        for name in ("CONFIG", "DATA", "STATE"):
            os.environ[f"XDG_{name}_HOME"] = str(work / name.lower())
        (work / "config" / "cmcc").mkdir(parents=True)
        (work / "config" / "cmcc" / "config.toml").write_text("poll_feeds = false\n")
        try:
            return asyncio.run(load(args, work))
        except KeyboardInterrupt:
            print("load: interrupted", file=sys.stderr)
            return 130
        except Stopped as why:
            print(f"load: {why}", file=sys.stderr)
            return 2


if __name__ == "__main__":
    sys.exit(main())
