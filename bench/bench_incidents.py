"""The Incidents pane on a large log: open, page, sort, filter.

    python bench/bench_incidents.py [--incidents 100000] [--runs 9] [--rebuild]

Builds (or reuses) ``bench/data/incidents-<N>.db``: N incidents written through
the store's bulk path (``IncidentRepository.insert_in``: executemany, one
journal row each, chained), most acknowledged, one in twenty with a note. Then
times, as a DEU operator (so the releasability filter is in every query), what
the pane asks of the store (p50 and p95 over ``--runs``):

1. open the pane: the first page (200 rows) + the match count + the summary;
2. page: a window of 200 at growing offsets;
3. sort: the first page by each sort key, both directions;
4. filter: full text (description and notes), a preset, a governorate;

and prints EXPLAIN QUERY PLAN for the hot queries. With ``--compare`` it copies
the database, drops the indexes of migration 003 and times the sorts again, to
show what they buy.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from console.model.access import Actor, Role  # noqa: E402
from console.model.incidents import (  # noqa: E402
    LOCALITIES,
    Governorate,
    Incident,
    IncidentCategory,
    IncidentFilter,
    SourceType,
    parse_filter_spec,
)
from console.dtg import utc_now  # noqa: E402
from console.store import Store  # noqa: E402
from console.store.incidents import SORT_COLUMNS  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
WRITER = Actor("bench", "Bench", Role.ADMIN, "USA", "bench")
READER = Actor("op_deu", "Capt. Jonas Weber", Role.OPERATOR, "DEU", "bench")
PAGE = 200
BATCH = 10_000
WORDS = ["shots", "drone", "crowd", "tunnel", "mortar", "convoy", "checkpoint", "sniper", "looting", "strike",
         "bulldozer", "quadcopter", "flare", "rubble", "ambulance"]
INDEXES_003 = ["incidents_sort_occurred", "incidents_sort_severity", "incidents_sort_category",
               "incidents_sort_place", "incidents_sort_status", "incidents_sort_grading", "incidents_counts",
               "incidents_unacked"]


def synthetic(rng: random.Random, count: int, start: int) -> list[Incident]:
    now = utc_now().replace(microsecond=0)
    governorates = list(Governorate)
    categories = list(IncidentCategory)
    sources = list(SourceType)
    rows = []
    for n in range(start, start + count):
        governorate = rng.choice(governorates)
        locality = rng.choice(LOCALITIES[governorate])
        rows.append(Incident(
            occurred_at=now - timedelta(seconds=int(rng.random() ** 1.5 * 400 * 86400)),
            governorate=governorate, locality=locality, category=rng.choice(categories),
            description=f"{rng.choice(WORDS).capitalize()} reported near {locality}; "
                        f"{rng.choice(WORDS)} and {rng.choice(WORDS)} (report {n})",
            severity=rng.choices([1, 2, 3, 4, 5], [20, 30, 28, 15, 7])[0],
            killed=rng.choice([None, 0, 0, 1]), injured=rng.choice([None, 0, 2]),
            source=rng.choice(["UN OCHA", "IDF spokesperson", "Liaison GBR", "Wire"]),
            source_type=rng.choice(sources), reliability=rng.choice("ABCDEF"), credibility=rng.randint(1, 6),
            releasability="ALL" if rng.random() < 0.9 else rng.choice(["USA,GBR", "ISR,USA", "DEU,FRA,GBR,USA"]),
        ))
    return rows


async def build(path: Path, count: int) -> float:
    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    rng = random.Random(2610)
    store = await Store.open(path)
    try:
        done = 0
        while done < count:
            batch = synthetic(rng, min(BATCH, count - done), done)
            async with store.database.transaction() as conn:
                created = await store.incidents.insert_in(conn, WRITER, batch)
                await conn.execute("UPDATE incidents SET acknowledged_by = 'bench', acknowledged_at = created_at,"
                                   " status = CASE abs(random()) % 5 WHEN 0 THEN 'reported' WHEN 1 THEN 'verifying'"
                                   " WHEN 2 THEN 'verified' WHEN 3 THEN 'unsubstantiated' ELSE 'closed' END"
                                   " WHERE id > ? AND abs(random()) % 50 <> 0", (created[0].id - 1,))
            done += len(batch)
            print(f"  built {done:,} incidents", end="\r", file=sys.stderr)
        for incident_id in range(1, count + 1, 20):  # notes: a slower path, one transaction each
            if incident_id > 20 * 500:
                break
            await store.incidents.add_note(WRITER, incident_id, f"Liaison adds: {rng.choice(WORDS)} seen again")
        await store.database.connection.execute("PRAGMA optimize")
        await store.database.connection.execute("ANALYZE")
    finally:
        await store.close()
    print(file=sys.stderr)
    return time.perf_counter() - started


async def timed(runs: int, work) -> tuple[float, float]:
    samples = []
    await work()  # warm the page cache once
    for _ in range(runs):
        started = time.perf_counter()
        await work()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95


def row(label: str, p50: float, p95: float, extra: str = "") -> None:
    print(f"  {label:<44} {p50:>9.1f} {p95:>9.1f}  {extra}")


async def measure(path: Path, runs: int, *, short: bool = False) -> dict[str, float]:
    store = await Store.open(path)
    results: dict[str, float] = {}
    try:
        incidents = store.incidents
        total = await incidents.count(READER)
        print(f"\n{total:,} incidents visible to {READER.nation}; times in ms (p50, p95 of {runs} runs)\n")
        print(f"  {'what':<44} {'p50':>9} {'p95':>9}")

        async def open_pane() -> None:
            flt = IncidentFilter()
            await incidents.page(READER, flt, limit=PAGE)
            await incidents.count(READER, flt)
            await incidents.summary(READER)

        for name, work in (("open the pane (page + count + summary)", open_pane),
                           ("  first page only", lambda: incidents.page(READER, limit=PAGE)),
                           ("  count", lambda: incidents.count(READER)),
                           ("  summary", lambda: incidents.summary(READER))):
            p50, p95 = await timed(runs, work)
            results[name.strip()] = p50
            row(name, p50, p95)
        if not short:
            for offset in (PAGE, 1_000, 10_000, total // 2, max(0, total - PAGE)):
                row(f"page at offset {offset:,}",
                    *await timed(runs, lambda o=offset: incidents.page(READER, offset=o, limit=PAGE)))
        for key in SORT_COLUMNS:
            for descending in (True, False):
                flt = IncidentFilter(sort=key, descending=descending)
                p50, p95 = await timed(runs, lambda f=flt: incidents.page(READER, f, limit=PAGE))
                results[f"sort {key} {'desc' if descending else 'asc'}"] = p50
                row(f"sort by {key} {'↓' if descending else '↑'}", p50, p95)
        for label, flt in (
            ("text 'quadcopter' (page + count)", IncidentFilter(text="quadcopter")),
            ("text 'seen again' (in notes)", IncidentFilter(text="seen again")),
            ("text 'bulldozer rubble' (two words)", IncidentFilter(text="bulldozer rubble")),
            ("preset 'open, sev >= 3, last 24h'", parse_filter_spec("open, sev >= 3, last 24h")),
            ("preset 'open, unacknowledged'", parse_filter_spec("open, unacknowledged")),
            ("governorate Rafah, sorted by severity", IncidentFilter(governorates=frozenset({Governorate.RAFAH}),
                                                                     sort="severity")),
        ):
            async def filtered(f=flt) -> None:
                await incidents.page(READER, f, limit=PAGE)
                await incidents.count(READER, f)

            matches = await incidents.count(READER, flt)
            p50, p95 = await timed(runs, filtered)
            results[label] = p50
            row(label, p50, p95, f"{matches:,} match")
        if short:
            return results
        print("\nEXPLAIN QUERY PLAN")
        for label, flt in (("newest page", IncidentFilter()), ("sort by severity", IncidentFilter(sort="severity")),
                           ("sort by place asc", IncidentFilter(sort="place", descending=False)),
                           ("text filter", IncidentFilter(text="quadcopter")),
                           ("open, sev >= 3, last 24h", parse_filter_spec("open, sev >= 3, last 24h"))):
            sql, params = incidents.page_query(READER, flt, offset=1000, limit=PAGE)
            plan = await store.database.fetchall(f"EXPLAIN QUERY PLAN {sql}", params)
            print(f"  {label}: " + " | ".join(r["detail"] for r in plan))
        where, params = incidents._where(READER, IncidentFilter())
        queries = {**incidents.summary_queries(READER),
                   "count": (f"SELECT count(*) FROM incidents WHERE {where}", params)}
        for label, (sql, params) in queries.items():
            plan = await store.database.fetchall(f"EXPLAIN QUERY PLAN {sql}", params)
            print(f"  summary {label}: " + " | ".join(r["detail"] for r in plan))
    finally:
        await store.close()
    return results


async def compare_without_003(path: Path, runs: int, with_003: dict[str, float]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-incidents-"))
    copy = folder / path.name
    try:
        shutil.copy(path, copy)
        store = await Store.open(copy)
        try:
            async with store.database.transaction() as conn:
                # Back to the indexes of 001 alone.
                await conn.execute("CREATE INDEX incidents_occurred ON incidents (occurred_at DESC)")
                await conn.execute("CREATE INDEX incidents_status ON incidents (status, occurred_at DESC)")
                await conn.execute("CREATE INDEX incidents_severity ON incidents (severity, occurred_at DESC)")
                for name in INDEXES_003:
                    await conn.execute(f"DROP INDEX IF EXISTS {name}")
            await store.database.connection.execute("ANALYZE")
        finally:
            await store.close()
        print("\nWith the indexes of 001 only (same data):")
        without = await measure(copy, runs, short=True)
        print(f"\n  {'what':<44} {'with 003':>9} {'001 only':>9}  (p50 ms)")
        for key, value in with_003.items():
            print(f"  {key:<44} {value:>9.1f} {without[key]:>9.1f}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--rebuild", action="store_true", help="build the database even if it exists")
    parser.add_argument("--compare", action="store_true", help="also time the sorts without migration 003")
    args = parser.parse_args()
    path = DATA / f"incidents-{args.incidents}.db"
    reuse = path.exists() and not args.rebuild
    if reuse:
        store = await Store.open(path)
        try:
            reuse = await store.database.scalar("SELECT count(*) FROM incidents") == args.incidents
        finally:
            await store.close()
    if reuse:
        print(f"reusing {path}")
    else:
        seconds = await build(path, args.incidents)
        print(f"built {path} ({args.incidents:,} incidents) in {seconds:.1f} s"
              f" ({path.stat().st_size / 1e6:.0f} MB)")
    with_003 = await measure(path, args.runs)
    if args.compare:
        await compare_without_003(path, args.runs, with_003)


if __name__ == "__main__":
    asyncio.run(main())
