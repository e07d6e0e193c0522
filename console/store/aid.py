"""Aid flow in SQL: crossings, movements through them, and the dual-use request queue.

The rules (the aid day, figures from several sources, the transition tables, field checks and the
folding of a day's rows into the board) are the model's: ``console/model/aid.py``. Two records with
the same reference and different sources are the same convoy reported twice (the unique index on
``(reference, figure_source)`` allows exactly that).

Hot queries and their plans (SQLite 3.40; ``bench/bench_aid.py``: 200,000 movements over
365 days, ~550 a day; p50/p95 on the 2-core dev box):

- board for one day (``board``): ``WHERE m.planned_date = ?``, per-record rows folded in Python
  -> SEARCH m USING COVERING INDEX movements_entered (planned_date=?)            2 / 9 ms
- 14-day sparklines (``entered_per_day``): ``FROM movements m INDEXED BY movements_entered
  WHERE planned_date BETWEEN ? AND ? AND status IN (...) AND NOT EXISTS (a higher-priority
  record of the same reference) GROUP BY crossing_id, planned_date``
  -> SEARCH m USING COVERING INDEX movements_entered (planned_date>? AND planned_date<?)
  -> CORRELATED SCALAR SUBQUERY: SEARCH o USING COVERING INDEX movements_reference (reference=?)
  -> USE TEMP B-TREE FOR GROUP BY                                                 11 / 17 ms
  (left to itself the planner takes movements_day and looks up every row: 21 ms; hence the hint)
- totals by commodity / organisation (``totals``, 7 days): the same range and NOT EXISTS
  -> SEARCH m USING INDEX movements_day (planned_date>? AND planned_date<?) + table lookups
     for commodity, organisation and tonnes; TEMP B-TREE for GROUP BY / ORDER BY  29 / 50 ms
- movements of a day: -> SEARCH m USING INDEX movements_entered (planned_date=?),
  SEARCH c USING INTEGER PRIMARY KEY                                               6 / 17 ms
- dual-use queue: ``ORDER BY status IN ('approved','denied'), submitted_at``
  -> SCAN dual_use_requests + TEMP B-TREE (a few hundred rows at most)
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import aiosqlite

from console.model.access import RELEASABLE_TO_ALL, Actor, Permission
from console.model.aid import (
    DUAL_USE_DECISIONS,
    DUAL_USE_TRANSITIONS,
    ENTERED_STATUSES,
    FIGURE_SOURCE_PRIORITY,
    MOVEMENT_TRANSITIONS,
    Commodity,
    Crossing,
    CrossingDay,
    DualUseRequest,
    DualUseStatus,
    FigureSource,
    InsertOutcome,
    LoadType,
    Movement,
    MovementStatus,
    Total,
    crossing_change_errors,
    fold_board,
    validate_dual_use,
    validate_movement,
)
from console.model.errors import StoreError, ValidationError
from console.model.journal import Entity, JournalEntry
from console.dtg import utc_now
from console.sanitize import clean_line, clean_text
from console.store.database import Database
from console.store.guard import allowed_step, check_version, require
from console.store.journal import record
from console.store.rows import (
    day_of,
    from_iso,
    origin_of,
    row_in,
    to_iso,
    value_in,
    visible_row_in,
    visible_to,
)

_ENTERED_SQL = ",".join(f"'{s.value}'" for s in sorted(ENTERED_STATUSES, key=lambda s: s.value))


def _rank_sql(column: str) -> str:
    """The priority of a figure source as a SQL expression (0 = preferred)."""
    whens = " ".join(f"WHEN '{s.value}' THEN {i}" for i, s in enumerate(FIGURE_SOURCE_PRIORITY))
    return f"(CASE {column} {whens} ELSE 9 END)"


def crossing_from_row(row: sqlite3.Row) -> Crossing:
    return Crossing(code=row["code"], name=row["name"], border=row["border"], is_open=bool(row["is_open"]),
                    status_reason=row["status_reason"], status_changed_at=from_iso(row["status_changed_at"]),
                    daily_target=row["daily_target"], id=row["id"])


def movement_from_row(row: sqlite3.Row | Mapping[str, Any]) -> Movement:
    """A movement from its table row (``MOVEMENT_SELECT``), or from the same values by name."""
    return Movement(
        id=row["id"], planned_date=day_of(row["planned_date"]), crossing_code=row["crossing_code"],
        organisation=row["organisation"], commodity=Commodity(row["commodity"]),
        load_type=LoadType(row["load_type"]), trucks=row["trucks"], tonnes=row["tonnes"], pallets=row["pallets"],
        reference=row["reference"], figure_source=FigureSource(row["figure_source"]),
        status=MovementStatus(row["status"]), status_note=row["status_note"],
        releasability=row["releasability"], updated_at=from_iso(row["updated_at"]), version=row["version"],
    )


def dual_use_from_row(row: sqlite3.Row) -> DualUseRequest:
    return DualUseRequest(
        id=row["id"], item=row["item"], list_reference=row["list_reference"], quantity=row["quantity"],
        organisation=row["organisation"], justification=row["justification"], movement_id=row["movement_id"],
        status=DualUseStatus(row["status"]), decision_note=row["decision_note"],
        decided_at=from_iso(row["decided_at"]), submitted_at=from_iso(row["submitted_at"]),
        updated_at=from_iso(row["updated_at"]), version=row["version"],
    )


MOVEMENT_SELECT = (
    "SELECT m.*, c.code AS crossing_code FROM movements m JOIN crossings c ON c.id = m.crossing_id"
)


def movement_as_dict(movement: Movement) -> dict[str, Any]:
    """A movement as plain values (exports, the detail screen)."""
    return {
        "id": movement.id, "planned_date": movement.planned_date.isoformat(), "crossing": movement.crossing_code,
        "organisation": movement.organisation, "commodity": movement.commodity.value,
        "load_type": movement.load_type.value, "trucks": movement.trucks, "tonnes": movement.tonnes,
        "pallets": movement.pallets, "reference": movement.reference,
        "figure_source": movement.figure_source.value, "status": movement.status.value,
        "status_note": movement.status_note, "releasability": movement.releasability,
        "updated_at": to_iso(movement.updated_at),
    }


def _movement_values(movement: Movement, crossing_id: int, now: str) -> dict[str, Any]:
    return {
        "planned_date": movement.planned_date.isoformat(), "crossing_id": crossing_id,
        "organisation": movement.organisation, "commodity": movement.commodity.value,
        "load_type": movement.load_type.value, "trucks": movement.trucks, "tonnes": movement.tonnes,
        "pallets": movement.pallets, "reference": movement.reference,
        "figure_source": movement.figure_source.value, "status": movement.status.value,
        "status_note": movement.status_note, "releasability": movement.releasability,
        "created_at": now, "updated_at": now,
    }


#: A movement without a reference is the same convoy as one recorded with these columns equal
#: (its status and note may have moved on since).
_SAME_CONVOY = ("planned_date", "crossing_id", "organisation", "commodity", "load_type", "trucks", "tonnes",
                "pallets", "reference", "figure_source")


class AidRepository:
    def __init__(self, database: Database):
        self.database = database
        self._covering: str | None = None

    async def _covering_hint(self) -> str:
        """`` INDEXED BY movements_entered`` when the index exists (a database migrated past 004's
        number before 004 landed lacks it: then no hint rather than an error)."""
        if self._covering is None:
            found = await self.database.scalar(
                "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'movements_entered'")
            self._covering = " INDEXED BY movements_entered" if found else ""
        return self._covering

    # --- crossings -------------------------------------------------------------------

    async def crossings(self) -> list[Crossing]:
        return [crossing_from_row(r) for r in await self.database.fetchall("SELECT * FROM crossings ORDER BY id")]

    async def crossing(self, code: str) -> Crossing | None:
        row = await self.database.fetchone("SELECT * FROM crossings WHERE code = ?", (code.strip().upper(),))
        return crossing_from_row(row) if row else None

    async def set_crossing_open(self, actor: Actor, code: str, is_open: bool, reason: str = "") -> Crossing:
        """Close (reason required) or reopen a crossing; journaled with the reason and time."""
        reason = clean_line(reason, max_chars=200)
        if errors := crossing_change_errors(not is_open, reason):
            raise ValidationError(errors)
        async with self.database.write(actor) as (conn, actor):
            require(actor, Permission.EDIT, "open or close crossings")
            current = crossing_from_row(await row_in(conn, "SELECT * FROM crossings WHERE code = ?",
                                                     (code.strip().upper(),), f"crossing {code!r} does not exist"))
            if current.is_open == is_open:
                raise StoreError(f"{current.name} is already {'open' if is_open else 'closed'}")
            now = utc_now().replace(microsecond=0)
            await conn.execute("UPDATE crossings SET is_open = ?, status_reason = ?, status_changed_at = ?"
                               " WHERE id = ?", (int(is_open), reason, to_iso(now), current.id))
            await record(conn, actor, Entity.CROSSING, current.id, "reopen" if is_open else "close",
                         {"is_open": [current.is_open, is_open], "reason": reason, "at": to_iso(now)})
        return replace(current, is_open=is_open, status_reason=reason, status_changed_at=now)

    # --- movements: reads -----------------------------------------------------------

    async def movement(self, actor: Actor, movement_id: int) -> Movement | None:
        clause, params = visible_to(actor, "m.releasability")
        params["id"] = movement_id
        row = await self.database.fetchone(f"{MOVEMENT_SELECT} WHERE m.id = :id AND {clause}", params)
        return movement_from_row(row) if row else None

    async def movements(self, actor: Actor, *, day: date | None = None, crossing: str | None = None,
                        since: date | None = None, text: str = "", limit: int | None = 200,
                        offset: int = 0) -> list[Movement]:
        clause, params = visible_to(actor, "m.releasability")
        if day is not None:
            clause += " AND m.planned_date = :day"
            params["day"] = day.isoformat()
        if since is not None:
            clause += " AND m.planned_date >= :since"
            params["since"] = since.isoformat()
        if crossing:
            clause += " AND c.code = :crossing"
            params["crossing"] = crossing
        if text:
            clause += (" AND (instr(lower(m.organisation), :text) OR instr(lower(m.reference), :text)"
                       " OR instr(m.commodity, :text) OR instr(m.status, :text) OR instr(lower(c.name), :text))")
            params["text"] = text.lower()
        page = ""
        if limit is not None:
            params.update(limit=limit, offset=offset)
            page = " LIMIT :limit OFFSET :offset"
        rows = await self.database.fetchall(
            f"{MOVEMENT_SELECT} WHERE {clause} ORDER BY m.planned_date DESC, m.id DESC{page}", params)
        return [movement_from_row(r) for r in rows]

    async def board(self, actor: Actor, day: date) -> list[CrossingDay]:
        """Every crossing on ``day``: trucks by status (each convoy once) and other sources' views."""
        clause, params = visible_to(actor, "m.releasability")
        params["day"] = day.isoformat()
        rows = await self.database.fetchall(
            f"SELECT m.id, m.crossing_id, m.status, m.trucks, m.reference, m.figure_source FROM movements m"
            f" WHERE m.planned_date = :day AND {clause}", params)
        return fold_board(await self.crossings(), day, rows)

    async def entered_per_day(self, actor: Actor, first: date, last: date) -> dict[tuple[str, str], int]:
        """(crossing code, ISO day) -> trucks entered (each convoy once), for sparklines."""
        clause, params = visible_to(actor, "m.releasability")
        other, _ = visible_to(actor, "o.releasability")
        params.update(first=first.isoformat(), last=last.isoformat())
        rows = await self.database.fetchall(
            # INDEXED BY: the covering index (004) halves the time; the planner may pick movements_day
            f"SELECT m.crossing_id, m.planned_date, sum(coalesce(m.trucks, 0))"
            f" FROM movements m{await self._covering_hint()}"
            f" WHERE m.planned_date BETWEEN :first AND :last AND m.status IN ({_ENTERED_SQL}) AND {clause}"
            f" AND {_main_record('m', other)} GROUP BY m.crossing_id, m.planned_date", params)
        codes = {c.id: c.code for c in await self.crossings()}
        return {(codes[r[0]], r[1]): r[2] for r in rows}

    async def totals(self, actor: Actor, first: date, last: date) -> list[Total]:
        """Trucks entered, tonnes and convoys by commodity and by organisation over ``first..last``."""
        clause, params = visible_to(actor, "m.releasability")
        other, _ = visible_to(actor, "o.releasability")
        params.update(first=first.isoformat(), last=last.isoformat())
        result = []
        for kind, column in (("commodity", "m.commodity"), ("organisation", "m.organisation")):
            rows = await self.database.fetchall(
                f"SELECT {column}, sum(coalesce(m.trucks, 0)), sum(coalesce(m.tonnes, 0)), count(*)"
                f" FROM movements m WHERE m.planned_date BETWEEN :first AND :last"
                f" AND m.status IN ({_ENTERED_SQL}) AND {clause} AND {_main_record('m', other)}"
                f" GROUP BY {column} ORDER BY 2 DESC, 1", params)
            result += [Total(kind, r[0], int(r[1]), float(r[2]), int(r[3])) for r in rows]
        return result

    async def history(self, movement_id: int) -> list[JournalEntry]:
        """The movement's journal rows, oldest first (callers check visibility with ``movement``)."""
        from console.store.journal import SELECT_COLUMNS, entry_from_row

        rows = await self.database.fetchall(
            f"SELECT {SELECT_COLUMNS} FROM journal WHERE entity = ? AND entity_id = ? ORDER BY id",
            (Entity.MOVEMENT.value, movement_id))
        return [entry_from_row(r) for r in rows]

    # --- movements: writes ----------------------------------------------------------

    async def _crossing_ids(self, conn: aiosqlite.Connection) -> dict[str, int]:
        async with conn.execute("SELECT code, id FROM crossings") as cursor:
            return {code: cid for code, cid in await cursor.fetchall()}

    async def create_movement(self, actor: Actor, movement: Movement) -> Movement:
        codes = {c.code for c in await self.crossings()}
        cleaned, errors = validate_movement(movement, codes)
        if errors:
            raise ValidationError(errors)
        async with self.database.write(actor) as (conn, actor):
            require(actor, Permission.CREATE, "record movements")
            # a new movement: an id it carries (a copy of another) is not one to keep
            outcome = await self.insert_in(conn, actor, [replace(cleaned, id=None)], action="create")
        if not outcome.inserted:
            raise ValidationError({"reference": f"{cleaned.reference} is already recorded from"
                                                f" {cleaned.figure_source.short}"})
        created = await self.movement(actor, outcome.inserted[0])
        assert created is not None
        return created

    async def insert_in(self, conn: aiosqlite.Connection, actor: Actor, movements: Sequence[Movement],
                        action: str = "import") -> InsertOutcome:
        """Insert validated movements inside the caller's transaction.

        A movement whose (reference, source) is already recorded is skipped, not
        duplicated; each new one gets its journal row.

        A movement's ``id`` (an import of an export: the id it has in the database it came
        from) is kept when no movement has it here, so that the same file imported again
        finds the same records. Without a reference, that is all that tells a movement from an
        identical convoy: one with an id is already recorded when the movement of that id here,
        or failing that any movement, is the same convoy (``_SAME_CONVOY``); one with neither
        reference nor id is always added.
        """
        require(actor, Permission.CREATE, "record movements")
        if not movements:
            return InsertOutcome([], 0)
        ids = await self._crossing_ids(conn)
        unknown = sorted({m.crossing_code for m in movements if m.crossing_code not in ids})
        if unknown:
            raise ValidationError({"crossing": f"unknown crossing {', '.join(unknown)}"})
        now = to_iso(utc_now())
        values = [{"id": m.id, **_movement_values(m, ids[m.crossing_code], now), "origin_nation": origin_of(actor)}
                  for m in movements]
        values = await self._keep_ids(conn, values)
        if not values:
            return InsertOutcome([], len(movements))
        names = list(values[0])
        kept = [v["id"] for v in values if v["id"] is not None]
        before = await value_in(conn, "SELECT coalesce(max(id), 0) FROM movements")
        await conn.executemany(
            f"INSERT OR IGNORE INTO movements ({', '.join(names)}) VALUES ({', '.join(':' + c for c in names)})",
            values)
        # The write lock is ours: every row above the old maximum is one we just inserted, and so is
        # every row of a kept id (each was free a moment ago).
        columns = ("id", "planned_date", "crossing_id", "organisation", "commodity", "load_type", "trucks", "tonnes",
                   "pallets", "reference", "figure_source", "status", "status_note", "releasability",
                   "origin_nation", "created_at")
        # (UNION ALL, not OR: with OR the planner scans the whole table, batch after batch)
        async with conn.execute(f"SELECT {', '.join(columns)} FROM movements WHERE id > ? UNION ALL"
                                f" SELECT {', '.join(columns)} FROM movements"
                                f" WHERE id IN (SELECT value FROM json_each(?)) AND id <= ? ORDER BY id",
                                (before, json.dumps(kept), before)) as cursor:
            new_rows = list(await cursor.fetchall())
        from console.store.journal import record_many, seal

        inserted, entries = [], []
        for row in new_rows:
            changes = dict(zip(columns[1:], row[1:]))
            if changes["releasability"] != RELEASABLE_TO_ALL:  # restricted details stay out of the shared journal
                changes = {**{k: changes[k] for k in ("planned_date", "crossing_id", "releasability", "status",
                                                      "status_note", "origin_nation", "created_at")},
                           "sealed": seal("movement", changes)}  # the details as a digest only
            inserted.append(row[0])
            entries.append((row[0], action, changes))
        await record_many(conn, actor, Entity.MOVEMENT, entries)
        return InsertOutcome(inserted, len(movements) - len(inserted))

    @staticmethod
    async def _keep_ids(conn: aiosqlite.Connection, values: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The rows to insert: each with the id it came with when that id is free here (else None:
        a new one), leaving out a movement without a reference that is already recorded."""
        wanted = [v["id"] for v in values if v["id"] is not None]
        if not wanted:
            return values
        async with conn.execute(
                f"SELECT {', '.join(('id',) + _SAME_CONVOY)} FROM movements"
                " WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(wanted),)) as cursor:
            taken = {row[0]: tuple(row[1:]) for row in await cursor.fetchall()}
        rows, claimed = [], set()
        for value in values:
            wanted_id = value["id"]
            if wanted_id is None:
                rows.append(value)
                continue
            if wanted_id not in taken and wanted_id not in claimed:
                claimed.add(wanted_id)
                rows.append(value)
                continue
            if not value["reference"]:
                convoy = tuple(value[c] for c in _SAME_CONVOY)
                if taken.get(wanted_id) == convoy:
                    continue  # this very movement: already recorded
                where = " AND ".join(f"{c} IS ?" for c in _SAME_CONVOY)
                async with conn.execute(f"SELECT 1 FROM movements WHERE {where} LIMIT 1", convoy) as cursor:
                    if await cursor.fetchone() is not None:
                        continue  # recorded here under another id (an earlier import of the same file)
            rows.append({**value, "id": None})
        return rows

    async def set_movement_status(self, actor: Actor, movement_id: int, status: MovementStatus,
                                  note: str = "", expected_version: int | None = None) -> Movement:
        """Move a movement along its pipeline: only as ``MOVEMENT_TRANSITIONS`` allows; journaled."""
        note = clean_text(note, max_chars=500)
        async with self.database.write(actor) as (conn, actor):
            require(actor, Permission.EDIT, "change movement status")
            current = movement_from_row(await visible_row_in(conn, actor, MOVEMENT_SELECT, "m.id", movement_id,
                                                             "movement", column="m.releasability"))
            check_version("movement", movement_id, expected_version, current.version)
            allowed_step(actor, MOVEMENT_TRANSITIONS, current.status, status, note)
            now = utc_now().replace(microsecond=0)
            await conn.execute(
                "UPDATE movements SET status = ?, status_note = ?, updated_at = ?, version = version + 1"
                " WHERE id = ?", (status.value, note, to_iso(now), movement_id))
            await record(conn, actor, Entity.MOVEMENT, movement_id, "transition",
                         {"status": [current.status.value, status.value], "note": note})
        return replace(current, status=status, status_note=note, updated_at=now, version=current.version + 1)

    # --- dual-use requests ------------------------------------------------------------

    async def dual_use_queue(self, actor: Actor, limit: int = 200) -> list[DualUseRequest]:
        clause, params = visible_to(actor)
        params["limit"] = limit
        rows = await self.database.fetchall(
            f"SELECT * FROM dual_use_requests WHERE {clause} ORDER BY"
            " status IN ('approved', 'denied'), submitted_at LIMIT :limit", params)
        return [dual_use_from_row(r) for r in rows]

    async def dual_use(self, actor: Actor, request_id: int) -> DualUseRequest | None:
        clause, params = visible_to(actor)
        params["id"] = request_id
        row = await self.database.fetchone(f"SELECT * FROM dual_use_requests WHERE id = :id AND {clause}", params)
        return dual_use_from_row(row) if row else None

    async def dual_use_history(self, request_id: int) -> list[JournalEntry]:
        from console.store.journal import SELECT_COLUMNS, entry_from_row

        rows = await self.database.fetchall(
            f"SELECT {SELECT_COLUMNS} FROM journal WHERE entity = ? AND entity_id = ? ORDER BY id",
            (Entity.DUAL_USE.value, request_id))
        return [entry_from_row(r) for r in rows]

    async def create_dual_use(self, actor: Actor, request: DualUseRequest) -> DualUseRequest:
        cleaned, errors = validate_dual_use(request)
        if cleaned.movement_id is not None and await self.movement(actor, cleaned.movement_id) is None:
            errors["movement_id"] = f"movement {cleaned.movement_id} does not exist"
        if errors:
            raise ValidationError(errors)
        now = utc_now().replace(microsecond=0)
        values = {"item": cleaned.item, "list_reference": cleaned.list_reference, "quantity": cleaned.quantity,
                  "organisation": cleaned.organisation, "justification": cleaned.justification,
                  "movement_id": cleaned.movement_id, "status": DualUseStatus.SUBMITTED.value,
                  "submitted_at": to_iso(now), "updated_at": to_iso(now)}
        async with self.database.write(actor) as (conn, actor):
            require(actor, Permission.CREATE, "submit dual-use requests")
            cursor = await conn.execute(
                f"INSERT INTO dual_use_requests ({', '.join(values)}) VALUES ({', '.join(':' + k for k in values)})",
                values)
            new_id = cursor.lastrowid
            await record(conn, actor, Entity.DUAL_USE, new_id, "create", values)
        return replace(cleaned, id=new_id, status=DualUseStatus.SUBMITTED, submitted_at=now, updated_at=now)

    async def set_dual_use_status(self, actor: Actor, request_id: int, status: DualUseStatus, note: str = "",
                                  expected_version: int | None = None) -> DualUseRequest:
        """Move a request through the working group's steps (``DUAL_USE_TRANSITIONS``); journaled."""
        note = clean_text(note, max_chars=1000)
        async with self.database.write(actor) as (conn, actor):
            require(actor, Permission.EDIT, "change dual-use requests")
            current = dual_use_from_row(await visible_row_in(conn, actor, "SELECT * FROM dual_use_requests", "id",
                                                             request_id, "dual-use request"))
            check_version("dual-use request", request_id, expected_version, current.version)
            allowed_step(actor, DUAL_USE_TRANSITIONS, current.status, status, note)
            now = utc_now().replace(microsecond=0)
            decided = now if status in DUAL_USE_DECISIONS else current.decided_at
            decision_note = note if status in DUAL_USE_DECISIONS else current.decision_note
            await conn.execute(
                "UPDATE dual_use_requests SET status = ?, decision_note = ?, decided_at = ?, updated_at = ?,"
                " version = version + 1 WHERE id = ?",
                (status.value, decision_note, to_iso(decided), to_iso(now), request_id))
            await record(conn, actor, Entity.DUAL_USE, request_id, "transition",
                         {"status": [current.status.value, status.value], "note": note})
        return replace(current, status=status, decision_note=decision_note, decided_at=decided, updated_at=now,
                       version=current.version + 1)


def _main_record(alias: str, other_clause: str) -> str:
    """SQL: the record is its convoy's main one (no higher-priority source reported the same reference)."""
    return (f"({alias}.reference = '' OR NOT EXISTS (SELECT 1 FROM movements o WHERE o.reference = {alias}.reference"
            f" AND o.reference <> '' AND {_rank_sql('o.figure_source')} < {_rank_sql(f'{alias}.figure_source')}"
            f" AND {other_clause}))")
