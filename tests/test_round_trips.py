"""Round trips: every csv and json export (incidents, aid, roster) imports back into a fresh database
to the same records, and importing it again changes nothing; ``cmcc import`` takes incidents and
headlines too, and each kind's ``--help`` describes its own file.

Real SQLite files, the ``cmcc`` command's own ``main`` (as tests/test_aid_import.py runs it).
``cmcc export aid --format csv`` used to be refused by ``cmcc import aid`` twice a row, for its
``id`` and ``updated_at`` columns.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from console.cli import main
from console.model.access import SYSTEM_ACTOR
from console.model.aid import Commodity, Movement, aid_day
from console.model.errors import PermissionDenied
from console.model.incidents import Governorate, Incident, IncidentCategory
from console.model.journal import Entity
from console.model.partners import Officer
from console.dtg import utc_now
from console.identity import current_actor
from console.store import Store
from console.store.journal import record_many
from tests.conftest import OPERATOR, REAL_LOGIN, WATCH_OFFICER, open_test_store

#: The row of bench/hardening_report.py these cases count in.
AREA = "export and import again"

#: kind -> its table, and what `cmcc import` says the first time and the second
TABLES = {"incidents": "incidents", "aid": "movements", "roster": "officers"}
FIRST = {"incidents": "{n} imported, 0 already present", "aid": "{n} imported, 0 already present",
         "roster": "{n} added, 0 updated, 0 already up to date"}
AGAIN = {"incidents": "0 imported, {n} already present", "aid": "0 imported, {n} already present",
         "roster": "0 added, 0 updated, {n} already up to date"}


def cmcc(capsys, *args: object, status: int = 0) -> str:
    """Run ``cmcc ARGS`` (its main, in this process); its stdout, after checking its exit status."""
    capsys.readouterr()
    assert main([str(a) for a in args]) == status, capsys.readouterr().err
    return capsys.readouterr().out


def fresh_database(capsys, target: Path, demo: Path) -> None:
    """A new floor's database as the product makes one: ``cmcc operators add`` (the first operator,
    its admin: we ourselves, a USA admin as in the demo), then the reference data no command makes,
    the demo's crossings and partners, written with their journal rows as the seed writes them."""
    cmcc(capsys, "--db", target, "operators", "add", REAL_LOGIN, "--name", "Test Admin", "--nation", "USA",
         "--role", "admin")
    raw = sqlite3.connect(demo)
    raw.row_factory = sqlite3.Row
    tables = {t: [dict(r) for r in raw.execute(f"SELECT * FROM {t} ORDER BY id")] for t in ("crossings", "partners")}
    raw.close()

    async def copy() -> None:
        store = await Store.open(target)
        try:
            async with store.database.transaction() as conn:
                for table, entity in (("crossings", Entity.CROSSING), ("partners", Entity.PARTNER)):
                    rows = tables[table]
                    names = list(rows[0])
                    await conn.executemany(f"INSERT INTO {table} ({', '.join(names)})"
                                           f" VALUES ({', '.join(':' + n for n in names)})", rows)
                    await record_many(conn, SYSTEM_ACTOR, entity, [(r["id"], "seed", r) for r in rows])
        finally:
            await store.close()

    asyncio.run(copy())


def add_awkward_records(demo: Path, kind: str) -> None:
    """Records the demo lacks: cells an export quotes for spreadsheets (``=``, ``+``, ``-``, ``'``), and
    two convoys without a reference that nothing but their ids tells apart."""
    async def add() -> None:
        store = await Store.open(demo)
        try:
            actor, _notice = await current_actor(store)
            if kind == "incidents":
                for n, text in enumerate(("=1+1 painted on the wall", "'Quoted', says the report",
                                          "+ rounds fired, - none hit", "@ the checkpoint")):
                    await store.incidents.create(actor, Incident(
                        occurred_at=utc_now().replace(microsecond=0) - timedelta(hours=1, minutes=n),
                        governorate=Governorate.RAFAH, category=IncidentCategory.SHELLING, description=text,
                        severity=2, locality="-", source="+972 8 000 0000"))
            elif kind == "aid":
                convoy = Movement(planned_date=aid_day(), crossing_code="KS", organisation="=WFP",
                                  commodity=Commodity.FOOD, trucks=12, status_note="'escorted'")
                for _ in range(2):
                    await store.aid.create_movement(actor, convoy)
            else:
                await store.partners.create_officer(actor, Officer(
                    rank="MAJ", name="Helen Carter", partner_code="GBR", service_number="GB-1001",
                    contact="+44 20 7946 0000", role="-", cell="'Plans'"))
        finally:
            await store.close()

    asyncio.run(add())


