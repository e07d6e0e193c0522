"""The aid import: movements through the crossings from CSV, NDJSON or JSON.

Used by ``cmcc import aid FILE`` and by the inbox (``aid-*.csv``): both read the
file with ``feeds.readers`` and check every row with ``check_row``,
which parses each field with the movement form's own rules
(``console.store.aid.movement_from_fields``), so a value the form refuses is
refused in a file with the same message, naming the line and the column.

Columns (header names, any case): ``planned_date`` (YYYY-MM-DD, the UTC day; ``date``),
``crossing`` (code or name), ``organisation`` (``org``), ``commodity``, ``load_type``
(``load``), ``trucks``, ``tonnes``, ``pallets`` (each optional, one needed),
``reference`` (``waybill``, ``ref``), ``figure_source`` (``source``: un2720, cogat,
partner, own observation), ``status`` (default scheduled), ``status_note`` (``note``;
needed for held, rejected, intercepted), ``releasability``; and the two columns of ``cmcc export
aid`` that are the store's own: ``id`` (the movement's id where it was exported: kept when it is
free here) and ``updated_at`` (when it last changed there: read and ignored, the import is the
change here). Any other column is an error.

Safe to run twice: a (reference, figure source) already recorded is counted as
"already present", not duplicated. The same pair twice in one file is an error. A movement
without a reference is told apart by its ``id``: already present when the movement of that id
here (or, its id taken by another, any movement) is the same convoy (``console.store.aid.insert_in``).
So an export imports back into a fresh database to the same records, ids included, and importing
it again changes nothing.

``cmcc import aid`` handles files of any size in flat memory: a first pass reads the
file a line at a time and checks every row, keeping the good movements in a staging
database on disk (``console.store.staging``); only when every row is good (or with
--skip-invalid) a second pass writes them, ``BATCH`` to a transaction. If that stops
midway (a full disk), the batches before stay written and stderr says so: running the
same command again imports the rest, the rows already written counted as already present.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from console.model.access import Actor
from console.model.aid import MOVEMENT_FIELDS, Movement, aid_day, movement_from_fields
from console.errors import CliError
from console.store.aid import movement_as_dict, movement_from_row
from console.store.batches import PAUSE_SECONDS
from console.store.staging import Staging
from feeds.importers.columns import (
    NotUtf8,
    file_lines,
    header_problems,
    is_csv,
    named_fields,
    problem_lines,
    record_id_of,
    reject_header,
    reject_line,
    say_unreadable,
    set_aside,
)
from feeds.importers.base import Importer, ImportContext, RowErrors
from feeds.readers import Record, Rejected, Row, shown_name, stream_records, text_lines
from feeds.limits import human_bytes

if TYPE_CHECKING:
    from console.store import Store
    from console.store.database import Connection

KIND = "aid"
ALIASES = {"date": "planned_date", "day": "planned_date", "org": "organisation", "organization": "organisation",
           "load": "load_type", "source": "figure_source", "ref": "reference", "waybill": "reference",
           "manifest": "reference", "note": "status_note", "reason": "status_note", "marking": "releasability",
           "crossing_code": "crossing"}
#: What a file may have: the movement's fields and the store's own columns of ``cmcc export aid``
#: (``updated_at``, when the movement last changed where it was exported, is read and ignored).
COLUMNS = (*MOVEMENT_FIELDS, "id", "updated_at")
#: Files with more rows than this show a progress bar (on a terminal).
PROGRESS_ROWS = 2000
#: Lines read between two steps of the progress bar.
PROGRESS_STEP = 1000
#: Movements per write transaction: each holds the database's write lock for a fraction of a second.
BATCH = 2000
#: A .json document is parsed whole (the standard library cannot stream JSON): larger ones are refused,
#: NDJSON (one record per line) is read a line at a time at any size.
MAX_JSON_CHARS = 20 * 1024 * 1024


@dataclass(frozen=True)
class CheckedRow:
    row: Row
    movement: Movement | None
    problems: tuple[tuple[str, str], ...]  # (column, message)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_row(row: Row, crossings: dict[str, str] | None = None, today: date | None = None, *,
              from_csv: bool = False) -> CheckedRow:
    """One row checked on its own (no I/O): its movement, or its problems by column."""
    fields, problems = named_fields(row, COLUMNS, ALIASES, from_csv=from_csv)
    movement = None
    if not problems:
        movement, errors = movement_from_fields(fields, crossings, today)
        problems = list(errors.items())
        record_id, problem = record_id_of(fields.get("id"))
        if problem:
            problems.append(("id", problem))
        elif movement is not None and record_id is not None:
            movement = replace(movement, id=record_id)
    return CheckedRow(row, movement if not problems else None, tuple(problems))


def movement_key(movement: Movement) -> tuple[str, str] | None:
    """What makes a movement the same one twice: (reference, source); None without a reference."""
    return (movement.reference, movement.figure_source.value) if movement.reference else None


def also_on(result: CheckedRow, earlier: str) -> CheckedRow:
    """A good row whose (reference, source) was already on the line ``earlier``: an error."""
    movement = result.movement
    assert movement is not None
    problem = ("reference", f"{movement.reference} from {movement.figure_source.label} is also on {earlier}")
    return CheckedRow(result.row, None, (problem,))


def check_rows(rows: Iterable[Row], crossings: dict[str, str] | None = None, today: date | None = None,
               advance: Callable[[int], None] | None = None, *, from_csv: bool = False) -> list[CheckedRow]:
    """Every row checked (no I/O): its movement, or its problems by column."""
    checked: list[CheckedRow] = []
    seen: dict[tuple[str, str], str] = {}
    for row in rows:
        result = check_row(row, crossings, today, from_csv=from_csv)
        key = movement_key(result.movement) if result.movement is not None else None
        if key in seen:
            result = also_on(result, seen[key])
        elif key is not None:
            seen[key] = row.where
        checked.append(result)
        if advance is not None:
            advance(1)
    return checked


# --- the inbox ------------------------------------------------------------------------


def validate_aid(rows: list[Row], context: ImportContext, errors: RowErrors) -> list[tuple[str, Movement]]:
    records = []
    for result in check_rows(rows, from_csv=is_csv(context.file_name)):
        for column, message in result.problems:
            errors.add(result.row.where, column, message)
        if result.movement is not None:
            records.append((result.row.where, result.movement))
    return records


async def write_aid(store: Store, conn: Connection, actor: Actor, records: list[tuple[str, Movement]]) -> int:
    known = {c.code.lower(): c.code for c in await store.aid.crossings()}
    known.update({c.name.lower(): c.code for c in await store.aid.crossings()})
    unknown = [f"{where}: crossing: {m.crossing_code!r} is not a crossing ({', '.join(sorted(set(known.values())))})"
               for where, m in records if m.crossing_code.lower() not in known]
    if unknown:
        raise Rejected(unknown, KIND)
    from dataclasses import replace

    movements = [replace(m, crossing_code=known[m.crossing_code.lower()]) for _where, m in records]
    outcome = await store.aid.insert_in(conn, actor, movements)
    return len(outcome.inserted)


IMPORTER = Importer(KIND, validate_aid, write_aid, columns=COLUMNS, aliases=ALIASES)


# --- cmcc import aid ------------------------------------------------------------------

#: Notes the first pass leaves in the staging database, by kind.
UNREADABLE, PROBLEM, REJECT = "unreadable", "problem", "reject"


@contextmanager
def progress(total: int, description: str, stream: TextIO | None = None) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr when it is a terminal and the file is large; else nothing."""
    stream = stream or sys.stderr
    if total < PROGRESS_ROWS or not stream.isatty():
        yield lambda _n: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(file=stream), transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)


