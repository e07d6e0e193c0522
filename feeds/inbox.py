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
import json
import logging
import os
import re
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from console.domain import Actor, Headline, parse_releasability
from console.dtg import utc_now
from console.sanitize import clean_line
from feeds import limits
from feeds.parse import LongNumber, clean_summary, clean_title, dedup_key, loads_bounded, parse_date

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
        # The one place row errors are built: keys and values quoted from the file are outside text,
        # and these lines reach stdout, logs, notices and report files (cleaned as titles are).
        where, field_name = clean_line(where, max_chars=60), clean_line(field_name, max_chars=60)
        message = clean_line(message, max_chars=400)
        self.items.append(f"{where}: {field_name}: {message}" if field_name else f"{where}: {message}")

    def __bool__(self) -> bool:
        return bool(self.items)


@dataclass(frozen=True)
class Importer:
    """Validate all rows (no I/O), then write them inside the inbox's transaction.

    ``validate(rows, context)`` returns the records, adding to ``errors`` for each
    bad field. ``write(store, conn, actor, records)`` runs inside the transaction
    that also records the file's hash (or, for a large file of an idempotent kind,
    once per batch before it: ``Inbox._write``), and returns how many records it
    wrote. It must only use connection-level store functions (not methods that
    open their own transaction).
    """

    kind: str
    validate: Callable[[list[Row], "ImportContext", RowErrors], list[Any]]
    write: Callable[[Store, Connection, Actor, list[Any]], Awaitable[int]]
    #: ``check(store, records)``: errors found by reading the store (an unknown partner), before
    #: anything is written, so that a large file written in batches is refused whole.
    check: Callable[[Store, list[Any]], Awaitable[list[str]]] | None = None
    #: The columns a record may have (and other names for them), for a CSV header checked once.
    columns: tuple[str, ...] = ()
    aliases: Mapping[str, str] = field(default_factory=dict)
    #: Writing the same records twice changes nothing (they are matched, or ignored as duplicates):
    #: a large file may then be written in short transactions (console/store/batches.py).
    idempotent: bool = False


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


class Rejected(Exception):
    """``rows``: the records that could be read despite the errors (checked too, so every bad line is named)."""

    def __init__(self, errors: list[str], kind: str = "", *, rows: list[Any] | None = None):
        self.rows = rows
        errors = [clean_line(e, max_chars=400) for e in errors]  # they quote the file: outside text
        super().__init__(errors[0] if errors else "rejected")
        self.errors = errors
        self.kind = kind


class _AlreadyImported(Exception):
    pass


class _NoLongerOurs(Exception):
    """This process stopped watching the inbox (its lease lapsed) while taking a file: leave it."""


class _ChangedWhileImporting(Exception):
    pass


# --- names ----------------------------------------------------------------------------


def shown_name(name: str) -> str:
    """A file name fit for a terminal, a log or a report: escapes and controls gone, one line."""
    return clean_line(name, max_chars=255) or "(unnamed)"


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