def records(path: Path) -> list[dict]:
    """An export's records, without ``updated_at`` (when the record last changed: the import is a change)."""
    text = path.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text))) if path.suffix == ".csv" else json.loads(text)
    return [{k: v for k, v in row.items() if k != "updated_at"} for row in rows]


def snapshot(path: Path, table: str) -> tuple[list[tuple], int]:
    """Every row of ``table``, every column (bookkeeping too), and how many journal rows there are."""
    raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return (raw.execute(f"SELECT * FROM {table} ORDER BY id").fetchall(),
                raw.execute("SELECT count(*) FROM journal").fetchone()[0])
    finally:
        raw.close()


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize("kind", ["incidents", "aid", "roster"])
def test_an_export_imports_back_into_a_fresh_database_to_the_same_records_and_again_changes_nothing(tally,
        tmp_path, capsys, kind, fmt):
    tally.case(AREA)
    demo, fresh = tmp_path / "demo.db", tmp_path / "fresh.db"
    cmcc(capsys, "demo", "--db", demo, "--no-console")
    add_awkward_records(demo, kind)
    exported = tmp_path / f"{kind}.{fmt}"
    cmcc(capsys, "--db", demo, "export", kind, "--since", "400d", "--format", fmt, "--output", exported)
    expected = records(exported)
    assert len(expected) > 60  # the demo's, and the awkward ones

    fresh_database(capsys, fresh, demo)
    assert cmcc(capsys, "--db", fresh, "import", kind, exported).strip() == FIRST[kind].format(n=len(expected))
    back = tmp_path / f"back.{fmt}"
    cmcc(capsys, "--db", fresh, "export", kind, "--since", "400d", "--format", fmt, "--output", back)
    assert records(back) == expected  # field by field, ids included (kept: they were free)
    tally.rows_checked(AREA, len(expected))

    before = snapshot(fresh, TABLES[kind])
    assert cmcc(capsys, "--db", fresh, "import", kind, exported).strip() == AGAIN[kind].format(n=len(expected))
    assert snapshot(fresh, TABLES[kind]) == before  # no record added or changed, no journal row written
    assert cmcc(capsys, "--db", fresh, "journal", "verify").startswith("journal ok")  # every record as journaled


def test_an_export_imported_into_a_database_with_records_of_its_own_adds_each_once(tally, tmp_path, capsys):
    """Ids taken by other incidents here: the incidents come in with new ids, and are found again."""
    tally.case(AREA)
    demo, other = tmp_path / "demo.db", tmp_path / "other.db"
    cmcc(capsys, "demo", "--db", demo, "--no-console")
    exported = tmp_path / "incidents.csv"
    cmcc(capsys, "--db", demo, "export", "incidents", "--since", "2d", "--output", exported)
    count = len(records(exported))
    assert count > 10
    cmcc(capsys, "demo", "--db", other, "--no-console")  # its own 420 incidents, ids 1-420
    shift_incident_times(other, timedelta(hours=-1))  # another floor's: at other times than the exported ones
    imported = cmcc(capsys, "--db", other, "import", "incidents", exported)
    assert imported.strip() == f"{count} imported, 0 already present"
    before = snapshot(other, "incidents")
    again = cmcc(capsys, "--db", other, "import", "incidents", exported)
    assert again.strip() == f"0 imported, {count} already present"
    assert snapshot(other, "incidents") == before
    assert len(before[0]) == 420 + count
    assert sorted(r["id"] for r in records(exported)) != sorted(str(r[0]) for r in before[0][420:])  # new ids


def shift_incident_times(path: Path, by: timedelta) -> None:
    """Move every incident's time (test data of another floor: written directly, not journaled)."""
    from datetime import datetime

    raw = sqlite3.connect(path)
    try:
        rows = raw.execute("SELECT id, occurred_at FROM incidents").fetchall()
        raw.executemany("UPDATE incidents SET occurred_at = ? WHERE id = ?",
                        [((datetime.fromisoformat(at) + by).isoformat(), row_id) for row_id, at in rows])
        raw.commit()
    finally:
        raw.close()