async def import_text(store: Store, actor: Actor, path: Path, text: str | None, *, skip_invalid: bool = False,
                      reject_file: Path | None = None, out: TextIO | None = None,
                      err: TextIO | None = None) -> int:
    """``cmcc import aid``: check every row, then import all (or, skipping, the good ones).

    Every bad row is one line on ``err`` (file: line N: column: message). Returns the
    exit status: 0 imported (with --skip-invalid also when some rows were set aside
    in the reject file), 1 when bad rows stopped the import and nothing was written.

    Memory stays flat whatever the size of the file: it is read a line at a time (from
    ``text``, or from ``path`` when ``text`` is None), and what the check keeps (the good
    movements, the messages, the reject file's lines) goes to a staging database on disk.
    The movements are then written ``BATCH`` to a transaction, so other writers (consoles,
    the poller) wait for one batch at most, never for the whole import.
    """
    out, err = out or sys.stdout, err or sys.stderr
    from console.model.access import Permission
    from console.model.aid import crossing_lookup
    from console.store.guard import require

    require(actor, Permission.CREATE, "import movements")
    crossings = crossing_lookup(await store.aid.crossings())
    with Staging() as staging:
        with progress(_line_count(path, text), "checking", err) as advance:
            found = _check_file(path, _Lines(path, text, advance), crossings, staging, skip_invalid=skip_invalid)
        if staging.count(UNREADABLE):
            say_unreadable(path.name, staging.notes(UNREADABLE), err)
            return 1
        if not found.rows:
            print(f"{shown_name(path.name)}: no records", file=err)
            return 1
        header = [reject_header(found.header)] if is_csv(path.name) else []
        go_on, reject_file = set_aside(path, staging.notes(PROBLEM), found.bad, found.rows,
                                       lambda: itertools.chain(header, staging.notes(REJECT)),
                                       skip_invalid=skip_invalid, reject_file=reject_file, err=err)
        if not go_on:
            return 1
        written = await _write_staged(store, actor, staging, path.name, err)
    summary = f"{written.inserted} imported, {written.present} already present"
    if found.bad:
        summary += f", {found.bad} invalid rows written to {reject_file}"
    print(summary, file=out)
    return 0


