"""The inbox folder: files dropped by other systems, validated whole, imported or set aside.

Lifecycle of a file ``<folder>/headlines-0800.csv``:

1. Ignored while its name is hidden or temporary (``.x``, ``*.tmp``, ``*.part``,
   ``*~``, ``*.swp``): writers should write a temporary name and rename it.
2. Taken once its size and mtime are unchanged across a settle interval (~1 s).
3. Read (at most 20 MB), hashed (sha256), parsed (JSON list or
   ``{"kind": ..., "items": [...]}``, NDJSON, CSV) and EVERY row validated.
4. Any bad row: the file moves to ``rejected/`` beside ``<name>.error.txt``
   naming every bad line and field. Nothing is imported.
5. All good: the rows and the file's hash are written in ONE transaction, then
   the file moves to ``processed/``.
6. Content already imported (same sha256, whoever dropped it and under any
   name): nothing is imported again; the file moves to ``processed/`` beside
   ``<name>.duplicate.txt`` saying which file first brought it. That also
   covers a process killed between the commit and the move: on restart the
   file is recognised and only moved.

Files are never deleted; a name already taken in ``processed/`` or
``rejected/`` gets a ``-1``, ``-2``... suffix.

Kinds come from a ``"kind"`` key in a JSON document, else from the file name
prefix (``headlines-*.json``, ``incidents-*.csv``...). ``feeds.importers.registry.IMPORTERS``
maps each kind to an ``Importer``, every one listed there; a kind not listed is a clear rejection.

This module is the watcher: the folder, its ledger and the lifecycle above. Reading a file
(bounds, encoding, formats) is ``feeds.readers``; what an importer is, ``feeds.importers.base``.
Imports point one way: the inbox imports the readers and the registry, never the reverse.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from console.model.access import Actor
from console.sanitize import clean_line
from feeds import limits
from feeds.importers.base import Importer, ImportContext, RowErrors
from feeds.importers.columns import header_problems
from feeds.importers.registry import IMPORTERS, KNOWN_KINDS
from feeds.readers import Rejected, decode_text, in_file_order, read_bounded, read_rows, shown_name

if TYPE_CHECKING:
    from console.store import Store
    from console.store.database import Connection

#: An inbox entry that is not a regular file: (name, what it is, inode).
_OddKey: TypeAlias = tuple[str, str, int]

log = logging.getLogger(__name__)

PROCESSED = "processed"
REJECTED = "rejected"
SETTLE_SECONDS = 1.0
#: A file of more records than this, of an idempotent kind, is written in batches (see Inbox._write).
ONE_TRANSACTION_ROWS = 1000
_TEMPORARY_SUFFIXES = (".tmp", ".part", ".partial", ".swp", ".swx", ".crdownload", ".download", "~")
_KIND_PREFIX = re.compile(r"^[a-z][a-z0-9_]{0,31}$", re.IGNORECASE)
MAX_ERRORS_REPORTED = 1000


@dataclass(frozen=True)
class InboxOutcome:
    name: str
    outcome: str  # "imported" | "rejected" | "duplicate" | "kept" (changed while read) | "skipped" (not a file)
    kind: str = ""
    rows: int = 0
    errors: tuple[str, ...] = ()
    moved_to: Path | None = None

    @property
    def shown_name(self) -> str:
        """The file's name as it may be shown: names come from outside (escapes, newlines)."""
        return shown_name(self.name)

    @property
    def message(self) -> str:
        name = self.shown_name
        if self.outcome == "imported":
            return f"{name}: imported {self.rows} {clean_line(self.kind, max_chars=40)}"
        if self.outcome == "duplicate":
            return f"{name}: already imported, not imported again"
        if self.outcome in ("kept", "skipped"):
            return f"{name}: {clean_line(self.errors[0] if self.errors else self.outcome, max_chars=300)}"
        first = clean_line(self.errors[0], max_chars=300) if self.errors else "rejected"
        more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        return f"{name}: rejected: {first}{more}"


