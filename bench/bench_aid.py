"""Aid flow at scale: the board and the 14-day sparklines over 200,000 movements.

    python bench/bench_aid.py [--movements 200000] [--days 365] [--runs 40] [--fresh]

Builds (once; reused from ``bench/data/aid-<movements>.db`` afterwards, ``--fresh``
rebuilds) a database with the demo's crossings and ``--movements`` movements
spread over ``--days`` UTC days ending today, ~3 % of them reported twice (the
same waybill from COGAT with another count). Written in bulk: one transaction,
``executemany``, no journal rows (this measures the reads the pane makes).

Then times, ``--runs`` times each, what the Aid flow pane's ``load()`` reads:
the board for today, the 14-day sparklines (every crossing), totals by
commodity and organisation over 7 days, and the movements list of a day, and
prints p50/p95 in milliseconds with the query plans of the hot queries.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from console.model.access import SYSTEM_ACTOR  # noqa: E402
from console.model.aid import Commodity, FigureSource, aid_day  # noqa: E402
from console.store import Store  # noqa: E402
from console.store.aid import _ENTERED_SQL, _main_record  # noqa: E402
from console.store.seed import CROSSINGS, ORGANISATIONS  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
STATUSES = ["reached_destination"] * 55 + ["collected"] * 12 + ["offloaded"] * 10 + ["intercepted"] * 4 + \
           ["rejected"] * 3 + ["held"] * 4 + ["scheduled"] * 6 + ["at_crossing"] * 3 + ["inspected"] * 3


async def build(path: Path, count: int, days: int) -> float:
    started = time.perf_counter()
    store = await Store.open(path)
    rng = random.Random(20251010)
    today = aid_day()
    now = f"{today.isoformat()}T06:00:00+00:00"
    try:
        async with store.database.transaction() as conn:
            await conn.executemany(
                "INSERT INTO crossings (code, name, border, is_open, status_reason, daily_target)"
                " VALUES (?, ?, ?, ?, ?, ?)", CROSSINGS)
            rows, twice = [], []
            commodities = [c.value for c in Commodity]
            n = 0
            while len(rows) + len(twice) < count:
                n += 1
                day = today - timedelta(days=rng.randrange(days))
                crossing = rng.choice((1, 1, 1, 3, 3, 4, 5, 6, 7, 8))
                trucks = rng.randint(5, 60)
                status = rng.choice(STATUSES)
                row = (day.isoformat(), crossing, rng.choice(ORGANISATIONS), rng.choice(commodities),
                       "humanitarian", trucks, round(trucks * 17.5, 1), None, f"WB-{n:07d}",
                       FigureSource.UN2720.value, status, "ALL", now, now)
                rows.append(row)
                if rng.random() < 0.03 and len(rows) + len(twice) < count:
                    twice.append(row[:5] + (trucks + rng.randint(-3, 3),) + row[6:9] + (FigureSource.COGAT.value,)
                                 + row[10:])
            await conn.executemany(
                "INSERT INTO movements (planned_date, crossing_id, organisation, commodity, load_type, trucks,"
                " tonnes, pallets, reference, figure_source, status, releasability, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows + twice)
    finally:
        await store.close()
    return time.perf_counter() - started


async def timed(runs: int, make) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await make()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


async def plans(store) -> list[tuple[str, list[str]]]:
    day = aid_day().isoformat()
    first = (aid_day() - timedelta(days=13)).isoformat()
    queries = {
        "board (one day)": ("SELECT m.id, m.crossing_id, m.status, m.trucks, m.reference, m.figure_source"
                            " FROM movements m WHERE m.planned_date = ? AND 1", (day,)),
        "sparklines (14 days)": (f"SELECT m.crossing_id, m.planned_date, sum(coalesce(m.trucks, 0))"
                                 f" FROM movements m INDEXED BY movements_entered"
                                 f" WHERE m.planned_date BETWEEN ? AND ? AND m.status IN ({_ENTERED_SQL}) AND 1"
                                 f" AND {_main_record('m', '1')} GROUP BY m.crossing_id, m.planned_date",
                                 (first, day)),
    }
    result = []
    for name, (sql, params) in queries.items():
        rows = await store.database.fetchall(f"EXPLAIN QUERY PLAN {sql}", params)
        result.append((name, [r["detail"] for r in rows]))
    return result


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--movements", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--fresh", action="store_true", help="rebuild the database even if it exists")
    args = parser.parse_args()
    DATA.mkdir(exist_ok=True)
    path = DATA / f"aid-{args.movements}-{args.days}d-{aid_day():%Y%m%d}.db"
    if args.fresh or not path.exists():
        for old in DATA.glob(f"aid-{args.movements}-{args.days}d-*.db*"):
            old.unlink()
        seconds = await build(path, args.movements, args.days)
        print(f"built {args.movements:,} movements over {args.days} days in {seconds:.1f} s: {path}")
    else:
        print(f"reusing {path}")
    store = await Store.open(path)
    actor, today = SYSTEM_ACTOR, aid_day()
    try:
        count = await store.database.scalar("SELECT count(*) FROM movements")
        per_day = count / args.days
        rows = [
            ("board, today", await timed(args.runs, lambda: store.aid.board(actor, today))),
            ("14-day sparklines", await timed(args.runs, lambda: store.aid.entered_per_day(
                actor, today - timedelta(days=13), today))),
            ("board + sparklines", await timed(args.runs, lambda: asyncio.gather(
                store.aid.board(actor, today), store.aid.entered_per_day(actor, today - timedelta(days=13), today)))),
            ("totals, 7 days", await timed(args.runs, lambda: store.aid.totals(
                actor, today - timedelta(days=6), today))),
            ("movements of a day", await timed(args.runs, lambda: store.aid.movements(actor, day=today, limit=500))),
        ]
        print(f"\n{count:,} movements, ~{per_day:,.0f} a day; {args.runs} runs each (ms)\n")
        print(f"{'query':<22}{'p50':>9}{'p95':>9}")
        for name, (p50, p95) in rows:
            print(f"{name:<22}{p50:>9.1f}{p95:>9.1f}")
        print("\nquery plans:")
        for name, details in await plans(store):
            print(f"  {name}:")
            for detail in details:
                print(f"    {detail}")
    finally:
        await store.close()


if __name__ == "__main__":
    asyncio.run(main())
