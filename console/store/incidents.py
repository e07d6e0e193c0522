"""Incidents, their notes, links and workflow.

The pane reads a window of rows at a time (``page``: LIMIT/OFFSET in the
operator's sort order); nothing here loads the whole table. Sorting is done
in SQL, always in one direction for every key (``severity DESC, occurred_at
DESC, id DESC``), so each sort key is served by one ascending index scanned
forwards or backwards (migration 003), never by a temporary B-tree.

Hot queries and their plans (SQLite 3.40, 100,000 incidents, read as a DEU
operator so the releasability check is in every query; ``python
bench/bench_incidents.py --compare`` prints these and the timings):

- newest page: ... ORDER BY occurred_at DESC, id DESC LIMIT 200 OFFSET ?
  -> SCAN incidents USING INDEX incidents_sort_occurred (backwards, no sort step): ~3 ms
- sort by severity/category/place/status/grading:
  ... ORDER BY <key> DESC, occurred_at DESC, id DESC
  -> SCAN incidents USING INDEX incidents_sort_<key>: ~3 ms. With the indexes of
  001 alone each was a temporary B-tree over the whole table: 26-73 ms per page.
- deep pages: OFFSET walks the index and checks each skipped row's marking.
  With 003's indexes that read every skipped row from the table: ~20 ms at
  offset 10,000, ~160 ms at 99,800. Migration 008 puts ``id, releasability``
  at the end of every sort index, so skipped rows are judged from the index
  alone (the table row is read only for the 200 shown): ~9 ms at 99,800.
- summary: counts per (marking, status, severity) from a covering scan of
  incidents_counts, then only the markings the actor may see: ~10 ms (a per-row
  releasability check over the table took ~180 ms per GROUP BY). The 24 h
  count by governorate is a range on incidents_governorate; the unacknowledged
  sev 4-5 list uses the small partial index incidents_unacked. Opening the
  pane (page + count + summary): ~25 ms, was ~400 ms.
- match count: SCAN USING COVERING INDEX incidents_counts: ~6 ms (~20 ms before).
- "open, unacknowledged": ``+status`` keeps the planner on incidents_unacked
  (~7 ms); otherwise it chose the status index and read 75,000 rows (~250 ms).
- "open, sev >= 3, last 24h": SEARCH incidents_sort_occurred (occurred_at>?): ~6 ms.
- text filter, page: +id IN (SELECT rowid FROM incidents_fts WHERE incidents_fts MATCH ?)
  -> SCAN incidents USING INDEX incidents_sort_<key> + LIST SUBQUERY 1 (the matches as
  a list to test, the walk stops at LIMIT): ~5 ms for 18,000 matches, ~15 ms for
  none (the whole index is walked). Without "+" the planner read every match and
  sorted them in a temporary B-tree: ~22 ms for 18,000 matches.
- text filter, count: id IN (...) -> the matches by rowid: 0.1-19 ms (0-18,700 matches).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator, Sequence
from dataclasses import asdict, replace
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from console.model.access import RELEASABLE_TO_ALL, Actor, Permission, may_widen, widens
from console.model.errors import PermissionDenied, ValidationError
from console.model.incidents import (
    IMPORT_STATUS_PERMISSION,
    Ageing,
    INCIDENT_TRANSITIONS,
    LINK_KINDS,
    LINK_RELATIONS,
    OPEN_INCIDENT_STATUSES,
    PROMOTED_FROM,
    Governorate,
    ImportOutcome,
    Incident,
    IncidentCategory,
    IncidentFilter,
    IncidentLink,
    IncidentNote,
    IncidentStatus,
    IncidentSummary,
    SourceType,
    validate_incident,
)
from console.model.journal import Entity, JournalEntry
from console.dtg import utc_now
from console.sanitize import clean_text
from console.store.database import Database
from console.store.fts import match_expression
from console.store.guard import allowed_step, check_version, require
from console.store.journal import SELECT_COLUMNS, entry_from_row, record, record_many
from console.store.rows import (
    from_iso,
    inserted_id,
    moment_of,
    origin_of,
    saved_id,
    to_iso,
    value_in,
    visible_row_in,
    visible_to,
)

#: Columns an operator may sort by, and their SQL (each backed by an index of 003).
SORT_COLUMNS = {
    "occurred_at": "occurred_at",
    "severity": "severity, occurred_at",
    "category": "category, occurred_at",
    "place": "governorate, locality, occurred_at",
    "status": "status, occurred_at",
    "grading": "reliability, credibility, occurred_at",
}

#: Fields an edit may change (status, acknowledgement and ids have their own paths).
EDITABLE_FIELDS = (
    "occurred_at", "governorate", "locality", "latitude", "longitude", "grid_ref", "category",
    "description", "severity", "killed", "injured", "alleged_party", "source", "source_type",
    "reliability", "credibility", "assigned_cell", "releasability",
)

#: An incident read back from a file is the one recorded with these equal (``import_in``).
SAME_INCIDENT = ("occurred_at", "governorate", "category", "description")
# --- rows -------------------------------------------------------------------------


def incident_from_row(row: sqlite3.Row) -> Incident:
    return Incident(
        id=row["id"], occurred_at=moment_of(row["occurred_at"]), governorate=Governorate(row["governorate"]),
        locality=row["locality"], latitude=row["latitude"], longitude=row["longitude"],
        grid_ref=row["grid_ref"], category=IncidentCategory(row["category"]), description=row["description"],
        severity=row["severity"], killed=row["killed"], injured=row["injured"],
        alleged_party=row["alleged_party"], source=row["source"], source_type=SourceType(row["source_type"]),
        reliability=row["reliability"], credibility=row["credibility"], status=IncidentStatus(row["status"]),
        assigned_cell=row["assigned_cell"], acknowledged_by=row["acknowledged_by"],
        acknowledged_at=from_iso(row["acknowledged_at"]), releasability=row["releasability"],
        origin_nation=row["origin_nation"],
        created_at=from_iso(row["created_at"]), updated_at=from_iso(row["updated_at"]), version=row["version"],
    )


def _column_values(incident: Incident) -> dict[str, Any]:
    values = {name: getattr(incident, name) for name in EDITABLE_FIELDS}
    values["occurred_at"] = to_iso(incident.occurred_at)
    for name in ("governorate", "category", "source_type"):
        values[name] = values[name].value
    return values


def order_by(flt: IncidentFilter) -> str:
    direction = "DESC" if flt.descending else "ASC"
    columns = SORT_COLUMNS.get(flt.sort, "occurred_at").split(",")
    return ", ".join(f"{c.strip()} {direction}" for c in [*columns, "id"])


class IncidentRepository:
    def __init__(self, database: Database):
        self.database = database

    # --- reads ---------------------------------------------------------------

    def _where(self, actor: Actor, flt: IncidentFilter, *, for_page: bool = False) -> tuple[str, dict[str, Any]]:
        clause, params = visible_to(actor)
        parts = [clause]
        if flt.statuses:
            names = sorted(s.value for s in flt.statuses)
            # Unacknowledged: "+status" leaves the small partial index incidents_unacked as the best plan.
            column = "+status" if flt.unacknowledged_only else "status"
            parts.append(f"{column} IN (%s)" % ",".join(f":st{i}" for i in range(len(names))))
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
        since = flt.effective_since()
        if since is not None:
            parts.append("occurred_at >= :since")
            params["since"] = to_iso(since)
        if flt.unacknowledged_only:
            parts.append("acknowledged_at IS NULL")
        expression = match_expression(flt.text)
        if expression:
            # A page walks the sort index and stops at LIMIT ("+id": the matches are a list to test
            # against, not the rows to sort); a count reads the matches themselves.
            column = "+id" if for_page else "id"
            parts.append(f"{column} IN (SELECT rowid FROM incidents_fts WHERE incidents_fts MATCH :fts)")
            params["fts"] = expression
        return " AND ".join(parts), params

    def page_query(self, actor: Actor, flt: IncidentFilter, *, offset: int = 0,
                   limit: int = 200) -> tuple[str, dict[str, Any]]:
        """The SQL and parameters of one page (for ``page`` and for EXPLAIN QUERY PLAN in the bench)."""
        where, params = self._where(actor, flt, for_page=True)
        params.update(limit=limit, offset=offset)
        return f"SELECT * FROM incidents WHERE {where} ORDER BY {order_by(flt)} LIMIT :limit OFFSET :offset", params

    async def page(self, actor: Actor, flt: IncidentFilter = IncidentFilter(), *, offset: int = 0,
                   limit: int = 200) -> list[Incident]:
        sql, params = self.page_query(actor, flt, offset=offset, limit=limit)
        return [incident_from_row(r) for r in await self.database.fetchall(sql, params)]

    async def pages(self, actor: Actor, flt: IncidentFilter = IncidentFilter(), *,
                    size: int = 1000) -> AsyncIterator[list[Incident]]:
        """Every matching incident, one page at a time (exports: memory stays bounded)."""
        offset = 0
        while True:
            rows = await self.page(actor, flt, offset=offset, limit=size)
            if rows:
                yield rows
            if len(rows) < size:
                return
            offset += size

    async def next_unacknowledged_high_row(self, actor: Actor, flt: IncidentFilter, after_id: int, *,
                                           backwards: bool = False) -> int | None:
        """The row, in ``flt``'s view and order, of the first open unacknowledged severity 4-5 incident
        after incident ``after_id`` (before it, ``backwards``); None when there is none that way.
        Three short queries: the sort key of ``after_id``; the nearest such incident past it (the
        few unacknowledged rows, by their partial index); how many rows of the view come before it.
        ~10-30 ms on 100,000 incidents (a window numbering every row of the view took 250-800 ms)."""
        columns = ", ".join([*(c.strip() for c in SORT_COLUMNS.get(flt.sort, "occurred_at").split(",")), "id"])
        key = await self.database.fetchone(f"SELECT {columns} FROM incidents WHERE id = :id", {"id": after_id})
        if key is None:
            return None
        names = [f"k{i}" for i in range(len(key))]
        # Rows further down the list are "less" in a descending order, "greater" in an ascending one.
        later = "<" if flt.descending else ">"
        earlier = ">" if flt.descending else "<"
        where, params = self._where(actor, flt)
        open_names = ",".join(f"'{s.value}'" for s in sorted(OPEN_INCIDENT_STATUSES))
        found = await self.database.fetchone(
            f"SELECT {columns} FROM incidents WHERE {where} AND acknowledged_at IS NULL AND severity >= 4"
            f" AND +status IN ({open_names}) AND ({columns}) {earlier if backwards else later}"
            f" ({', '.join(':' + n for n in names)})"
            f" ORDER BY {order_by(replace(flt, descending=flt.descending != backwards))} LIMIT 1",
            {**params, **dict(zip(names, key))})
        if found is None:
            return None
        before = await self.database.fetchone(
            f"SELECT count(*) FROM incidents WHERE {where} AND ({columns}) {earlier}"
            f" ({', '.join(':' + n for n in names)})", {**params, **dict(zip(names, found))})
        return int(before[0]) if before else None

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
                             created_at=moment_of(r["created_at"]), releasability=r["releasability"], id=r["id"])
                for r in rows]

    async def links(self, incident_id: int) -> list[dict[str, Any]]:
        rows = await self.database.fetchall(
            "SELECT other_kind, other_id, relation, created_by, created_at FROM incident_links"
            " WHERE incident_id = ? ORDER BY id", (incident_id,))
        return [dict(r) for r in rows]

    async def corroborations(self, actor: Actor, incident_id: int) -> list[IncidentLink]:
        """Links this incident made, and links other incidents (visible to the actor) made to it."""
        clause, params = visible_to(actor, "i.releasability")
        params["id"] = incident_id
        rows = await self.database.fetchall(
            "SELECT other_kind, other_id, relation, created_by, created_at, 1 AS outgoing FROM incident_links"
            " WHERE incident_id = :id"
            " UNION ALL SELECT 'incident', l.incident_id, l.relation, l.created_by, l.created_at, 0"
            " FROM incident_links l JOIN incidents i ON i.id = l.incident_id"
            f" WHERE l.other_kind = 'incident' AND l.other_id = :id AND {clause}"
            " ORDER BY created_at", params)
        return [IncidentLink(r[0], r[1], r[2], r[3], moment_of(r[4]), bool(r[5])) for r in rows]

    async def timeline(self, actor: Actor, incident_id: int) -> list[JournalEntry]:
        """Every journal row about the incident, oldest first: who changed what, and when.

        The text of a note that is not releasable to the actor is replaced by a marker.
        """
        if await self.get(actor, incident_id) is None:
            return []
        rows = await self.database.fetchall(
            f"SELECT {SELECT_COLUMNS} FROM journal WHERE entity = ? AND entity_id = ? ORDER BY id",
            (Entity.INCIDENT.value, incident_id))
        visible_notes = {n.id for n in await self.notes(actor, incident_id)}
        entries = []
        for row in rows:
            entry = entry_from_row(row)
            note_id = entry.changes.get("note_id")
            if note_id is not None and note_id not in visible_notes:
                entry = replace(entry, changes={**entry.changes, "note": "(note not releasable to you)"})
            entries.append(entry)
        return entries

    @staticmethod
    def summary_queries(actor: Actor, now: datetime | None = None,
                        ageing: Ageing = Ageing()) -> dict[str, tuple[str, dict[str, Any]]]:
        """The summary strip's queries (for ``summary`` and for EXPLAIN QUERY PLAN in the bench)."""
        clause, params = visible_to(actor)
        open_names = ",".join(f"'{s.value}'" for s in sorted(OPEN_INCIDENT_STATUSES))
        now = (now or utc_now()).replace(microsecond=0)
        since = to_iso(now - timedelta(hours=24))
        ageing_params = {**params, "reported": to_iso(now - timedelta(hours=ageing.reported_hours)),
                         "verifying": to_iso(now - timedelta(hours=ageing.verifying_hours))}
        return {
            # Two ranges of the incidents_ageing index, one per status.
            "ageing": (f"SELECT count(*) FROM incidents WHERE {clause} AND ((status = 'reported' AND created_at <"
                       " :reported) OR (status = 'verifying' AND created_at < :verifying))", ageing_params),
            # Counted per marking first (a covering scan of incidents_counts, in index order), then
            # the markings the actor may see are kept: no per-row releasability check.
            "by_status_severity": (
                "SELECT status, severity, sum(n) FROM (SELECT releasability, status, severity, count(*) AS n"
                f" FROM incidents GROUP BY releasability, status, severity) WHERE {clause}"
                " GROUP BY status, severity", params),
            "last_24h": (f"SELECT governorate, count(*) FROM incidents WHERE {clause} AND occurred_at >= :since"
                         " GROUP BY governorate", {**params, "since": since}),
            # "+status": only the small partial index incidents_unacked can serve this.
            "unacknowledged_high": (f"SELECT id FROM incidents WHERE acknowledged_at IS NULL AND severity >= 4"
                                    f" AND {clause} AND +status IN ({open_names}) ORDER BY id DESC", params),
        }

    async def summary(self, actor: Actor, now: datetime | None = None, ageing: Ageing = Ageing()) -> IncidentSummary:
        queries = self.summary_queries(actor, now, ageing)
        fetch = self.database.fetchall
        # Asked together: the database thread runs them back to back instead of waiting, between
        # each, for a busy event loop to collect the last answer and ask the next question.
        counts, last_24h, unacknowledged, ageing_rows = await asyncio.gather(
            fetch(*queries["by_status_severity"]), fetch(*queries["last_24h"]),
            fetch(*queries["unacknowledged_high"]), fetch(*queries["ageing"]))
        by_status: dict[str, int] = {}
        by_severity: dict[int, int] = {}
        open_names = {s.value for s in OPEN_INCIDENT_STATUSES}
        for status, severity, count in counts:
            by_status[status] = by_status.get(status, 0) + count
            if status in open_names:
                by_severity[severity] = by_severity.get(severity, 0) + count
        by_gov = {r[0]: r[1] for r in last_24h}
        high = [r[0] for r in unacknowledged]
        return IncidentSummary(by_status, by_severity, by_gov, len(high), tuple(high[:200]),
                               ageing=int(ageing_rows[0][0]) if ageing_rows else 0)

    # --- writes --------------------------------------------------------------

    async def create(self, actor: Actor, incident: Incident, *, link_headline_id: int | None = None) -> Incident:
        """Report a new incident; with ``link_headline_id``, also link it to the headline it was
        promoted from, in the same transaction (both happen, or neither)."""
        cleaned, errors = validate_incident(incident)
        if errors:
            raise ValidationError(errors)
        async with self.database.write(actor) as (conn, actor):
            require(actor, Permission.CREATE, "report incidents")
            (created,) = await self._insert(conn, actor, [cleaned])
            if link_headline_id is not None:
                await self._insert_link(conn, actor, saved_id(created), "headline", link_headline_id, PROMOTED_FROM)
        return created

    async def insert_in(self, conn: aiosqlite.Connection, actor: Actor,
                        incidents: Sequence[Incident]) -> list[Incident]:
        """Create several incidents inside the caller's open transaction (the inbox imports a file in one)."""
        require(actor, Permission.CREATE, "report incidents")
        cleaned = []
        for number, incident in enumerate(incidents, start=1):
            checked, errors = validate_incident(incident)
            if errors:
                raise ValidationError({f"record {number} {k}": v for k, v in errors.items()})
            cleaned.append(checked)
        return await self._insert(conn, actor, cleaned)

    async def import_in(self, conn: aiosqlite.Connection, actor: Actor, incidents: Sequence[Incident]) -> ImportOutcome:
        """Incidents read back from a file (``cmcc import incidents``, the inbox), inside the caller's
        open transaction.

        Unlike a new report (``insert_in``), each keeps the status and the acknowledgement the file
        gives it, as the workflow would have them: a status past verifying needs a watch officer,
        verifying or an acknowledgement an operator (``IMPORT_STATUS_PERMISSION``). An incident with
        an ``id`` (an export's: its id where it was exported) keeps it when no incident has it here.
        One whose incident of that id here, or failing that any incident, is the same report
        (``SAME_INCIDENT``: time, governorate, category, description) is already recorded: left as
        it is and counted, so importing an export twice changes nothing. One without an id is
        always a new incident.
        """
        from console.model.incidents import check_not_future

        require(actor, Permission.CREATE, "import incidents")
        cleaned = []
        for number, incident in enumerate(incidents, start=1):
            checked, errors = validate_incident(incident)
            if incident.acknowledged_at is not None and (future := check_not_future(incident.acknowledged_at)):
                errors["acknowledged_at"] = future
            if errors:
                raise ValidationError({f"record {number} {k}": v for k, v in errors.items()})
            cleaned.append(checked)
        for status in sorted({i.status for i in cleaned}, key=list(IncidentStatus).index):
            require(actor, IMPORT_STATUS_PERMISSION[status], f"import {status.value} incidents")
        if any(i.acknowledged_at is not None for i in cleaned):
            require(actor, Permission.EDIT, "import acknowledged incidents")
        new, present = await self._not_yet_here(conn, cleaned)
        inserted = await self._insert(conn, actor, new, imported=True)
        return ImportOutcome([saved_id(i) for i in inserted], present)

    @staticmethod
    async def _not_yet_here(conn: aiosqlite.Connection, incidents: Sequence[Incident]) -> tuple[list[Incident], int]:
        """The incidents to insert (an id kept where it is free here, else dropped), and how many
        of the others are already recorded (see ``import_in``)."""
        wanted = [i.id for i in incidents if i.id is not None]
        taken: dict[int, tuple[Any, ...]] = {}
        if wanted:
            async with conn.execute(
                    f"SELECT id, {', '.join(SAME_INCIDENT)} FROM incidents"
                    " WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(wanted),)) as cursor:
                taken = {row[0]: tuple(row[1:]) for row in await cursor.fetchall()}
        new, present, claimed = [], 0, set()
        for incident in incidents:
            if incident.id is None:
                new.append(incident)
                continue
            if incident.id not in taken and incident.id not in claimed:
                claimed.add(incident.id)
                new.append(incident)
                continue
            report = _same_incident(incident)
            if taken.get(incident.id) == report:
                present += 1  # this very incident
                continue
            where = " AND ".join(f"{c} = ?" for c in SAME_INCIDENT)
            async with conn.execute(f"SELECT 1 FROM incidents WHERE {where} LIMIT 1", report) as cursor:
                if await cursor.fetchone() is not None:
                    present += 1  # recorded here under another id (an earlier import of the same file)
                    continue
            new.append(replace(incident, id=None))  # its id is another incident's here
        return new, present

    async def _insert(self, conn: aiosqlite.Connection, actor: Actor, incidents: Sequence[Incident], *,
                      imported: bool = False) -> list[Incident]:
        """Insert validated incidents, their full-text rows and one journal row each.

        New reports (``imported`` False) start reported and unacknowledged, with new ids;
        ``imported`` ones keep their status, acknowledgement and id (``import_in`` checked it is free).
        """
        if not incidents:
            return []
        now = utc_now().replace(microsecond=0)
        rows = []
        for incident in incidents:
            values = _column_values(incident)
            values.update(status=(incident.status if imported else IncidentStatus.REPORTED).value,
                          created_at=to_iso(now), updated_at=to_iso(now), origin_nation=origin_of(actor))
            if imported:
                acknowledged = incident.acknowledged_at is not None
                values.update(acknowledged_by=incident.acknowledged_by if acknowledged else "",
                              acknowledged_at=to_iso(incident.acknowledged_at))
            rows.append(values)
        columns = list(rows[0])
        first_id = int(await value_in(conn, "SELECT coalesce(max(id), 0) FROM incidents")) + 1
        kept = [incident.id if imported else None for incident in incidents]
        if len(rows) == 1 and kept[0] is None:
            cursor = await conn.execute(
                f"INSERT INTO incidents ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})",
                rows[0])
            ids = [inserted_id(cursor)]
        else:
            # Ours is the write lock: new ids run on from the old maximum (INTEGER PRIMARY KEY, no
            # AUTOINCREMENT), past the ids kept.
            ids, next_id, keeping = [], first_id, {k for k in kept if k is not None}
            for wanted in kept:
                if wanted is None:
                    while next_id in keeping:
                        next_id += 1
                    wanted, next_id = next_id, next_id + 1
                ids.append(wanted)
            await conn.executemany(
                f"INSERT INTO incidents (id, {', '.join(columns)}) VALUES (:id, {', '.join(':' + c for c in columns)})",
                [{**values, "id": new_id} for values, new_id in zip(rows, ids)])
        await conn.executemany("INSERT INTO incidents_fts (rowid, description, notes) VALUES (?, ?, '')",
                               [(new_id, incident.description) for new_id, incident in zip(ids, incidents)])
        await record_many(conn, actor, Entity.INCIDENT, [(new_id, "create", values)
                                                         for new_id, values in zip(ids, rows)])
        if imported:
            return [replace(incident, id=new_id, created_at=now, updated_at=now, version=1)
                    for incident, new_id in zip(incidents, ids)]
        return [replace(incident, id=new_id, status=IncidentStatus.REPORTED, created_at=now, updated_at=now,
                        version=1, acknowledged_by="", acknowledged_at=None)
                for incident, new_id in zip(incidents, ids)]

    async def _locked_current(self, conn: aiosqlite.Connection, actor: Actor, incident_id: int) -> Incident:
        return incident_from_row(await visible_row_in(conn, actor, "SELECT * FROM incidents", "id", incident_id,
                                                      "incident"))

    async def update(self, actor: Actor, incident: Incident, expected_version: int | None = None) -> Incident:
        """Save edited fields. Refused if someone saved the incident since ``expected_version``."""
        cleaned, errors = validate_incident(incident)
        if errors:
            raise ValidationError(errors)
        incident_id = saved_id(incident)
        async with self.database.write(actor) as (conn, actor):
            require(actor, Permission.EDIT, "edit incidents")
            current = await self._locked_current(conn, actor, incident_id)
            check_version("incident", incident_id, expected_version, current.version)
            old, new = _column_values(current), _column_values(cleaned)
            changed = {k: [old[k], new[k]] for k in EDITABLE_FIELDS if old[k] != new[k]}
            if "releasability" in changed:
                self._check_widening(actor, current, new["releasability"])
            if not changed:
                return current
            now = utc_now()
            assignments = ", ".join(f"{k} = :{k}" for k in changed)
            await conn.execute(
                f"UPDATE incidents SET {assignments}, updated_at = :now, version = version + 1 WHERE id = :id",
                {**{k: v[1] for k, v in changed.items()}, "now": to_iso(now), "id": incident_id})
            if "description" in changed:
                await self._reindex(conn, incident_id)
            await record(conn, actor, Entity.INCIDENT, incident_id, "edit", changed)
        return replace(cleaned, status=current.status, acknowledged_by=current.acknowledged_by,
                       acknowledged_at=current.acknowledged_at, created_at=current.created_at, updated_at=now,
                       version=current.version + 1)

    @staticmethod
    def _check_widening(actor: Actor, current: Incident, new_marking: str) -> None:
        if widens(current.releasability, new_marking) and not may_widen(actor, current.origin_nation):
            raise PermissionDenied(
                f"{actor.name} may not widen incident {current.id}'s releasability: only the originating"
                f" nation ({current.origin_nation or 'none recorded'}) or a watch officer may")

    async def transition(self, actor: Actor, incident_id: int, target: IncidentStatus, note: str = "",
                         expected_version: int | None = None) -> Incident:
        note = clean_text(note)
        async with self.database.write(actor) as (conn, actor):
            current = await self._locked_current(conn, actor, incident_id)
            check_version("incident", incident_id, expected_version, current.version)
            allowed_step(actor, INCIDENT_TRANSITIONS, current.status, target, note)
            now = to_iso(utc_now())
            await conn.execute(
                "UPDATE incidents SET status = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                (target.value, now, incident_id))
            changes: dict[str, Any] = {"status": [current.status.value, target.value]}
            if note:
                changes["note_id"] = await self._insert_note(conn, actor, incident_id, note)
                changes["note"] = note
            await record(conn, actor, Entity.INCIDENT, incident_id, "transition", changes)
        return replace(current, status=target, version=current.version + 1)

    async def acknowledge(self, actor: Actor, incident_id: int) -> None:
        async with self.database.write(actor) as (conn, actor):
            require(actor, Permission.EDIT, "acknowledge incidents")
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
        text = clean_text(text)
        if not text:
            raise ValidationError({"note": "a note cannot be empty"})
        async with self.database.write(actor) as (conn, actor):
            require(actor, Permission.EDIT, "add notes")
            await self._locked_current(conn, actor, incident_id)
            note_id = await self._insert_note(conn, actor, incident_id, text, releasability)
            await record(conn, actor, Entity.INCIDENT, incident_id, "note",
                         {"note": text, "note_id": note_id, "note_releasability": releasability})
        return note_id

    async def link(self, actor: Actor, incident_id: int, other_kind: str, other_id: int,
                   relation: str = "relates") -> None:
        if relation not in LINK_RELATIONS:
            raise ValidationError({"relation": f"a link confirms, disputes or relates (not {relation!r})"})
        async with self.database.write(actor) as (conn, actor):
            require(actor, Permission.EDIT, "link incidents")
            await self._locked_current(conn, actor, incident_id)
            await self._insert_link(conn, actor, incident_id, other_kind, other_id, relation)

    async def _insert_link(self, conn: aiosqlite.Connection, actor: Actor, incident_id: int, other_kind: str,
                           other_id: int, relation: str) -> None:
        if other_kind not in LINK_KINDS:
            raise ValidationError({"kind": f"link to an incident or a headline (not {other_kind!r})"})
        if other_kind == "incident" and other_id == incident_id:
            raise ValidationError({"link": "an incident cannot corroborate itself"})
        table = "incidents" if other_kind == "incident" else "headlines"
        clause, params = visible_to(actor)
        params["id"] = other_id
        async with conn.execute(f"SELECT 1 FROM {table} WHERE id = :id AND {clause}", params) as cursor:
            if await cursor.fetchone() is None:
                raise ValidationError({"link": f"there is no {other_kind} {other_id} releasable to you"})
        await conn.execute(
            "INSERT OR REPLACE INTO incident_links (incident_id, other_kind, other_id, relation, created_by,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (incident_id, other_kind, other_id, relation, actor.login, to_iso(utc_now())))
        await conn.execute("UPDATE incidents SET version = version + 1 WHERE id = ?", (incident_id,))
        await record(conn, actor, Entity.INCIDENT, incident_id, "link",
                     {"kind": other_kind, "other_id": other_id, "relation": relation})

    async def _insert_note(self, conn: aiosqlite.Connection, actor: Actor, incident_id: int, text: str,
                           releasability: str = RELEASABLE_TO_ALL) -> int:
        cursor = await conn.execute(
            "INSERT INTO incident_notes (incident_id, text, author, created_at, releasability)"
            " VALUES (?, ?, ?, ?, ?)", (incident_id, text, actor.login, to_iso(utc_now()), releasability))
        await self._reindex(conn, incident_id)
        return inserted_id(cursor)

    @staticmethod
    async def _reindex(conn: aiosqlite.Connection, incident_id: int) -> None:
        """Rewrite the incident's full-text row from its description and notes."""
        await conn.execute("DELETE FROM incidents_fts WHERE rowid = ?", (incident_id,))
        await conn.execute(
            "INSERT INTO incidents_fts (rowid, description, notes) SELECT id, description,"
            " (SELECT coalesce(group_concat(text, ' '), '') FROM incident_notes WHERE incident_id = incidents.id)"
            " FROM incidents WHERE id = ?", (incident_id,))


def _same_incident(incident: Incident) -> tuple[str, str, str, str]:
    """An incident's ``SAME_INCIDENT`` columns as the table holds them."""
    return (to_iso(incident.occurred_at), incident.governorate.value, incident.category.value, incident.description)


def incident_as_dict(incident: Incident) -> dict[str, Any]:
    data = asdict(incident)
    for key, value in list(data.items()):
        if hasattr(value, "isoformat"):
            data[key] = value.isoformat()
        elif hasattr(value, "value"):
            data[key] = value.value
    return data
