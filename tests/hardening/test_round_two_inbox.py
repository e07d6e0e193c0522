"""Issue 22, round two: inbox and import files that lost or merged records, or said nothing.

An unterminated CSV quote, a file still appended to after it was read, a JSON number longer
than Python's integer-string limit, symlinks, FIFOs and folders in the inbox, and an NDJSON
file whose malformed line hid every other bad line. Real files, a real inbox, real processes.
"""

from __future__ import annotations

import asyncio
import ctypes
import json
import os
import select
import sqlite3
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import open_test_store
from tests.test_inbox import inbox_for
from tests.hardening.helpers import ROOT, child_env, count, python

AREA = "inbox files (quotes, growth, odd entries)"


def drop(folder: Path, name: str, text: str) -> Path:
    temporary = folder / f".{name}.tmp"
    temporary.write_text(text, encoding="utf-8")
    return temporary.rename(folder / name)


def report_of(folder: Path, name: str) -> str:
    return (folder / "rejected" / f"{name}.error.txt").read_text(encoding="utf-8")


# --- an unterminated quote ---------------------------------------------------------------------

UNTERMINATED_HEADLINES = ("title,guid\n"
                          "Kerem Shalom open,bq-1\n"
                          "\"unterminated,bq-2\n"
                          "Zikim closed,bq-3\n")
UNTERMINATED_AID = ("planned_date,crossing,organisation,commodity,trucks,reference\n"
                    "2025-11-25,KS,WFP,food,3,R-1\n"
                    "2025-11-25,KS,WFP,\"food,4,R-2\n"
                    "2025-11-25,KS,WFP,water,5,R-3\n")


@pytest.mark.parametrize("kind, text", [("headlines", UNTERMINATED_HEADLINES), ("aid", UNTERMINATED_AID)])
async def test_an_unterminated_csv_quote_is_an_error_naming_the_line_where_it_began(folder, store, tally, kind, text):
    name = f"{kind}-quote.csv"
    drop(folder, name, text)
    outcomes = await inbox_for(folder, store).scan_once()
    tally.case(AREA)
    assert [o.outcome for o in outcomes] == ["rejected"], [o.message for o in outcomes]
    assert "line 3: unbalanced quote" in outcomes[0].message
    assert "choose one" not in report_of(folder, name)  # not a misleading field error
    assert "line 3: unbalanced quote" in report_of(folder, name)
    # Nothing merged in, nothing lost: no headline or movement written, the file kept whole.
    table = "headlines" if kind == "headlines" else "movements"
    assert count(store.path, f"SELECT count(*) FROM {table}") == 0
    assert (folder / "rejected" / name).read_text(encoding="utf-8") == text
    tally.rows_checked(AREA, 3)


async def test_cmcc_import_aid_names_the_line_of_an_unterminated_quote(db_path, tmp_path, tally):
    store = await open_test_store(db_path)
    await store.close()
    path = tmp_path / "aid-quote.csv"
    path.write_text(UNTERMINATED_AID, encoding="utf-8")
    done = await asyncio.to_thread(
        subprocess.run, [python(), "-m", "console.cli", "--db", str(db_path), "import", "aid", str(path)],
        cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=60)
    tally.case(AREA)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "line 3: unbalanced quote" in done.stderr and "choose one" not in done.stderr, done.stderr
    assert count(db_path, "SELECT count(*) FROM movements") == 0


# --- a file still appended to after it was read -------------------------------------------------

IN_CLOSE_NOWRITE = 0x10


class ClosedAfterReading:
    """The kernel's word (inotify IN_CLOSE_NOWRITE) that someone opened a file of ``folder`` for
    reading and closed it: the positive signal that the inbox has read the file."""

    def __init__(self, folder: Path) -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        self.fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0 or libc.inotify_add_watch(self.fd, str(folder).encode(), IN_CLOSE_NOWRITE) < 0:
            pytest.skip("inotify is not available")

    def wait(self, name: str, timeout: float = 20.0) -> bool:
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                return False
            data = os.read(self.fd, 65536)
            offset = 0
            while offset < len(data):
                _wd, _mask, _cookie, length = struct.unpack_from("iIII", data, offset)
                raw = data[offset + 16: offset + 16 + length].rstrip(b"\0")
                offset += 16 + length
                if raw.decode("utf-8", "replace") == name:
                    return True
        return False

    def close(self) -> None:
        os.close(self.fd)


