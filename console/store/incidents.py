"""Incidents, their notes, links and workflow.

Hot queries and their plans (SQLite 3.40, 100,000 incidents):

- newest page:  SELECT ... ORDER BY occurred_at DESC LIMIT ? OFFSET ?
  -> SCAN incidents USING INDEX incidents_occurred
- open, sev >= 3: WHERE status IN (...) AND severity >= ? ORDER BY occurred_at DESC
  -> SCAN incidents USING INDEX incidents_occurred (filters applied in the scan; the
     newest page fills after a few hundred rows)
- text filter:  WHERE id IN (SELECT rowid FROM incidents_fts WHERE incidents_fts MATCH ?)
  -> LIST SUBQUERY / SCAN incidents_fts VIRTUAL TABLE INDEX 0:M...
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta

from console.domain import (
    OPEN_INCIDENT_STATUSES,
    RELEASABLE_TO_ALL,
    Actor,
    Entity,
    Governorate,
    Incident,
    IncidentCategory,
    IncidentNote,
    IncidentStatus,
    Permission,
    Role,
    SourceType,
    StoreError,
    ValidationError,
    incident_transition,
)
from console.dtg import utc_now
from console.sanitize import clean_text
from console.store.database import Database
from console.store.fts import match_expression
from console.store.guard import check_version, require
from console.store.journal import record
from console.store.rows import from_iso, to_iso, visible_to
from console.validation import validate_incident

#: Columns an operator may sort by, and their SQL.
SORT_COLUMNS = {
    "occurred_at": "occurred_at",
    "severity": "severity",
    "category": "category",
    "place": "governorate, locality",
    "status": "status",
    "grading": "reliability, credibility",
}

#: Fields an edit may change (status, acknowledgement and ids have their own paths).
EDITABLE_FIELDS = (
    "occurred_at", "governorate", "locality", "latitude", "longitude", "grid_ref", "category",
    "description", "severity", "killed", "injured", "alleged_party", "source", "source_type",
    "reliability", "credibility", "assigned_cell", "releasability",
)


@dataclass(frozen=True)
class IncidentFilter:
    statuses: frozenset[IncidentStatus] = frozenset()
    min_severity: int = 1
    governorates: frozenset[Governorate] = frozenset()
    categories: frozenset[IncidentCategory] = frozenset()
    since: datetime | None = None
    text: str = ""
    sort: str = "occurred_at"
    descending: bool = True
    unacknowledged_only: bool = False

    @classmethod
    def open_incidents(cls, **kwargs) -> "IncidentFilter":
        return cls(statuses=frozenset(OPEN_INCIDENT_STATUSES), **kwargs)


@dataclass(frozen=True)
class IncidentSummary:
    by_status: dict[str, int] = field(default_factory=dict)
    by_severity: dict[int, int] = field(default_factory=dict)
    last_24h_by_governorate: dict[str, int] = field(default_factory=dict)
    unacknowledged_high: int = 0


def incident_from_row(row) -> Incident:
    return Incident(
        id=row["id"], occurred_at=from_iso(row["occurred_at"]), governorate=Governorate(row["governorate"]),
        locality=row["locality"], latitude=row["latitude"], longitude=row["longitude"],
        grid_ref=row["grid_ref"], category=IncidentCategory(row["category"]), description=row["description"],
        severity=row["severity"], killed=row["killed"], injured=row["injured"],
        alleged_party=row["alleged_party"], source=row["source"], source_type=SourceType(row["source_type"]),
        reliability=row["reliability"], credibility=row["credibility"], status=IncidentStatus(row["status"]),
        assigned_cell=row["assigned_cell"], acknowledged_by=row["acknowledged_by"],
        acknowledged_at=from_iso(row["acknowledged_at"]), releasability=row["releasability"],
        created_at=from_iso(row["created_at"]), updated_at=from_iso(row["updated_at"]), version=row["version"],
    )


def _column_values(incident: Incident) -> dict:
    values = {name: getattr(incident, name) for name in EDITABLE_FIELDS}
    values["occurred_at"] = to_iso(incident.occurred_at)
    for name in ("governorate", "category", "source_type"):
        values[name] = values[name].value
    return values


class IncidentRepository:
    def __init__(self, database: Database):
        self.database = database

    # --- reads ---------------------------------------------------------------

    def _where(self, actor: Actor, flt: IncidentFilter) -> tuple[str, dict]:
        clause, params = visible_to(actor)
        parts = [clause]
        if flt.statuses:
            names = sorted(s.value for s in flt.statuses)
            parts.append("status IN (%s)" % ",".join(f":st{i}" for i in range(len(names))))
            params.update({f"st{i}": n for i, n in enumerate(names)})
        if flt.min_severity > 1:
            parts.append("severity >= :min_severity")
            params["min_severity"] = flt.min_severity
        if flt.governorates:
            names = sorted(g.value for g in flt.governorates)
            parts.append("governorate IN (%s)" % ",".join(f":gv{i}" for i in range(len(names))))
            params.update({f"gv{i}": n for i, n in enumerate(names)})
        if flt.categories:
            names = sorted(c.value for c in flt.categories)
            parts.append("category IN (%s)" % ",".join(f":ct{i}" for i in range(len(names))))
            params.update({f"ct{i}": n for i, n in enumerate(names)})
        if flt.since is not None:
            parts.append("occurred_at >= :since")
            params["since"] = to_iso(flt.since)
        if flt.unacknowledged_only:
            parts.append("acknowledged_at IS NULL")
        expression = match_expression(flt.text)
        if expression:
            parts.append("id IN (SELECT rowid FROM incidents_fts WHERE incidents_fts MATCH :fts)")
            params["fts"] = expression
        return " AND ".join(parts), params

    async def page(self, actor: Actor, flt: IncidentFilter = IncidentFilter(), *, offset: int = 0,
                   limit: int = 200) -> list[Incident]:
        where, params = self._where(actor, flt)
        direction = "DESC" if flt.descending else "ASC"
        order = ", ".join(f"{c.strip()} {direction}" for c in SORT_COLUMNS.get(flt.sort, "occurred_at").split(","))
        params.update(limit=limit, offset=offset)
        rows = await self.database.fetchall(
            f"SELECT * FROM incidents WHERE {where} ORDER BY {order}, id {direction} LIMIT :limit OFFSET :offset",
            params,
        )
        return [incident_from_row(r) for r in rows]

    async def count(self, actor: Actor, flt: IncidentFilter = IncidentFilter()) -> int:
        where, params = self._where(actor, flt)
        return int(await self.database.scalar(f"SELECT count(*) FROM incidents WHERE {where}", params))

    async def get(self, actor: Actor, incident_id: int) -> Incident | None:
        clause, params = visible_to(actor)
        params["id"] = incident_id
        row = await self.database.fetchone(f"SELECT * FROM incidents WHERE id = :id AND {clause}", params)
        return incident_from_row(row) if row else None

    async def notes(self, actor: Actor, incident_id: int) -> list[IncidentNote]:
        clause, params = visible_to(actor)
        params["id"] = incident_id
        rows = await self.database.fetchall(
            f"SELECT * FROM incident_notes WHERE incident_id = :id AND {clause} ORDER BY id", params)
        return [IncidentNote(incident_id=r["incident_id"], text=r["text"], author=r["author"],
                             created_at=from_iso(r["created_at"]), releasability=r["releasability"], id=r["id"])
                for r in rows]

    async def links(self, incident_id: int) -> list[dict]:
        rows = await self.database.fetchall(
            "SELECT other_kind, other_id, relation, created_by, created_at FROM incident_links"
            " WHERE incident_id = ? ORDER BY id", (incident_id,))
        return [dict(r) for r in rows]

    async def summary(self, actor: Actor, now: datetime | None = None) -> IncidentSummary:
        clause, params = visible_to(actor)
        by_status = {r[0]: r[1] for r in await self.database.fetchall(
            f"SELECT status, count(*) FROM incidents WHERE {clause} GROUP BY status", params)}
        open_names = ",".join(f"'{s.value}'" for s in OPEN_INCIDENT_STATUSES)
        by_severity = {r[0]: r[1] for r in await self.database.fetchall(
            f"SELECT severity, count(*) FROM incidents WHERE {clause} AND status IN ({open_names})"
            " GROUP BY severity", params)}
        since = to_iso((now or utc_now()).replace(microsecond=0) - timedelta(hours=24))
        by_gov = {r[0]: r[1] for r in await self.database.fetchall(
            f"SELECT governorate, count(*) FROM incidents WHERE {clause} AND occurred_at >= :since"
            " GROUP BY governorate", {**params, "since": since})}
        high = await self.database.scalar(
            f"SELECT count(*) FROM incidents WHERE {clause} AND acknowledged_at IS NULL AND severity >= 4"
            f" AND status IN ({open_names})", params)
        return IncidentSummary(by_status, by_severity, by_gov, int(high))

    # --- writes --------------------------------------------------------------

    async def create(self, actor: Actor, incident: Incident) -> Incident:
        require(actor, Permission.CREATE, "report incidents")
        cleaned, errors = validate_incident(incident)
        if errors:
            raise ValidationError(errors)
        now = utc_now()
        values = _column_values(cleaned)
        values.update(status=IncidentStatus.REPORTED.value, created_at=to_iso(now), updated_at=to_iso(now))
        columns = ", ".join(values)
        async with self.database.transaction() as conn:
            cursor = await conn.execute(
                f"INSERT INTO incidents ({columns}) VALUES ({', '.join(':' + c for c in values)})", values)
            new_id = cursor.lastrowid
            await conn.execute("INSERT INTO incidents_fts (rowid, description, notes) VALUES (?, ?, '')",
                               (new_id, cleaned.description))
            await record(conn, actor, Entity.INCIDENT, new_id, "create", values)
        return replace(cleaned, id=new_id, status=IncidentStatus.REPORTED, created_at=now, updated_at=now)

    async def _locked_current(self, conn, actor: Actor, incident_id: int) -> Incident:
        clause, params = visible_to(actor)
        params["id"] = incident_id
        async with conn.execute(f"SELECT * FROM incidents WHERE id = :id AND {clause}", params) as cursor:
            cursor.row_factory = sqlite3.Row
            row = await cursor.fetchone()
        if row is None:
            raise StoreError(f"incident {incident_id} does not exist or is not releasable to you")
        return incident_from_row(row)

    async def update(self, actor: Actor, incident: Incident, expected_version: int | None = None) -> Incident:
        """Save edited fields. Refused if someone saved the incident since ``expected_version``."""
        require(actor, Permission.EDIT, "edit incidents")
        cleaned, errors = validate_incident(incident)
        if errors:
            raise ValidationError(errors)
        async with self.database.transaction() as conn:
            current = await self._locked_current(conn, actor, incident.id)
            check_version("incident", incident.id, expected_version, current.version)
            old, new = _column_values(current), _column_values(cleaned)
            changed = {k: [old[k], new[k]] for k in EDITABLE_FIELDS if old[k] != new[k]}
            if "releasability" in changed:
                self._check_widening(actor, current, new["releasability"])
            if not changed:
                return current
            now = to_iso(utc_now())
            assignments = ", ".join(f"{k} = :{k}" for k in changed)
            await conn.execute(
                f"UPDATE incidents SET {assignments}, updated_at = :now, version = version + 1 WHERE id = :id",
                {**{k: v[1] for k, v in changed.items()}, "now": now, "id": incident.id})
            if "description" in changed:
                await self._reindex(conn, incident.id)
            await record(conn, actor, Entity.INCIDENT, incident.id, "edit", changed)
        return replace(cleaned, version=current.version + 1)

    @staticmethod
    def _check_widening(actor: Actor, current: Incident, new_marking: str) -> None:
        old = set(current.releasability.split(","))
        new = set(new_marking.split(","))
        widened = new_marking == RELEASABLE_TO_ALL and current.releasability != RELEASABLE_TO_ALL or not new <= old
        if widened and actor.role < Role.WATCH_OFFICER and actor.nation not in old:
            raise StoreError("only the originating nation or a watch officer may widen a releasability marking")

    async def transition(self, actor: Actor, incident_id: int, target: IncidentStatus, note: str = "",
                         expected_version: int | None = None) -> Incident:
        note = clean_text(note)
        async with self.database.transaction() as conn:
            current = await self._locked_current(conn, actor, incident_id)
            check_version("incident", incident_id, expected_version, current.version)
            try:
                rule = incident_transition(current.status, target)
            except ValueError as error:
                raise StoreError(str(error)) from None
            require(actor, rule.permission, f"move an incident to {target.value}")
            if rule.needs_note and not note:
                raise ValidationError({"note": f"moving to {target.value} needs a note saying why"})
            now = to_iso(utc_now())
            await conn.execute(
                "UPDATE incidents SET status = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                (target.value, now, incident_id))
            changes = {"status": [current.status.value, target.value]}
            if note:
                await self._insert_note(conn, actor, incident_id, note)
                changes["note"] = note
            await record(conn, actor, Entity.INCIDENT, incident_id, "transition", changes)
        return replace(current, status=target, version=current.version + 1)

    async def acknowledge(self, actor: Actor, incident_id: int) -> None:
        require(actor, Permission.EDIT, "acknowledge incidents")
        async with self.database.transaction() as conn:
            current = await self._locked_current(conn, actor, incident_id)
            if current.acknowledged_at is not None:
                return
            now = to_iso(utc_now())
            await conn.execute(
                "UPDATE incidents SET acknowledged_by = ?, acknowledged_at = ?, version = version + 1"
                " WHERE id = ?", (actor.login, now, incident_id))
            await record(conn, actor, Entity.INCIDENT, incident_id, "acknowledge", {"by": actor.login})

    async def add_note(self, actor: Actor, incident_id: int, text: str,
                       releasability: str = RELEASABLE_TO_ALL) -> int:
        require(actor, Permission.EDIT, "add notes")
        text = clean_text(text)
        if not text:
            raise ValidationError({"note": "a note cannot be empty"})
        async with self.database.transaction() as conn:
            await self._locked_current(conn, actor, incident_id)
            note_id = await self._insert_note(conn, actor, incident_id, text, releasability)
            await record(conn, actor, Entity.INCIDENT, incident_id, "note", {"note": text, "note_id": note_id})
        return note_id

    async def link(self, actor: Actor, incident_id: int, other_kind: str, other_id: int,
                   relation: str = "relates") -> None:
        require(actor, Permission.EDIT, "link incidents")
        if other_kind == "incident" and other_id == incident_id:
            raise ValidationError({"link": "an incident cannot corroborate itself"})
        async with self.database.transaction() as conn:
            await self._locked_current(conn, actor, incident_id)
            table = "incidents" if other_kind == "incident" else "headlines"
            async with conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (other_id,)) as cursor:
                if await cursor.fetchone() is None:
                    raise ValidationError({"link": f"there is no {other_kind} {other_id}"})
            await conn.execute(
                "INSERT OR REPLACE INTO incident_links (incident_id, other_kind, other_id, relation, created_by,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (incident_id, other_kind, other_id, relation, actor.login, to_iso(utc_now())))
            await conn.execute("UPDATE incidents SET version = version + 1 WHERE id = ?", (incident_id,))
            await record(conn, actor, Entity.INCIDENT, incident_id, "link",
                         {"kind": other_kind, "other_id": other_id, "relation": relation})

    async def _insert_note(self, conn, actor: Actor, incident_id: int, text: str,
                           releasability: str = RELEASABLE_TO_ALL) -> int:
        cursor = await conn.execute(
            "INSERT INTO incident_notes (incident_id, text, author, created_at, releasability)"
            " VALUES (?, ?, ?, ?, ?)", (incident_id, text, actor.login, to_iso(utc_now()), releasability))
        await self._reindex(conn, incident_id)
        return int(cursor.lastrowid)

    @staticmethod
    async def _reindex(conn, incident_id: int) -> None:
        """Rewrite the incident's full-text row from its description and notes."""
        await conn.execute("DELETE FROM incidents_fts WHERE rowid = ?", (incident_id,))
        await conn.execute(
            "INSERT INTO incidents_fts (rowid, description, notes) SELECT id, description,"
            " (SELECT coalesce(group_concat(text, ' '), '') FROM incident_notes WHERE incident_id = incidents.id)"
            " FROM incidents WHERE id = ?", (incident_id,))


def incident_as_dict(incident: Incident) -> dict:
    data = asdict(incident)
    for key, value in list(data.items()):
        if hasattr(value, "isoformat"):
            data[key] = value.isoformat()
        elif hasattr(value, "value"):
            data[key] = value.value
    return data
