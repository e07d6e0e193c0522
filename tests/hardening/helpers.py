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


class MemoryWatch:
    """The most this process's resident memory grew while the block ran (sampled every 5 ms), in MB."""

    def __init__(self, interval: float = 0.005) -> None:
        import threading

        self.interval = interval
        self.baseline = 0.0
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True, name="memory-watch")

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, current_rss_mb())
            self._stop.wait(self.interval)

    def __enter__(self) -> "MemoryWatch":
        import gc

        gc.collect()
        self.baseline = self.peak = current_rss_mb()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, current_rss_mb())

    @property
    def growth_mb(self) -> float:
        return self.peak - self.baseline
