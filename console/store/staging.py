"""A scratch database for one long import: what would otherwise be held in memory.

``cmcc import aid`` checks a file of any size in one pass without keeping its rows: the
records to write go here, under a UNIQUE key that finds the same key twice in the file
however far apart the two lines are, and so do the lines to print about bad rows and to
write to a reject file. The import then reads the records back in batches.

SQLite opens a database named "" as a private temporary file (in SQLITE_TMPDIR, TMPDIR or
/var/tmp), deleted when it is closed, and by the system if the process is killed. It is
held in a page cache of ``CACHE_KB`` and written to that file beyond it, so memory stays
flat however large the import.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Self

from console.model.errors import StoreError

#: The page cache: the memory the staging database uses, whatever the size of the import.
CACHE_KB = 8192

_SCHEMA = """
CREATE TABLE staged (seq INTEGER PRIMARY KEY, key TEXT UNIQUE, place TEXT NOT NULL, record TEXT NOT NULL);
CREATE TABLE notes (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX notes_kind ON notes (kind, seq);
"""


class Staging:
    """Records staged under a unique key (or none), and notes kept in order by kind."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self.staged = 0
        with _explained():
            self._conn = sqlite3.connect("", isolation_level=None)
            # Scratch: nothing to recover after a crash, so no journal and no syncing; one
            # transaction for all of it (a commit per row would write the pages every time).
            self._conn.execute("PRAGMA journal_mode = OFF")
            self._conn.execute("PRAGMA synchronous = OFF")
            self._conn.execute(f"PRAGMA cache_size = -{CACHE_KB}")
            self._conn.executescript(_SCHEMA)
            self._conn.execute("BEGIN")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()  # the file goes with it

    def stage(self, key: str | None, place: str, record: str) -> str | None:
        """Keep ``record`` (found at ``place``); if ``key`` is already staged, keep nothing and
        return the place of the record staged under it. A None key is never a duplicate."""
        with _explained():
            cursor = self._conn.execute(
                "INSERT INTO staged (key, place, record) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING",
                (key, place, record))
            if cursor.rowcount == 1:
                self.staged += 1
                return None
            row = self._conn.execute("SELECT place FROM staged WHERE key = ?", (key,)).fetchone()
            return None if row is None else str(row[0])

    def batches(self, size: int) -> Iterator[list[tuple[str, str]]]:
        """The staged (place, record) pairs in the order they were staged, ``size`` at a time."""
        with _explained():
            cursor = self._conn.execute("SELECT place, record FROM staged ORDER BY seq")
            while batch := cursor.fetchmany(size):
                yield batch

    def note(self, kind: str, text: str) -> None:
        with _explained():
            self._conn.execute("INSERT INTO notes (kind, text) VALUES (?, ?)", (kind, text))
        self._counts[kind] += 1

    def count(self, kind: str) -> int:
        return self._counts[kind]

    def notes(self, kind: str) -> Iterator[str]:
        """The notes of ``kind``, in the order they were made."""
        with _explained():
            for (text,) in self._conn.execute("SELECT text FROM notes WHERE kind = ? ORDER BY seq", (kind,)):
                yield text


@contextmanager
def _explained() -> Iterator[None]:
    """A failure of the scratch file (a full temporary folder) as one plain line."""
    try:
        yield
    except sqlite3.Error as error:
        raise StoreError(f"the import's scratch database (in SQLITE_TMPDIR, TMPDIR or /var/tmp) failed: {error}"
                         ) from None
