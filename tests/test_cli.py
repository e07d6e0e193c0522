"""The cmcc command as a user types it: help, version, --db anywhere, one-line errors."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time

import pytest


def cmcc(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "console.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env=os.environ.copy())


def test_help_and_version():
    assert "demo" in cmcc("--help").stdout
    result = cmcc("--version")
    assert result.returncode == 0 and result.stdout.startswith("cmcc ")


@pytest.mark.parametrize("order", ["before", "after"])
def test_db_works_before_or_after_the_subcommand(tmp_path, order):
    path = tmp_path / f"demo-{order}.db"
    args = ["--db", str(path), "demo", "--no-console"] if order == "before" else \
        ["demo", "--db", str(path), "--no-console"]
    result = cmcc(*args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(path)
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT count(*) FROM plan_points").fetchone()[0] == 20
    raw.close()


def test_demo_reuses_an_existing_demo_database(tmp_path):
    path = tmp_path / "demo.db"
    cmcc("demo", "--db", str(path), "--no-console")
    cmcc("demo", "--db", str(path), "--no-console")
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT count(*) FROM plan_points").fetchone()[0] == 20
    raw.close()


def one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_file_that_is_not_a_database_is_one_line_and_nonzero(tmp_path):
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"\x00garbage" * 1000)
    line = one_line_error(cmcc("--db", str(bogus)))
    assert line.startswith("cmcc: ") and "not a SQLite database" in line


def test_an_unreadable_path_is_one_line_and_nonzero(tmp_path):
    line = one_line_error(cmcc("--db", str(tmp_path)))
    assert "directory" in line


def test_a_locked_database_is_one_line_and_nonzero(tmp_path):
    path = tmp_path / "locked.db"
    assert cmcc("demo", "--db", str(path), "--no-console").returncode == 0
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sqlite3, sys, time\n"
        f"c = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
        "c.execute('PRAGMA locking_mode = EXCLUSIVE')\n"
        "c.execute('BEGIN EXCLUSIVE')\n"
        "c.execute('UPDATE plan_points SET owner = owner')\n"
        "print('held', flush=True)\n"
        "time.sleep(60)\n")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        line = one_line_error(cmcc("--db", str(path), timeout=120))
        assert "locked" in line
        assert time.monotonic() - started < 90
    finally:
        holder.kill()
        holder.wait()


def test_a_zero_negative_or_unreadable_window_is_one_line(tmp_path):
    """`--since 0h` used to export every incident of the log: a window of nothing read as no window."""
    import subprocess
    import sys

    db = str(tmp_path / "w.db")
    assert subprocess.run([sys.executable, "-m", "console.cli", "demo", "--db", db, "--no-console"],
                          capture_output=True, timeout=60).returncode == 0
    for since in ("0h", "-3h", "soon", "0d"):
        done = subprocess.run([sys.executable, "-m", "console.cli", "--db", db, "export", "incidents",
                               f"--since={since}"], capture_output=True, text=True, timeout=60)
        assert done.returncode == 2 and done.stdout == "", since
        assert len(done.stderr.strip().splitlines()) == 1 and "--since" in done.stderr, since
    shown = subprocess.run([sys.executable, "-m", "console.cli", "--db", db, "journal", "show", "--limit", "-1"],
                           capture_output=True, text=True, timeout=60)
    assert shown.returncode == 2 and "give at least 1" in shown.stderr


@pytest.mark.parametrize("command", [["journal", "verify"], ["journal", "show"], ["handover"], ["feeds", "list"],
                                     ["operators", "list"], ["export", "incidents"], ["poller", "--no-inbox"],
                                     ["archive", "--before", "90d"]], ids=" ".join)
def test_no_command_but_demo_creates_a_database_or_its_folders(tmp_path, command):
    missing = tmp_path / "no" / "such" / "x.db"
    result = cmcc("--db", str(missing), *command, timeout=30)
    assert result.returncode == 2
    assert result.stderr.strip() == f"cmcc: {missing} does not exist (cmcc demo makes a demo database;" \
                                    " cmcc, started with no command, makes a new one)"
    assert not (tmp_path / "no").exists()  # "journal ok: 0 rows" on a database it had just made


def test_an_archive_that_is_not_a_database_is_one_line_and_the_command_ends(tmp_path):
    db, archive = tmp_path / "demo.db", tmp_path / "notadb.txt"
    assert cmcc("demo", "--db", str(db), "--no-console").returncode == 0
    archive.write_text("hello\n")
    result = cmcc("--db", str(db), "archive", "--before", "90d", "--archive", str(archive), timeout=30)
    assert result.returncode == 2  # was a traceback, and a process that never exited (timeout here)
    assert result.stderr.strip() == (f"cmcc: {archive} is not an archive of cmcc headlines: file is not a database"
                                     " (name a new file, or one an earlier archive made)")
    assert archive.read_text() == "hello\n"


def test_each_commands_help_names_the_database_it_uses_without_db():
    tmp_path = "/tmp/cmcchelp"  # short, without hyphens (argparse wraps help at them); help creates nothing
    env_paths = {"XDG_DATA_HOME": str(tmp_path)}
    demo = subprocess.run([sys.executable, "-m", "console.cli", "demo", "--help"], capture_output=True, text=True,
                          env={**os.environ, **env_paths}, timeout=60).stdout
    export = subprocess.run([sys.executable, "-m", "console.cli", "export", "--help"], capture_output=True,
                            text=True, env={**os.environ, **env_paths}, timeout=60).stdout
    assert f"{tmp_path}/cmcc/demo.db" in " ".join(demo.split())  # it named cmcc.db, which the demo never uses
    assert f"{tmp_path}/cmcc/cmcc.db" in " ".join(export.split())


BAD_ROWS = {"aid": "planned_date,crossing,trucks\n" + "2026-12-01,KS,many\n" * 3,
            "roster": "partner,name,shift\n" + "".join(f"GBR,Officer {n},evening\n" for n in range(3))}


@pytest.mark.parametrize("kind", ["aid", "roster"])
def test_skip_invalid_that_leaves_nothing_to_import_fails(tmp_path, kind):
    db, path = tmp_path / "demo.db", tmp_path / f"{kind}.csv"
    assert cmcc("demo", "--db", str(db), "--no-console").returncode == 0
    path.write_text(BAD_ROWS[kind])
    result = cmcc("--db", str(db), "import", kind, str(path), "--skip-invalid")
    assert result.returncode == 1  # was 0, after "0 imported"
    assert result.stderr.splitlines()[-1] == (f"{kind}.csv: nothing imported: all 3 rows are invalid"
                                              f" (written to {tmp_path}/{kind}.rejects.csv)")
    assert result.stdout == ""


@pytest.mark.parametrize("kind, header", [("aid", "planned_date,crossing,trucks"), ("roster", "partner,name")])
def test_an_unknown_csv_column_is_one_error_at_the_header(tmp_path, kind, header):
    db, path = tmp_path / "demo.db", tmp_path / f"{kind}.csv"
    assert cmcc("demo", "--db", str(db), "--no-console").returncode == 0
    row = "2026-12-01,KS,3" if kind == "aid" else "GBR,Some One"
    path.write_text(f"{header},bogus\n" + "".join(f"{row},{n}\n" for n in range(50)))
    result = cmcc("--db", str(db), "import", kind, str(path), "--skip-invalid")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2, lines  # was one "unknown column" line per row, each at its row ("line 2" ...)
    assert lines[0].startswith(f"{kind}.csv: line 1: bogus: unknown column (known: ")
    assert lines[1] == f"{kind}.csv: nothing imported: the file cannot be read as records"