# --- reading files --------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """One record as ``stream_records`` yields it: its row, or the problems that kept it from being read.

    ``text`` is a CSV record's lines as they are in the file (a reject file repeats them), else "".
    """

    row: Row | None
    problems: tuple[str, ...] = ()
    text: str = ""


#: A line and its ending, split as a file opened with newline="" splits it: \n, \r\n or a lone \r.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def text_lines(text: str) -> Iterator[str]:
    """The lines of ``text`` (with their endings) one at a time, as csv.reader wants them.

    Slices of ``text``, not a copy of it: io.StringIO, which this replaces, held the whole text
    again at four bytes a character.
    """
    return (match.group() for match in _LINE.finditer(text))


def read_rows(name: str, text: str) -> tuple[str, list[Row]]:
    """(kind named inside the content or '', rows). Raises Rejected for an unreadable file."""
    if Path(name).suffix.lower() == ".json":
        return _json_rows(text)
    return "", _collect(stream_records(name, text_lines(text)))


def stream_records(name: str, lines: Iterable[str]) -> Iterator[Record]:
    """The records of a file given as its lines (``text_lines``), one at a time: what ``read_rows``
    reads, for a file too large to hold. Raises Rejected when the file as a whole cannot be read
    (an unknown extension, an empty CSV or a bad header line, a malformed JSON document).

    CSV and NDJSON are read a line at a time. A .json document is parsed whole: the standard
    library has no streaming JSON parser (callers bound its size).
    """
    suffix = Path(name).suffix.lower()
    if suffix == ".json":
        text = "".join(lines)
        _kind, items = _json_document(text)
        yield from _json_records(items, text)
    elif suffix in (".ndjson", ".jsonl"):
        yield from _ndjson_records(lines)
    elif suffix == ".csv":
        yield from _csv_records(lines)
    else:
        raise Rejected([f"file: {suffix or 'no extension'} is not a known format (use .json, .ndjson or .csv)"])


def _collect(records: Iterable[Record], kind: str = "") -> list[Row]:
    """Every row, or Rejected naming every record that could not be read (with the rows that could)."""
    rows: list[Row] = []
    errors: list[str] = []
    for record in records:
        if record.row is not None:
            rows.append(record.row)
        errors.extend(record.problems)
    if errors:
        raise Rejected(errors, kind, rows=rows)
    return rows


def _json_rows(text: str) -> tuple[str, list[Row]]:
    kind, items = _json_document(text)
    return kind, _collect(_json_records(items, text), kind)


def _json_document(text: str) -> tuple[str, list[Any]]:
    """(kind, items) of a JSON list of records or ``{"kind": ..., "items": [...]}``."""
    try:
        document = loads_bounded(text)
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
    return kind.strip().lower(), document


def _json_records(items: list[Any], text: str) -> Iterator[Record]:
    for index, item in enumerate(items, start=1):
        yield _json_record(f"item {index}", item, text)


def _ndjson_records(lines: Iterable[str]) -> Iterator[Record]:
    """Every line checked, a malformed one too (every bad line is named, not only the first)."""
    number = 0
    for physical in lines:
        # Numbered as text.splitlines() numbered them before this read line by line (it also
        # splits at \v, \f, \x1c-\x1e, \x85, \u2028, \u2029): the same line numbers as ever.
        for line in physical.splitlines():
            number += 1
            if not line.strip():
                continue
            try:
                item = loads_bounded(line)
            except json.JSONDecodeError as error:
                yield Record(None, (f"line {number}: malformed JSON: {error.msg} (column {error.colno})",))
                continue
            except RecursionError:
                yield Record(None, (f"line {number}: malformed JSON: nested too deeply",))
                continue
            yield _json_record(f"line {number}", item)


def _json_record(where: str, item: object, text: str | None = None) -> Record:
    """A JSON record is an object of at most MAX_FIELDS_PER_ROW fields; anything else is an error at ``where``."""
    if not isinstance(item, dict):
        return Record(None, (f"{where}: not an object",))
    if len(item) > limits.MAX_FIELDS_PER_ROW:
        return Record(None, (f"{where}: {len(item)} fields, more than {limits.MAX_FIELDS_PER_ROW}",))
    long = [(k, v) for k, v in item.items() if isinstance(v, LongNumber)]
    if long:
        return Record(None, tuple(f"{where}: {clean_line(key, max_chars=40)}: {value.describe(text)}"
                                  for key, value in long))
    return Record(Row(where, item))


class _LinesRead:
    """The lines a csv.reader pulls, kept until taken: after each record, that record's text."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self._read: list[str] = []

    def __iter__(self) -> _LinesRead:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self._read.append(line)
        return line

    def take(self) -> str:
        text = "".join(self._read)
        self._read.clear()
        return text


