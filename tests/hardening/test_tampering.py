"""Tampering with the database file, behind the journal's back: every edit is named by verify.

The triggers are dropped and the file written with plain ``sqlite3``, as anyone who can write
the file could. First the six cases of issue 14 through ``cmcc journal verify`` as a real process
(tests/test_journal_integrity.py has one test each); then a sweep: on a database with the demo
seed and real writes of every kind, every compared column of a record of every table the
journal speaks for is changed in turn, and ``verify_file`` (the command's own check, on the real
file) must name that record and that column; the value is then put back and the file verifies
clean again. Each case counts under area "tampering"; a change that went unnoticed is "lost".
"""

from __future__ import annotations

import re
import sqlite3

import pytest

from console.store.integrity import SPECS, verify_file
from tests.test_journal_integrity import (
    TRIGGERS,
    assert_caught,
    assert_clean,
    honest_writes,
    scalar,
    tamper,
)

AREA = "tampering"

#: (table, label in findings, columns never compared: see console/store/integrity.py SPECS)
TABLES = [(spec.table, spec.entity.replace("_", " "), set(spec.excluded)) for spec in SPECS]
TABLES += [("incident_notes", "incident note", set()), ("plan_point_notes", "plan point note", set())]


@pytest.fixture(autouse=True)
def own_state_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


@pytest.fixture
async def written_db(demo_store, db_path):
    await honest_writes(demo_store)
    await demo_store.close()
    return db_path


async def test_the_six_tamperings_of_issue_14_are_each_named(written_db, tally):
    db = written_db
    assert_clean(db)  # and remembers the head: the witness of the tail
    cases = [
        ("UPDATE incidents SET description = 'nothing happened' WHERE id = 5", r"incident 5 field description"),
        ("UPDATE operators SET role = 3 WHERE login = 'viewer_egy'", r"operator \d+ field role"),
        ("INSERT INTO log_entries (at, author, text) VALUES ('2026-01-01T00:00:00+00:00', 'x', 'forged')",
         r"log \d+: in the log_entries table with no journal row"),
        ("UPDATE journal SET actor = 'someone' WHERE id = 40", r"journal row 40 field hash"),
        ("DELETE FROM journal WHERE id BETWEEN 300 AND 304", r"journal rows 300-304 are missing"),
    ]
    for statement, named in cases:
        tally.case(AREA)
        tamper(db, statement)
        lines = assert_caught(db, "")
        caught = any(re.search(named, line) for line in lines)
        tally.lost_rows(AREA, 0 if caught else 1)
        assert caught, (statement, lines[:10])
    tally.case(AREA)
    head = scalar(db, "SELECT max(id) FROM journal")
    tamper(db, f"DELETE FROM journal WHERE id > {head - 20}")
    lines = assert_caught(db, "")
    caught = any(f"journal row {head} is missing" in line and "were deleted" in line for line in lines)
    tally.lost_rows(AREA, 0 if caught else 1)
    assert caught, lines[:10]


def _forged(value: object) -> list[object]:
    """Values to try in place of ``value`` (the first the table's constraints accept is used)."""
    if isinstance(value, bool) or isinstance(value, int):
        return [value + 1, value - 1, 1 - value]
    if isinstance(value, float):
        return [value + 1.5]
    if value is None:
        return ["forged", 1]
    return [f"{value}x", "forged"]


def test_every_compared_column_of_every_table_is_checked(written_db, tally):
    db = written_db
    assert verify_file(db).ok
    missed: list[str] = []
    checked = 0
    with sqlite3.connect(db) as conn:
        for trigger in TRIGGERS:
            conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    conn.close()
    for table, label, excluded in TABLES:
        conn = sqlite3.connect(db, isolation_level=None)
        try:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            # the newest record: written by the store's own writes where the table has any
            row = conn.execute(f"SELECT * FROM {table} ORDER BY id DESC LIMIT 1").fetchone()
            assert row is not None, f"{table}: the fixture wrote none"
            record_id = row[0]
            for column, value in zip(columns, row):
                if column == "id" or column in excluded:
                    continue
                for forged in _forged(value):
                    try:
                        conn.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?", (forged, record_id))
                        break
                    except sqlite3.IntegrityError:
                        continue
                else:
                    continue  # no other value is allowed by the table itself
                tally.case(AREA)
                checked += 1
                report = verify_file(db)
                prefix = f"{label} {record_id} field "
                if not any(line.startswith(prefix) and column in line[len(prefix):].split(":")[0].split("|")
                           for line in report.findings):
                    missed.append(f"{table}.{column} (record {record_id})")
                    tally.lost_rows(AREA, 1)
                conn.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?", (value, record_id))
        finally:
            conn.close()
    tally.rows_checked(AREA, checked)
    assert not missed, f"changed without a finding: {missed}"
    assert verify_file(db).ok  # every value put back: clean again
    assert checked > 100
