"""Aid flow: crossings, movements through them, and the dual-use request queue.

The day
    ``planned_date`` is a calendar date and the aid day is the **UTC (Zulu) day**,
    like every time on the floor: ``aid_day(now)`` is ``now`` in UTC, dated. So
    between 00:00 and 02:00/03:00 local (Asia/Jerusalem) the board still shows
    the previous UTC day; it rolls over at 00:00Z for every console at once,
    whatever the host's time zone.

Figures from several sources
    A movement is one convoy as reported by one source (UN 2720, COGAT, a
    partner, own observation). Two records with the same reference and
    different sources are the same convoy reported twice (the unique index on
    ``(reference, figure_source)`` allows exactly that). The board's combined
    figure counts each convoy once, taking the first source in
    ``FIGURE_SOURCE_PRIORITY``; ``CrossingDay.figures`` (``EnteredFigures``)
    also holds each source's own figure: only the convoys it reported entered,
    at the crossing it named, never filled in from another source.

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
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any, TypeVar, overload

import aiosqlite

from console.domain import (
    DUAL_USE_DECISIONS,
    ENTERED_STATUSES,
    FIGURE_SOURCE_PRIORITY,
    MOVEMENT_NOTE_REQUIRED,
    RELEASABLE_TO_ALL,
    Actor,
    Choice,
    Commodity,
    ConvoyReport,
    Crossing,
    DualUseRequest,
    DualUseStatus,
    EnteredFigures,
    Entity,
    FigureSource,
    JournalEntry,
    LoadType,
    Movement,
    MovementStatus,
    Permission,
    StoreError,
    ValidationError,
    best_report,
    dual_use_transition,
    entered_by_crossing,
    movement_transition,
    parse_releasability,
)
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
    saved_id,
    to_iso,
    value_in,
    visible_row_in,
    visible_to,
)

#: Sanity bounds for one movement record.
MAX_TRUCKS = 2000
MAX_TONNES = 100_000.0
MAX_PALLETS = 100_000
EARLIEST_DATE = date(2023, 1, 1)
MAX_DAYS_AHEAD = 90

_ENTERED_SQL = ",".join(f"'{s.value}'" for s in sorted(ENTERED_STATUSES, key=lambda s: s.value))


def _rank_sql(column: str) -> str:
    """The priority of a figure source as a SQL expression (0 = preferred)."""
    whens = " ".join(f"WHEN '{s.value}' THEN {i}" for i, s in enumerate(FIGURE_SOURCE_PRIORITY))
    return f"(CASE {column} {whens} ELSE 9 END)"


def aid_day(moment: datetime | None = None) -> date:
    """The aid day of ``moment``: its UTC date (see the module docstring)."""
    moment = moment or utc_now()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).date()


def crossing_target(crossing: Crossing, overrides: dict[str, int] | None = None) -> int | None:
    """The crossing's daily truck target: the configured override, else its own column, else none."""
    if overrides and crossing.code in overrides:
        return overrides[crossing.code]
    return crossing.daily_target


@dataclass(frozen=True)
class CrossingDay:
    """One crossing on one day: trucks by status (each convoy once), and trucks entered per source."""

    crossing: Crossing
    day: date
    #: status value -> trucks, each convoy once as its best source reported it
    trucks_by_status: dict[str, int] = field(default_factory=dict)
    #: trucks entered as each source reported them here, and combined (``entered``)
    figures: EnteredFigures = EnteredFigures()
    main_source: str = ""

    @property
    def entered(self) -> int:
        """The combined figure: each convoy once, best source."""
        return sum(self.trucks_by_status.get(s.value, 0) for s in ENTERED_STATUSES)

    @property
    def in_pipeline(self) -> int:
        return sum(self.trucks_by_status.get(s, 0) for s in ("scheduled", "at_crossing", "inspected"))

    @property
    def held(self) -> int:
        return self.trucks_by_status.get(MovementStatus.HELD.value, 0)

    @property
    def stopped(self) -> int:
        return self.trucks_by_status.get(MovementStatus.REJECTED.value, 0)

    def remaining(self, target: int | None) -> int | None:
        return None if target is None else max(0, target - self.entered)


