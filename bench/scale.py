"""Scale and speed: a year of operations on one host, in one command.

    python bench/scale.py            # full sizes (~10 min the first time: the build; reused after)
    python bench/scale.py --quick    # a tenth of everything, fewer runs (~2 min)
    python bench/scale.py --plans bench/QUERY_PLANS.md   # also write the hot queries' plans

The database comes from bench/build_large_db.py (built once under bench/data/,
reused while its sizes match): 100,000 incidents with notes, 200,000 aid
movements, 1,000,000 headlines across 50 feeds, 2,000 officers, one chained
journal row per record. Then, on this machine:

- **first paint**: ``cmcc --db BIG`` started in a fresh pseudo-terminal
  (bench/pty_capture.py, 120x40, TERM=xterm-256color), until the clock bar's
  DTG has been drawn and the output has been quiet for 0.5 s (the time of the
  last byte before the quiet); against an empty Textual app (Header + Footer)
  started the same way with the same python, the two alternating run by run
  (a machine that drifts weighs on both alike). Median of 7 runs (3 with --quick).
- **peak RSS**: the same console after opening every pane (keys 1..5) and
  pressing ctrl+end repeatedly in each (the incident table pages in 200 more
  each time it nears its end); VmHWM from /proc/PID/status.
- **search**: ``HeadlineRepository.search`` over the headlines and the
  Incidents pane's full-text filter (page + count) over the incidents, ~50
  varied queries each (common and rare words, two words, prefixes, no match),
  as a DEU operator (the releasability filter is in every query).
- **paging / sorting**: the incident table's page of 200 at offsets across
  the table, and the first page under each sort key both ways.
- **ingest**: headlines per second through parse + de-duplicate + commit,
  against feedparser's (and json.loads') own parse of the same documents
  (bench/bench_ingest.py's documents and stages).
- **propagation**: a console runs on the big database in a pty showing the
  Headlines pane; this script commits a headline with a unique title through
  ``console.store`` (another process, as a poller or another console would)
  and times until that title appears in the console's output.
- **journal verify**: ``cmcc journal verify`` on the big database as a fresh
  process (bench/bench_verify.py): the hash chain, and every record replayed
  from the journal and compared field by field; its time and journal rows per second.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import bench_ingest  # noqa: E402
from bench.bench_incidents import READER, WORDS  # noqa: E402
from bench.build_large_db import EXTRA, PLACES, SUBJECTS, ensure, sizes  # noqa: E402
from bench.pty_capture import PtyCapture, visible  # noqa: E402

SIZE = (120, 40)
EMPTY_APP = """
from textual.app import App
from textual.widgets import Footer, Header

class Empty(App):
    TITLE = "EmptyBench"
    def compose(self):
        yield Header()
        yield Footer()

