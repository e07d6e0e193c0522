"""The roster import: every bad line named with its column, nothing half-imported, re-imports change nothing."""

from __future__ import annotations



from console.model.access import SYSTEM_ACTOR
from console.model.journal import Entity
from console.model.partners import Presence, Shift
from feeds.importers.base import RowErrors
from feeds.importers.roster import validate_roster_rows, write_roster
from feeds.inbox import Inbox
from feeds.readers import read_rows
from tests.conftest import REAL_LOGIN, ADMIN

GOOD = (
    "partner,rank,name,service,service_number,cell,role,contact,shift,rotation_start,rotation_end,presence\n"
    "GBR,MAJ,Helen Carter,Army,GB-1001,Plans,liaison,chat:gbr-carter,day,2026-09-01,2026-12-01,on floor\n"
    "FRA,CNE,Luc Moreau,Air Force,,Logistics,planner,radio MOREAU 2,night,2026-10-01,2027-01-15,\n"
)

BAD = (
    "partner,rank,name,shift,rotation_start,rotation_end,presence\n"   # line 1
    "GBR,MAJ,Helen Carter,day,2026-09-01,2026-12-01,on floor\n"        # line 2: good
    "XYZ,CPT,Nobody Known,day,,,\n"                                      # line 3: accepted (partner checked on write)
    "FRA,CNE,,evening,2026-10-01,2026-09-01,\n"                        # line 4: no name, bad shift, ends first
    "\n"                                                               # line 5: blank, skipped
    "DEU,HPTM,Jonas Keller,day,2026-13-01,,here\n"                     # line 6: bad date, bad presence
    "GBR,CPT,helen carter,day,,,\n"                                    # line 7: same officer as line 2
)


def inbox_for(folder, store) -> Inbox:
    return Inbox(folder, store, SYSTEM_ACTOR, settle_seconds=0.05)


async def test_each_bad_line_is_named_with_its_column_and_nothing_is_imported(folder, demo_store):
    before = len(await demo_store.partners.officers(ADMIN))
    (folder / "roster-bad.csv").write_text(BAD, encoding="utf-8")
    [outcome] = await inbox_for(folder, demo_store).scan_once()
    assert outcome.outcome == "rejected"
    assert list(outcome.errors) == [
        "line 4: name: missing: the officer's name",
        "line 4: shift: 'evening' is not one of: day, night, other",
        "line 4: rotation_end: ends before the rotation starts",
        "line 6: rotation_start: '2026-13-01' is not a date (YYYY-MM-DD)",
        "line 6: presence: 'here' is not one of: on floor, away, off shift",
        "line 7: name: the same officer is already on line 2",
    ]
    report = (folder / "rejected" / "roster-bad.csv.error.txt").read_text(encoding="utf-8")
    assert "line 6: presence" in report
    assert len(await demo_store.partners.officers(ADMIN)) == before


async def test_an_unknown_partner_rejects_the_file_at_its_line(folder, demo_store):
    (folder / "roster-partner.csv").write_text(
        "partner,name\nGBR,Helen Carter\nXYZ,Nobody Known\nZZZ,Also Unknown\n", encoding="utf-8")
    [outcome] = await inbox_for(folder, demo_store).scan_once()
    assert outcome.outcome == "rejected"
    assert list(outcome.errors) == ["line 3: partner: 'XYZ' is not a partner of the center",
                                    "line 4: partner: 'ZZZ' is not a partner of the center"]
    assert not [o for o in await demo_store.partners.officers(ADMIN) if o.name == "Helen Carter"]


async def test_an_unknown_column_is_an_error_not_silently_ignored(demo_store):
    _kind, rows = read_rows("roster.csv", "partner,name,shfit\nGBR,Helen Carter,day\n")
    errors = RowErrors()
    assert validate_roster_rows(rows, errors) == []
    assert errors.items[0].startswith("line 2: shfit: unknown column")


async def test_the_inbox_imports_a_good_roster(folder, demo_store):
    (folder / "roster-0800.csv").write_text(GOOD, encoding="utf-8")
    [outcome] = await inbox_for(folder, demo_store).scan_once()
    assert (outcome.outcome, outcome.kind, outcome.rows) == ("imported", "roster", 2)
    carter = next(o for o in await demo_store.partners.officers(ADMIN) if o.name == "Helen Carter")
    assert (carter.partner_code, carter.rank, carter.service_number, carter.shift, carter.presence) == (
        "GBR", "MAJ", "GB-1001", Shift.DAY, Presence.ON_FLOOR)
    assert str(carter.rotation_end) == "2026-12-01"


async def import_text(store, text: str) -> int:
    _kind, rows = read_rows("roster.csv", text)
    errors = RowErrors()
    records = validate_roster_rows(rows, errors)
    assert not errors
    async with store.database.transaction() as conn:
        return await write_roster(store, conn, ADMIN, records)