@dataclass(frozen=True)
class Total:
    """Trucks entered, tonnes and convoys for one commodity or organisation over a range."""

    kind: str  # "commodity" | "organisation"
    name: str
    trucks: int
    tonnes: float
    convoys: int


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


# --- validation (pure: shared by the forms, the importer and the store) -----------------


def validate_movement(movement: Movement, crossings: set[str] | None = None,
                      today: date | None = None) -> tuple[Movement, dict[str, str]]:
    """Clean the text fields and check every rule; ``crossings`` (known codes) when the caller has them."""
    cleaned = replace(
        movement,
        crossing_code=clean_line(movement.crossing_code, max_chars=40),
        organisation=clean_line(movement.organisation, max_chars=80),
        reference=clean_line(movement.reference, max_chars=60),
        status_note=clean_text(movement.status_note, max_chars=500),
    )
    errors: dict[str, str] = {}
    today = today or aid_day()
    if not isinstance(cleaned.planned_date, date):
        errors["planned_date"] = "give the planned date (YYYY-MM-DD)"
    elif cleaned.planned_date < EARLIEST_DATE:
        errors["planned_date"] = f"{cleaned.planned_date.isoformat()} is before {EARLIEST_DATE.isoformat()}"
    elif cleaned.planned_date > today + timedelta(days=MAX_DAYS_AHEAD):
        errors["planned_date"] = f"{cleaned.planned_date.isoformat()} is more than {MAX_DAYS_AHEAD} days ahead"
    if not cleaned.crossing_code:
        errors["crossing"] = "choose a crossing"
    elif crossings is not None and cleaned.crossing_code not in crossings:
        errors["crossing"] = f"{cleaned.crossing_code!r} is not a crossing ({', '.join(sorted(crossings))})"
    if not cleaned.organisation:
        errors["organisation"] = "name the organisation"
    for name, top in (("trucks", MAX_TRUCKS), ("pallets", MAX_PALLETS), ("tonnes", MAX_TONNES)):
        value = getattr(cleaned, name)
        if value is not None and not (0 <= value <= top):
            errors[name] = f"{name} must be between 0 and {top:g}"
    if cleaned.trucks is None and cleaned.tonnes is None and cleaned.pallets is None:
        errors["trucks"] = "give trucks, tonnes or pallets"
    if cleaned.status in MOVEMENT_NOTE_REQUIRED and not cleaned.status_note:
        errors["status_note"] = f"a {cleaned.status.label} movement needs a note saying why"
    try:
        cleaned = replace(cleaned, releasability=parse_releasability(cleaned.releasability or RELEASABLE_TO_ALL))
    except ValueError as error:
        errors["releasability"] = str(error)
    return cleaned, errors


#: The fields of a movement as text (form fields and import columns), in order.
MOVEMENT_FIELDS = ("planned_date", "crossing", "organisation", "commodity", "load_type", "trucks", "tonnes",
                   "pallets", "reference", "figure_source", "status", "status_note", "releasability")


def parse_day(text: str, today: date | None = None) -> date:
    """``today``, ``yesterday``, ``tomorrow`` or YYYY-MM-DD (the UTC aid day)."""
    today = today or aid_day()
    raw = text.strip().lower()
    words = {"today": 0, "yesterday": -1, "tomorrow": 1}
    if raw in words:
        return today + timedelta(days=words[raw])
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{clean_line(text, max_chars=30)!r} is not a date (YYYY-MM-DD, today, yesterday)") from None


_Number = TypeVar("_Number", int, float)
_Choice = TypeVar("_Choice", bound=Choice)


