"""The incidents import: cease-fire incidents from CSV, NDJSON or JSON (``incidents-*.csv`` in the
inbox, or ``cmcc import incidents FILE``).

Columns (header names, any case), the same fields as the incident form:
``when`` (now, 251036Z, 251036Z NOV 26 or ISO 8601; ``occurred_at`` and ``time`` are accepted too),
``governorate`` and ``category`` and ``description`` and ``severity`` (required), ``locality``,
``latitude``/``longitude`` (``lat``/``lon``), ``grid_ref``, ``killed``, ``injured`` (empty = unknown),
``alleged_party``, ``source``, ``source_type``, ``reliability`` (A-F), ``credibility`` (1-6),
``assigned_cell``, ``releasability``.

And what ``cmcc export incidents`` writes besides: ``dtg`` (the time as a DTG: the time when it is
the only one given, else it must name the same minute), ``grading`` (reliability and credibility
together, ``B2``: each must agree with its own column when both are given), ``status`` (reported,
verifying, verified, unsubstantiated, closed; default reported), ``acknowledged_by`` and
``acknowledged_at`` (both or neither; not in the future), ``id`` (the incident's id where it was
exported) and ``updated_at`` (when it last changed there: bookkeeping, read and ignored). Any
other column is an error, so a misspelt header is caught instead of silently ignored.

Every row is checked with the form's rules (``console.model.incidents.incident_from_fields``); an
error names the line and the column. A status past verifying needs a watch officer, as the
workflow does (``console.store.incidents.IMPORT_STATUS_PERMISSION``).

Idempotence: an incident with an ``id`` keeps it when no incident has it here, and is already
present (left as it is, counted) when the incident of that id here, or failing that any
incident, has the same time, governorate, category and description. So an export imports back
into a fresh database to the same records, ids included, and importing it again changes
nothing. A row without an id is a new report each time it is imported.

The inbox writes a file in its one transaction: every incident with its journal row, or none.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from console.model.access import Actor
from console.model.incidents import INCIDENT_FIELDS, Incident, IncidentStatus, incident_from_fields
from console.sanitize import clean_line
from feeds.importers.columns import (
    is_csv,
    named_fields,
    read_for_import,
    record_id_of,
    set_aside_bad_rows,
)
from feeds.importers.base import Importer, ImportContext, RowErrors
from feeds.readers import Row

if TYPE_CHECKING:
    from console.store import Store
    from console.store.database import Connection

KIND = "incidents"
ALIASES = {"occurred_at": "when", "time": "when", "lat": "latitude", "lon": "longitude",
           "lng": "longitude", "grid": "grid_ref", "cell": "assigned_cell", "party": "alleged_party",
           "marking": "releasability"}
#: The form's fields, then the columns of ``cmcc export incidents`` beyond them.
COLUMNS = (*INCIDENT_FIELDS, "dtg", "grading", "status", "acknowledged_by", "acknowledged_at", "id", "updated_at")
#: The columns beyond the form's: read and checked here (``updated_at`` only read: bookkeeping).
EXPORT_COLUMNS = COLUMNS[len(INCIDENT_FIELDS):]
_GRADING = re.compile(r"([A-F])([1-6])")


@dataclass(frozen=True)
class CheckedRow:
    row: Row
    incident: Incident | None
    problems: tuple[tuple[str, str], ...]  # (column, message)


def check_incident_row(row: Row, *, from_csv: bool = False) -> CheckedRow:
    """One row checked on its own (no I/O): its incident, or its problems by column."""
    from console.dtg import format_dtg, parse_when
    from console.model.incidents import check_not_future

    fields, problems = named_fields(row, COLUMNS, ALIASES, from_csv=from_csv)
    if problems:
        return CheckedRow(row, None, tuple(problems))
    text = {name: str(fields.pop(name, "") or "").strip() for name in EXPORT_COLUMNS}
    if not str(fields.get("when") or "").strip():
        if not text["dtg"]:
            return CheckedRow(row, None, (("when", "missing (now, DDHHMMZ, DDHHMMZ MON YY or ISO 8601)"),))
        fields["when"], text["dtg"] = text["dtg"], ""
    if grading := text["grading"].upper():
        match = _GRADING.fullmatch(grading)
        if match is None:
            problems.append(("grading", f"{clean_line(grading, max_chars=20)!r} is not a grading: a letter A-F"
                                        " (reliability) and a digit 1-6 (credibility), e.g. B2"))
        else:
            for name, value in (("reliability", match[1]), ("credibility", match[2])):
                given = str(fields.get(name) or "").strip().upper()
                if not given:
                    fields[name] = value
                elif given != value:
                    problems.append(("grading", f"{grading} does not agree with {name}"
                                                f" {clean_line(given, max_chars=20)}"))
    status = IncidentStatus.REPORTED
    if text["status"]:
        try:
            status = IncidentStatus.parse(text["status"])
        except ValueError:
            problems.append(("status", f"{clean_line(text['status'], max_chars=30)!r} is not one of:"
                                       f" {', '.join(s.value for s in IncidentStatus)}"))
    record_id, problem = record_id_of(text["id"])
    if problem:
        problems.append(("id", problem))
    by, acknowledged_at = clean_line(text["acknowledged_by"], max_chars=64), None
    if text["acknowledged_at"]:
        try:
            acknowledged_at = parse_when(text["acknowledged_at"])
        except ValueError as error:
            problems.append(("acknowledged_at", str(error)))
        else:
            if future := check_not_future(acknowledged_at):
                problems.append(("acknowledged_at", future))
            elif not by:
                problems.append(("acknowledged_by", "missing: who acknowledged it (acknowledged_at is given)"))
    elif by:
        problems.append(("acknowledged_at", "missing: when it was acknowledged (acknowledged_by is given)"))
    incident, errors = incident_from_fields(fields)
    problems += errors.items()
    if incident is not None and text["dtg"]:
        try:
            named = parse_when(text["dtg"], incident.occurred_at)
        except ValueError as error:
            problems.append(("dtg", str(error)))
        else:
            if named != incident.occurred_at.replace(second=0, microsecond=0):
                problems.append(("dtg", f"{clean_line(text['dtg'], max_chars=30)} is not the time given in when"
                                        f" ({format_dtg(incident.occurred_at)})"))
    if problems:
        return CheckedRow(row, None, tuple(sorted(problems, key=_column_order)))
    assert incident is not None
    return CheckedRow(row, replace(incident, id=record_id, status=status, acknowledged_by=by,
                                   acknowledged_at=acknowledged_at), ())


def _column_order(problem: tuple[str, str]) -> int:
    return COLUMNS.index(problem[0]) if problem[0] in COLUMNS else len(COLUMNS)


def validate_incidents(rows: list[Row], context: ImportContext, errors: RowErrors) -> list[Incident]:
    incidents: list[Incident] = []
    for row in rows:
        result = check_incident_row(row, from_csv=is_csv(context.file_name))
        for column, message in result.problems:
            errors.add(row.where, column, message)
        if result.incident is not None:
            incidents.append(result.incident)
    return incidents


async def write_incidents(store: Store, conn: Connection, actor: Actor, incidents: list[Incident]) -> int:
    return len((await store.incidents.import_in(conn, actor, incidents)).inserted)


IMPORTER = Importer(KIND, validate_incidents, write_incidents, columns=COLUMNS, aliases=ALIASES)


# --- cmcc import incidents ----------------------------------------------------------------


async def import_text(store: Store, actor: Actor, path: Path, text: str, *, skip_invalid: bool = False,
                      reject_file: Path | None = None, out: TextIO | None = None,
                      err: TextIO | None = None) -> int:
    """``cmcc import incidents``: the aid import's rules (see ``feeds.importers.aid.import_text``).

    Every bad row is one line on ``err`` (``file: line N: column: message``); nothing is written
    unless every row is good, or, with ``skip_invalid``, the good rows are imported and the bad
    ones written with an ``error`` column to the reject file. Returns the exit status.

    A file whose every incident has an id is written in short transactions (importing it again
    changes nothing, so one stopped midway is finished by running it again); otherwise in one.
    """
    from console.model.access import Permission
    from console.store.batches import write_in_batches
    from console.store.guard import require

    out, err = out or sys.stdout, err or sys.stderr
    require(actor, Permission.CREATE, "import incidents")
    rows = read_for_import(path, text, err, COLUMNS, ALIASES)
    if rows is None:
        return 1
    checked = [check_incident_row(row, from_csv=is_csv(path.name)) for row in rows]
    set_aside = set_aside_bad_rows(path, text, checked, skip_invalid=skip_invalid, reject_file=reject_file, err=err)
    if set_aside is None:
        return 1
    bad, reject_file = set_aside
    incidents = [c.incident for c in checked if c.incident is not None]
    if all(i.id is not None for i in incidents):
        outcomes = await write_in_batches(store.database, actor, incidents, store.incidents.import_in)
    else:
        async with store.database.write(actor) as (conn, acting):
            outcomes = [await store.incidents.import_in(conn, acting, incidents)]
    inserted = sum(len(o.inserted) for o in outcomes)
    summary = f"{inserted} imported, {sum(o.already_present for o in outcomes)} already present"
    if bad:
        summary += f", {len(bad)} invalid rows written to {reject_file}"
    print(summary, file=out)
    return 0
