"""The inbox with real files and real filesystem events."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path


from console.model.access import SYSTEM_ACTOR
from console.model.journal import Entity
from feeds.importers.registry import IMPORTERS
from feeds.inbox import Inbox, is_candidate, kind_from_name

CSV_GOOD = (
    "title,published,link,source,summary\n"
    "Kerem Shalom reopens after inspection,2025-11-25T08:00:00Z,https://example.test/1,UN2720,Trucks queued\n"
    "\"Zikim crossing: 40 trucks, flour\",2025-11-25T09:00:00+02:00,https://example.test/2,COGAT,\n"
)


def inbox_for(folder, store, **kwargs) -> Inbox:
    return Inbox(folder, store, SYSTEM_ACTOR, settle_seconds=kwargs.pop("settle_seconds", 0.2), **kwargs)


def names(path: Path) -> list[str]:
    return sorted(p.name for p in path.iterdir()) if path.exists() else []


async def test_a_good_csv_is_imported_in_one_go_and_moved_to_processed(folder, store):
    (folder / "headlines-0800.csv").write_text(CSV_GOOD, encoding="utf-8")
    outcomes = await inbox_for(folder, store).scan_once()
    assert [(o.outcome, o.kind, o.rows) for o in outcomes] == [("imported", "headlines", 2)]
    assert names(folder / "processed") == ["headlines-0800.csv"]
    assert not (folder / "headlines-0800.csv").exists()
    stored = await store.headlines.latest(SYSTEM_ACTOR)
    assert [h.title for h in stored] == ["Kerem Shalom reopens after inspection", "Zikim crossing: 40 trucks, flour"]
    assert stored[1].published_at.isoformat() == "2025-11-25T07:00:00+00:00"
    assert stored[0].source == "UN2720"
    journal = await store.journal.recent(limit=50)
    assert sum(1 for e in journal if e.entity is Entity.HEADLINE and e.action == "add") == 2


async def test_json_with_a_kind_and_ndjson_are_imported(folder, store):
    document = {"kind": "headlines", "items": [
        {"title": "ISF contributors meet at the CMCC", "published": "2025-11-25T10:00:00Z"}]}
    (folder / "from-partner.json").write_text(json.dumps(document), encoding="utf-8")
    (folder / "headlines-b.ndjson").write_text(
        '{"title": "Rafah crossing: list of evacuees published", "guid": "r-1"}\n\n'
        '{"title": "Aid convoy reaches Deir al-Balah", "guid": "r-2", "releasability": "gbr,usa"}\n',
        encoding="utf-8")
    outcomes = await inbox_for(folder, store).scan_once()
    assert sorted((o.name, o.outcome, o.rows) for o in outcomes) == [
        ("from-partner.json", "imported", 1), ("headlines-b.ndjson", "imported", 2)]
    restricted = [h for h in await store.headlines.latest(SYSTEM_ACTOR) if h.guid == "r-2"]
    assert restricted[0].releasability == "GBR,USA"


async def test_one_bad_row_rejects_the_whole_file_naming_every_bad_line(folder, store):
    (folder / "headlines-bad.csv").write_text(
        "title,published,link\n"
        "Good row,2025-11-25T08:00:00Z,https://example.test/ok\n"
        ",2025-11-25T08:00:00Z,https://example.test/no-title\n"
        "Another good row,,\n"
        "Bad date,yesterday-ish,https://example.test/d\n"
        "Bad link,,javascript:alert(1)\n",
        encoding="utf-8")
    outcomes = await inbox_for(folder, store).scan_once()
    assert outcomes[0].outcome == "rejected"
    assert names(folder / "rejected") == ["headlines-bad.csv", "headlines-bad.csv.error.txt"]
    report = (folder / "rejected" / "headlines-bad.csv.error.txt").read_text(encoding="utf-8")
    assert "line 3: title: missing" in report
    assert "line 5: published:" in report and "yesterday-ish" in report
    assert "line 6: link: must start with http:// or https://" in report
    assert "line 2" not in report and "line 4" not in report
    assert await store.headlines.count(SYSTEM_ACTOR) == 0


async def test_the_same_content_twice_is_imported_once_and_names_never_clash(folder, store):
    inbox = inbox_for(folder, store)
    (folder / "headlines-a.csv").write_text(CSV_GOOD, encoding="utf-8")
    await inbox.scan_once()
    (folder / "headlines-a-copy.csv").write_text(CSV_GOOD, encoding="utf-8")
    (outcome,) = await inbox.scan_once()
    assert outcome.outcome == "duplicate"
    note = (folder / "processed" / "headlines-a-copy.csv.duplicate.txt").read_text(encoding="utf-8")
    assert "headlines-a.csv" in note
    assert await store.headlines.count(SYSTEM_ACTOR) == 2
    # same name, new content: imported, and the first file is kept beside it
    (folder / "headlines-a.csv").write_text(CSV_GOOD.replace("40 trucks", "44 trucks") + "New item,,\n",
                                            encoding="utf-8")
    (outcome,) = await inbox.scan_once()
    assert outcome.outcome == "imported"
    assert "headlines-a-1.csv" in names(folder / "processed") and "headlines-a.csv" in names(folder / "processed")


async def test_unknown_kinds_unreadable_and_oversized_files_are_rejected_with_a_reason(folder, store):
    (folder / "weather-today.csv").write_text("title\nRain\n", encoding="utf-8")
    (folder / "headlines-latin1.csv").write_bytes("title\nCaf\xe9\n".encode("latin-1"))
    (folder / "headlines-big.csv").write_text("title\n" + "x" * 5000 + "\n", encoding="utf-8")
    (folder / "headlines-x.xlsx").write_bytes(b"PK\x03\x04")
    (folder / "headlines-broken.json").write_text('[{"title": "a"},\n {"title": ]', encoding="utf-8")
    outcomes = {o.name: o for o in await inbox_for(folder, store, max_bytes=4096).scan_once()}
    assert {o.outcome for o in outcomes.values()} == {"rejected"}
    assert "unknown kind 'weather'" in outcomes["weather-today.csv"].errors[0]
    assert "line 2: not UTF-8" in outcomes["headlines-latin1.csv"].errors[0]
    assert "larger than 4 KB" in outcomes["headlines-big.csv"].errors[0]
    assert ".xlsx is not a known format" in outcomes["headlines-x.xlsx"].errors[0]
    assert outcomes["headlines-broken.json"].errors[0].startswith("line 2: malformed JSON")
    assert len(names(folder / "rejected")) == 10  # five files, five reports
    if "aid" not in IMPORTERS:
        (folder / "aid-0800.csv").write_text("crossing\nKS\n", encoding="utf-8")
        (outcome,) = await inbox_for(folder, store).scan_once()
        assert outcome.outcome == "rejected" and "not supported yet" in outcome.errors[0]


async def test_hidden_temporary_and_growing_files_are_left_alone(folder, store):
    for name in (".hidden.csv", "headlines-1.csv.tmp", "headlines-2.csv.part", "headlines-3.csv~",
                 ".headlines-4.csv.swp"):
        (folder / name).write_text(CSV_GOOD, encoding="utf-8")
    inbox = inbox_for(folder, store, settle_seconds=0.5)
    growing = folder / "headlines-growing.csv"
    growing.write_text(CSV_GOOD, encoding="utf-8")

    async def keep_writing():
        await asyncio.sleep(0.15)
        with growing.open("a", encoding="utf-8") as handle:
            handle.write("Late line,2025-11-25T11:00:00Z,https://example.test/late,,\n")

    outcomes, _ = await asyncio.gather(inbox.scan_once(), keep_writing())
    assert outcomes == []  # changed during the settle interval: not taken yet
    assert growing.exists()
    (outcome,) = await inbox.scan_once()
    assert outcome.name == "headlines-growing.csv" and outcome.rows == 3
    assert len(names(folder)) == 5 + 1  # the five ignored files and processed/


def test_names_and_kinds():
    assert kind_from_name("headlines-0800.json") == "headlines"
    assert kind_from_name("incidents_2.csv") == "incidents"
    assert kind_from_name("report.csv") == ""
    assert not is_candidate(".x") and not is_candidate("a.tmp") and not is_candidate("a.csv~")
    assert is_candidate("headlines-1.csv")


async def _wait_for(predicate, timeout: float = 10.0) -> bool:
    for _ in range(int(timeout / 0.05)):
        if predicate():
            return True
        await asyncio.sleep(0.05)
    return predicate()


async def test_watch_takes_files_present_at_start_and_files_dropped_later(folder, store):
    (folder / "headlines-early.csv").write_text(CSV_GOOD, encoding="utf-8")
    seen = []
    inbox = inbox_for(folder, store, on_outcome=seen.append)
    stop = asyncio.Event()
    task = asyncio.create_task(inbox.watch(stop, rescan_seconds=1.0))
    try:
        assert await _wait_for(lambda: (folder / "processed" / "headlines-early.csv").exists())
        # a writer doing it right: a temporary name, then an atomic rename
        temporary = folder / "headlines-late.json.tmp"
        temporary.write_text(json.dumps([{"title": "Late: CMCC briefing on aid corridors"}]), encoding="utf-8")
        await asyncio.sleep(0.3)
        assert temporary.exists()  # never taken under its temporary name
        os.replace(temporary, folder / "headlines-late.json")
        assert await _wait_for(lambda: (folder / "processed" / "headlines-late.json").exists())
        (folder / "headlines-worse.csv").write_text("title,published\n,\n", encoding="utf-8")
        assert await _wait_for(lambda: (folder / "rejected" / "headlines-worse.csv.error.txt").exists())
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
    assert [o.outcome for o in seen] == ["imported", "imported", "rejected"]
    assert await store.headlines.count(SYSTEM_ACTOR) == 3


async def test_the_demo_drops_a_headlines_file_the_inbox_imports(folder, store):
    from feeds.simulator import drop_inbox_file

    path = drop_inbox_file(folder, count=3, seed=5)
    assert path.name.startswith("headlines-") and names(folder) == [path.name]
    (outcome,) = await inbox_for(folder, store).scan_once()
    assert outcome.outcome == "imported" and outcome.rows == 3


async def test_an_unknown_csv_column_in_the_inbox_is_one_error_at_the_header(folder, demo_store):
    from console.model.access import SYSTEM_ACTOR

    (folder / "roster-extra.csv").write_text("partner,name,bogus\n" + "GBR,Some One,1\n" * 30, encoding="utf-8")
    [outcome] = await Inbox(folder, demo_store, SYSTEM_ACTOR, settle_seconds=0.05).scan_once()
    assert outcome.outcome == "rejected"
    assert len(outcome.errors) == 1 and outcome.errors[0].startswith("line 1: bogus: unknown column (known: ")