@overload
def _choice_of(kind: type[_Choice], text: str, name: str, errors: dict[str, str], default: _Choice) -> _Choice: ...


@overload
def _choice_of(kind: type[_Choice], text: str, name: str, errors: dict[str, str],
               default: None) -> _Choice | None: ...


def _choice_of(kind: type[_Choice], text: str, name: str, errors: dict[str, str],
               default: _Choice | None) -> _Choice | None:
    """The member of ``kind`` that ``text`` names; ``default`` for none (an error if there is no
    default) or for a name that is not one (with the error)."""
    raw = text.strip()
    if not raw:
        if default is None:
            errors[name] = f"choose one: {', '.join(m.label for m in kind)}"
        return default
    try:
        return kind.parse(raw)
    except ValueError:
        errors[name] = f"{clean_line(raw, max_chars=30)!r} is not one of: {', '.join(m.label for m in kind)}"
        return default


def _number(text: str, kind: type[_Number], name: str, errors: dict[str, str]) -> _Number | None:
    raw = text.strip().replace(",", "") if kind is int else text.strip()
    if not raw:
        return None
    try:
        value = kind(raw)
    except ValueError:
        errors[name] = f"{clean_line(text, max_chars=20)!r} is not {'a whole number' if kind is int else 'a number'}"
        return None
    if value != value or value < 0:  # NaN or negative
        errors[name] = f"{name} cannot be negative"
        return None
    return value


def crossing_lookup(crossings: Sequence[Crossing]) -> dict[str, str]:
    """Lower-cased code and name -> code, for parsing what an operator or a file names."""
    table = {}
    for crossing in crossings:
        table[crossing.code.lower()] = crossing.code
        table[crossing.name.lower()] = crossing.code
    return table


def movement_from_fields(fields: dict[str, object], crossings: dict[str, str] | None = None,
                         today: date | None = None,
                         default_releasability: str = RELEASABLE_TO_ALL) -> tuple[Movement | None, dict[str, str]]:
    """Text fields (a form, an import row) -> a checked Movement, or the errors by field.

    The form and ``cmcc import aid`` share this, so a value the form refuses is
    refused in a file with the same message. Empty status: scheduled; empty
    source: own observation; empty load type: humanitarian.
    """
    text = {name: "" if fields.get(name) is None else str(fields.get(name)) for name in MOVEMENT_FIELDS}
    errors: dict[str, str] = {}
    today = today or aid_day()
    planned: date | None = None
    if not text["planned_date"].strip():
        errors["planned_date"] = "give the planned date (YYYY-MM-DD, today)"
    else:
        try:
            planned = parse_day(text["planned_date"], today)
        except ValueError as error:
            errors["planned_date"] = str(error)
    code = text["crossing"].strip()
    if code and crossings is not None:
        found = crossings.get(code.lower())
        if found is None:
            errors["crossing"] = (f"{clean_line(code, max_chars=30)!r} is not a crossing"
                                  f" ({', '.join(sorted(set(crossings.values())))})")
        code = found or code
    commodity = _choice_of(Commodity, text["commodity"], "commodity", errors, None)
    load_type = _choice_of(LoadType, text["load_type"], "load_type", errors, LoadType.HUMANITARIAN)
    figure_source = _choice_of(FigureSource, text["figure_source"], "figure_source", errors, FigureSource.OWN)
    status = _choice_of(MovementStatus, text["status"], "status", errors, MovementStatus.SCHEDULED)
    trucks = _number(text["trucks"], int, "trucks", errors)
    pallets = _number(text["pallets"], int, "pallets", errors)
    tonnes = _number(text["tonnes"], float, "tonnes", errors)
    if errors.keys() & {"planned_date", "commodity"} or planned is None or commodity is None:
        # still run the record checks for the other fields' messages
        planned = planned or today
    movement = Movement(
        planned_date=planned, crossing_code=code, organisation=text["organisation"],
        commodity=commodity or Commodity.OTHER, load_type=load_type,
        trucks=trucks, tonnes=tonnes, pallets=pallets, reference=text["reference"],
        figure_source=figure_source, status=status, status_note=text["status_note"],
        releasability=text["releasability"].strip() or default_releasability,
    )
    cleaned, problems = validate_movement(movement, set(crossings.values()) if crossings is not None else None,
                                          today)
    for name, message in problems.items():
        errors.setdefault(name, message)
    if errors:
        return None, {name: errors[name] for name in MOVEMENT_FIELDS if name in errors}
    return cleaned, {}


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


