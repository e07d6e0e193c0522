"""The journal's witness outside the database file.

Deleting the newest journal rows leaves a chain that is still whole. So every console and poller
remembers the newest row it has seen (id and hash) in the operator's own state folder
(``paths.witness_path``: one small JSON file per database, keyed by its resolved path), and
``cmcc journal verify`` checks the chain still reaches it. Written atomically (a temporary file,
then a rename), never moved backwards: a process that saw less does not overwrite one that saw more.

No SQL here and no Textual: the store reads rows, this keeps files.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from console.dtg import utc_now
from console.paths import witness_path
from console.store.integrity import Witness
from console.store.rows import to_iso


def _read(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int) or not isinstance(data.get("hash"), str):
        return None
    return data


def remember(db_path: str | Path, row_id: int, row_hash: str) -> bool:
    """Remember that journal row ``row_id`` had ``row_hash``; False when an equal or newer one is
    remembered already (or the folder cannot be written: a witness is a help, never a stop)."""
    if row_id <= 0 or not row_hash:
        return False
    path = witness_path(db_path)
    known = _read(path)
    if known is not None and known["id"] >= row_id:
        return False
    body = json.dumps({"database": str(Path(db_path).expanduser().resolve()), "id": int(row_id),
                       "hash": row_hash, "at": to_iso(utc_now())}, sort_keys=True)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".witness-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(body)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        return False
    return True


def read_all(db_path: str | Path) -> list[Witness]:
    """Every witness of ``db_path`` this operator can read (today: the own state folder's)."""
    path = witness_path(db_path)
    data = _read(path)
    if data is None:
        return []
    seen = f" on {data['at']}" if isinstance(data.get("at"), str) else ""
    return [Witness(data["id"], data["hash"], f"the witness in {path}{seen}")]


class Throttled:
    """``saw`` after every batch of journal rows; writes at most once per ``interval`` seconds,
    and ``flush`` (at exit, or on the next quiet poll) writes what is still pending."""

    def __init__(self, db_path: str | Path, interval: float = 1.0):
        self.db_path = db_path
        self.interval = interval
        self._written_at = float("-inf")
        self._pending: tuple[int, str] | None = None
        self._last_id = 0

    def saw(self, row_id: int, row_hash: str) -> None:
        if row_id > self._last_id and row_hash:
            self._pending = (row_id, row_hash)
        self.flush(force=False)

    def flush(self, force: bool = True) -> None:
        if self._pending is None:
            return
        now = time.monotonic()
        if not force and now - self._written_at < self.interval:
            return
        row_id, row_hash = self._pending
        self._pending = None
        self._written_at = now
        self._last_id = row_id
        remember(self.db_path, row_id, row_hash)
