"""``cmcc import aid`` and ``cmcc export aid``: every bad row named, all or nothing, safe to run twice."""

from __future__ import annotations

import asyncio
import io
import json

import pytest

from console.cli import main
from console.model.access import SYSTEM_ACTOR
from console.store import Store
from feeds.inbox import Inbox
from tests.conftest import ADMIN, REAL_LOGIN

HEADER = "planned_date,crossing,organisation,commodity,trucks,tonnes,reference,source,status,note"
GOOD = [
    "2026-11-24,KS,WFP,food,24,410.5,WB-1124-001,un2720,offloaded,",
    "2026-11-24,Zikim,UNICEF,water and sanitation,12,,WB-1124-002,cogat,scheduled,",
    '2026-11-24,ks,"World Central Kitchen, Gaza",food,8,,WB-1124-003,partner,held,"waiting for escort"',
]
BAD = [
    "2026-11-31,KS,WFP,food,10,,WB-1124-004,un2720,scheduled,",  # no 31 November
    "2026-11-24,XX,WFP,food,ten,,WB-1124-005,un2720,scheduled,",  # unknown crossing, trucks not a number
    "2026-11-24,KS,WHO,medical,5,,WB-1124-006,un2720,rejected,",  # rejected needs a note
]


def make_db(path, operator_login: str = REAL_LOGIN) -> None:
    """Two crossings, and ``operator_login`` (by default we ourselves) a DEU operator."""
    async def build():
        store = await Store.open(path)
        async with store.database.transaction() as conn:
            await conn.executemany("INSERT INTO crossings (code, name, border, daily_target) VALUES (?, ?, '', ?)",
                                   [("KS", "Kerem Shalom", 350), ("ZIK", "Zikim", 60)])
            await conn.execute("INSERT INTO operators (login, name, nation, role, created_at)"
                               " VALUES (?, 'Capt. Test', 'DEU', 1, '2026-11-01T00:00:00+00:00')", (operator_login,))
        await store.close()

    asyncio.run(build())


def count_movements(path) -> int:
    async def count():
        store = await Store.open(path)
        try:
            return int(await store.database.scalar("SELECT count(*) FROM movements"))
        finally:
            await store.close()

    return asyncio.run(count())