# --- the first pass: read and check every row, keep nothing in memory -----------------


@dataclass
class _Found:
    """What the first pass counted (the rows themselves are in the staging database)."""

    rows: int = 0
    bad: int = 0
    header: str = ""  # a CSV file's first line, for the reject file


class _Lines:
    """The file's lines as the reader pulls them (from ``text``, else read from ``path``), counted
    for the progress bar, the first one kept (a CSV reject file repeats the header)."""

    def __init__(self, path: Path, text: str | None, advance: Callable[[int], None]) -> None:
        self._lines = text_lines(text) if text is not None else file_lines(path)
        self._advance = advance
        self.size = len(text) if text is not None else path.stat().st_size
        self.read = 0
        self.first = ""

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.read += 1
        if self.read == 1:
            self.first = (line.splitlines() or [""])[0]
        if self.read % PROGRESS_STEP == 0:
            self._advance(PROGRESS_STEP)
        return line


def _line_count(path: Path, text: str | None) -> int:
    """How many lines the file has (the progress bar's total), without holding it."""
    if text is not None:
        return text.count("\n")
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


def _check_file(path: Path, lines: _Lines, crossings: dict[str, str], staging: Staging, *,
                skip_invalid: bool) -> _Found:
    """Read and check every row once, holding none of them; write nothing but ``staging``: the good
    movements, a note for each record that cannot be read, and each bad row's stderr and reject lines."""
    found = _Found()
    try:
        if _json_too_large(path, lines):
            staging.note(UNREADABLE, f"file: a .json file is read whole, and this one is larger than"
                                     f" {human_bytes(MAX_JSON_CHARS)}: write it as NDJSON (.ndjson, one record"
                                     " per line), which is read a line at a time")
        else:
            _check_records(path.name, stream_records(path.name, lines), crossings, staging, found,
                           skip_invalid=skip_invalid)
    except Rejected as rejected:
        for message in rejected.errors:
            staging.note(UNREADABLE, message)
    except NotUtf8 as error:
        raise CliError(f"{path}: {error}") from None
    found.header = lines.first
    return found


