"""Shared helpers of the hardening suite: databases, processes, memory."""

from __future__ import annotations

import os
import resource
import sqlite3
import sys
from pathlib import Path

from tests.hardening.hostile import problems

ROOT = Path(__file__).resolve().parents[2]


def scan_database(path: Path, *, max_chars: int = 20_000) -> tuple[int, list[str]]:
    """Every text value in every table of the database: (values checked, what is not inert)."""
    found, checked = [], 0
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'")]
        for table in tables:
            if "_fts" in table:
                continue  # full-text index shadow tables hold the same text, tokenised
            cursor = connection.execute(f'SELECT * FROM "{table}"')
            names = [d[0] for d in cursor.description]
            for row in cursor:
                for name, value in zip(names, row):
                    if isinstance(value, bytes):
                        value = value.decode("utf-8", errors="replace")
                    if isinstance(value, str):
                        checked += 1
                        bad = problems(value, max_chars=max_chars)
                        if bad:
                            found.append(f"{table}.{name}: {bad}: {value[:120]!r}")
    finally:
        connection.close()
    return checked, found


def integrity(path: Path) -> str:
    connection = sqlite3.connect(path, timeout=30)
    try:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()


def count(path: Path, sql: str, params=()) -> int:
    connection = sqlite3.connect(path, timeout=30)
    try:
        return int(connection.execute(sql, params).fetchone()[0])
    finally:
        connection.close()


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a cmcc subprocess: the project importable, the test's HOME and config."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def python() -> str:
    return sys.executable


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)
    except OSError:
        return peak_rss_mb()
