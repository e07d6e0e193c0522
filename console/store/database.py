"""One SQLite database file shared by every console and the poller.

WAL mode so readers never block the writer; a busy timeout and short
``BEGIN IMMEDIATE`` transactions so several processes write in turn instead
of failing; numbered migrations applied on open.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from importlib import resources
from pathlib import Path
from typing import Any, TypeAlias

import aiosqlite

from console.model.access import Actor
from console.store.acting import actor_now
from console.store.rows import Params

#: How long SQLite waits for another process's write lock before each retry (CMCC_BUSY_TIMEOUT_MS
#: shortens it, e.g. for tests of a database left locked).
BUSY_TIMEOUT_MS = int(os.environ.get("CMCC_BUSY_TIMEOUT_MS", "5000"))
#: A new database (and so its -wal and -shm files, which SQLite creates with the main file's mode)
#: is readable and writable by its owner and group only: the floor's operators share a group.
FILE_MODE = 0o660
#: Extra attempts when the busy timeout itself runs out, so a long burst from
#: another process shows as a short wait, never as "database is locked".
LOCKED_RETRIES = 6


#: The connection an open transaction hands its caller (``Database.write``): what the ``*_in``
#: methods of the repositories take. Code outside the store names it, never aiosqlite.
Connection: TypeAlias = aiosqlite.Connection


class DatabaseOpenError(Exception):
    """The file cannot be used as a cmcc database; the message is one line for the operator."""


class SchemaTooNew(DatabaseOpenError):
    pass


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every numbered migration, in order."""
    found = []
    for entry in resources.files("console.store.migrations").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            found.append((int(name[:3]), name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def latest_version() -> int:
    return migrations()[-1][0]


def split_statements(script: str) -> list[str]:
    """Split a migration into statements (triggers' bodies kept whole)."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        if not buffer and (not line.strip() or line.lstrip().startswith("--")):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements


def _is_locked(error: BaseException) -> bool:
    return isinstance(error, sqlite3.OperationalError) and "locked" in str(error).lower()


class Database:
    """An open database: one aiosqlite connection, writes serialised per process."""

    def __init__(self, path: Path, connection: aiosqlite.Connection):
        self.path = path
        self.connection = connection
        self._write_lock = asyncio.Lock()
        #: Until open() is done, read errors stay sqlite3's own: open() explains them as DatabaseOpenError.
        self._opened = False

    @classmethod
    async def open(cls, path: str | Path, *, migrate: bool = True) -> "Database":
        path = Path(path).expanduser()
        if path.exists() and path.is_dir():
            raise DatabaseOpenError(f"{path} is a directory, not a database file")
        if not path.exists():
            if not migrate:
                raise DatabaseOpenError(f"{path} does not exist")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                _create_private(path)
            except OSError as error:
                raise DatabaseOpenError(f"cannot create {path}: {error.strerror}") from None
        try:
            connection = await aiosqlite.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as error:
            raise DatabaseOpenError(f"cannot open {path}: {error}") from None
        database = cls(path, connection)
        try:
            await database._configure()
            if migrate:
                await database._migrate()
            else:
                await database._check_version()
        except DatabaseOpenError:
            await connection.close()
            raise
        except sqlite3.DatabaseError as error:
            await connection.close()
            raise DatabaseOpenError(_explain(path, error)) from None
        database._opened = True
        return database

    async def _configure(self) -> None:
        await self.connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = await self._scalar("PRAGMA journal_mode = WAL")
        if str(mode).lower() != "wal":
            raise DatabaseOpenError(f"{self.path}: cannot switch to WAL mode (got {mode})")
        # FULL: a commit the operator saw survives a power cut too, not only a killed process.
        await self.connection.execute("PRAGMA synchronous = FULL")
        await self.connection.execute("PRAGMA foreign_keys = ON")

    async def schema_version(self) -> int:
        return int(await self._scalar("PRAGMA user_version"))

    async def _check_version(self) -> None:
        version, latest = await self.schema_version(), latest_version()
        if version > latest:
            raise SchemaTooNew(
                f"{self.path} has schema version {version}, newer than this cmcc understands "
                f"({latest}); upgrade cmcc before opening it"
            )

    async def _migrate(self) -> None:
        await self._check_version()
        for version, name, sql in migrations():
            if await self.schema_version() >= version:
                continue
            async with self._write_lock:
                await self._begin_immediate()
                try:
                    # Another process may have applied it while we waited for the lock.
                    if await self.schema_version() >= version:
                        await self.connection.execute("ROLLBACK")
                        continue
                    for statement in split_statements(sql):
                        await self.connection.execute(statement)
                    await self.connection.execute(f"PRAGMA user_version = {version}")
                    await self.connection.execute("COMMIT")
                except BaseException:
                    await self.connection.execute("ROLLBACK")
                    raise

    async def _begin_immediate(self) -> None:
        for attempt in range(LOCKED_RETRIES + 1):
            try:
                await self.connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if not _is_locked(error) or attempt == LOCKED_RETRIES:
                    raise
                await asyncio.sleep(0.05 * (attempt + 1))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A short write transaction: BEGIN IMMEDIATE ... COMMIT, rolled back on any error.

        A full disk, a read-only file or a failing disk become a StoreError with one plain line
        (the console shows it as a notification; nothing of the transaction was written).
        """
        async with self._write_lock:
            try:
                await self._begin_immediate()
            except sqlite3.OperationalError as error:
                raise _storage_error(self.path, error) or error from None
            except BaseException:  # cancelled: its BEGIN may still be queued on the connection's thread
                await self._rollback()
                raise
            try:
                yield self.connection
            except BaseException as error:
                await self._rollback()
                if isinstance(error, sqlite3.DatabaseError) and (mapped := _storage_error(self.path, error)):
                    raise mapped from None
                raise
            else:
                try:
                    await self.connection.execute("COMMIT")
                except sqlite3.OperationalError as error:
                    await self._rollback()
                    raise _storage_error(self.path, error) or error from None

    @asynccontextmanager
    async def write(self, actor: Actor) -> AsyncIterator[tuple[aiosqlite.Connection, Actor]]:
        """A write transaction and the actor as the database has them now (console/store/acting.py).

        Every repository write judges its permission and releasability by the actor this yields,
        never by the one it was given: a role changed or an operator removed since the console
        started is in force from the next write on.
        """
        async with self.transaction() as conn:
            yield conn, await actor_now(conn, actor)

    async def _rollback(self) -> None:
        """Roll back whatever is open once the statements queued before it have run.

        Not judged by ``in_transaction`` now: a write cancelled mid-way (a worker or poll task cancelled)
        may still have its BEGIN queued on the connection's thread, and would leave the connection in a
        transaction that every later write of this store fails on ("cannot start a transaction within
        a transaction"). The ROLLBACK queues behind it.
        """
        try:
            await self.connection.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # none open (SQLite ended it itself, e.g. a full disk): the original error is the one to report

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        with self._reading():
            async with self.connection.execute(sql, params) as cursor:
                cursor.row_factory = sqlite3.Row
                return list(await cursor.fetchall())

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        with self._reading():
            async with self.connection.execute(sql, params) as cursor:
                cursor.row_factory = sqlite3.Row
                return await cursor.fetchone()

    async def _scalar(self, sql: str, params: Params = ()) -> Any:
        with self._reading():
            arguments = params if isinstance(params, Mapping) else tuple(params)
            async with self.connection.execute(sql, arguments) as cursor:
                row = await cursor.fetchone()
                return row[0] if row else None

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """A damaged page met while reading is one plain StoreError (where it can tell), not a traceback."""
        try:
            yield
        except sqlite3.DatabaseError as error:
            if self._opened and (mapped := _storage_error(self.path, error)) is not None:
                raise mapped from None
            raise

    async def scalar(self, sql: str, params: Params = ()) -> Any:
        return await self._scalar(sql, params)

    async def close(self) -> None:
        await self.connection.close()


def _create_private(path: Path) -> None:
    """Create the empty database file with FILE_MODE whatever the umask (another process may win)."""
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
    except FileExistsError:
        return
    try:
        os.fchmod(descriptor, FILE_MODE)
    finally:
        os.close(descriptor)


def exposure_warning(path: str | Path) -> str:
    """One line when every user of the host may read or write the database file, else ''."""
    try:
        mode = os.stat(Path(path).expanduser()).st_mode
    except OSError:
        return ""
    if not mode & (stat.S_IROTH | stat.S_IWOTH):
        return ""
    what = " and ".join(verb for bit, verb in ((stat.S_IROTH, "read"), (stat.S_IWOTH, "written")) if mode & bit)
    return (f"{path} can be {what} by every user of this host: "
            f"run chmod o-rwx on it and on its -wal and -shm files")


def _storage_error(path: Path, error: sqlite3.Error) -> Exception | None:
    """A StoreError in plain words for a full disk, a read-only file or a failing disk; else None."""
    from console.model.errors import StoreError

    text = str(error).lower()
    if "full" in text:
        return StoreError(f"the disk holding {path.name} is full: nothing was saved; free some space and try again")
    if "readonly" in text or "read-only" in text:
        return StoreError(f"{path.name} is read-only for you: nothing was saved (check the file's permissions)")
    if "disk i/o error" in text:
        return StoreError(f"the disk failed while saving to {path.name}: nothing was saved; try again")
    if "locked" in text or "busy" in text:
        return StoreError(f"{path.name} stayed locked by another process: nothing was saved; try again")
    if "malformed" in text or "not a database" in text:
        return StoreError(damaged(path))
    return None


def damaged(path: Path) -> str:
    """The one line for a database whose pages cannot be read."""
    return (f"{path} is damaged (a page cannot be read): check it with sqlite3 {path} 'PRAGMA integrity_check'"
            " and restore the last backup")


def is_damage(error: BaseException) -> bool:
    """Whether ``error`` is SQLite reporting a page it cannot read (the CLI then says ``damaged``):
    so that only the store needs to know SQLite's exceptions."""
    return isinstance(error, sqlite3.DatabaseError) and "malformed" in str(error)


def _explain(path: Path, error: sqlite3.DatabaseError) -> str:
    text = str(error)
    if "not a database" in text or "malformed" in text:
        return f"{path} is not a SQLite database (or is damaged)"
    if "locked" in text:
        return f"{path} is locked by another process; try again when it is released"
    if "unable to open" in text or "readonly" in text or "permission" in text.lower():
        return f"cannot open {path}: check that it exists and that you may read and write it"
    return f"cannot use {path}: {text}"
