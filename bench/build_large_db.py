"""A year of operations in one database file, for bench/scale.py.

    python bench/build_large_db.py [--scale 1.0] [--rebuild]

Builds (or reuses) ``bench/data/scale-<incidents>.db``: the demo seed (operators
with this login as admin, crossings, partners, plan, contributors, feeds), then

- 100,000 incidents (bench/bench_incidents.py's ``synthetic`` rows through
  ``IncidentRepository.insert_in``: validation, full-text rows, one journal
  row each), one in five with a note (bulk, journaled, re-indexed);
- 200,000 aid movements over 365 UTC days (bench/bench_aid.py's status mix);
- 1,000,000 headlines across 50 feeds over 365 days (the FTS triggers index
  every one);
- 2,000 liaison officers across the seeded partners;

every record with its journal row, chained exactly as ``journal.record``
chains them (written with ``executemany`` like console/store/seed.py). A
sidecar ``.json`` records what was built; a database is reused only when it
matches. ``--scale 0.1`` builds a tenth of everything (``scale.py --quick``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_aid import STATUSES  # noqa: E402
from bench.bench_incidents import WORDS, WRITER, synthetic  # noqa: E402
from console.model.aid import Commodity, FigureSource  # noqa: E402
from console.dtg import utc_now  # noqa: E402
from console.identity import os_login  # noqa: E402
from console.store import Store  # noqa: E402
from console.store.journal import row_hash, seal  # noqa: E402
from console.store.rows import to_iso  # noqa: E402
from console.store.seed import CROSSINGS, FIRST, LAST, ORGANISATIONS, RANKS, seed_demo  # noqa: E402

DATA = ROOT / "bench" / "data"
#: The headline columns (in the INSERT's order from title on) a headline's journal row seals.
SEALED = ("title", "link", "summary", "guid", "dedup_key", "published_at", "fetched_at", "read", "watch_hits")
FULL = {"incidents": 100_000, "movements": 200_000, "headlines": 1_000_000, "feeds": 50, "officers": 2_000}
BATCH = 20_000
DAYS = 365

#: Headline vocabulary: place, subject and verb words mixed so searches have few, some and many matches.
PLACES = ["Rafah", "Khan Younis", "Deir al-Balah", "Gaza City", "Jabalia", "Beit Hanoun", "Kerem Shalom",
          "Zikim", "Kissufim", "Erez", "Nuseirat", "Bureij", "Maghazi", "al-Mawasi", "Netzarim"]
SUBJECTS = ["aid convoy", "fuel delivery", "water shipment", "medical team", "bakery", "field hospital",
            "cease-fire monitors", "stabilization force", "liaison cell", "police unit", "engineers",
            "rubble clearance", "generator", "tent camp", "school shelter", "desalination plant"]
VERBS = ["reaches", "delayed at", "inspected near", "returns from", "reported near", "blocked outside",
         "expanded in", "resumes in", "suspended in", "praised in", "criticised in", "planned for"]
EXTRA = ["quadcopter", "hostage", "tunnel", "looting", "sniper", "flour", "insulin", "vaccination", "winter",
         "UNRWA", "COGAT", "Egypt", "Qatar", "Indonesia", "Azerbaijan", "Italy", "Jordan", "mediators"]


class Chain:
    """Journal rows, chained like ``journal.record`` (one ``at`` per batch, as ``record_many`` does)."""

    def __init__(self, prev_hash: str):
        self.prev_hash = prev_hash

    def rows(self, entity: str, action: str, entries, at: str) -> list[tuple]:
        out = []
        for entity_id, changes in entries:
            body = json.dumps(changes, ensure_ascii=False, sort_keys=True, default=str)
            digest = row_hash(self.prev_hash, at, WRITER.login, WRITER.origin, entity, entity_id, action, body)
            out.append((at, WRITER.login, WRITER.origin, entity, entity_id, action, body, self.prev_hash, digest))
            self.prev_hash = digest
        return out


JOURNAL_INSERT = ("INSERT INTO journal (at, actor, origin, entity, entity_id, action, changes, prev_hash, hash)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")


async def _last_hash(conn) -> str:
    async with conn.execute("SELECT hash FROM journal ORDER BY id DESC LIMIT 1") as cursor:
        row = await cursor.fetchone()
    return row[0] if row else ""


async def _next_id(conn, table: str) -> int:
    async with conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}") as cursor:
        return (await cursor.fetchone())[0]


def _progress(label: str, done: int, total: int) -> None:
    print(f"  {label}: {done:,}/{total:,}", end="\r", file=sys.stderr, flush=True)


async def _incidents(store, rng: random.Random, count: int) -> None:
    done = 0
    while done < count:
        batch = synthetic(rng, min(10_000, count - done), done)
        async with store.database.transaction() as conn:
            created = await store.incidents.insert_in(conn, WRITER, batch)
            # Most of a year's incidents have been acknowledged and moved along (bench_incidents does the same),
            # each with its journal row, so that `cmcc journal verify` replays the file without a finding.
            cursor = await conn.execute(
                "UPDATE incidents SET acknowledged_by = 'bench', acknowledged_at = created_at,"
                " status = CASE abs(random()) % 5 WHEN 0 THEN 'reported' WHEN 1 THEN 'verifying'"
                " WHEN 2 THEN 'verified' WHEN 3 THEN 'unsubstantiated' ELSE 'closed' END"
                " WHERE id >= ? AND abs(random()) % 50 <> 0 RETURNING id, status, acknowledged_at",
                (created[0].id,))
            moved = sorted(await cursor.fetchall())
            await cursor.close()
            chain = Chain(await _last_hash(conn))
            await conn.executemany(JOURNAL_INSERT, chain.rows("incident", "edit", [
                (i, {"status": ["reported", s], "acknowledged_by": ["", "bench"], "acknowledged_at": [None, at]})
                for i, s, at in moved], to_iso(utc_now())))
        done += len(batch)
        _progress("incidents", done, count)
    print(file=sys.stderr)
    # One in five gets a note: bulk insert, one journal row each, then the full-text rows rewritten once.
    async with store.database.transaction() as conn:
        async with conn.execute("SELECT id FROM incidents WHERE id % 5 = 0 ORDER BY id") as cursor:
            ids = [r[0] for r in await cursor.fetchall()]
        at = to_iso(utc_now())
        notes = [(i, f"Liaison adds: {rng.choice(WORDS)} seen again near the line", "bench", at, "ALL") for i in ids]
        first = await _next_id(conn, "incident_notes")
        await conn.executemany("INSERT INTO incident_notes (incident_id, text, author, created_at, releasability)"
                               " VALUES (?, ?, ?, ?, ?)", notes)
        chain = Chain(await _last_hash(conn))
        await conn.executemany(JOURNAL_INSERT, chain.rows(
            "incident", "note", [(n[0], {"note": n[1], "note_id": first + k}) for k, n in enumerate(notes)], at))
        await conn.execute("DELETE FROM incidents_fts WHERE rowid IN (SELECT incident_id FROM incident_notes)")
        await conn.execute(
            "INSERT INTO incidents_fts (rowid, description, notes) SELECT i.id, i.description,"
            " (SELECT group_concat(text, ' ') FROM incident_notes n WHERE n.incident_id = i.id)"
            " FROM incidents i WHERE i.id IN (SELECT DISTINCT incident_id FROM incident_notes)")


async def _movements(store, rng: random.Random, count: int) -> None:
    today = utc_now().date()
    commodities = [c.value for c in Commodity]
    columns = ("planned_date", "crossing_id", "organisation", "commodity", "load_type", "trucks", "tonnes",
               "reference", "figure_source", "status", "releasability", "created_at", "updated_at")
    done = 0
    while done < count:
        size = min(BATCH, count - done)
        rows = []
        for n in range(done, done + size):
            day = today - timedelta(days=rng.randrange(DAYS))
            trucks = rng.randint(5, 60)
            stamp = f"{day.isoformat()}T06:00:00+00:00"
            rows.append((day.isoformat(), rng.randint(1, len(CROSSINGS)), rng.choice(ORGANISATIONS),
                         rng.choice(commodities), "humanitarian", trucks, round(trucks * 17.5, 1), f"WB-{n:07d}",
                         FigureSource.UN2720.value, rng.choice(STATUSES), "ALL", stamp, stamp))
        async with store.database.transaction() as conn:
            first = await _next_id(conn, "movements")
            await conn.executemany(f"INSERT INTO movements ({', '.join(columns)})"
                                   f" VALUES ({', '.join('?' * len(columns))})", rows)
            chain = Chain(await _last_hash(conn))
            await conn.executemany(JOURNAL_INSERT, chain.rows(
                "movement", "create", [(first + k, dict(zip(columns, r))) for k, r in enumerate(rows)],
                to_iso(utc_now())))
        done += size
        _progress("movements", done, count)
    print(file=sys.stderr)


async def _feeds(store, count: int) -> list[tuple[int, str]]:
    async with store.database.transaction() as conn:
        async with conn.execute("SELECT count(*) FROM feeds") as cursor:
            have = (await cursor.fetchone())[0]
        first = await _next_id(conn, "feeds")
        rows = [(f"Bench feed {n:02d}", f"http://127.0.0.1:1/bench-{n}.xml", 300, 0, "hostage,Rafah")
                for n in range(max(0, count - have))]
        await conn.executemany("INSERT INTO feeds (name, url, interval_seconds, enabled, keywords)"
                               " VALUES (?, ?, ?, ?, ?)", rows)
        chain = Chain(await _last_hash(conn))
        await conn.executemany(JOURNAL_INSERT, chain.rows(
            "feed", "add", [(first + k, {"name": r[0], "url": r[1], "interval_seconds": r[2], "enabled": r[3],
                                         "keywords": r[4]}) for k, r in enumerate(rows)], to_iso(utc_now())))
        async with conn.execute("SELECT id, name FROM feeds ORDER BY id") as cursor:
            return [(r[0], r[1]) for r in await cursor.fetchall()]


async def _headlines(store, rng: random.Random, count: int, feeds: list[tuple[int, str]]) -> None:
    now = utc_now().replace(microsecond=0)
    span = DAYS * 86400
    done = 0
    while done < count:
        size = min(BATCH, count - done)
        rows = []
        # Oldest first, so ids grow with time as they do when feeds are polled.
        for n in range(done, done + size):
            published = now - timedelta(seconds=span - int((n + rng.random()) * span / count))
            feed_id, feed_name = feeds[n % len(feeds)]
            place, extra = rng.choice(PLACES), rng.choice(EXTRA)
            title = f"{rng.choice(SUBJECTS).capitalize()} {rng.choice(VERBS)} {place}: {extra} (item {n})"
            summary = (f"{place} — {rng.choice(SUBJECTS)} and {rng.choice(SUBJECTS)}; "
                       f"{rng.choice(EXTRA)} and {rng.choice(EXTRA)} mentioned by {rng.choice(ORGANISATIONS)}.")
            hits = ",".join(w for w in ("hostage", "Rafah") if w.lower() in (title + summary).lower())
            stamp = to_iso(published)
            rows.append((feed_id, feed_name, title, f"https://news.example/{n}", summary, f"bench-{n}",
                         f"guid:bench-{n}", stamp, stamp, int(published < now - timedelta(days=2)), hits))
        async with store.database.transaction() as conn:
            first = await _next_id(conn, "headlines")
            await conn.executemany(
                "INSERT INTO headlines (feed_id, source, title, link, summary, guid, dedup_key, published_at,"
                " fetched_at, read, watch_hits) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            chain = Chain(await _last_hash(conn))
            await conn.executemany(JOURNAL_INSERT, chain.rows(
                "headline", "add", [(first + k, {"feed_id": r[0], "source": r[1], "releasability": "ALL",
                                                 "title": r[2], "sealed": seal("headline", dict(zip(SEALED, r[2:]))),
                                                 "read": r[9]}) for k, r in enumerate(rows)], to_iso(utc_now())))
        done += size
        _progress("headlines", done, count)
    print(file=sys.stderr)


async def _officers(store, rng: random.Random, count: int) -> None:
    today = utc_now().date()
    columns = ("rank", "name", "partner_id", "service", "cell", "role", "contact", "shift", "rotation_start",
               "rotation_end", "presence", "presence_changed_at", "service_number")
    async with store.database.transaction() as conn:
        async with conn.execute("SELECT id, code, cell FROM partners ORDER BY id") as cursor:
            partners = list(await cursor.fetchall())
        rows = []
        for n in range(count):
            partner_id, code, cell = partners[n % len(partners)]
            start = today - timedelta(days=rng.randint(1, 170))
            rows.append((rng.choice(RANKS), f"{rng.choice(FIRST)} {rng.choice(LAST)}", partner_id,
                         rng.choice(["Army", "Navy", "Air Force", "Marines", "Civil"]), cell or "Liaison",
                         rng.choice(["liaison", "planner", "analyst", "lead"]), f"chat:{code.lower()}-{n}",
                         rng.choice(["day", "day", "night"]), start.isoformat(),
                         (start + timedelta(days=rng.choice([90, 120, 150, 180]))).isoformat(),
                         rng.choice(["on_floor", "away", "off_shift"]), to_iso(utc_now()), f"B{n:05d}"))
        first = await _next_id(conn, "officers")
        await conn.executemany(f"INSERT INTO officers ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                               rows)
        chain = Chain(await _last_hash(conn))
        await conn.executemany(JOURNAL_INSERT, chain.rows(
            "officer", "create", [(first + k, dict(zip(columns, r))) for k, r in enumerate(rows)], to_iso(utc_now())))


def _migration_names() -> list[str]:
    from console.store.database import migrations

    return [name for _version, name, _sql in migrations()]


def sizes(scale: float) -> dict[str, int]:
    return {k: (v if k == "feeds" else max(1, int(v * scale))) for k, v in FULL.items()}


def path_for(scale: float) -> Path:
    return DATA / f"scale-{sizes(scale)['incidents']}.db"


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".json"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    for archive in path.parent.glob(f"{path.stem}-archive.db*"):
        archive.unlink()


async def build(path: Path, wanted: dict[str, int]) -> float:
    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove(path)
    rng = random.Random(2026)
    store = await Store.open(path)
    try:
        # A bench file: a power cut during the build only means building again.
        await store.database.connection.execute("PRAGMA synchronous = OFF")
        await seed_demo(store.database, operator_login=os_login())
        await _incidents(store, rng, wanted["incidents"])
        await _movements(store, rng, wanted["movements"])
        feeds = await _feeds(store, wanted["feeds"])
        await _headlines(store, rng, wanted["headlines"], feeds)
        await _officers(store, rng, wanted["officers"])
        print("  ANALYZE ...", file=sys.stderr)
        await store.database.connection.execute("ANALYZE")
        await store.database.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        await store.close()
    seconds = time.perf_counter() - started
    Path(f"{path}.json").write_text(json.dumps({**wanted, "built_at": datetime.now(timezone.utc).isoformat(),
                                                "seconds": round(seconds, 1), "migrations": _migration_names()}))
    return seconds


def reusable(path: Path, wanted: dict[str, int]) -> bool:
    meta = Path(f"{path}.json")
    if not (path.exists() and meta.exists()):
        return False
    try:
        built = json.loads(meta.read_text())
    except ValueError:
        return False
    if any(built.get(k) != v for k, v in wanted.items()):
        return False
    if built.get("migrations") != _migration_names():
        # A migration numbered below one already applied would never run on this file: build afresh.
        return False
    with sqlite3.connect(path) as conn:  # the bench adds a few incidents and headlines; it never removes any
        return conn.execute("SELECT count(*) FROM incidents").fetchone()[0] >= wanted["incidents"]


def ensure(scale: float = 1.0, rebuild: bool = False) -> tuple[Path, str]:
    """The database for ``scale`` (built if missing or different) and a line saying what happened."""
    path, wanted = path_for(scale), sizes(scale)
    if not rebuild and reusable(path, wanted):
        return path, f"reusing {path.relative_to(ROOT)}"
    seconds = asyncio.run(build(path, wanted))
    return path, (f"built {path.relative_to(ROOT)} in {seconds:.0f} s ({path.stat().st_size / 1e6:.0f} MB): "
                  + ", ".join(f"{v:,} {k}" for k, v in wanted.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full sizes (default 1)")
    parser.add_argument("--rebuild", action="store_true", help="build even if a matching database exists")
    args = parser.parse_args()
    _path, said = ensure(args.scale, args.rebuild)
    print(said)
    return 0


if __name__ == "__main__":
    sys.exit(main())