async def test_importing_the_same_roster_twice_creates_nobody_twice_and_journals_nothing_new(demo_store):
    before = len(await demo_store.partners.officers(ADMIN))
    assert await import_text(demo_store, GOOD) == 2
    last = await demo_store.journal.last_id()
    assert await import_text(demo_store, GOOD) == 0
    assert len(await demo_store.partners.officers(ADMIN)) == before + 2
    assert await demo_store.journal.last_id() == last


async def test_a_changed_row_updates_the_officer_it_matches(demo_store):
    await import_text(demo_store, GOOD)
    # Carter is found by her service number although her name is now spelt differently;
    # Moreau has no service number and is found by partner and name.
    changed = (
        "partner,rank,name,service_number,cell,shift\n"
        "GBR,LTC,Helen Carter-Hughes,GB-1001,Ops,night\n"
        "FRA,CDT,luc moreau,,Logistics,night\n"
    )
    assert await import_text(demo_store, changed) == 2
    officers = [o for o in await demo_store.partners.officers(ADMIN) if o.partner_code in ("GBR", "FRA")]
    carters = [o for o in officers if o.service_number == "GB-1001"]
    assert [(o.rank, o.name, o.cell, o.shift) for o in carters] == [("LTC", "Helen Carter-Hughes", "Ops", Shift.NIGHT)]
    assert carters[0].presence is Presence.ON_FLOOR  # no presence column: presence kept
    moreaus = [o for o in officers if o.name.lower() == "luc moreau"]
    assert [o.rank for o in moreaus] == ["CDT"]
    entries = await demo_store.journal.for_entity(Entity.OFFICER, carters[0].id)
    assert [e.action for e in entries] == ["create", "import"]
    assert entries[-1].changes["rank"] == ["MAJ", "LTC"]


# --- cmcc import roster ---------------------------------------------------------------

HEADER = "partner,rank,name,service_number,cell,shift,rotation_end"
ROWS = [
    "GBR,MAJ,Helen Carter,GB-1001,Plans,day,2026-12-01",      # line 2
    "FRA,CNE,Luc Moreau,,Logistics,night,2027-01-15",        # line 3
    "XYZ,CPT,Nobody Known,,Ops,day,",                        # line 4: unknown partner
    "DEU,HPTM,Jonas Keller,,Ops,dusk,2026-02-30",            # line 5: bad shift, bad date
]


def seeded_db(path) -> None:
    import asyncio

    from console.store import Store
    from console.store.seed import seed_demo

    async def build():
        store = await Store.open(path)
        await seed_demo(store.database, operator_login=REAL_LOGIN)
        await store.close()

    asyncio.run(build())


def roster_of(path) -> list:
    import asyncio

    from console.store import Store

    async def read():
        store = await Store.open(path)
        try:
            return await store.partners.officers(ADMIN)
        finally:
            await store.close()

    return asyncio.run(read())


def test_cmcc_import_roster_names_each_bad_line_and_column_and_imports_nothing(db_path, tmp_path, capsys):
    from console.cli import main

    seeded_db(db_path)
    before = len(roster_of(db_path))
    path = tmp_path / "roster.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    assert main(["--db", str(db_path), "import", "roster", str(path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "roster.csv: line 4: partner: 'XYZ' is not a partner of the center (e.g. ARE, AUS, CAN, CYP)",
        "roster.csv: line 5: shift: 'dusk' is not one of: day, night, other",
        "roster.csv: line 5: rotation_end: '2026-02-30' is not a date (YYYY-MM-DD)",
        "roster.csv: nothing imported: 2 of 4 rows are invalid (fix them, or --skip-invalid to import the others)",
    ]
    assert len(roster_of(db_path)) == before


def test_cmcc_import_roster_skips_invalid_rows_into_a_reject_file_and_is_idempotent(db_path, tmp_path, capsys):
    from console.cli import main

    seeded_db(db_path)
    before = len(roster_of(db_path))
    path = tmp_path / "roster.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    rejects = tmp_path / "bad.csv"
    assert main(["--db", str(db_path), "import", "roster", str(path), "--skip-invalid",
                 "--reject-file", str(rejects)]) == 0
    assert capsys.readouterr().out.strip() == (f"2 added, 0 updated, 0 already up to date, "
                                               f"2 invalid rows written to {rejects}")
    assert rejects.read_text(encoding="utf-8").splitlines() == [
        HEADER + ",error",
        ROWS[2] + ",\"partner: 'XYZ' is not a partner of the center (e.g. ARE, AUS, CAN, CYP)\"",
        ROWS[3] + ",\"shift: 'dusk' is not one of: day, night, other; rotation_end: '2026-02-30' is not a date"
                  " (YYYY-MM-DD)\"",
    ]
    assert main(["--db", str(db_path), "import", "roster", str(path), "--skip-invalid",
                 "--reject-file", str(rejects)]) == 0
    assert capsys.readouterr().out.startswith("0 added, 0 updated, 2 already up to date")
    assert len(roster_of(db_path)) == before + 2