class _AlreadyImported(Exception):
    pass


class _NoLongerOurs(Exception):
    """This process stopped watching the inbox (its lease lapsed) while taking a file: leave it."""


class _ChangedWhileImporting(Exception):
    pass


# --- names ----------------------------------------------------------------------------


def is_candidate(name: str) -> bool:
    """A file the inbox may take: not hidden, not a temporary name, not a report."""
    lower = name.lower()
    if not name or name.startswith(".") or name.startswith("~$"):
        return False
    if lower.endswith(_TEMPORARY_SUFFIXES):
        return False
    return not (lower.endswith(".error.txt") or lower.endswith(".duplicate.txt"))


def kind_from_name(name: str) -> str:
    """``headlines-0800.csv`` -> ``headlines`` (``-`` separates; ``_`` too when there is no ``-``)."""
    stem = Path(name).name.split(".", 1)[0]
    prefix = stem.split("-", 1)[0] if "-" in stem else stem.split("_", 1)[0] if "_" in stem else ""
    return prefix.lower() if _KIND_PREFIX.match(prefix) else ""


def unique_destination(folder: Path, name: str) -> Path:
    candidate = folder / name
    stem, suffix = _split_name(name)
    counter = 1
    while candidate.exists():
        candidate = folder / f"{stem}-{counter}{suffix}"
        counter += 1
    return candidate


def _split_name(name: str) -> tuple[str, str]:
    for double in (".ndjson.gz", ".csv.gz", ".json.gz"):
        if name.lower().endswith(double):
            return name[: -len(double)], name[-len(double):]
    path = Path(name)
    return path.stem, path.suffix


#: A new inbox, and its processed/ and rejected/, belong to the floor, not to the user whose process
#: made them: group-writable, and setgid, so what any member drops or moves keeps the folder's group.
FOLDER_MODE = 0o2770


def make_folder(folder: Path, group: int | None = None) -> None:
    """Create ``folder`` (FOLDER_MODE, of ``group``) if it is missing; an existing one is left as it is."""
    if folder.is_dir():
        return
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        folder.mkdir()
    except FileExistsError:
        return  # another process made it first
    if group is not None:
        try:
            os.chown(folder, -1, group)  # before the mode: a change of group may clear setgid
        except OSError:
            pass  # not a member of the database's group: the user's own group, still group-writable
    os.chmod(folder, FOLDER_MODE)  # whatever the umask


def move_aside(source: Path, folder: Path) -> Path:
    """Move without ever overwriting: link to a free name (atomic, fails if taken), then unlink."""
    make_folder(folder)  # inside the inbox (setgid): its group
    for _ in range(100):
        destination = unique_destination(folder, source.name)
        try:
            os.link(source, destination)
        except FileExistsError:
            continue  # someone took the name between the check and the link
        except OSError:
            if destination.exists():
                continue
            source.rename(destination)  # filesystems without hard links
            return destination
        os.unlink(source)
        return destination
    raise OSError(f"no free name for {source.name} in {folder}")


# --- the inbox ------------------------------------------------------------------------


