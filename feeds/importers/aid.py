"""The aid import: movements through the crossings from CSV, NDJSON or JSON.

Used by ``cmcc import aid FILE`` and by the inbox (``aid-*.csv``): both read the
file with ``feeds.inbox.read_rows`` and check every row with ``check_rows``,
which parses each field with the movement form's own rules
(``console.store.aid.movement_from_fields``), so a value the form refuses is
refused in a file with the same message, naming the line and the column.

Columns (header names, any case): ``planned_date`` (YYYY-MM-DD, the UTC day; ``date``),
``crossing`` (code or name), ``organisation`` (``org``), ``commodity``, ``load_type``
(``load``), ``trucks``, ``tonnes``, ``pallets`` (each optional, one needed),
``reference`` (``waybill``, ``ref``), ``figure_source`` (``source``: un2720, cogat,
partner, own observation), ``status`` (default scheduled), ``status_note`` (``note``;
needed for held, rejected, intercepted), ``releasability``. Any other column is an error.

Safe to run twice: a (reference, figure source) already recorded is counted as
"already present", not duplicated. The same pair twice in one file is an error.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from console.domain import Actor, Movement
from console.store.aid import MOVEMENT_FIELDS, movement_from_fields
from feeds.importers.columns import named_fields, read_for_import, set_aside_bad_rows
from feeds.inbox import Importer, ImportContext, Rejected, Row, RowErrors, register

KIND = "aid"
ALIASES = {"date": "planned_date", "day": "planned_date", "org": "organisation", "organization": "organisation",
           "load": "load_type", "source": "figure_source", "ref": "reference", "waybill": "reference",
           "manifest": "reference", "note": "status_note", "reason": "status_note", "marking": "releasability",
           "crossing_code": "crossing"}
#: Files with more rows than this show a progress bar (on a terminal).
PROGRESS_ROWS = 2000
#: Rows per insert batch (all in one transaction; the batches only pace the progress bar).
BATCH = 2000


@dataclass(frozen=True)
class CheckedRow:
    row: Row
    movement: Movement | None
    problems: tuple[tuple[str, str], ...]  # (column, message)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_rows(rows: list[Row], crossings: dict[str, str] | None = None, today: date | None = None,
               advance: Callable[[int], None] | None = None) -> list[CheckedRow]:
    """Every row checked (no I/O): its movement, or its problems by column."""
    checked: list[CheckedRow] = []
    seen: dict[tuple[str, str], str] = {}
    for row in rows:
        fields, problems = named_fields(row, MOVEMENT_FIELDS, ALIASES)
        movement = None
        if not problems:
            movement, errors = movement_from_fields(fields, crossings, today)
            problems = list(errors.items())
        if movement is not None and movement.reference:
            key = (movement.reference, movement.figure_source.value)
            if key in seen:
                problems.append(("reference", f"{movement.reference} from {movement.figure_source.label}"
                                              f" is also on {seen[key]}"))
                movement = None
            else:
                seen[key] = row.where
        checked.append(CheckedRow(row, movement if not problems else None, tuple(problems)))
        if advance is not None:
            advance(1)
    return checked


# --- the inbox ------------------------------------------------------------------------


def validate_aid(rows: list[Row], context: ImportContext, errors: RowErrors) -> list[tuple[str, Movement]]:
    records = []
    for result in check_rows(rows):
        for column, message in result.problems:
            errors.add(result.row.where, column, message)
        if result.movement is not None:
            records.append((result.row.where, result.movement))
    return records


async def write_aid(store, conn, actor: Actor, records: list[tuple[str, Movement]]) -> int:
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


register(Importer(KIND, validate_aid, write_aid))


# --- cmcc import aid ------------------------------------------------------------------


@contextmanager
def progress(total: int, description: str, stream=None) -> Iterator[Callable[[int], None]]:
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


async def import_text(store, actor: Actor, path: Path, text: str, *, skip_invalid: bool = False,
                      reject_file: Path | None = None, out=None, err=None) -> int:
    """``cmcc import aid``: check every row, then import all (or, skipping, the good ones) in one transaction.

    Every bad row is one line on ``err`` (file: line N: column: message). Returns the
    exit status: 0 imported (with --skip-invalid also when some rows were set aside
    in the reject file), 1 when bad rows stopped the import and nothing was written.
    """
    out, err = out or sys.stdout, err or sys.stderr
    from console.domain import Permission
    from console.store.aid import crossing_lookup
    from console.store.guard import require

    require(actor, Permission.CREATE, "import movements")

    rows = read_for_import(path, text, err)
    if rows is None:
        return 1
    crossings = crossing_lookup(await store.aid.crossings())
    with progress(len(rows), "checking", err) as advance:
        checked = check_rows(rows, crossings, advance=advance)
    set_aside = set_aside_bad_rows(path, text, checked, skip_invalid=skip_invalid, reject_file=reject_file, err=err)
    if set_aside is None:
        return 1
    bad, reject_file = set_aside
    movements = [c.movement for c in checked if c.movement is not None]
    inserted = present = 0
    with progress(len(movements), "importing", err) as advance:
        async with store.database.write(actor) as (conn, actor):
            for start in range(0, len(movements), BATCH):
                batch = movements[start:start + BATCH]
                outcome = await store.aid.insert_in(conn, actor, batch)
                inserted += len(outcome.inserted)
                present += outcome.already_present
                advance(len(batch))
    summary = f"{inserted} imported, {present} already present"
    if bad:
        summary += f", {len(bad)} invalid rows written to {reject_file}"
    print(summary, file=out)
    return 0