def _csv_records(lines: Iterable[str]) -> Iterator[Record]:
    # strict: a quote never closed (or closed mid-field) is an error, not a field that silently
    # swallows every later line up to the next quote (records merged into one title).
    source = _LinesRead(lines)
    reader = csv.reader(source, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise Rejected(["file: empty CSV (a header line is needed)"]) from None
    except csv.Error as error:
        raise Rejected([_csv_problem(1, reader.line_num, error)]) from None
    if len(header) > limits.MAX_FIELDS_PER_ROW:
        raise Rejected([f"line 1: {len(header)} columns, more than {limits.MAX_FIELDS_PER_ROW}"])
    columns = [clean_line(h, max_chars=64).lower().strip() for h in header]
    if not any(columns):
        raise Rejected(["line 1: the header line names no columns"])
    if len(set(columns)) != len(columns):
        raise Rejected(["line 1: a column name appears twice"])
    source.take()
    start = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield Record(None, (_csv_problem(start, reader.line_num, error),))
            return  # the reader cannot resync after a broken quote
        where = f"line {start}"
        start = reader.line_num + 1
        text = source.take()  # csv.reader reads no further than the record it returns
        if not values or not any(v.strip() for v in values):
            continue
        if len(values) > len(columns):
            yield Record(None, (f"{where}: {len(values)} fields, the header has {len(columns)}",))
            continue
        too_long = [columns[i] for i, v in enumerate(values) if len(v) > limits.MAX_CSV_FIELD_CHARS]
        if too_long:
            yield Record(None, (f"{where}: {too_long[0]}: longer than {limits.MAX_CSV_FIELD_CHARS} characters",))
            continue
        yield Record(Row(where, dict(zip(columns, values))), text=text)


_PLACE = re.compile(r"^(?:line|item) (\d+)\b")


def _in_file_order(messages: list[str]) -> list[str]:
    """Messages by their line or item number (stable: a line's own messages keep their order)."""
    def place(message: str) -> int:
        match = _PLACE.match(message)
        return int(match.group(1)) if match else 0
    return sorted(messages, key=place)


def _csv_problem(start: int, reached: int, error: csv.Error) -> str:
    """A broken quote, named at the line where its record (and so the quoted field) began."""
    text = str(error)
    if "end of data" in text or "expected after" in text or "quote" in text:
        where = f" (read to line {reached})" if reached > start else ""
        return (f"line {start}: unbalanced quote: a quoted field begins on this line and is not closed"
                f" properly{where}; nothing after it could be read")
    return f"line {start}: {clean_line(text, max_chars=120)}"


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


async def write_headlines(store: Store, conn: Connection, actor: Actor, headlines: list[Headline]) -> int:
    return len(await store.headlines.insert_in(conn, actor, headlines, None))


register(Importer("headlines", validate_headlines, write_headlines, idempotent=True))


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
        import feeds.importers  # noqa: F401  registers the importers
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
        body = await asyncio.to_thread(_read_bounded, path, self.max_bytes)
        if _signature(path) != read_at or len(body) != read_at[0]:
            return self._kept(path, read_at)
        digest = hashlib.sha256(body).hexdigest()
        earlier = await self.ledger.seen(digest)
        if earlier is not None and earlier[1] == "imported":
            return await self._duplicate(path, earlier[0], read_at)
        kind = kind_from_name(name)
        try:
            try:
                text = body.decode("utf-8-sig")
            except UnicodeDecodeError as error:
                line = body[: error.start].count(b"\n") + 1
                raise Rejected([f"line {line}: not UTF-8 text (byte {error.start})"]) from None
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
                from feeds.importers.columns import header_problems

                if header := header_problems(name, rows[0], importer.columns, importer.aliases):
                    raise Rejected(header, kind)
            errors = RowErrors()
            actor = await self._owner_of(path)
            records = importer.validate(rows, ImportContext(name, actor), errors)
            if errors or unreadable:
                raise Rejected(_in_file_order(unreadable + errors.items), kind)
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
            from console.domain import StoreError

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


def _read_bounded(path: Path, max_bytes: int) -> bytes:
    with path.open("rb") as handle:
        return handle.read(max_bytes + 1)


def _write_report(path: Path, text: str) -> None:
    target = unique_destination(path.parent, path.name)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