def validate_dual_use(request: DualUseRequest) -> tuple[DualUseRequest, dict[str, str]]:
    cleaned = replace(
        request,
        item=clean_line(request.item, max_chars=120),
        list_reference=clean_line(request.list_reference, max_chars=40),
        quantity=clean_line(request.quantity, max_chars=60),
        organisation=clean_line(request.organisation, max_chars=80),
        justification=clean_text(request.justification, max_chars=1000),
    )
    errors: dict[str, str] = {}
    if not cleaned.item:
        errors["item"] = "name the item"
    if not cleaned.quantity:
        errors["quantity"] = "give the quantity (e.g. 4 units)"
    if not cleaned.organisation:
        errors["organisation"] = "name the requesting organisation"
    return cleaned, errors


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


@dataclass(frozen=True)
class InsertOutcome:
    inserted: list[int]
    already_present: int


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
        if not is_open and not reason:
            raise ValidationError({"reason": "closing a crossing needs a reason"})
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
            allowed_step(actor, movement_transition, current.status, status, note,
                         what=f"move a movement to {status.label}",
                         note_needed=f"moving to {status.label} needs a note saying why")
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
            allowed_step(actor, dual_use_transition, current.status, status, note,
                         what=f"mark a dual-use request {status.label}",
                         note_needed=f"{status.label} needs a note for the requester")
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


def fold_board(crossings: list[Crossing], day: date, rows: Iterable[sqlite3.Row]) -> list[CrossingDay]:
    """Per-record rows of one day -> CrossingDay per crossing (pure; see the module docstring)."""
    convoys = _convoys(rows)
    by_status: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    main_source: dict[int, FigureSource] = {}
    for reports in convoys:
        best = best_report(reports)
        by_status[best.crossing_id][best.status.value] += best.trucks
        if best.crossing_id not in main_source or _ranks_before(best.source, main_source[best.crossing_id]):
            main_source[best.crossing_id] = best.source
    figures = entered_by_crossing(convoys)
    days = []
    for crossing in crossings:
        crossing_id = saved_id(crossing)
        days.append(CrossingDay(crossing, day, dict(by_status.get(crossing_id, {})),
                                figures.get(crossing_id, EnteredFigures()),
                                main_source[crossing_id].value if crossing_id in main_source else ""))
    return days


def _convoys(rows: Iterable[sqlite3.Row]) -> list[dict[FigureSource, ConvoyReport]]:
    """Rows (id, crossing_id, status, trucks, reference, source) -> each convoy's reports by source.

    One reference is one convoy whoever reported it; a record without a reference is a convoy of its own.
    """
    convoys: dict[tuple[str, object], dict[FigureSource, ConvoyReport]] = defaultdict(dict)
    for row in rows:
        row_id, crossing_id, status, trucks, reference, source = tuple(row)
        key = ("ref", reference) if reference else ("id", row_id)
        convoys[key][FigureSource(source)] = ConvoyReport(FigureSource(source), crossing_id, MovementStatus(status),
                                                          trucks or 0)
    return list(convoys.values())


def _ranks_before(source: FigureSource, other: FigureSource) -> bool:
    return FIGURE_SOURCE_PRIORITY.index(source) < FIGURE_SOURCE_PRIORITY.index(other)