Empty().run()
"""
DTG = re.compile(rb"\d{6}Z [A-Z]{3} \d{2}")
CTRL_END = "\x1b[1;5F"
QUIET = 0.5


@dataclass
class Row:
    measure: str
    value: float | None
    unit: str
    baseline: float | None = None
    target: str = ""
    ok: bool | None = None
    note: str = ""

    def ratio(self) -> str:
        if self.value is None or not self.baseline:
            return "-"
        return f"{self.value / self.baseline:.2f}x"


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# --- the pseudo-terminal -------------------------------------------------------------


def console_env(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("COLORTERM", "NO_COLOR", "CMCC_LOW_BANDWIDTH", "CMCC_THEME", "TEXTUAL_ANIMATIONS")}
    config = work / "config" / "cmcc"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text("poll_feeds = false\n")
    env.update(TERM="xterm-256color", XDG_CONFIG_HOME=str(work / "config"), XDG_DATA_HOME=str(work / "data"),
               PYTHONPATH=str(ROOT))
    # As installed (pip compiles to bytecode): this checkout may run with PYTHONDONTWRITEBYTECODE,
    # which would recompile every project module on every start (~75 ms). The bytecode goes to
    # bench/data/pycache, not into the tree; the empty app runs with the same setting.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(ROOT / "bench" / "data" / "pycache")
    return env


def cmcc_argv(db: Path) -> list[str]:
    return [sys.executable, "-m", "console.cli", "--db", str(db)]


def wait_painted(capture: PtyCapture, marker: re.Pattern[bytes] | bytes, timeout: float = 60.0) -> float | None:
    """Seconds from start to the last byte of the first complete paint (marker seen, then quiet)."""
    deadline = time.monotonic() + timeout
    seen_at = None
    while time.monotonic() < deadline and capture.running():
        text = visible(bytes(capture.data))
        found = marker.search(text) if isinstance(marker, re.Pattern) else (marker in text)
        if found:
            seen_at = capture.now()
            break
        time.sleep(0.02)
    if seen_at is None:
        return None
    return capture.wait_quiet(QUIET, timeout=max(1.0, deadline - time.monotonic()), after=0.0)


def first_paint(runs: int, env: dict[str, str], db: Path) -> tuple[list[float], list[float], str]:
    """(empty app seconds, cmcc seconds, note): the two alternate, run by run, so that a machine
    that speeds up or slows down during the measurement weighs on both sides alike."""
    empty_argv, ours_argv = [sys.executable, "-c", EMPTY_APP], cmcc_argv(db)
    empty, ours, note = [], [], ""
    for run in range(runs + 1):  # the first round warms the bytecode and page caches and is not counted
        for argv, marker, samples in ((empty_argv, b"EmptyBench", empty), (ours_argv, DTG, ours)):
            with PtyCapture(argv, size=SIZE, env=env, cwd=str(ROOT)) as capture:
                seconds = wait_painted(capture, marker)
                if run == 0:
                    continue
                if seconds is None:
                    note = "marker never drawn: " + visible(bytes(capture.data))[-300:].decode(errors="replace")
                    continue
                samples.append(seconds)
    return empty, ours, note


def vm_hwm_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def peak_rss(db: Path, env: dict[str, str], presses: int) -> tuple[float | None, str]:
    with PtyCapture(cmcc_argv(db), size=SIZE, env=env, cwd=str(ROOT)) as capture:
        if wait_painted(capture, DTG) is None:
            return None, "console did not paint"
        for key in "12345":
            capture.send(key)
            time.sleep(0.4)
            for _ in range(presses):
                capture.send(CTRL_END)
                time.sleep(0.12)
            capture.wait_quiet(QUIET, timeout=20)
        capture.send("1")
        capture.wait_quiet(QUIET, timeout=10)
        pid = capture._process.pid  # the python process itself (argv starts with sys.executable)
        peak = vm_hwm_mb(pid)
        return peak, f"after keys 1..5, {presses} x ctrl+end each"


# --- change propagation ----------------------------------------------------------------


async def _write_headline(db: Path, title: str) -> None:
    from console.model.access import SYSTEM_ACTOR
    from console.model.headlines import Headline
    from console.dtg import utc_now
    from console.store import Store

    store = await Store.open(db)
    try:
        stamp = utc_now()
        await store.headlines.add_many(SYSTEM_ACTOR, [Headline(
            title=title, published_at=stamp - timedelta(seconds=1), source="Scale bench",
            guid=title, dedup_key=f"scale:{title}")], feed_id=None)
    finally:
        await store.close()


def propagation(db: Path, env: dict[str, str], changes: int) -> tuple[list[float], str]:
    samples, misses = [], 0
    loop = asyncio.new_event_loop()
    try:
        with PtyCapture(cmcc_argv(db), size=SIZE, env=env, cwd=str(ROOT)) as capture:
            if wait_painted(capture, DTG) is None:
                return [], "console did not paint"
            capture.send("4")  # the Headlines pane: new headlines come in at the top
            capture.wait_quiet(QUIET, timeout=10)
            for n in range(changes):
                marker = f"Scalemark{secrets.token_hex(3)}"
                offset = len(capture.data)
                loop.run_until_complete(_write_headline(db, f"{marker} crossing update {n}"))
                committed = capture.now()
                deadline = time.monotonic() + 10
                seen = None
                while time.monotonic() < deadline:
                    if marker.encode() in visible(bytes(capture.data[offset:])):
                        seen = capture.now()
                        break
                    time.sleep(0.01)
                if seen is None:
                    misses += 1
                else:
                    samples.append(seen - committed)
                time.sleep(0.3)
    finally:
        loop.close()
    return samples, f"{misses} not seen within 10 s" if misses else ""


# --- the store, in process --------------------------------------------------------------


def headline_queries() -> list[str]:
    queries = [p.split()[0] for p in PLACES[:8]] + [s.split()[0] for s in SUBJECTS[:8]] + EXTRA[:10]
    queries += [f"{SUBJECTS[i].split()[0]} {PLACES[i]}" for i in range(6)]
    queries += [f"{EXTRA[i]} {PLACES[-i - 1]}" for i in range(6)]
    queries += ["Raf", "hosta", "desal", "item 424242", "item 7", "zzyzx", "convoy reaches Rafah", "insulin winter"]
    return queries[:50]


def incident_queries() -> list[str]:
    queries = list(WORDS) + [f"{WORDS[i]} {WORDS[-i - 1]}" for i in range(10)]
    queries += ["seen again", "report 4242", "report 99", "Rafah", "Khan", "Jabalia shots", "mortar near",
                "quad", "ambul", "zzyzx", "liaison adds", "drone strike", "crowd rubble", "tunnel convoy",
                "sniper Jabalia", "report 1234", "looting", "flare checkpoint", "bulldozer", "strike"]
    return queries[:50]


async def timed(work, runs: int = 1) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        await work()
        out.append((time.perf_counter() - started) * 1000)
    return out


async def store_measures(db: Path, runs: int) -> dict[str, list[float]]:
    from console.store import Store
    from console.model.incidents import IncidentFilter
    from console.store.incidents import SORT_COLUMNS

    store = await Store.open(db)
    results: dict[str, list[float]] = {}
    try:
        headlines, incidents = store.headlines, store.incidents
        await headlines.search(READER, "Rafah")  # warm the page cache once
        samples = []
        for query in headline_queries():
            samples += await timed(lambda q=query: headlines.search(READER, q, limit=300), runs)
        results["search headlines"] = samples

        async def incident_text(text: str) -> None:
            flt = IncidentFilter(text=text)
            await incidents.page(READER, flt, limit=200)
            await incidents.count(READER, flt)

        await incident_text("shots")
        samples = []
        for query in incident_queries():
            samples += await timed(lambda q=query: incident_text(q), runs)
        results["search incidents"] = samples

        total = await incidents.count(READER)
        offsets = sorted({0, 200, 1000, 5000, 10_000, total // 4, total // 2, 3 * total // 4, max(0, total - 200)})
        samples = []
        for offset in offsets:
            samples += await timed(lambda o=offset: incidents.page(READER, offset=o, limit=200), runs)
        results["page incidents"] = samples
        samples = []
        for key in SORT_COLUMNS:
            for descending in (True, False):
                flt = IncidentFilter(sort=key, descending=descending)
                for offset in (0, 1000):
                    samples += await timed(lambda f=flt, o=offset: incidents.page(READER, f, offset=o, limit=200),
                                           runs)
        results["sort incidents"] = samples
    finally:
        await store.close()
    return results


async def query_plans(db: Path) -> list[tuple[str, str, list[str]]]:
    from console.store import Store
    from console.model.incidents import IncidentFilter

    store = await Store.open(db)
    plans = []
    try:
        queries = {}
        if hasattr(store.headlines, "search_query"):
            queries["headline search (live)"] = store.headlines.search_query(READER, "Rafah", 300)
        if hasattr(store.headlines, "latest_query"):
            queries["headlines pane (newest 300)"] = store.headlines.latest_query(READER, 300)
        for label, flt, offset in (("incidents: newest page", IncidentFilter(), 0),
                                   ("incidents: page at offset 50,000", IncidentFilter(), 50_000),
                                   ("incidents: sort by severity", IncidentFilter(sort="severity"), 0),
                                   ("incidents: text filter", IncidentFilter(text="quadcopter"), 0)):
            queries[label] = store.incidents.page_query(READER, flt, offset=offset, limit=200)
        where, params = store.incidents._where(READER, IncidentFilter(text="quadcopter"))
        queries["incidents: text filter count"] = (f"SELECT count(*) FROM incidents WHERE {where}", params)
        for label, (sql, params) in queries.items():
            rows = await store.database.fetchall(f"EXPLAIN QUERY PLAN {sql}", params)
            plans.append((label, " ".join(sql.split()), [r["detail"] for r in rows]))
    finally:
        await store.close()
    return plans


# --- ingest -------------------------------------------------------------------------------


def ingest(items: int, runs: int) -> tuple[list[float], list[float]]:
    documents = bench_ingest.build(items, 30)
    ours, raw = [], []
    for _ in range(runs):
        started = time.perf_counter()
        raw_count = bench_ingest.raw_parse(documents)
        raw.append(raw_count / (time.perf_counter() - started))
        started = time.perf_counter()
        parsed = bench_ingest.our_parse(documents)
        parse_seconds = time.perf_counter() - started
        with tempfile.TemporaryDirectory() as folder:
            store_seconds, inserted, _dup, _n = asyncio.run(bench_ingest.store_all(Path(folder) / "i.db", parsed))
        ours.append(inserted / (parse_seconds + store_seconds))
    return ours, raw


# --- the machine and the table ----------------------------------------------------------------


def machine() -> str:
    import platform
    import sqlite3

    cpu = "?"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    ram = "?"
    try:
        kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")))
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        pass
    return (f"{os.cpu_count()} CPUs ({cpu}), {ram} RAM, Python {platform.python_version()},"
            f" SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()}")


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "/s":
        return f"{value:,.0f}/s"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:g}"


def print_table(rows: list[Row]) -> None:
    header = f"| {'measure':<38} | {'value':>11} | {'baseline':>11} | {'ratio':>6} | {'target':<22} | verdict |"
    print(header)
    print("|" + "|".join("-" * (len(part)) for part in header.split("|")[1:-1]) + "|")
    for r in rows:
        verdict = "-" if r.ok is None else ("ok" if r.ok else "OVER")
        print(f"| {r.measure:<38} | {fmt(r.value, r.unit):>11} | {fmt(r.baseline, r.unit):>11} | {r.ratio():>6} |"
              f" {r.target:<22} | {verdict:<7} |")
    notes = [f"{r.measure}: {r.note}" for r in rows if r.note]
    if notes:
        print()
        for note in notes:
            print(f"  {note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes, fewer runs")
    parser.add_argument("--rebuild", action="store_true", help="build the database even if a matching one exists")
    parser.add_argument("--plans", metavar="FILE", help="write the hot queries' EXPLAIN QUERY PLAN as markdown")
    parser.add_argument("--only", default="paint,rss,store,ingest,propagation,verify",
                        help="comma-separated subset of: paint,rss,store,ingest,propagation,verify (default: all)")
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    scale = 0.1 if args.quick else 1.0
    paint_runs, store_runs, ingest_runs, changes = (3, 1, 1, 5) if args.quick else (7, 3, 3, 10)
    started = time.monotonic()

    print(machine())
    db, said = ensure(scale, args.rebuild)
    print(said)
    # Apply any migration this checkout has that the file lacks, before anything is timed.
    from console.store import Store

    asyncio.run(_open_close(Store, db))

    work = Path(tempfile.mkdtemp(prefix="cmcc-scale-"))
    rows: list[Row] = []
    try:
        env = console_env(work)
        if "paint" in only:
            log("first paint: an empty Textual app and cmcc on the big database, alternately")
            empty, ours, note = first_paint(paint_runs, env, db)
            paint = statistics.median(ours) if ours else None
            base = statistics.median(empty) if empty else None
            rows.append(Row("first paint (median)", paint, "s", base, "<= 1.5x empty app",
                            None if paint is None or base is None else paint <= 1.5 * base,
                            note or f"{len(ours)} runs, {min(ours):.2f}-{max(ours):.2f} s (empty {min(empty):.2f}-"
                               f"{max(empty):.2f} s)"))
        if "rss" in only:
            log("peak RSS: every pane, scrolled to its end")
            peak, note = peak_rss(db, env, presses=8 if args.quick else 25)
            rows.append(Row("peak RSS, all panes scrolled", peak, "MB", None, "<= 200 MB",
                            None if peak is None else peak <= 200, note))
        if "store" in only:
            log("store: search, paging, sorting")
            measured = asyncio.run(store_measures(db, store_runs))
            size = sizes(scale)
            for key, label in (("search headlines", f"search {size['headlines']:,} headlines"),
                               ("search incidents", f"search {size['incidents']:,} incidents"),
                               ("page incidents", "page incidents (offsets)"),
                               ("sort incidents", "sort incidents (each key)")):
                samples = measured[key]
                p50, p95 = statistics.median(samples), pct(samples, 0.95)
                rows.append(Row(f"{label} p50", p50, "ms"))
                rows.append(Row(f"{label} p95", p95, "ms", None, "<= 50 ms", p95 <= 50,
                                f"{len(samples)} samples, max {max(samples):.1f} ms"))
        if "ingest" in only:
            log("ingest: parse + dedup + commit against feedparser")
            ours_rate, raw_rate = ingest(3000 if args.quick else 10_000, ingest_runs)
            value, base = statistics.median(ours_rate), statistics.median(raw_rate)
            rows.append(Row("ingest headlines/s (median)", value, "/s", base, ">= 0.5x feedparser",
                            value >= 0.5 * base))
        if "propagation" in only:
            log("propagation: commit here, seen on another console's screen")
            samples, note = propagation(db, env, changes)
            if samples:
                rows.append(Row("propagation p50", statistics.median(samples), "s"))
                rows.append(Row("propagation p95", pct(samples, 0.95), "s", None, "<= 1 s",
                                pct(samples, 0.95) <= 1.0, note))
            else:
                rows.append(Row("propagation p95", None, "s", None, "<= 1 s", False, note))
        if "verify" in only:
            log("journal verify: chain and replay of every record")
            from bench.bench_verify import measure

            seconds, rows_checked, records, first = measure(db)
            rows.append(Row("journal verify", seconds, "s", None, "completes, no finding", bool(rows_checked),
                            f"{rows_checked:,} rows, {records:,} records: {rows_checked / seconds:,.0f} rows/s"
                            if rows_checked else first[:80]))
        if args.plans:
            plans = asyncio.run(query_plans(db))
            write_plans(Path(args.plans), plans, said)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    print_table(rows)
    print(f"\n{machine()}\nwhole run {time.monotonic() - started:.0f} s: python bench/scale.py"
          + (" --quick" if args.quick else ""))
    return 0


async def _open_close(store_class, db: Path) -> None:
    store = await store_class.open(db)
    await store.close()


def write_plans(path: Path, plans, said: str) -> None:
    lines = ["# Query plans of the hot queries", "",
             "Written by `python bench/scale.py --plans bench/QUERY_PLANS.md` on the scale database"
             f" ({said.split(':')[0]}), as a DEU operator (releasability filter on).", ""]
    for label, sql, details in plans:
        lines += [f"## {label}", "", "```sql", sql, "```", "", "```"] + details + ["```", ""]
    path.write_text("\n".join(lines))
    log(f"query plans written to {path}")


def log(text: str) -> None:
    print(f"  {text} ...", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
