"""The incidents import: cease-fire incidents from CSV, NDJSON or JSON (``incidents-*.csv`` in the inbox).

Columns (header names, any case), the same fields as the incident form:
``when`` (now, 251036Z, 251036Z NOV 26 or ISO 8601; ``occurred_at``, ``dtg`` and ``time`` are
accepted too), ``governorate`` and ``category`` and ``description`` and ``severity`` (required),
``locality``, ``latitude``/``longitude`` (``lat``/``lon``), ``grid_ref``, ``killed``, ``injured``
(empty = unknown), ``alleged_party``, ``source``, ``source_type``, ``reliability`` (A-F),
``credibility`` (1-6), ``assigned_cell``, ``releasability``. Any other column is an error, so a
misspelt header is caught instead of silently ignored.

Every row is checked with the form's rules (``console.validation.incident_from_fields``); an
error names the line and the column. All rows are written in the inbox's one transaction:
every incident with its journal row, or none.
"""

from __future__ import annotations

from console.domain import Actor, Incident
from console.validation import INCIDENT_FIELDS, incident_from_fields
from feeds.inbox import Importer, ImportContext, Row, RowErrors, register

KIND = "incidents"
ALIASES = {"occurred_at": "when", "dtg": "when", "time": "when", "lat": "latitude", "lon": "longitude",
           "lng": "longitude", "grid": "grid_ref", "cell": "assigned_cell", "party": "alleged_party",
           "marking": "releasability"}


def validate_incidents(rows: list[Row], context: ImportContext, errors: RowErrors) -> list[Incident]:
    incidents: list[Incident] = []
    for row in rows:
        fields: dict[str, object] = {}
        bad = False
        for column, value in row.fields.items():
            name = str(column).strip().lower().replace(" ", "_")
            name = ALIASES.get(name, name)
            if name not in INCIDENT_FIELDS:
                errors.add(row.where, str(column)[:40], f"unknown column (known: {', '.join(INCIDENT_FIELDS)})")
                bad = True
            elif name in fields:
                errors.add(row.where, name, "given twice (once under another name)")
                bad = True
            elif isinstance(value, (dict, list, bool)):
                errors.add(row.where, name, "must be text or a number")
                bad = True
            else:
                fields[name] = value
        if bad:
            continue
        if not str(fields.get("when") or "").strip():
            errors.add(row.where, "when", "missing (now, DDHHMMZ, DDHHMMZ MON YY or ISO 8601)")
            continue
        incident, problems = incident_from_fields(fields)
        for name in sorted(problems, key=lambda n: INCIDENT_FIELDS.index(n) if n in INCIDENT_FIELDS else 99):
            errors.add(row.where, name, problems[name])
        if incident is not None:
            incidents.append(incident)
    return incidents


async def write_incidents(store, conn, actor: Actor, incidents: list[Incident]) -> int:
    return len(await store.incidents.insert_in(conn, actor, incidents))


register(Importer(KIND, validate_incidents, write_incidents))
