"""Incidents out (``cmcc export incidents``, the pane's ``x``) and in (the inbox's ``incidents`` kind)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import timedelta

import pytest

from console.cli import main
from console.model.access import SYSTEM_ACTOR, Operator, Role
from console.dtg import format_dtg, utc_now
from console.store import Store
from console.model.incidents import IncidentFilter
from feeds.inbox import Inbox
from tests.conftest import OPERATOR, REAL_LOGIN, register_test_operators
from tests.test_store_foundation import an_incident

DEU_OPERATOR = Operator(REAL_LOGIN, "Capt. Test", "DEU", Role.OPERATOR)


async def with_store(db_path, work):
    store = await Store.open(db_path)
    try:
        return await work(store)
    finally:
        await store.close()


@pytest.fixture
def three_incidents(db_path):
    """Seen by a DEU operator (our own login) in the last 24 h: only the first."""

    async def build(store):
        await store.operators.add(SYSTEM_ACTOR, DEU_OPERATOR)
        await register_test_operators(store)
        now = utc_now()
        shown = await store.incidents.create(OPERATOR, an_incident(
            occurred_at=now - timedelta(hours=2), description='Shots fired | "pipe" =SUM(A1)', injured=2))
        await store.incidents.create(OPERATOR, an_incident(occurred_at=now - timedelta(hours=1),
                                                           description="GBR/USA eyes only", releasability="GBR,USA"))
        await store.incidents.create(OPERATOR, an_incident(occurred_at=now - timedelta(hours=30),
                                                           description="Yesterday's"))
        return shown

    return asyncio.run(with_store(db_path, build))


def export(db_path, capsys, *args) -> str:
    assert main(["export", "incidents", "--db", str(db_path), *args]) == 0
    return capsys.readouterr().out


def test_csv_export_writes_what_the_pane_would_show_that_operator(db_path, three_incidents, capsys):
    from console.identity import current_actor

    async def pane_rows(store):
        actor, _notice = await current_actor(store)
        return [i.id for i in await store.incidents.page(actor, IncidentFilter(window=timedelta(hours=24)))]

    pane_ids = asyncio.run(with_store(db_path, pane_rows))
    rows = list(csv.DictReader(io.StringIO(export(db_path, capsys, "--since", "24h", "--format", "csv"))))
    assert [int(r["id"]) for r in rows] == pane_ids == [three_incidents.id]
    row = rows[0]
    assert row["description"] == 'Shots fired | "pipe" =SUM(A1)'
    assert (row["governorate"], row["severity"], row["status"], row["killed"], row["injured"]) == (
        "Rafah", "3", "reported", "", "2")
    assert row["dtg"] == format_dtg(three_incidents.occurred_at)


def test_json_and_md_exports_and_a_longer_window(db_path, three_incidents, capsys):
    items = json.loads(export(db_path, capsys, "--since", "2d", "--format", "json"))
    assert [i["description"] for i in items] == ['Shots fired | "pipe" =SUM(A1)', "Yesterday's"]
    assert items[0]["killed"] is None and items[0]["grading"] == "F6"
    md = export(db_path, capsys, "--since", "24h", "--format", "md").splitlines()
    assert md[0] == "# Incidents"
    table = [line for line in md if line.startswith("|")]
    assert len(table) == 3  # header, rule, one incident
    assert "Shots fired \\| \"pipe\"" in table[2]
    assert table[2].count(" | ") == table[0].count(" | ")  # the pipe in the text does not add a column


def test_export_to_a_file_and_refusals(db_path, three_incidents, tmp_path, capsys):
    target = tmp_path / "out" / "incidents.csv"
    target.parent.mkdir()
    assert main(["export", "incidents", "--db", str(db_path), "--format", "csv", "--output", str(target)]) == 0
    assert "exported 1 incidents" in capsys.readouterr().err
    assert len(target.read_text().splitlines()) == 2
    assert main(["export", "incidents", "--db", str(db_path), "--since", "yesterday"]) == 2
    assert "--since" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["export", "incidents", "--db", str(db_path), "--format", "xlsx"])


def test_an_empty_json_export_is_still_a_list(db_path, capsys):
    asyncio.run(with_store(db_path, lambda store: store.operators.add(SYSTEM_ACTOR, DEU_OPERATOR)))
    assert json.loads(export(db_path, capsys, "--format", "json")) == []


# --- the inbox -----------------------------------------------------------------------

GOOD_CSV = """when,governorate,locality,category,description,severity,lat,lon,killed,injured,source_type,reliability,credibility
251036Z NOV 26,Rafah,Jenina,shelling,Shelling east of Jenina,3,31.29,34.25,,2,un,B,2
2026-11-25T11:00:00Z,North Gaza,Beit Hanoun,small arms fire,Small-arms fire near the yellow line,2,,,0,0,partner liaison,C,3
"""  # noqa: E501 - a file's lines as an operator's spreadsheet writes them

BAD_CSV = """when,governorate,category,description,severity,lat,lon,colour
321036Z,Rafah,shelling,Bad time,3,,,
now,Atlantis,shelling,Nowhere,0,40.0,34.3,
"""
BAD_CSV_KNOWN_COLUMNS = """when,governorate,category,description,severity,lat,lon
321036Z,Rafah,shelling,Bad time,3,,
now,Atlantis,shelling,Nowhere,0,40.0,34.3
"""


async def test_an_incidents_file_in_the_inbox_is_imported_whole(tmp_path, store):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "incidents-0800.csv").write_text(GOOD_CSV)
    [outcome] = await Inbox(folder, store, SYSTEM_ACTOR, settle_seconds=0.05).scan_once()
    assert (outcome.outcome, outcome.kind, outcome.rows) == ("imported", "incidents", 2)
    incidents = await store.incidents.page(OPERATOR)
    assert {(i.governorate.value, i.locality, i.severity, i.source_type.value, i.grading) for i in incidents} == {
        ("Rafah", "Jenina", 3, "un", "B2"), ("North Gaza", "Beit Hanoun", 2, "partner_liaison", "C3")}
    rafah = next(i for i in incidents if i.locality == "Jenina")
    assert (rafah.killed, rafah.injured, rafah.latitude) == (None, 2, 31.29)
    timeline = await store.incidents.timeline(OPERATOR, rafah.id)
    # Attributed to whoever owns the file (we wrote it), not to the poller's own identity.
    assert [(e.action, e.actor) for e in timeline] == [("create", REAL_LOGIN)]


async def test_a_bad_incidents_file_is_rejected_naming_each_line_and_field(tmp_path, store):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "incidents-0900.csv").write_text(BAD_CSV)
    [outcome] = await Inbox(folder, store, SYSTEM_ACTOR, settle_seconds=0.05).scan_once()
    assert outcome.outcome == "rejected"
    report = outcome.moved_to.with_name(outcome.moved_to.name + ".error.txt").read_text()
    # One error for the header, not one per row (it was "line 2: colour: ...", "line 3: colour: ...").
    assert "line 1: colour: unknown column" in report and "line 2: colour" not in report
    # Without the unknown column every field is checked and named.
    (folder / "incidents-1000.csv").write_text(BAD_CSV_KNOWN_COLUMNS)
    [outcome] = await Inbox(folder, store, SYSTEM_ACTOR, settle_seconds=0.05).scan_once()
    errors = "\n".join(outcome.errors)
    assert "line 2: when: '321036Z'" in errors
    assert "line 3: governorate: 'Atlantis' is not one of" in errors
    assert "line 3: severity: severity must be 1 to 5 (got 0)" in errors
    assert "line 3: latitude: 40.0 is not in or near the Gaza Strip" in errors
    assert await store.incidents.count(OPERATOR) == 0
