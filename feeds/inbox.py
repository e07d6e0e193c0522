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
prefix (``headlines-*.json``, ``incidents-*.csv``...). ``IMPORTERS`` maps each
kind to an ``Importer``; other layers register theirs with ``register``. A kind
nobody registered is a clear rejection.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
import logging
import os
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console.domain import Actor, Headline, parse_releasability
from console.dtg import utc_now
from console.sanitize import clean_line
from feeds import limits
from feeds.parse import clean_summary, clean_title, dedup_key, parse_date

log = logging.getLogger(__name__)

PROCESSED = "processed"
REJECTED = "rejected"
SETTLE_SECONDS = 1.0
KNOWN_KINDS = ("headlines", "incidents", "aid", "roster")
_TEMPORARY_SUFFIXES = (".tmp", ".part", ".partial", ".swp", ".swx", ".crdownload", ".download", "~")
_KIND_PREFIX = re.compile(r"^[a-z][a-z0-9_]{0,31}$", re.IGNORECASE)
MAX_ERRORS_REPORTED = 1000


@dataclass(frozen=True)
class Row:
    """One record of a file, with where it came from (``line 4`` or ``item 3``)."""

    where: str
    fields: dict[str, Any]


class RowErrors:
    """Every problem found in a file, by place and field."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, field_name: str, message: str) -> None:
        self.items.append(f"{where}: {field_name}: {message}" if field_name else f"{where}: {message}")

    def __bool__(self) -> bool:
        return bool(self.items)


@dataclass(frozen=True)
class Importer:
    """Validate all rows (no I/O), then write them inside the inbox's transaction.

    ``validate(rows, context)`` returns the records, adding to ``errors`` for each
    bad field. ``write(store, conn, actor, records)`` runs inside the single
    transaction that also records the file's hash, and returns how many records
    it wrote. It must only use connection-level store functions (not methods
    that open their own transaction).
    """

    kind: str
    validate: Callable[[list[Row], "ImportContext", RowErrors], list[Any]]
    write: Callable[[Any, Any, Actor, list[Any]], Awaitable[int]]


@dataclass(frozen=True)
class ImportContext:
    file_name: str
    actor: Actor


#: kind -> importer. ``headlines`` is built in; others call ``register``.
IMPORTERS: dict[str, Importer] = {}


def register(importer: Importer) -> None:
    IMPORTERS[importer.kind] = importer


@dataclass(frozen=True)
class InboxOutcome:
    name: str
    outcome: str  # "imported" | "rejected" | "duplicate"
    kind: str = ""
    rows: int = 0
    errors: tuple[str, ...] = ()
    moved_to: Path | None = None

    @property
    def message(self) -> str:
        if self.outcome == "imported":
            return f"{self.name}: imported {self.rows} {self.kind}"
        if self.outcome == "duplicate":
            return f"{self.name}: already imported, not imported again"
        first = self.errors[0] if self.errors else "rejected"
        more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        return f"{self.name}: rejected: {first}{more}"


class Rejected(Exception):
    def __init__(self, errors: list[str], kind: str = ""):
        super().__init__(errors[0] if errors else "rejected")
        self.errors = errors
        self.kind = kind


class _AlreadyImported(Exception):
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


def move_aside(source: Path, folder: Path) -> Path:
    """Move without ever overwriting: link to a free name (atomic, fails if taken), then unlink."""
    folder.mkdir(parents=True, exist_ok=True)
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


# --- reading files --------------------------------------------------------------------


def read_rows(name: str, text: str) -> tuple[str, list[Row]]:
    """(kind named inside the content or '', rows). Raises Rejected for an unreadable file."""
    suffix = Path(name).suffix.lower()
    if suffix == ".json":
        return _json_rows(text)
    if suffix in (".ndjson", ".jsonl"):
        return "", _ndjson_rows(text)
    if suffix == ".csv":
        return "", _csv_rows(text)
    raise Rejected([f"file: {suffix or 'no extension'} is not a known format (use .json, .ndjson or .csv)"])


def _json_rows(text: str) -> tuple[str, list[Row]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise Rejected([f"line {error.lineno}: malformed JSON: {error.msg} (column {error.colno})"]) from None
    except RecursionError:
        raise Rejected(["file: JSON nested too deeply"]) from None
    kind = ""
    if isinstance(document, dict):
        kind = document.get("kind", "")
        if not isinstance(kind, str):
            raise Rejected(["file: \"kind\" must be text"])
        document = document.get("items")
        if not isinstance(document, list):
            raise Rejected(["file: a JSON object needs an \"items\" list"])
    if not isinstance(document, list):
        raise Rejected(["file: JSON must be a list of records or {\"kind\": ..., \"items\": [...]}"])
    rows, errors = [], []
    for index, item in enumerate(document, start=1):
        _add_record(f"item {index}", item, rows, errors)
    if errors:
        raise Rejected(errors, kind.strip().lower())
    return kind.strip().lower(), rows


def _ndjson_rows(text: str) -> list[Row]:
    rows, errors = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as error:
            errors.append(f"line {number}: malformed JSON: {getattr(error, 'msg', 'nested too deeply')}")
            continue
        _add_record(f"line {number}", item, rows, errors)
    if errors:
        raise Rejected(errors)
    return rows


def _add_record(where: str, item, rows: list[Row], errors: list[str]) -> None:
    """A JSON record is an object of at most MAX_FIELDS_PER_ROW fields; anything else is an error at ``where``."""
    if not isinstance(item, dict):
        errors.append(f"{where}: not an object")
    elif len(item) > limits.MAX_FIELDS_PER_ROW:
        errors.append(f"{where}: {len(item)} fields, more than {limits.MAX_FIELDS_PER_ROW}")
    else:
        rows.append(Row(where, item))


def _csv_rows(text: str) -> list[Row]:
    reader = csv.reader(io.StringIO(text, newline=""))
    rows, errors = [], []
    try:
        header = next(reader)
    except StopIteration:
        raise Rejected(["file: empty CSV (a header line is needed)"]) from None
    except csv.Error as error:
        raise Rejected([f"line 1: {error}"]) from None
    if len(header) > limits.MAX_FIELDS_PER_ROW:
        raise Rejected([f"line 1: {len(header)} columns, more than {limits.MAX_FIELDS_PER_ROW}"])
    columns = [clean_line(h, max_chars=64).lower().strip() for h in header]
    if not any(columns):
        raise Rejected(["line 1: the header line names no columns"])
    if len(set(columns)) != len(columns):
        raise Rejected(["line 1: a column name appears twice"])
    start = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            errors.append(f"line {start}: {error}")
            break  # the reader cannot resync after a broken quote
        where = f"line {start}"
        start = reader.line_num + 1
        if not values or not any(v.strip() for v in values):
            continue
        if len(values) > len(columns):
            errors.append(f"{where}: {len(values)} fields, the header has {len(columns)}")
            continue
        too_long = [columns[i] for i, v in enumerate(values) if len(v) > limits.MAX_CSV_FIELD_CHARS]
        if too_long:
            errors.append(f"{where}: {too_long[0]}: longer than {limits.MAX_CSV_FIELD_CHARS} characters")
            continue
        rows.append(Row(where, dict(zip(columns, values))))
    if errors:
        raise Rejected(errors)
    return rows


# --- the headlines importer ------------------------------------------------------------


def _text(row: Row, key: str, errors: RowErrors, *, required: bool = False) -> str:
    value = row.fields.get(key)
    if value is None or value == "":
        if required:
            errors.add(row.where, key, "missing")
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        errors.add(row.where, key, "must be text")
        return ""
    return str(value)


def validate_headlines(rows: list[Row], context: ImportContext, errors: RowErrors) -> list[Headline]:
    fetched = utc_now().replace(microsecond=0)
    default_source = clean_line(f"inbox:{context.file_name}", max_chars=limits.MAX_SOURCE_CHARS)
    headlines = []
    for row in rows:
        before = len(errors.items)
        title = clean_title(_text(row, "title", errors, required=True))
        if not title and row.fields.get("title") not in (None, ""):
            errors.add(row.where, "title", "empty once markup and control characters are removed")
        raw_when = _text(row, "published", errors) or _text(row, "published_at", errors)
        published = parse_date(raw_when) if raw_when else None
        if raw_when and published is None:
            errors.add(row.where, "published", f"{clean_line(raw_when, max_chars=40)!r} is not a date"
                       " (use ISO 8601, e.g. 2025-11-25T10:36:00Z)")
        link = clean_line(_text(row, "link", errors), max_chars=limits.MAX_LINK_CHARS + 1)
        if len(link) > limits.MAX_LINK_CHARS:
            errors.add(row.where, "link", f"longer than {limits.MAX_LINK_CHARS} characters")
        if link and not re.match(r"^https?://", link, re.IGNORECASE):
            errors.add(row.where, "link", "must start with http:// or https://")
        releasability = "ALL"
        raw_marking = _text(row, "releasability", errors)
        if raw_marking:
            try:
                releasability = parse_releasability(raw_marking)
            except ValueError as error:
                errors.add(row.where, "releasability", str(error))
        guid = clean_line(_text(row, "guid", errors) or _text(row, "id", errors), max_chars=limits.MAX_LINK_CHARS)
        source = clean_line(_text(row, "source", errors), max_chars=limits.MAX_SOURCE_CHARS) or default_source
        summary = clean_summary(_text(row, "summary", errors))
        if len(errors.items) > before:
            continue
        headlines.append(Headline(
            title=title, published_at=published or fetched, source=source, link=link, summary=summary,
            guid=guid, dedup_key=dedup_key(guid, link, title, published), releasability=releasability,
        ))
    return headlines


async def write_headlines(store, conn, actor: Actor, headlines: list[Headline]) -> int:
    return len(await store.headlines.insert_in(conn, actor, headlines, None))


register(Importer("headlines", validate_headlines, write_headlines))


# --- the inbox ------------------------------------------------------------------------


@dataclass
class Inbox:
    folder: Path
    store: Any
    actor: Actor
    settle_seconds: float = SETTLE_SECONDS
    max_bytes: int = limits.MAX_INBOX_BYTES
    on_outcome: Callable[[InboxOutcome], Any] | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        import feeds.importers  # noqa: F401  registers the importers
        self.folder = Path(self.folder)
        from console.store.feeds import InboxLedger

        self.ledger = InboxLedger(self.store.database)

    def candidates(self) -> list[Path]:
        try:
            entries = sorted(os.scandir(self.folder), key=lambda e: e.name)
        except FileNotFoundError:
            return []
        return [Path(e.path) for e in entries if is_candidate(e.name) and e.is_file(follow_symlinks=False)]

    async def scan_once(self) -> list[InboxOutcome]:
        """Take every complete file now in the folder. Files still being written wait for the next scan."""
        async with self._lock:
            self.folder.mkdir(parents=True, exist_ok=True)
            first = {p: _signature(p) for p in self.candidates()}
            first = {p: s for p, s in first.items() if s is not None}
            if not first:
                return []
            await asyncio.sleep(self.settle_seconds)
            outcomes = []
            for path, signature in first.items():
                if _signature(path) != signature:
                    continue  # still growing: the next event or scan takes it
                try:
                    outcome = await self._take(path)
                except FileNotFoundError:
                    continue  # taken by another process in the meantime
                outcomes.append(outcome)
                log.info("inbox %s", outcome.message)
                if self.on_outcome is not None:
                    try:
                        result = self.on_outcome(outcome)
                        if asyncio.iscoroutine(result):
                            await result
                    except Exception:  # noqa: BLE001
                        log.exception("inbox outcome callback failed")
            return outcomes

    async def watch(self, stop_event: asyncio.Event, *, rescan_seconds: float = 5.0) -> None:
        """Scan at start (files that arrived while nothing ran), then on every change until stopped."""
        from watchfiles import awatch  # imported lazily: only the process that watches pays for it

        self.folder.mkdir(parents=True, exist_ok=True)
        await self.scan_once()
        async for _changes in awatch(
            self.folder, stop_event=stop_event, recursive=False, debounce=200, step=50,
            watch_filter=lambda _change, path: is_candidate(Path(path).name),
            rust_timeout=int(rescan_seconds * 1000), yield_on_timeout=True,
        ):
            if stop_event.is_set():
                break
            # On a change, or every rescan_seconds: a file still growing at the last scan is retried.
            if self.candidates():
                await self.scan_once()

    async def _take(self, path: Path) -> InboxOutcome:
        name = path.name
        size = path.stat().st_size
        if size > self.max_bytes:
            return await self._reject(path, [f"file: larger than {limits.human_bytes(self.max_bytes)}"],
                                      kind_from_name(name), digest=None)
        body = await asyncio.to_thread(path.read_bytes)
        digest = hashlib.sha256(body).hexdigest()
        earlier = await self.ledger.seen(digest)
        if earlier is not None and earlier[1] == "imported":
            return await self._duplicate(path, earlier[0])
        kind = kind_from_name(name)
        try:
            try:
                text = body.decode("utf-8-sig")
            except UnicodeDecodeError as error:
                line = body[: error.start].count(b"\n") + 1
                raise Rejected([f"line {line}: not UTF-8 text (byte {error.start})"]) from None
            content_kind, rows = read_rows(name, text)
            kind = content_kind or kind
            importer = IMPORTERS.get(kind)
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
            errors = RowErrors()
            actor = await self._owner_of(path)
            records = importer.validate(rows, ImportContext(name, actor), errors)
            if errors:
                raise Rejected(errors.items, kind)
            try:
                async with self.store.database.write(actor) as (conn, actor):
                    from console.store.feeds import InboxLedger

                    if not await InboxLedger.record_in(conn, digest, name, kind=kind, rows=len(records),
                                                       outcome="imported"):
                        # another process imported the same content since we looked
                        earlier = await self.ledger.seen(digest)
                        raise _AlreadyImported(earlier[0] if earlier else "another file")
                    written = await importer.write(self.store, conn, actor, records)
            except _AlreadyImported as error:
                return await self._duplicate(path, str(error))
        except Rejected as rejected:
            return await self._reject(path, rejected.errors, rejected.kind or kind, digest=digest)
        except Exception as error:  # noqa: BLE001 - e.g. a store refusal: set the file aside, say why
            from console.domain import StoreError

            if not isinstance(error, StoreError):
                log.exception("inbox: importing %s failed", name)
            return await self._reject(path, [f"file: not imported: {clean_line(error, max_chars=200)}"],
                                      kind, digest=None)
        moved = await asyncio.to_thread(move_aside, path, self.folder / PROCESSED)
        return InboxOutcome(name, "imported", kind, written, (), moved)

    async def _owner_of(self, path: Path) -> Actor:
        """The operator who owns the file: its records are theirs, judged by their role and nation.

        Not the process that happens to hold the poller lease: whoever can drop a file in the
        inbox must not write with the poller's rights. An owner who is not an operator is a viewer,
        and the store refuses the file.
        """
        from console.identity import actor_of, login_of_uid

        login = login_of_uid(path.stat().st_uid)
        return actor_of(await self.store.operators.get(login), login, f"inbox:{self.actor.origin}")

    async def _duplicate(self, path: Path, first_name: str) -> InboxOutcome:
        moved = await asyncio.to_thread(move_aside, path, self.folder / PROCESSED)
        note = (f"{path.name}: not imported again: the same content (sha256) was imported before"
                f" from {clean_line(first_name, max_chars=200)}.\n")
        await asyncio.to_thread(_write_report, moved.with_name(moved.name + ".duplicate.txt"), note)
        return InboxOutcome(path.name, "duplicate", moved_to=moved)

    async def _reject(self, path: Path, errors: list[str], kind: str, *, digest: str | None) -> InboxOutcome:
        moved = await asyncio.to_thread(move_aside, path, self.folder / REJECTED)
        shown = errors[:MAX_ERRORS_REPORTED]
        lines = [f"{path.name}: rejected, nothing imported. Fix every line below and drop the file again."]
        lines += [clean_line(e, max_chars=300) for e in shown]
        if len(errors) > len(shown):
            lines.append(f"... and {len(errors) - len(shown)} more")
        await asyncio.to_thread(_write_report, moved.with_name(moved.name + ".error.txt"), "\n".join(lines) + "\n")
        if digest is not None:
            try:
                await self.ledger.record(digest, path.name, kind=kind, rows=0, outcome="rejected")
            except Exception:  # noqa: BLE001 - the report on disk is what matters
                log.exception("inbox: cannot record rejected file %s", path.name)
        return InboxOutcome(path.name, "rejected", kind, 0, tuple(errors), moved)


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def _write_report(path: Path, text: str) -> None:
    target = unique_destination(path.parent, path.name)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
