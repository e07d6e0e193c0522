"""Issue 22, round two: bytes an outsider chose must not reach someone's terminal.

Inbox file names carrying escape sequences (OSC 52 clipboard writes, window titles, a cleared
screen, a newline forging a log line), a JSON key with escapes quoted by "unknown column", and a
partner code with escapes quoted in a roster error: all go through a real ``cmcc poller``
process, whose raw stdout bytes and ``.error.txt`` reports are checked, and through ``cmcc
import``, whose stderr is checked.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
from pathlib import Path

from tests.conftest import open_test_store
from tests.hardening.helpers import ROOT, child_env, python

AREA = "outside bytes on terminals"

#: What must never appear in bytes shown to someone: ESC, BEL, other C0 controls but newline and
#: tab, the C1 controls as UTF-8 (CSI, OSC...), and bidi overrides.
_DANGEROUS = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]")
_EVENT_LINE = re.compile(rb"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ")

OSC52 = "headlines-\x1b]52;c;cm0gLXJmIH4K\x07.ndjson"
RETITLE = "headlines-\x1b]0;title\x07\x1b[2J.ndjson"
FORGED = "headlines-x\n2025-01-01T00:00:00Z holding the feed-poller lease as forged.ndjson"
C1 = "headlines-\u009b2J\u202eevil.ndjson"
GOOD_BUT_HOSTILE = "headlines-\x1b]0;ok\x07good.ndjson"


def _drop(folder: Path, name: str, text: str) -> None:
    """Write a temporary name, then rename (as the README asks)."""
    temporary = folder / f".{len(name)}-{abs(hash(name))}.tmp"
    temporary.write_text(text, encoding="utf-8")
    temporary.rename(folder / name)


def _dangerous(data: bytes) -> list[bytes]:
    return [m.group(0) for m in _DANGEROUS.finditer(data.replace(b"\n", b""))]


async def _read_events(stream, want: int, timeout: float = 40.0) -> list[bytes]:
    """Lines of the child's stdout until ``want`` lines about inbox files have arrived."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    lines: list[bytes] = []
    while sum(1 for line in lines if b" inbox " in line) < want and loop.time() < deadline:
        try:
            line = await asyncio.wait_for(asyncio.to_thread(stream.readline), timeout=deadline - loop.time())
        except TimeoutError:
            break
        if not line:
            break
        lines.append(line)
    return lines


async def test_hostile_file_names_keys_and_codes_never_reach_the_poller_stdout_or_its_reports(db_path, tmp_path, tally):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    store = await open_test_store(db_path)
    await store.close()
    missing_title = json.dumps({"summary": "no title here", "guid": "t-1"}) + "\n"
    drops = {
        OSC52: missing_title,
        RETITLE: missing_title,
        FORGED: missing_title,
        C1: missing_title,
        GOOD_BUT_HOSTILE: json.dumps({"title": "Kerem Shalom open", "guid": "good-1"}) + "\n",
        "incidents-keys.ndjson": json.dumps({"when": "now", "gov\x1b]52;c;cm0K\x07ernorate": "North Gaza",
                                             "category": "shelling", "description": "x", "severity": "high"}) + "\n",
        "roster-codes.csv": "partner,name\nGBR\x1b]0;pwned\x07\x1b[2J,Maj. A. Smith\n",
    }
    for name, text in drops.items():
        _drop(inbox, name, text)
    child = subprocess.Popen([python(), "-m", "console.cli", "--db", str(db_path), "poller", "--inbox", str(inbox)],
                             cwd=ROOT, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        lines = await _read_events(child.stdout, len(drops))
    finally:
        child.terminate()
        out, err = await asyncio.to_thread(child.communicate, timeout=30)
    lines += out.splitlines(keepends=True)
    stdout = b"".join(lines)
    tally.case(AREA, len(drops))
    inbox_lines = [line for line in lines if b" inbox " in line]
    assert len(inbox_lines) >= len(drops), stdout.decode("utf-8", "replace")
    assert b"Traceback" not in err, err.decode("utf-8", "replace")
    # Not one escape, control or bidi byte on the terminal; every line is a real event line, so a
    # newline in a file name cannot forge one ("holding the lease as forged" stays inside its line).
    assert not _dangerous(stdout), _dangerous(stdout)
    assert not _dangerous(err), err
    assert all(_EVENT_LINE.match(line) for line in lines if line.strip()), stdout
    assert not any(line[21:].startswith(b"2025-01-01T00:00:00Z") for line in lines)
    assert any(b"imported 1 headlines" in line and b"good.ndjson" in line for line in inbox_lines)
    assert any(b"unknown column" in line for line in inbox_lines)
    assert any(b"roster-codes.csv" in line and b"partner" in line for line in inbox_lines)
    # Each report file, first line included, is as clean; nothing was lost: every file is kept.
    reports = sorted((inbox / "rejected").glob("*.error.txt"))
    assert len(reports) == len(drops) - 1
    for report in reports:
        data = report.read_bytes()
        assert not _dangerous(data), (report.name, data[:200])
        first = data.split(b"\n", 1)[0]
        assert b"rejected, nothing imported" in first and b"\x1b" not in first
    kept = len(list((inbox / "rejected").iterdir())) + len(list((inbox / "processed").iterdir()))
    expected = 2 * (len(drops) - 1) + 1  # each rejected file beside its report, the good one processed
    tally.rows_checked(AREA, len(drops))
    tally.lost_rows(AREA, max(0, expected - kept))
    assert kept == expected


async def test_cmcc_import_names_a_hostile_file_and_its_values_without_their_escapes(db_path, tmp_path, tally):
    store = await open_test_store(db_path)
    await store.close()
    folder = tmp_path / "drop"
    folder.mkdir()
    roster = folder / "roster-\x1b]52;c;cm0gLXJmIH4K\x07.csv"
    roster.write_text("partner,name,sh\x1b]0;x\x07ift\nGBR\x1b]0;pwned\x07,Maj. A. Smith,day\n", encoding="utf-8")
    aid = folder / "aid-\x1b[2J.ndjson"
    aid.write_text(json.dumps({"planned_date": "2025-11-25", "crossing": "KS\x1b]0;t\x07", "organisation": "WFP",
                               "commodity": "food\x1b]52;c;eA==\x07", "trucks": 3}) + "\n", encoding="utf-8")
    for kind, path in (("roster", roster), ("aid", aid)):
        done = await asyncio.to_thread(
            subprocess.run, [python(), "-m", "console.cli", "--db", str(db_path), "import", kind, str(path)],
            cwd=ROOT, env=child_env(), capture_output=True, timeout=60)
        tally.case(AREA)
        assert done.returncode != 0 and b"Traceback" not in done.stderr, done.stderr
        assert b"nothing imported" in done.stderr
        assert not _dangerous(done.stderr + done.stdout), (kind, done.stderr)
        assert path.exists()  # the file is left as it was
        tally.rows_checked(AREA, 1)
