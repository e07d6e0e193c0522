"""The roster import: liaison officers from CSV, NDJSON or JSON (``roster-*.csv`` in the inbox,
or ``cmcc import roster FILE``).

Columns (header names, any case): ``partner`` (the partner's code, required), ``name``
(required), ``rank``, ``service``, ``service_number``, ``cell``, ``role``, ``contact``,
``shift`` (day/night/other), ``rotation_start`` and ``rotation_end`` (YYYY-MM-DD),
``presence`` (on floor/away/off shift), ``releasability``. ``partner_code`` is accepted for
``partner``, ``id`` for ``service_number``. Any other column is an error, so a misspelt
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

from collections.abc import Collection
from dataclasses import dataclass, replace

from console.domain import Actor, Officer
from console.dtg import utc_now
from feeds.inbox import Importer, ImportContext, Rejected, Row, RowErrors, register

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


def _fields(row: Row, errors: RowErrors) -> dict[str, object] | None:
    fields: dict[str, object] = {}
    ok = True
    for column, value in row.fields.items():
        name = ALIASES.get(str(column).strip().lower(), str(column).strip().lower())
        if name not in COLUMNS:
            errors.add(row.where, str(column)[:40], f"unknown column (known: {', '.join(COLUMNS)})")
            ok = False
            continue
        if name in fields:
            errors.add(row.where, name, "given twice (once under another name)")
            ok = False
            continue
        if value is None:
            continue
        fields[name] = value
    return fields if ok else None


def validate_roster_rows(rows: list[Row], errors: RowErrors,
                         partner_codes: Collection[str] | None = None) -> list[RosterRecord]:
    """Check every row; return the good ones. ``partner_codes`` None: partners are checked at write time."""
    from console.store.partners import officer_from_fields

    records: list[RosterRecord] = []
    seen: dict[tuple[str, str, str], str] = {}
    for row in rows:
        fields = _fields(row, errors)
        if fields is None:
            continue
        code = str(fields.get("partner", "")).strip().upper()
        codes = partner_codes if partner_codes is not None else ([code] if code else [])
        officer, problems = officer_from_fields(fields, codes)
        for field_name in sorted(problems, key=COLUMNS.index):
            errors.add(row.where, field_name, problems[field_name])
        if officer is None:
            continue
        if "presence" in fields and str(fields["presence"]).strip():
            # a stamp tells the store that this row sets presence (a missing column keeps it)
            officer = replace(officer, presence_changed_at=utc_now())
        record = RosterRecord(row.where, officer)
        if record.key in seen:
            what = "service_number" if officer.service_number else "name"
            errors.add(row.where, what, f"the same officer is already on {seen[record.key]}")
            continue
        seen[record.key] = row.where
        records.append(record)
    return records


def validate_roster(rows: list[Row], context: ImportContext, errors: RowErrors) -> list[RosterRecord]:
    return validate_roster_rows(rows, errors)


async def unknown_partners(store, records: list[RosterRecord]) -> list[str]:
    """Errors for rows whose partner is not in the database, by line."""
    codes = set(await store.partners.partner_codes())
    return [f"{r.where}: partner: {r.officer.partner_code!r} is not a partner of the center"
            for r in records if r.officer.partner_code not in codes]


async def write_roster(store, conn, actor: Actor, records: list[RosterRecord]) -> int:
    """Inside the importer's one transaction: refuse the file if any partner is unknown, else upsert."""
    errors = await unknown_partners(store, records)
    if errors:
        raise Rejected(errors, KIND)
    counts = await store.partners.upsert_officers_in(conn, actor, [r.officer for r in records])
    return counts.written


register(Importer(KIND, validate_roster, write_roster))
