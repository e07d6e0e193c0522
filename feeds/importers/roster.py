"""The roster import: liaison officers from CSV, NDJSON or JSON (``roster-*.csv`` in the inbox,
or ``cmcc import roster FILE``).

Columns (header names, any case): ``partner`` (the partner's code, required), ``name``
(required), ``rank``, ``service``, ``service_number``, ``cell``, ``role``, ``contact``,
``shift`` (day/night/other), ``rotation_start`` and ``rotation_end`` (YYYY-MM-DD),
``presence`` (on floor/away/off shift), ``releasability``. ``partner_code`` is accepted for
``partner``, ``id`` for ``service_number``. These are the columns ``cmcc export roster`` writes,
so the roster imports back to the same officers. Any other column is an error, so a misspelt
header is caught instead of silently ignored.

Every row is checked with the same rules as the officer form (``officer_from_fields``); an
error names the line and the column (``line 4: shift: 'evening' is not one of: ...``).

Idempotence: an officer already on the roster is found by partner + ``service_number`` when
the row gives one, else by partner + name (case-insensitive). A found officer is updated
where the row differs and left alone where it does not, so importing the same roster twice
creates nobody twice and writes no journal rows the second time. Presence is only changed
when the row has a ``presence`` value. The same key twice in one file is an error.
"""

from __future__ import annotations

import sys
from collections.abc import Collection
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from console.model.access import Actor
from console.model.partners import Officer
from console.dtg import utc_now
from console.sanitize import clean_line
from feeds.importers.columns import (
    is_csv,
    named_fields,
    read_for_import,
    set_aside_bad_rows,
)
from feeds.importers.base import Importer, ImportContext, RowErrors
from feeds.readers import Row

if TYPE_CHECKING:
    from console.store import Store
    from console.store.database import Connection

KIND = "roster"
COLUMNS = ("partner", "rank", "name", "service", "service_number", "cell", "role", "contact", "shift",
           "rotation_start", "rotation_end", "presence", "releasability")
ALIASES = {"partner_code": "partner", "id": "service_number", "service_no": "service_number"}


@dataclass(frozen=True)
class RosterRecord:
    where: str
    officer: Officer

    @property
    def key(self) -> tuple[str, str, str]:
        officer = self.officer
        if officer.service_number:
            return (officer.partner_code, "number", officer.service_number.lower())
        return (officer.partner_code, "name", officer.name.lower())


@dataclass(frozen=True)
class CheckedRow:
    row: Row
    record: RosterRecord | None
    problems: tuple[tuple[str, str], ...]  # (column, message)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_roster_rows(rows: list[Row], partner_codes: Collection[str] | None = None, *,
                      from_csv: bool = False) -> list[CheckedRow]:
    """Every row checked (no I/O). ``partner_codes`` None: partners are checked at write time.
    ``from_csv``: the rows are a CSV file's (a cell an export quoted for spreadsheets is unquoted)."""
    from console.model.partners import officer_from_fields

    checked: list[CheckedRow] = []
    seen: dict[tuple[str, str, str], str] = {}
    for row in rows:
        fields, problems = named_fields(row, COLUMNS, ALIASES, from_csv=from_csv)
        record = None
        if not problems:
            code = clean_line(fields.get("partner", ""), max_chars=40).upper()  # cleaned as the form cleans it
            codes = partner_codes if partner_codes is not None else ([code] if code else [])
            officer, errors = officer_from_fields(fields, codes)
            problems = [(name, errors[name]) for name in sorted(errors, key=COLUMNS.index)]
            if officer is not None:
                if "presence" in fields and str(fields["presence"]).strip():
                    # a stamp tells the store that this row sets presence (a missing column keeps it)
                    officer = replace(officer, presence_changed_at=utc_now())
                record = RosterRecord(row.where, officer)
                if record.key in seen:
                    what = "service_number" if officer.service_number else "name"
                    problems.append((what, f"the same officer is already on {seen[record.key]}"))
                else:
                    seen[record.key] = row.where
        checked.append(CheckedRow(row, record if not problems else None, tuple(problems)))
    return checked


def validate_roster_rows(rows: list[Row], errors: RowErrors,
                         partner_codes: Collection[str] | None = None, *,
                         from_csv: bool = False) -> list[RosterRecord]:
    """Check every row, adding each problem to ``errors``; return the good ones."""
    records = []
    for result in check_roster_rows(rows, partner_codes, from_csv=from_csv):
        for column, message in result.problems:
            errors.add(result.row.where, column, message)
        if result.record is not None:
            records.append(result.record)
    return records


def validate_roster(rows: list[Row], context: ImportContext, errors: RowErrors) -> list[RosterRecord]:
    return validate_roster_rows(rows, errors, from_csv=is_csv(context.file_name))


async def unknown_partners(store: Store, records: list[RosterRecord]) -> list[str]:
    """Errors for rows whose partner is not in the database, by line."""
    codes = set(await store.partners.partner_codes())
    return [f"{r.where}: partner: {r.officer.partner_code!r} is not a partner of the center"
            for r in records if r.officer.partner_code not in codes]


async def write_roster(store: Store, conn: Connection, actor: Actor, records: list[RosterRecord]) -> int:
    """Inside the inbox's transaction (the partners were checked before: ``unknown_partners``)."""
    counts = await store.partners.upsert_officers_in(conn, actor, [r.officer for r in records])
    return counts.written


IMPORTER = Importer(KIND, validate_roster, write_roster, check=unknown_partners, idempotent=True, columns=COLUMNS,
                    aliases=ALIASES)


# --- cmcc import roster -----------------------------------------------------------------


async def import_text(store: Store, actor: Actor, path: Path, text: str, *, skip_invalid: bool = False,
                      reject_file: Path | None = None, out: TextIO | None = None,
                      err: TextIO | None = None) -> int:
    """``cmcc import roster``: the aid import's rules (see ``feeds.importers.aid.import_text``).

    Every bad row is one line on ``err`` (``file: line N: column: message``); nothing is written
    unless every row is good, or, with ``skip_invalid``, the good rows are imported and the bad
    ones written with an ``error`` column to the reject file. Returns the exit status.
    """
    from console.model.access import Permission
    from console.store.guard import require

    out, err = out or sys.stdout, err or sys.stderr
    require(actor, Permission.CREATE, "import the roster")
    rows = read_for_import(path, text, err, COLUMNS, ALIASES)
    if rows is None:
        return 1
    checked = check_roster_rows(rows, await store.partners.partner_codes(), from_csv=is_csv(path.name))
    set_aside = set_aside_bad_rows(path, text, checked, skip_invalid=skip_invalid, reject_file=reject_file, err=err)
    if set_aside is None:
        return 1
    bad, reject_file = set_aside
    counts = await store.partners.import_officers(actor, [c.record.officer for c in checked if c.record])
    summary = f"{counts.created} added, {counts.updated} updated, {counts.unchanged} already up to date"
    if bad:
        summary += f", {len(bad)} invalid rows written to {reject_file}"
    print(summary, file=out)
    return 0
