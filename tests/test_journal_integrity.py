"""`cmcc journal verify` catches every edit made behind the journal's back (issue 14, "Trust").

Each tampering is done the way someone with write access to the file would: the ``sqlite3``
module on the real database file, after dropping the journal's protective triggers. Each is
then named by ``cmcc journal verify`` run as a real process: exit 1, the first finding on the
first line. Honest data (the demo seed, then real writes of every kind) verifies clean.
"""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from console.model.access import Operator, Role
from console.model.aid import Commodity, DualUseRequest, DualUseStatus, FigureSource, Movement, MovementStatus
from console.model.headlines import Feed, Headline
from console.model.incidents import IncidentStatus
from console.model.isf import IsfStatus, OpenQuestion
from console.model.journal import Entity
from console.model.partners import Presence
from console.model.plan import PlanStatus
from console.dtg import utc_now
from console.paths import witness_path
from console.store import Store
from tests.conftest import ADMIN, OPERATOR, WATCH_OFFICER
from tests.test_store_foundation import an_incident

ROOT = Path(__file__).resolve().parent.parent
TRIGGERS = ("journal_no_update", "journal_no_delete")
OK_LINE = re.compile(r"^journal ok: (\d+) rows, chain intact, (\d+) records match")


@pytest.fixture(autouse=True)
def own_state_folder(tmp_path, monkeypatch):
    """Witnesses go to the test's own state folder (the real processes inherit it)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


def verify(db: Path) -> tuple[int, list[str]]:
    """``cmcc journal verify`` as a real process: (exit code, output lines)."""
    done = subprocess.run([sys.executable, "-m", "console.cli", "--db", str(db), "journal", "verify"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout.splitlines()


def tamper(db: Path, *statements: str, params: tuple = ()) -> None:
    """What anyone who can write the file can do: drop the triggers, then write with plain SQL."""
    with sqlite3.connect(db) as conn:
        for trigger in TRIGGERS:
            conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        for statement in statements:
            conn.execute(statement, params if "?" in statement else ())
    conn.close()


def scalar(db: Path, sql: str, params: tuple = ()):
    with sqlite3.connect(db) as conn:
        value = conn.execute(sql, params).fetchone()
    conn.close()
    return value[0] if value else None


def assert_clean(db: Path) -> None:
    code, lines = verify(db)
    assert code == 0 and lines and OK_LINE.match(lines[0]), lines[:20]


def assert_caught(db: Path, first_line: str) -> list[str]:
    """Exit 1 and ``first_line`` (a regular expression) on the first line; returns every line."""
    code, lines = verify(db)
    assert code == 1, lines[:20]
    assert lines and lines[0].startswith("journal BROKEN: "), lines[:20]
    assert re.search(first_line, lines[0]), lines[:20]
    return lines


@pytest.fixture
async def demo_db(demo_store, db_path):
    """The demo database, closed again: only the processes and sqlite3 below touch it."""
    await demo_store.close()
    return db_path


# --- honest data gives no false alarm -------------------------------------------------

async def test_the_demo_seed_verifies_clean_record_by_record(demo_db):
    code, lines = verify(demo_db)
    assert code == 0, lines[:20]
    found = OK_LINE.match(lines[0])
    assert found, lines
    assert int(found[2]) > 1000  # every seeded record was replayed and compared, not only the chain


async def honest_writes(store: Store) -> None:
    """Real store writes of every kind the journal speaks for."""
    incident = await store.incidents.create(OPERATOR, an_incident(description="Shots near the line"))
    incident = await store.incidents.update(OPERATOR, replace(incident, severity=4, locality="Shaboura"),
                                            expected_version=incident.version)
    incident = await store.incidents.transition(OPERATOR, incident.id, IncidentStatus.VERIFYING, "checking",
                                                expected_version=incident.version)
    await store.incidents.transition(WATCH_OFFICER, incident.id, IncidentStatus.VERIFIED)
    await store.incidents.acknowledge(OPERATOR, incident.id)
    await store.incidents.add_note(OPERATOR, incident.id, "Seen again", releasability="GBR,DEU")
    other = await store.incidents.create(WATCH_OFFICER, an_incident(releasability="GBR,DEU"))
    await store.incidents.link(OPERATOR, incident.id, "incident", other.id, "confirms")
    await store.incidents.acknowledge(WATCH_OFFICER, 3)  # a seeded one

    await store.aid.set_crossing_open(WATCH_OFFICER, "ZIK", False, "security incident")
    await store.aid.set_crossing_open(WATCH_OFFICER, "ZIK", True)
    day = utc_now().date()
    convoy = await store.aid.create_movement(OPERATOR, Movement(
        planned_date=day, crossing_code="KS", organisation="WFP", commodity=Commodity.FOOD, trucks=20,
        reference="WB-T1", figure_source=FigureSource.UN2720))
    await store.aid.set_movement_status(OPERATOR, convoy.id, MovementStatus.AT_CROSSING)
    restricted = await store.aid.create_movement(OPERATOR, Movement(
        planned_date=day, crossing_code="KS", organisation="UNICEF", commodity=Commodity.MEDICAL, trucks=3,
        tonnes=12.5, reference="WB-T2", figure_source=FigureSource.UN2720, releasability="DEU,GBR"))
    await store.aid.set_movement_status(OPERATOR, restricted.id, MovementStatus.AT_CROSSING, "on time")
    request = await store.aid.create_dual_use(OPERATOR, DualUseRequest(item="Pipes", quantity="40",
                                                                       organisation="UNICEF"))
    await store.aid.set_dual_use_status(OPERATOR, request.id, DualUseStatus.UNDER_REVIEW)
    await store.aid.set_dual_use_status(WATCH_OFFICER, request.id, DualUseStatus.APPROVED, "for the hospital")

    officer = (await store.partners.officers(ADMIN))[0]
    await store.partners.update_officer(OPERATOR, replace(officer, cell="Maritime", partner_code="FRA"),
                                        expected_version=officer.version)
    await store.partners.cycle_presence(OPERATOR, officer.id)
    await store.partners.set_presence(OPERATOR, officer.id, Presence.ON_FLOOR)
    created = await store.partners.create_officer(OPERATOR, replace(officer, id=None, name="Helen Carter",
                                                                    service_number="GB-77"))
    await store.partners.cycle_presence(OPERATOR, created.id)
    contributors = await store.partners.contributors()
    await store.partners.set_contributor_status(OPERATOR, contributors[1].id, IsfStatus.PLEDGED, "scaled back",
                                                troops=1500)
    await store.partners.set_contributor_status(OPERATOR, contributors[1].id, IsfStatus.PLEDGED, "still pledged")
    await store.partners.toggle_question(OPERATOR, contributors[2].id, OpenQuestion.COMMAND)

    await store.plan.set_status(OPERATOR, 8, PlanStatus.IN_PROGRESS, "Open Rafah both ways", note="trial day")
    await store.plan.set_owner(OPERATOR, 8, "Aid cell", "Brief the commander")
    await store.plan.add_note(OPERATOR, 8, "Egypt agreed")

    feed = await store.feeds.add(ADMIN, Feed(name="wire", url="https://example.test/rss", keywords=("Rafah",)))
    [first, _second] = await store.headlines.add_many(OPERATOR, [
        Headline(title="Rafah crossing opens", published_at=utc_now(), source="wire", link="https://x.test/1",
                 guid="t1", summary="It opened", dedup_key="t1"),
        Headline(title="Restricted: a convoy", published_at=utc_now(), source="wire", link="https://x.test/2",
                 guid="t2", summary="Secret", dedup_key="t2", releasability="GBR")], feed.id)
    await store.headlines.mark_read(OPERATOR, first, True)
    await store.feeds.record_failure(feed.id, error="timeout", next_poll_at=utc_now() + timedelta(minutes=1))
    await store.feeds.record_success(feed.id, etag="x", last_modified=None, new_items=2,
                                     next_poll_at=utc_now() + timedelta(minutes=5))
    await store.feeds.record_success(feed.id, etag="y", last_modified=None, new_items=0,
                                     next_poll_at=utc_now() + timedelta(minutes=10))
    await store.feeds.set_enabled(ADMIN, "wire", False)
    await store.feeds.retarget(ADMIN, "Wire Service", "http://127.0.0.1:9/rss.xml", interval_seconds=10)
    await store.feeds.remove(ADMIN, "wire")  # its headlines stay, feed_id NULL

    await store.operators.add(ADMIN, Operator("op_fra", "Lt. Anne Roux", "FRA", Role.OPERATOR))
    await store.operators.set_role(ADMIN, "op_fra", Role.WATCH_OFFICER)
    await store.operators.add(ADMIN, Operator("temp", "Temp", "ITA", Role.VIEWER))
    await store.operators.remove(ADMIN, "temp")

    await store.watch.add_log_entry(OPERATOR, "Quiet night", "GBR,DEU")
    from console.handover import build_brief

    since = utc_now() - timedelta(hours=8)
    signed = await store.watch.sign_handover(WATCH_OFFICER, since, await build_brief(store, WATCH_OFFICER, since))
    await store.watch.acknowledge_handover(ADMIN, signed.id)

    assert await store.leases.try_acquire("feed-poller", "test@host", 10, actor=ADMIN)
    await store.leases.release("feed-poller", "test@host", actor=ADMIN)
    from console.store.archive import archive_headlines

    result = await archive_headlines(store.database, ADMIN, utc_now() - timedelta(days=7))
    assert result.moved > 0


async def test_real_writes_of_every_kind_replay_without_a_false_alarm(demo_store, db_path):
    await honest_writes(demo_store)
    await demo_store.close()
    assert_clean(db_path)


# --- each tampering is named ----------------------------------------------------------

async def test_an_edited_incident_is_named_by_id_and_field(demo_db):
    severity = scalar(demo_db, "SELECT severity FROM incidents WHERE id = 17")
    forged = 5 if severity != 5 else 1
    tamper(demo_db, f"UPDATE incidents SET severity = {forged} WHERE id = 17")
    assert_caught(demo_db, rf"^journal BROKEN: incident 17 field severity: table says {forged},"
                           rf" journal says {severity}$")


async def test_a_promoted_operator_is_named(demo_db):
    operator_id = scalar(demo_db, "SELECT id FROM operators WHERE login = 'viewer_egy'")
    tamper(demo_db, f"UPDATE operators SET role = {int(Role.ADMIN)} WHERE id = {operator_id}")
    assert_caught(demo_db, rf"^journal BROKEN: operator {operator_id} field role: table says 3, journal says 0$")


async def test_a_record_inserted_behind_the_journal_is_named(demo_db):
    tamper(demo_db, "INSERT INTO incidents (occurred_at, governorate, category, description, severity, created_at,"
                    " updated_at) VALUES ('2026-01-01T00:00:00+00:00', 'Rafah', 'other', 'forged', 2,"
                    " '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')")
    new_id = scalar(demo_db, "SELECT max(id) FROM incidents")
    assert_caught(demo_db, rf"^journal BROKEN: incident {new_id}: in the incidents table with no journal row")


async def test_an_edited_journal_row_is_named(demo_db):
    row_id = scalar(demo_db, "SELECT id FROM journal WHERE entity = 'incident' ORDER BY id LIMIT 1 OFFSET 5")
    tamper(demo_db, "UPDATE journal SET changes = json_set(changes, '$.severity', 1) WHERE id = ?",
           params=(row_id,))
    lines = assert_caught(demo_db, rf"^journal BROKEN: journal row {row_id} field hash: its content does not"
                                   " match its hash")
    assert len(lines) >= 2  # and the record no longer matches what the (edited) row says, most likely


async def test_rows_deleted_from_the_middle_are_named(demo_db):
    tamper(demo_db, "DELETE FROM journal WHERE id BETWEEN 500 AND 509")
    lines = assert_caught(demo_db, r"^journal BROKEN: journal rows 500-509 are missing")
    # the records those rows created are now records with no journal row: named too
    assert any("with no journal row" in line for line in lines[1:])


async def test_the_tail_deleted_is_caught_through_the_pollers_witness(demo_db, tmp_path):
    """A headless poller (a real process) remembers the head outside the file; the newest 20 rows
    are then deleted (the chain that is left is whole) and verify names the row that is gone."""
    witness = witness_path(demo_db)
    poller = subprocess.Popen([sys.executable, "-m", "console.cli", "--db", str(demo_db), "poller", "--no-inbox"],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not witness.exists() and time.monotonic() < deadline and poller.poll() is None:
            time.sleep(0.1)
        assert witness.exists(), poller.stderr.read() if poller.poll() is not None else "no witness"
    finally:
        poller.send_signal(signal.SIGTERM)
        poller.communicate(timeout=30)
    seen = json.loads(witness.read_text())
    assert seen["hash"] == scalar(demo_db, "SELECT hash FROM journal WHERE id = ?", (seen["id"],))
    head = scalar(demo_db, "SELECT max(id) FROM journal")
    assert seen["id"] > head - 20
    tamper(demo_db, f"DELETE FROM journal WHERE id > {head - 20}")
    assert_caught(demo_db, rf"^journal BROKEN: journal row {seen['id']} is missing: the witness in .*; the"
                           rf" newest rows \(after row {head - 20}\) were deleted")


async def test_the_tail_deleted_is_caught_through_a_consoles_witness(db_path):
    """The console (Pilot) remembers the newest row its change watcher has seen."""
    from tests.pilot import demo_app, until

    app = await demo_app(db_path)
    witness = witness_path(db_path)
    async with app.run_test(size=(120, 40)) as pilot:
        assert await until(pilot, witness.exists, timeout=10)
        await app.store.watch.add_log_entry(ADMIN, "written while the console watches")
        last = await app.store.journal.last_id()
        assert await until(pilot, lambda: json.loads(witness.read_text())["id"] >= last, timeout=10)
    await app.store.close()
    assert_clean(db_path)
    tamper(db_path, f"DELETE FROM journal WHERE id > {last - 20}")
    assert_caught(db_path, rf"^journal BROKEN: journal row {last} is missing: the witness in .* were deleted")


async def test_a_rewritten_chain_is_caught_by_the_witness_even_with_every_hash_recomputed(demo_db):
    """Edit a record and its create row, then recompute every hash after it: the chain is whole
    and the record matches its (forged) row; only the witness of the old head sees it."""
    from console.store.journal import row_hash

    assert_clean(demo_db)  # a clean verify remembers the head: a witness
    with sqlite3.connect(demo_db) as conn:
        for trigger in TRIGGERS:
            conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        row_id = conn.execute("SELECT id FROM journal WHERE entity = 'incident' AND entity_id = 3").fetchone()[0]
        conn.execute("UPDATE journal SET changes = json_set(changes, '$.killed', 99) WHERE id = ?", (row_id,))
        conn.execute("UPDATE incidents SET killed = 99 WHERE id = 3")
        prev = conn.execute("SELECT prev_hash FROM journal WHERE id = ?", (row_id,)).fetchone()[0]
        rows = conn.execute("SELECT id, at, actor, origin, entity, entity_id, action, changes FROM journal"
                            " WHERE id >= ? ORDER BY id", (row_id,)).fetchall()
        for row in rows:
            digest = row_hash(prev, *row[1:])
            conn.execute("UPDATE journal SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, row[0]))
            prev = digest
    conn.close()
    head = scalar(demo_db, "SELECT max(id) FROM journal")
    assert_caught(demo_db, rf"^journal BROKEN: journal row {head} field hash: is [0-9a-f]+, but the witness in")


async def test_journal_head_prints_the_newest_row(demo_db):
    done = subprocess.run([sys.executable, "-m", "console.cli", "--db", str(demo_db), "journal", "head"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    with sqlite3.connect(demo_db) as conn:
        row_id, row_hash = conn.execute("SELECT id, hash FROM journal ORDER BY id DESC LIMIT 1").fetchone()
    conn.close()
    assert done.returncode == 0 and done.stdout.strip() == f"{row_id} {row_hash}", done.stderr


async def test_a_signed_handover_carries_the_head_and_verify_checks_it(demo_store, db_path):
    from console.handover import build_brief

    since = utc_now() - timedelta(hours=8)
    before = await demo_store.journal.head()
    signed = await demo_store.watch.sign_handover(WATCH_OFFICER, since,
                                                  await build_brief(demo_store, WATCH_OFFICER, since))
    [row] = [e for e in await demo_store.journal.for_entity(Entity.HANDOVER, signed.id) if e.action == "sign"]
    assert row.changes["head"] == list(before)
    await demo_store.close()
    # The row the handover names is replaced (recomputing its hash is all a forger can do) -> named.
    tamper(db_path, "UPDATE journal SET hash = 'forged' WHERE id = ?", params=(before[0],))
    lines = assert_caught(db_path, rf"^journal BROKEN: journal row {before[0]} field hash")
    assert any(f"the handover signed in journal row {row.id}" in line for line in lines)