@dataclass
class Inbox:
    folder: Path
    store: Store
    actor: Actor
    settle_seconds: float = SETTLE_SECONDS
    max_bytes: int = limits.MAX_INBOX_BYTES
    on_outcome: Callable[[InboxOutcome], Any] | None = None
    #: asked before each file is taken and before its records are written (the lease holder's
    #: check): False, and the file stays where it is for the process that watches the inbox now
    may_take: Callable[[], Awaitable[bool]] | None = None
    #: the group a new inbox folder is given (the database's)
    folder_group: int | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)
    #: entries that are not regular files (links, FIFOs, folders): reported once each, then left alone
    _odd_seen: set[_OddKey] = field(default_factory=set, init=False, repr=False)
    _odd_pending: list[tuple[_OddKey, str]] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        self.folder = Path(self.folder)
        from console.store.feeds import InboxLedger

        self.ledger = InboxLedger(self.store.database)

    def candidates(self) -> list[Path]:
        try:
            entries = sorted(os.scandir(self.folder), key=lambda e: e.name)
        except FileNotFoundError:
            return []
        files, odd = [], set()
        for entry in entries:
            if not is_candidate(entry.name):
                continue
            try:
                if entry.is_file(follow_symlinks=False):
                    files.append(Path(entry.path))
                    continue
                what = _not_a_file(entry)
            except OSError:
                continue
            if what is None:
                continue
            key = (entry.name, what, entry.inode())
            odd.add(key)
            if key not in self._odd_seen and key not in {k for k, _ in self._odd_pending}:
                self._odd_pending.append((key, what))
        self._odd_seen &= odd  # gone (or replaced): reported again if it comes back
        return files

    async def _report_odd(self) -> list[InboxOutcome]:
        """Say once, for each link, FIFO or folder in the inbox, that it is not taken (and leave it)."""
        outcomes = []
        pending, self._odd_pending = self._odd_pending, []
        for key, what in pending:
            self._odd_seen.add(key)
            outcome = InboxOutcome(key[0], "skipped", errors=(
                f"{what}: not taken, left where it is (the inbox takes regular files only)",))
            outcomes.append(outcome)
            await self._announce(outcome)
        return outcomes

    async def _announce(self, outcome: InboxOutcome) -> None:
        log.info("inbox %s", outcome.message)
        if self.on_outcome is not None:
            try:
                result = self.on_outcome(outcome)
                if asyncio.iscoroutine(result):
                    await result
            except Exception:  # noqa: BLE001
                log.exception("inbox outcome callback failed")

    async def scan_once(self) -> list[InboxOutcome]:
        """Take every complete file now in the folder. Files still being written wait for the next scan."""
        async with self._lock:
            make_folder(self.folder, self.folder_group)
            first = {p: _signature(p) for p in self.candidates()}
            first = {p: s for p, s in first.items() if s is not None}
            skipped = await self._report_odd()
            if not first:
                return skipped
            await asyncio.sleep(self.settle_seconds)
            outcomes = []
            for path, signature in first.items():
                if _signature(path) != signature:
                    continue  # still growing: the next event or scan takes it
                try:
                    if not await self._may_take():
                        break
                    outcome = await self._take(path)
                except FileNotFoundError:
                    continue  # taken by another process in the meantime
                except _NoLongerOurs:
                    break
                outcomes.append(outcome)
                await self._announce(outcome)
            return skipped + outcomes

    async def watch(self, stop_event: asyncio.Event, *, rescan_seconds: float = 5.0) -> None:
        """Scan at start (files that arrived while nothing ran), then on every change until stopped."""
        from watchfiles import awatch  # imported lazily: only the process that watches pays for it

        make_folder(self.folder, self.folder_group)
        await self.scan_once()
        async for _changes in awatch(
            self.folder, stop_event=stop_event, recursive=False, debounce=200, step=50,
            watch_filter=lambda _change, path: is_candidate(Path(path).name),
            rust_timeout=int(rescan_seconds * 1000), yield_on_timeout=True,
        ):
            if stop_event.is_set():
                break
            # On a change, or every rescan_seconds: a file still growing at the last scan is retried.
            if self.candidates() or self._odd_pending:
                await self.scan_once()

    async def _may_take(self) -> bool:
        return self.may_take is None or await self.may_take()

    async def _take(self, path: Path) -> InboxOutcome:
        name = path.name
        size = path.stat().st_size
        if size > self.max_bytes:
            return await self._reject(path, [f"file: larger than {limits.human_bytes(self.max_bytes)}"],
                                      kind_from_name(name), digest=None)
        # A file renamed in and still being appended to: what was read must be the whole file, from
        # the read to the move, or the later lines would go to processed/ unread.
        read_at = _signature(path)
        if read_at is None:
            raise FileNotFoundError(path)
        body = await asyncio.to_thread(read_bounded, path, self.max_bytes)
        if _signature(path) != read_at or len(body) != read_at[0]:
            return self._kept(path, read_at)
        digest = hashlib.sha256(body).hexdigest()
        earlier = await self.ledger.seen(digest)
        if earlier is not None and earlier[1] == "imported":
            return await self._duplicate(path, earlier[0], read_at)
        kind = kind_from_name(name)
        try:
            text = decode_text(body)
            unreadable: list[str] = []
            try:
                content_kind, rows = read_rows(name, text)
            except Rejected as partly:
                if not partly.rows:
                    raise
                # some records could not be read: check the others too, so every bad line is named
                content_kind, rows, unreadable = partly.kind, partly.rows, partly.errors
            kind = content_kind or kind
            importer = IMPORTERS.get(kind)
            if importer is None and unreadable:
                raise Rejected(unreadable, kind)
            if importer is None:
                if not kind:
                    raise Rejected([f"file: no kind: name it <kind>-....{Path(name).suffix.lstrip('.') or 'csv'}"
                                    f" ({', '.join(KNOWN_KINDS)}) or give a JSON \"kind\""])
                if kind in KNOWN_KINDS:
                    raise Rejected([f"file: importing {kind!r} files is not supported yet"])
                raise Rejected([f"file: unknown kind {clean_line(kind, max_chars=40)!r}"
                                f" (known: {', '.join(sorted(IMPORTERS))})"])
            if not rows:
                raise Rejected(["file: no records"])
            if importer.columns:
                if header := header_problems(name, rows[0], importer.columns, importer.aliases):
                    raise Rejected(header, kind)
            errors = RowErrors()
            actor = await self._owner_of(path)
            records = importer.validate(rows, ImportContext(name, actor), errors)
            if errors or unreadable:
                raise Rejected(in_file_order(unreadable + errors.items), kind)
            if importer.check is not None and (problems := await importer.check(self.store, records)):
                raise Rejected(problems, kind)
            if not await self._may_take():
                raise _NoLongerOurs(name)
            try:
                written = await self._write(path, read_at, digest, importer, actor, records)
            except _AlreadyImported as error:
                return await self._duplicate(path, str(error), read_at)
            except _ChangedWhileImporting:
                return self._kept(path, read_at)
        except Rejected as rejected:
            return await self._reject(path, rejected.errors, rejected.kind or kind, digest=digest,
                                      signature=read_at)
        except _NoLongerOurs:
            raise
        except Exception as error:  # noqa: BLE001 - e.g. a store refusal: set the file aside, say why
            from console.model.errors import StoreError

            if not isinstance(error, StoreError):
                log.exception("inbox: importing %s failed", shown_name(name))
            return await self._reject(path, [f"file: not imported: {clean_line(error, max_chars=200)}"],
                                      kind, digest=None, signature=read_at)
        moved = await asyncio.to_thread(move_aside, path, self.folder / PROCESSED)
        return InboxOutcome(name, "imported", kind, written, (), moved)

    async def _write(self, path: Path, read_at: tuple[int, int], digest: str, importer: Importer, actor: Actor,
                     records: list[Any]) -> int:
        """The records, and the file in the ledger, in one transaction; a large file of an idempotent
        kind first in short ones, so it never holds the write lock for long.

        Batched, the ledger row comes last: a file that changed meanwhile, or a process stopped
        midway, leaves the file in the inbox, and the next pass writes it again (changing nothing
        that was already written) and records it.
        """
        from console.store.batches import write_in_batches
        from console.store.feeds import InboxLedger

        written, rest = 0, records
        if importer.idempotent and len(records) > ONE_TRANSACTION_ROWS:
            async def write_batch(conn: Connection, acting: Actor, batch: Sequence[Any]) -> int:
                return await importer.write(self.store, conn, acting, list(batch))

            written, rest = sum(await write_in_batches(self.store.database, actor, records, write_batch)), []
        async with self.store.database.write(actor) as (conn, actor):
            if not await InboxLedger.record_in(conn, digest, path.name, kind=importer.kind, rows=len(records),
                                               outcome="imported"):
                # another process imported the same content since we looked
                earlier = await self.ledger.seen(digest)
                raise _AlreadyImported(earlier[0] if earlier else "another file")
            if rest:
                written += await importer.write(self.store, conn, actor, rest)
            if _signature(path) != read_at:
                raise _ChangedWhileImporting()  # rolls this transaction back
        return written

    async def _owner_of(self, path: Path) -> Actor:
        """The operator who owns the file: its records are theirs, judged by their role and nation.

        Not the process that happens to hold the poller lease: whoever can drop a file in the
        inbox must not write with the poller's rights. An owner who is not an operator is a viewer,
        and the store refuses the file.
        """
        from console.identity import actor_of, login_of_uid

        login = login_of_uid(path.stat().st_uid)
        return actor_of(await self.store.operators.get(login), login, f"inbox:{self.actor.origin}")

    def _kept(self, path: Path, read_at: tuple[int, int]) -> InboxOutcome:
        """The file changed after it was read: nothing imported, left where it is for the next pass."""
        now = _signature(path)
        grew = f" (read {read_at[0]} bytes, now {now[0]})" if now is not None and now[0] != read_at[0] else ""
        return InboxOutcome(path.name, "kept", kind_from_name(path.name), 0, (
            f"changed while it was being read or imported{grew}: nothing imported, left in the inbox"
            " for the next pass (write a temporary name and rename it when complete)",))

    async def _duplicate(self, path: Path, first_name: str,
                         signature: tuple[int, int] | None = None) -> InboxOutcome:
        if signature is not None and _signature(path) != signature:
            return self._kept(path, signature)
        moved = await asyncio.to_thread(move_aside, path, self.folder / PROCESSED)
        note = (f"{shown_name(path.name)}: not imported again: the same content (sha256) was imported before"
                f" from {clean_line(first_name, max_chars=200)}.\n")
        await asyncio.to_thread(_write_report, moved.with_name(moved.name + ".duplicate.txt"), note)
        return InboxOutcome(path.name, "duplicate", moved_to=moved)

    async def _reject(self, path: Path, errors: list[str], kind: str, *, digest: str | None,
                      signature: tuple[int, int] | None = None) -> InboxOutcome:
        if signature is not None and _signature(path) != signature:
            return self._kept(path, signature)  # the errors are about a file that is no longer there
        moved = await asyncio.to_thread(move_aside, path, self.folder / REJECTED)
        shown = errors[:MAX_ERRORS_REPORTED]
        lines = [f"{shown_name(path.name)}: rejected, nothing imported. Fix every line below and drop the file again."]
        lines += [clean_line(e, max_chars=300) for e in shown]
        if len(errors) > len(shown):
            lines.append(f"... and {len(errors) - len(shown)} more")
        await asyncio.to_thread(_write_report, moved.with_name(moved.name + ".error.txt"), "\n".join(lines) + "\n")
        if digest is not None:
            try:
                await self.ledger.record(digest, path.name, kind=kind, rows=0, outcome="rejected")
            except Exception:  # noqa: BLE001 - the report on disk is what matters
                log.exception("inbox: cannot record rejected file %s", shown_name(path.name))
        return InboxOutcome(path.name, "rejected", kind, 0, tuple(errors), moved)


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def _not_a_file(entry: os.DirEntry[str]) -> str | None:
    """What a non-file entry is, in words; None for the inbox's own folders."""
    if entry.is_symlink():
        return "a symbolic link"
    if entry.is_dir(follow_symlinks=False):
        return None if entry.name in (PROCESSED, REJECTED) else "a folder"
    import stat

    mode = entry.stat(follow_symlinks=False).st_mode
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file (a device?)"


def _write_report(path: Path, text: str) -> None:
    target = unique_destination(path.parent, path.name)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