def _check_records(name: str, records: Iterable[Record], crossings: dict[str, str], staging: Staging,
                   found: _Found, *, skip_invalid: bool) -> None:
    today = aid_day()  # one day for the whole file, even if checking it runs past midnight
    for record in records:
        for problem in record.problems:
            staging.note(UNREADABLE, problem)
        if record.row is None:
            continue
        found.rows += 1
        if found.rows == 1:
            for problem in header_problems(name, record.row, COLUMNS, ALIASES):
                staging.note(UNREADABLE, problem)
        if staging.count(UNREADABLE):
            continue  # nothing will be imported: only the other unreadable records are still to find
        result = _check_and_stage(record.row, crossings, today, staging, from_csv=is_csv(name))
        if not result.problems:
            continue
        found.bad += 1
        for line in problem_lines(name, result):
            staging.note(PROBLEM, line)
        if skip_invalid:
            original = "\n".join(record.text.splitlines()) if is_csv(name) else None
            staging.note(REJECT, reject_line(result, original))


def _json_too_large(path: Path, lines: _Lines) -> bool:
    return path.suffix.lower() == ".json" and lines.size > MAX_JSON_CHARS


def _check_and_stage(row: Row, crossings: dict[str, str], today: date, staging: Staging, *,
                     from_csv: bool = False) -> CheckedRow:
    """``check_row``, and a good movement staged: unless the file already had its (reference, source)."""
    result = check_row(row, crossings, today, from_csv=from_csv)
    if result.movement is None:
        return result
    key = movement_key(result.movement)
    earlier = staging.stage(json.dumps(key) if key else None, row.where, _as_record(result.movement))
    return result if earlier is None else also_on(result, earlier)


def _as_record(movement: Movement) -> str:
    return json.dumps(movement_as_dict(movement), ensure_ascii=False)


def _from_record(record: str) -> Movement:
    values = json.loads(record)
    return movement_from_row({**values, "crossing_code": values["crossing"], "version": 1})


# --- the second pass: write the staged movements in short transactions ----------------


@dataclass
class _Written:
    """What the second pass has committed so far."""

    total: int
    inserted: int = 0
    present: int = 0
    unkeyed: int = 0  # imported with neither reference nor id: nothing would tell them apart if added again
    through: str = ""  # where the last committed movement is in the file ("line 4001")

    def add(self, inserted: int, movements: list[Movement], place: str) -> None:
        self.inserted += inserted
        self.present += len(movements) - inserted
        self.unkeyed += sum(1 for m in movements if not m.reference and m.id is None)
        self.through = place

    def stopped(self, name: str) -> str:
        """What a failure midway leaves written, and how to finish the import."""
        said = (f"{shown_name(name)}: stopped after writing {self.inserted + self.present} of {self.total} movements"
                f" ({self.inserted} imported, {self.present} already present), every good row up to {self.through};"
                " the batch after it was not saved.")
        if not self.unkeyed:
            return said + (" Running the same command again imports the rest (the rows written count as"
                           " already present).")
        return said + (f" Of those, {self.unkeyed} have no reference, so running the same command again would import"
                       f" them twice: remove the rows up to {self.through} from the file first.")


async def _write_staged(store: Store, actor: Actor, staging: Staging, name: str, err: TextIO) -> _Written:
    written = _Written(staging.staged)
    try:
        with progress(staging.staged, "importing", err) as advance:
            for number, batch in enumerate(staging.batches(BATCH)):
                if number:
                    await asyncio.sleep(PAUSE_SECONDS)  # the lock left free for others (console/store/batches.py)
                movements = [_from_record(record) for _place, record in batch]
                async with store.database.write(actor) as (conn, acting):
                    outcome = await store.aid.insert_in(conn, acting, movements)
                written.add(len(outcome.inserted), movements, batch[-1][0])
                advance(len(batch))
    except BaseException:
        if written.through:
            print(written.stopped(name), file=err)
        raise
    return written