def write(tmp_path, name, lines):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_file_with_bad_rows_names_each_by_line_and_column_and_imports_nothing(db_path, tmp_path, capsys):
    make_db(db_path)
    path = write(tmp_path, "convoys.csv", [HEADER, GOOD[0], BAD[0], GOOD[1], BAD[1], BAD[2]])
    assert main(["--db", str(db_path), "import", "aid", str(path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "convoys.csv: line 3: planned_date: '2026-11-31' is not a date (YYYY-MM-DD, today, yesterday)",
        "convoys.csv: line 5: crossing: 'XX' is not a crossing (KS, ZIK)",
        "convoys.csv: line 5: trucks: 'ten' is not a whole number",
        "convoys.csv: line 6: status_note: a rejected movement needs a note saying why",
        "convoys.csv: nothing imported: 3 of 5 rows are invalid (fix them, or --skip-invalid to import the others)",
    ]
    assert count_movements(db_path) == 0


def test_importing_the_same_file_twice_does_not_duplicate_a_reference(db_path, tmp_path, capsys):
    make_db(db_path)
    path = write(tmp_path, "convoys.csv", [HEADER, *GOOD])
    assert main(["--db", str(db_path), "import", "aid", str(path)]) == 0
    assert capsys.readouterr().out.strip() == "3 imported, 0 already present"
    more = write(tmp_path, "more.csv", [HEADER, *GOOD, "2026-11-24,KS,WFP,food,30,,WB-1124-001,cogat,offloaded,"])
    assert main(["--db", str(db_path), "import", "aid", str(more)]) == 0
    # the same waybill from another source is another report of it: recorded beside the first
    assert capsys.readouterr().out.strip() == "1 imported, 3 already present"
    assert count_movements(db_path) == 4


def test_skip_invalid_imports_the_good_rows_and_writes_the_bad_ones_with_their_errors(db_path, tmp_path, capsys):
    make_db(db_path)
    path = write(tmp_path, "convoys.csv", [HEADER, GOOD[0], BAD[1], GOOD[2], BAD[2]])
    rejects = tmp_path / "out" / "rejects.csv"
    rejects.parent.mkdir()
    assert main(["--db", str(db_path), "import", "aid", str(path), "--skip-invalid",
                 "--reject-file", str(rejects)]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == f"2 imported, 0 already present, 2 invalid rows written to {rejects}"
    assert "convoys.csv: line 3: crossing: 'XX' is not a crossing (KS, ZIK)" in captured.err
    assert rejects.read_text(encoding="utf-8").splitlines() == [
        HEADER + ",error",
        BAD[1] + ",\"crossing: 'XX' is not a crossing (KS, ZIK); trucks: 'ten' is not a whole number\"",
        BAD[2] + ",status_note: a rejected movement needs a note saying why",
    ]
    assert count_movements(db_path) == 2


def test_a_malformed_file_is_refused_whole(db_path, tmp_path, capsys):
    make_db(db_path)
    path = write(tmp_path, "convoys.csv", [HEADER, GOOD[0] + ",extra,fields"])
    assert main(["--db", str(db_path), "import", "aid", str(path), "--skip-invalid"]) == 1
    assert "convoys.csv: line 2: 12 fields, the header has 10" in capsys.readouterr().err
    assert count_movements(db_path) == 0


def test_someone_who_is_not_an_operator_may_not_import(db_path, tmp_path, capsys):
    make_db(db_path, operator_login="somebody_else")
    path = write(tmp_path, "convoys.csv", [HEADER, *GOOD])
    assert main(["--db", str(db_path), "import", "aid", str(path)]) == 2
    assert "may not import movements" in capsys.readouterr().err
    assert count_movements(db_path) == 0


def test_an_unknown_column_is_an_error_not_silently_dropped(db_path, tmp_path, capsys):
    make_db(db_path)
    path = write(tmp_path, "convoys.csv", ["planned_date,crossing,organisation,commodity,truks",
                                           "2026-11-24,KS,WFP,food,24"])
    assert main(["--db", str(db_path), "import", "aid", str(path)]) == 1
    assert capsys.readouterr().err.startswith("convoys.csv: line 1: truks: unknown column")


async def test_the_inbox_takes_an_aid_file_with_the_same_rules(store, tmp_path):
    async with store.database.transaction() as conn:
        await conn.execute("INSERT INTO crossings (code, name, border) VALUES ('KS', 'Kerem Shalom', '')")
    inbox = Inbox(tmp_path / "inbox", store, SYSTEM_ACTOR, settle_seconds=0)
    inbox.folder.mkdir()
    (inbox.folder / "aid-0800.csv").write_text("\n".join([HEADER, GOOD[0], GOOD[2]]) + "\n", encoding="utf-8")
    (inbox.folder / "aid-0900.csv").write_text("\n".join([HEADER, GOOD[1]]) + "\n", encoding="utf-8")
    outcomes = {o.name: o for o in await inbox.scan_once()}
    assert outcomes["aid-0800.csv"].outcome == "imported" and outcomes["aid-0800.csv"].rows == 2
    assert outcomes["aid-0900.csv"].outcome == "rejected"
    assert outcomes["aid-0900.csv"].errors[0].startswith("line 2: crossing: 'Zikim' is not a crossing")
    assert len(await store.aid.movements(ADMIN, limit=None)) == 2


def test_export_aid_writes_what_was_imported_as_json_and_markdown(db_path, tmp_path, capsys):
    make_db(db_path)
    today = __import__("console.model.aid", fromlist=["aid_day"]).aid_day().isoformat()
    path = write(tmp_path, "today.csv", [HEADER] + [line.replace("2026-11-24", today) for line in GOOD])
    assert main(["--db", str(db_path), "import", "aid", str(path)]) == 0
    capsys.readouterr()
    out = tmp_path / "aid.json"
    assert main(["--db", str(db_path), "export", "aid", "--since", "7d", "--format", "json", "--output", str(out)]) == 0
    records = json.loads(out.read_text(encoding="utf-8"))
    assert sorted(r["reference"] for r in records) == ["WB-1124-001", "WB-1124-002", "WB-1124-003"]
    assert {r["crossing"] for r in records} == {"KS", "ZIK"}
    assert main(["--db", str(db_path), "export", "aid", "--since", "7d", "--format", "md"]) == 0
    table = capsys.readouterr().out
    assert "| World Central Kitchen, Gaza |" in table and "waiting for escort" in table


# --- large files: streamed, checked in one pass (issue 22) ------------------------------------


def numbered(count: int, first: int = 0) -> list[str]:
    return [f"2026-11-2{n % 5},KS,WFP,food,{1 + n % 50},,WB-{n:06d},un2720,offloaded,"
            for n in range(first, first + count)]


def test_the_same_reference_twice_far_apart_names_the_other_line(db_path, tmp_path, capsys):
    make_db(db_path)
    rows = numbered(5000)
    path = write(tmp_path, "convoys.csv", [HEADER, *rows, rows[0].replace("offloaded", "collected")])
    assert main(["--db", str(db_path), "import", "aid", str(path)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "convoys.csv: line 5002: reference: WB-000000 from un2720 is also on line 2",
        "convoys.csv: nothing imported: 1 of 5001 rows are invalid (fix them, or --skip-invalid to import the others)",
    ]
    assert count_movements(db_path) == 0
    assert main(["--db", str(db_path), "import", "aid", str(path), "--skip-invalid"]) == 0
    rejects = tmp_path / "convoys.rejects.csv"
    assert capsys.readouterr().out.strip() == f"5000 imported, 0 already present, 1 invalid rows written to {rejects}"
    again = rows[0].replace("offloaded", "collected")
    assert rejects.read_text(encoding="utf-8").splitlines() == [
        HEADER + ",error", again + ",reference: WB-000000 from un2720 is also on line 2"]
    assert count_movements(db_path) == 5000


def test_skip_invalid_writes_each_bad_record_as_it_was_in_the_file(db_path, tmp_path, capsys):
    make_db(db_path)
    spanning = '2026-11-24,KS,"WFP\r\nGaza office",food,ten,,WB-1124-009,un2720,scheduled,'  # one record, two lines
    path = write(tmp_path, "convoys.csv", [HEADER, *numbered(2500), spanning, *numbered(2500, 2500), BAD[2]])
    assert main(["--db", str(db_path), "import", "aid", str(path), "--skip-invalid"]) == 0
    assert capsys.readouterr().out.strip().startswith("5000 imported, 0 already present, 2 invalid rows written to")
    assert (tmp_path / "convoys.rejects.csv").read_text(encoding="utf-8").splitlines() == [
        HEADER + ",error",
        '2026-11-24,KS,"WFP',
        'Gaza office",food,ten,,WB-1124-009,un2720,scheduled,,trucks: \'ten\' is not a whole number',
        BAD[2] + ",status_note: a rejected movement needs a note saying why",
    ]
    records = [{"date": "2026-11-24", "crossing": "KS", "organisation": "WFP", "commodity": "food", "trucks": 3,
                "reference": "N-1"},
               {"date": "2026-11-24", "crossing": "XX", "organisation": "WFP", "commodity": "food"}]
    path = write(tmp_path, "convoys.ndjson", [json.dumps(r) for r in records])
    assert main(["--db", str(db_path), "import", "aid", str(path), "--skip-invalid"]) == 0
    capsys.readouterr()
    assert [json.loads(line) for line in (tmp_path / "convoys.rejects.ndjson").read_text().splitlines()] == [
        {**records[1], "error": "crossing: 'XX' is not a crossing (KS, ZIK); trucks: give trucks, tonnes or pallets"}]


def test_an_unreadable_record_stops_the_import_and_every_one_is_named(db_path, tmp_path, capsys):
    make_db(db_path)
    lines = [json.dumps({"date": "2026-11-31", "crossing": "KS"}), '{"broken',
             *[json.dumps({"n": n}) for n in range(3000)], "[1, 2]"]
    path = write(tmp_path, "convoys.ndjson", lines)
    assert main(["--db", str(db_path), "import", "aid", str(path), "--skip-invalid"]) == 1
    assert capsys.readouterr().err.splitlines() == [  # the rows' own problems are not the point yet
        "convoys.ndjson: line 2: malformed JSON: Unterminated string starting at (column 2)",
        "convoys.ndjson: line 3003: not an object",
        "convoys.ndjson: nothing imported: the file cannot be read as records",
    ]
    assert count_movements(db_path) == 0


async def test_the_importer_reads_the_file_itself_with_the_same_outcome(store, tmp_path):
    """``import_text(..., text=None)``: the file read a line at a time, not handed over whole."""
    from console.errors import CliError
    from console.identity import current_actor
    from feeds.importers.aid import import_text

    async with store.database.transaction() as conn:
        await conn.execute("INSERT INTO crossings (code, name, border) VALUES ('KS', 'Kerem Shalom', ''),"
                           " ('ZIK', 'Zikim', '')")
    actor, _ = await current_actor(store)
    path = write(tmp_path, "convoys.csv", [HEADER, GOOD[0], BAD[0], GOOD[1], BAD[1]])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())  # a byte-order mark, as spreadsheets write it
    rejects, outcomes = tmp_path / "convoys.rejects.csv", []
    for text in (path.read_bytes().decode("utf-8-sig"), None):  # as given by cmcc today, then read here
        out, err = io.StringIO(), io.StringIO()
        status = await import_text(store, actor, path, text, skip_invalid=True, out=out, err=err)
        outcomes.append((status, out.getvalue(), err.getvalue(), rejects.read_text(encoding="utf-8")))
    assert [o[1] for o in outcomes] == [f"2 imported, 0 already present, 2 invalid rows written to {rejects}\n",
                                        f"0 imported, 2 already present, 2 invalid rows written to {rejects}\n"]
    assert outcomes[0][0::2] == outcomes[1][0::2]  # status, stderr, reject file
    assert outcomes[1][3].startswith(HEADER + ",error\n") and outcomes[1][2].count("\n") == 3
    good = ("\n".join([HEADER, GOOD[0]]) + "\n").encode()
    path.write_bytes(good + b"2026-11-24,KS,Caf\xe9,food,1,,L-1,un2720,,\n")
    offset = len(good) + len(b"2026-11-24,KS,Caf")  # the same byte as cmcc names, reading the file whole
    with pytest.raises(CliError, match=rf"convoys.csv: not UTF-8 text \(byte {offset}\)$"):
        await import_text(store, actor, path, None, err=io.StringIO())


def test_a_json_document_too_large_to_read_whole_is_refused_for_ndjson(db_path, tmp_path, capsys, monkeypatch):
    from feeds.importers import aid

    make_db(db_path)
    monkeypatch.setattr(aid, "MAX_JSON_CHARS", 100)
    path = tmp_path / "convoys.json"
    path.write_text(json.dumps([{"date": "2026-11-24", "crossing": "KS", "commodity": "food", "trucks": n}
                                for n in range(10)]), encoding="utf-8")
    assert main(["--db", str(db_path), "import", "aid", str(path)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        ("convoys.json: file: a .json file is read whole, and this one is larger than 100 bytes: write it as NDJSON"
         " (.ndjson, one record per line), which is read a line at a time"),
        "convoys.json: nothing imported: the file cannot be read as records",
    ]
