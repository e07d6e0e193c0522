"""Round two, bounded work: a large roster import matches by index and never holds the write lock
for long (area "bounded work"). ``python bench/bench_roster_import.py`` gives the rows/s."""

from __future__ import annotations

import csv
import sqlite3
import subprocess
import sys
import time

import pytest

from console.model.access import SYSTEM_ACTOR
from console.model.errors import StoreError
from console.model.journal import Entity
from console.store.batches import PartlyWritten, write_in_batches
from console.store.journal import record
from console.store.partners import MATCH_BY_NAME, MATCH_BY_NUMBER
from console.store.seed import PARTNERS
from feeds.inbox import Inbox
from tests.conftest import ADMIN
from tests.hardening.test_round_two_store import ROOT

AREA = "bounded work"


def write_roster(path, rows: int, *, last_partner: str | None = None) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["partner", "name", "service_number"])
        for n in range(rows):
            code = PARTNERS[n % len(PARTNERS)][0]
            if last_partner and n == rows - 1:
                code = last_partner
            out.writerow([code, f"Officer {n:06d}", f"{code}-{n:06d}" if n % 10 else ""])


async def test_the_roster_match_searches_an_index_never_the_partners_officers(demo_store, tally):
    for sql, key in ((MATCH_BY_NUMBER, "GBR-000001"), (MATCH_BY_NAME, "Officer 000010")):
        tally.case(AREA)
        plan = " ".join(row[3] for row in await demo_store.database.fetchall("EXPLAIN QUERY PLAN " + sql, (3, key)))
        # the partner's index alone (officers_partner) made every match a scan of that partner's officers
        assert "officers_service_number" in plan or "officers_partner_name (partner_id=? AND name=?)" in plan, plan


def officer_count(db) -> int:
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT count(*) FROM officers").fetchone()[0]


async def test_another_writer_gets_the_lock_while_a_large_roster_is_imported(demo_store, tmp_path, tally):
    roster, db = tmp_path / "roster-large.csv", demo_store.path
    write_roster(roster, 6000)
    before = officer_count(db)
    importing = subprocess.Popen([sys.executable, "-m", "console.cli", "--db", str(db), "import", "roster",
                                  str(roster)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    tally.case(AREA)
    try:
        # a console's acknowledgement, written between two of the import's transactions
        writes_during_import = 0
        while importing.poll() is None:
            if before < officer_count(db) < before + 6000:  # some of the import's transactions are committed
                with sqlite3.connect(db, timeout=5, isolation_level=None) as connection:
                    connection.execute("BEGIN IMMEDIATE")  # raises "database is locked" after 5 s
                    connection.execute("COMMIT")
                writes_during_import += officer_count(db) < before + 6000
            time.sleep(0.05)
        out, err = importing.communicate(timeout=300)
    finally:
        if importing.poll() is None:
            importing.kill()
    assert importing.returncode == 0, err
    # one transaction for the whole file: nothing could be seen, nor written, before it ended
    assert writes_during_import >= 3
    assert out.strip() == "6000 added, 0 updated, 0 already up to date"
    assert officer_count(db) == before + 6000
    tally.fault(AREA)
    tally.rows_checked(AREA, 6000)


async def test_a_batch_that_fails_after_others_were_written_says_so(demo_store, tally):
    batches: list[int] = []

    async def write(conn, actor, batch):
        if batches:  # the second batch fails, after the first was committed
            raise StoreError("the disk is full")
        await record(conn, actor, Entity.LOG, None, "batch", {"rows": len(batch)})
        batches.append(len(batch))
        return len(batch)

    before = await demo_store.journal.last_id()
    tally.case(AREA)
    with pytest.raises(PartlyWritten) as stopped:
        await write_in_batches(demo_store.database, SYSTEM_ACTOR, list(range(5000)), write)
    assert str(stopped.value) == (f"{batches[0]} of 5000 rows were written before this stopped the import:"
                                  " the disk is full (running the same import again adds the rest, nothing twice)")
    assert await demo_store.journal.last_id() == before + 1  # the first batch stays, the failed one is rolled back
    tally.fault(AREA)


async def test_a_large_roster_in_the_inbox_is_refused_whole_for_one_unknown_partner(folder, demo_store, tally):
    before = len(await demo_store.partners.officers(ADMIN, limit=100_000))
    write_roster(folder / "roster-large.csv", 2500, last_partner="XYZ")
    tally.case(AREA)
    [outcome] = await Inbox(folder, demo_store, SYSTEM_ACTOR, settle_seconds=0.05).scan_once()
    assert outcome.outcome == "rejected"
    assert list(outcome.errors) == ["line 2501: partner: 'XYZ' is not a partner of the center"]
    assert len(await demo_store.partners.officers(ADMIN, limit=100_000)) == before  # no batch was written
    tally.fault(AREA)


async def test_a_large_roster_in_the_inbox_is_imported_in_batches_once(folder, demo_store, tally):
    before = len(await demo_store.partners.officers(ADMIN, limit=100_000))
    write_roster(folder / "roster-large.csv", 2500)
    inbox = Inbox(folder, demo_store, SYSTEM_ACTOR, settle_seconds=0.05)
    tally.case(AREA)
    [outcome] = await inbox.scan_once()
    assert (outcome.outcome, outcome.rows) == ("imported", 2500)
    assert len(await demo_store.partners.officers(ADMIN, limit=100_000)) == before + 2500
    write_roster(folder / "roster-again.csv", 2500)  # the same content under another name
    [again] = await inbox.scan_once()
    assert again.outcome == "duplicate"
    tally.rows_checked(AREA, 2500)