def test_cmcc_import_takes_incidents_checked_by_line_and_column(tally, tmp_path, capsys):
    tally.case(AREA)
    fresh = tmp_path / "fresh.db"
    cmcc(capsys, "--db", fresh, "operators", "add", REAL_LOGIN, "--name", "Test Admin", "--nation", "USA")
    path = tmp_path / "reports.csv"
    path.write_text("when,governorate,category,description,severity,grading,status\n"
                    "251036Z NOV 25,Rafah,shelling,Shelling east of Jenina,3,B2,verified\n"
                    "2099-01-01T00:00:00Z,Atlantis,shelling,From the future,3,Z9,\n", encoding="utf-8")
    assert main(["--db", str(fresh), "import", "incidents", str(path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert [line.split(": ")[1:3] for line in err[:-1]] == [
        ["line 3", "when"], ["line 3", "governorate"], ["line 3", "grading"]]
    assert "is in the future" in err[0] and err[-1].endswith("nothing imported: 1 of 2 rows are invalid"
                                                             " (fix them, or --skip-invalid to import the others)")
    assert snapshot(fresh, "incidents")[0] == []
    out = cmcc(capsys, "--db", fresh, "import", "incidents", path, "--skip-invalid")
    assert out.strip() == f"1 imported, 0 already present, 1 invalid rows written to {tmp_path / 'reports.rejects.csv'}"
    [row] = snapshot(fresh, "incidents")[0]
    assert ("Rafah", "B", 2, "verified") == (row[2], row[15], row[16], row[17])


async def test_importing_a_closed_incident_needs_a_watch_officer(tally, db_path, tmp_path):
    tally.case(AREA)
    from feeds.importers.incidents import import_text

    store = await open_test_store(db_path)
    try:
        path = tmp_path / "closed.json"
        path.write_text(json.dumps([{"occurred_at": "2025-11-25T10:36:00+00:00", "governorate": "Gaza",
                                     "category": "demolition", "description": "Demolition seen", "severity": 2,
                                     "status": "closed", "id": 7}]), encoding="utf-8")
        text = path.read_text(encoding="utf-8")
        with pytest.raises(PermissionDenied, match="may not import closed incidents: it needs watch officer"):
            await import_text(store, OPERATOR, path, text, out=io.StringIO(), err=io.StringIO())
        assert await store.database.scalar("SELECT count(*) FROM incidents") == 0
        out = io.StringIO()
        assert await import_text(store, WATCH_OFFICER, path, text, out=out, err=io.StringIO()) == 0
        assert out.getvalue() == "1 imported, 0 already present\n"
        assert await store.database.scalar("SELECT id || ' ' || status FROM incidents") == "7 closed"
    finally:
        await store.close()


def test_cmcc_import_takes_headlines_and_importing_again_changes_nothing(tally, tmp_path, capsys):
    tally.case(AREA)
    fresh = tmp_path / "fresh.db"
    cmcc(capsys, "--db", fresh, "operators", "add", REAL_LOGIN, "--name", "Test Admin", "--nation", "USA")
    path = tmp_path / "wire.csv"
    path.write_text("title,published,link,source,summary\n"
                    "Zikim crossing reopens,2025-11-25T08:00:00Z,https://news.example/1,Wire,Trucks move again.\n"
                    '"Rafah, closed",2025-11-25T09:00:00Z,https://news.example/2,Wire,\n'
                    "No link,2025-11-25T10:00:00Z,,Wire,A title and a time tell it apart.\n", encoding="utf-8")
    assert cmcc(capsys, "--db", fresh, "import", "headlines", path).strip() == "3 imported, 0 already present"
    before = snapshot(fresh, "headlines")
    assert len(before[0]) == 3
    assert cmcc(capsys, "--db", fresh, "import", "headlines", path).strip() == "0 imported, 3 already present"
    assert snapshot(fresh, "headlines") == before
    bad = tmp_path / "bad.csv"
    bad.write_text("title,link\nGood one,https://news.example/3\nBad link,ftp://news.example/4\n", encoding="utf-8")
    assert main(["--db", str(fresh), "import", "headlines", str(bad)]) == 1
    assert capsys.readouterr().err.splitlines()[0] == "bad.csv: line 3: link: must start with http:// or https://"
    assert snapshot(fresh, "headlines") == before


def test_each_kind_of_import_has_help_of_its_own(tally, capsys):
    tally.case(AREA)
    def help_of(*args: str) -> str:
        capsys.readouterr()
        with pytest.raises(SystemExit) as ended:
            main([*args, "--help"])
        assert ended.value.code == 0
        return capsys.readouterr().out

    parent = help_of("import")
    for kind in ("aid", "headlines", "incidents", "roster"):
        assert kind in parent
    own = {kind: help_of("import", kind) for kind in ("aid", "headlines", "incidents", "roster")}
    names = {"aid": ("planned_date", "figure_source", "status_note", "id", "updated_at"),
             "incidents": ("severity", "grading", "acknowledged_at", "dtg", "updated_at"),
             "roster": ("partner", "service_number", "rotation_end", "presence"),
             "headlines": ("title", "published", "guid")}
    for kind, text in own.items():
        assert text != parent and f"usage: cmcc import {kind}" in text
        assert all(name in text for name in names[kind]), (kind, text)
        assert "Required:" in text or "(required)" in text
        assert "Importing again:" in text
    assert "planned_date" not in own["roster"] and "service_number" not in own["aid"]