async def test_a_file_appended_to_after_it_was_read_is_kept_for_another_pass_never_half_moved(folder, store, tally):
    if not sys.platform.startswith("linux"):
        pytest.skip("the read signal is Linux inotify")
    name = "headlines-growing.ndjson"
    first = json.dumps({"title": "Report 1 of 6", "guid": "g-1"}) + "\n"
    later = "".join(json.dumps({"title": f"Report {n} of 6", "guid": f"g-{n}"}) + "\n" for n in range(2, 7))
    watcher = ClosedAfterReading(folder)
    # Another process holds the write lock, so the inbox (having read the file) waits to import it
    # while the writer, still holding the file, appends the other five records.
    blocker = sqlite3.connect(store.path, timeout=30, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        path = drop(folder, name, first)
        scan = asyncio.create_task(inbox_for(folder, store).scan_once())
        assert await asyncio.to_thread(watcher.wait, name), "the inbox never read the file"
        with path.open("a", encoding="utf-8") as handle:
            handle.write(later)
        tally.fault(AREA)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
        watcher.close()
    outcomes = await scan
    tally.case(AREA)
    # Nothing imported from the half it read, nothing moved: the file waits in the inbox, whole.
    assert [o.outcome for o in outcomes] == ["kept"], [o.message for o in outcomes]
    assert "changed while it was being read" in outcomes[0].message
    assert path.exists() and not (folder / "processed" / name).exists()
    assert count(store.path, "SELECT count(*) FROM headlines") == 0
    # The next pass takes all six.
    again = await inbox_for(folder, store).scan_once()
    assert [(o.outcome, o.rows) for o in again] == [("imported", 6)], [o.message for o in again]
    stored = count(store.path, "SELECT count(*) FROM headlines")
    tally.rows_checked(AREA, 6)
    tally.lost_rows(AREA, 6 - stored)
    assert stored == 6


# --- a JSON number longer than 4,300 digits ----------------------------------------------------

HUGE = "9" * 5000


@pytest.mark.parametrize("name, text, where", [
    ("headlines-huge.ndjson", '{"title": "ok", "guid": "a"}\n{"title": "big", "id": ' + HUGE + "}\n", "line 2: id:"),
    ("headlines-huge.json", '[{"title": "ok"},\n {"title": "big", "id": ' + HUGE + "}]", "item 2: id:"),
    ("incidents-huge.ndjson", '{"when": "now", "killed": ' + HUGE + "}\n", "line 1: killed:"),
])
async def test_a_json_number_over_the_integer_limit_is_one_line_naming_its_place(folder, store, tally, name, text,
                                                                                 where, caplog):
    drop(folder, name, text)
    outcomes = await inbox_for(folder, store).scan_once()
    tally.case(AREA)
    assert [o.outcome for o in outcomes] == ["rejected"], [o.message for o in outcomes]
    report = report_of(folder, name)
    assert f"{where} a number of 5000 digits, more than 4300" in report, report
    assert "Traceback" not in caplog.text and "Exceeds the limit" not in report + caplog.text


async def test_cmcc_import_says_which_line_holds_a_number_over_the_integer_limit(db_path, tmp_path, tally):
    store = await open_test_store(db_path)
    await store.close()
    path = tmp_path / "roster-huge.ndjson"
    path.write_text('{"partner": "GBR", "name": "Maj. A", "service_number": ' + HUGE + "}\n", encoding="utf-8")
    done = await asyncio.to_thread(
        subprocess.run, [python(), "-m", "console.cli", "--db", str(db_path), "import", "roster", str(path)],
        cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=60)
    tally.case(AREA)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "line 1: service_number: a number of 5000 digits" in done.stderr, done.stderr


# --- symlinks, FIFOs and folders --------------------------------------------------------------


async def test_links_fifos_and_folders_in_the_inbox_are_reported_once_each_and_left_alone(folder, store, tmp_path,
                                                                                          tally):
    outside = tmp_path / "outside.ndjson"
    outside.write_text(json.dumps({"title": "not through a link"}) + "\n", encoding="utf-8")
    (folder / "headlines-link.ndjson").symlink_to(outside)
    os.mkfifo(folder / "headlines-pipe.ndjson")
    (folder / "headlines-folder.ndjson").mkdir()
    drop(folder, "headlines-real.ndjson", json.dumps({"title": "a real file", "guid": "r"}) + "\n")
    heard: list[str] = []
    inbox = inbox_for(folder, store, on_outcome=lambda o: heard.append(o.message))
    outcomes = await inbox.scan_once()
    tally.case(AREA, 3)
    by_name = {o.name: o for o in outcomes}
    assert by_name["headlines-real.ndjson"].outcome == "imported"
    for name, what in (("headlines-link.ndjson", "a symbolic link"), ("headlines-pipe.ndjson", "a named pipe"),
                       ("headlines-folder.ndjson", "a folder")):
        assert by_name[name].outcome == "skipped" and what in by_name[name].message, by_name[name].message
        assert any(name in line and "not taken" in line for line in heard)
    # Said once: a second pass (another file arriving) does not repeat them.
    drop(folder, "headlines-second.ndjson", json.dumps({"title": "another", "guid": "s"}) + "\n")
    second = await inbox.scan_once()
    assert [o.name for o in second] == ["headlines-second.ndjson"]
    # Left where they are, the link's target untouched.
    assert (folder / "headlines-link.ndjson").is_symlink() and outside.exists()
    assert (folder / "headlines-pipe.ndjson").exists() and (folder / "headlines-folder.ndjson").is_dir()
    assert count(store.path, "SELECT count(*) FROM headlines") == 2


async def test_the_poller_logs_an_odd_inbox_entry_once(db_path, tmp_path, tally):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    os.mkfifo(inbox / "headlines-pipe.ndjson")
    store = await open_test_store(db_path)
    await store.close()
    child = subprocess.Popen([python(), "-m", "console.cli", "--db", str(db_path), "poller", "--inbox", str(inbox)],
                             cwd=ROOT, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        seen = []
        while True:
            line = await asyncio.wait_for(asyncio.to_thread(child.stdout.readline), timeout=30)
            assert line, seen
            seen.append(line)
            if "headlines-pipe.ndjson" in line:
                break
        # a positive signal that later passes ran: a real file arriving afterwards is imported
        drop(inbox, "headlines-after.ndjson", json.dumps({"title": "after", "guid": "af"}) + "\n")
        while True:
            line = await asyncio.wait_for(asyncio.to_thread(child.stdout.readline), timeout=30)
            assert line, seen
            seen.append(line)
            if "headlines-after.ndjson" in line:
                break
    finally:
        child.terminate()
        out, err = await asyncio.to_thread(child.communicate, timeout=30)
    tally.case(AREA)
    assert "Traceback" not in err, err
    assert sum("headlines-pipe.ndjson" in line for line in seen + out.splitlines()) == 1
    assert "a named pipe (FIFO): not taken" in "".join(seen)


# --- every bad NDJSON line -----------------------------------------------------------------------


async def test_every_bad_ndjson_line_is_named_with_the_position_of_a_control_character(folder, store, tally):
    lines = [
        json.dumps({"title": "fine", "guid": "1"}),
        '{"title": "broken',  # malformed
        json.dumps({"summary": "no title", "guid": "3"}),  # valid JSON, missing title
        '{"title": "tab\there", "guid": "4"}',  # a raw control character inside a string
        json.dumps({"title": "fine too", "guid": "5", "link": "ftp://x"}),  # bad link
    ]
    name = "headlines-lines.ndjson"
    drop(folder, name, "\n".join(lines) + "\n")
    outcomes = await inbox_for(folder, store).scan_once()
    tally.case(AREA)
    report = report_of(folder, name).splitlines()[1:]
    assert [line.split(":", 1)[0] for line in report] == ["line 2", "line 3", "line 4", "line 5"], report
    assert "line 3: title: missing" in report[1]
    assert report[2].startswith("line 4: malformed JSON: Invalid control character at") and "(column 15)" in report[2]
    assert "(and 3 more)" in outcomes[0].message
    assert count(store.path, "SELECT count(*) FROM headlines") == 0
