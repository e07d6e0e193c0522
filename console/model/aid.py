"""Aid flow: crossings, movements through them, the dual-use request queue; their workflows, field
checks and the folding of a day's records into the board. Pure.

The day
    ``planned_date`` is a calendar date and the aid day is the **UTC (Zulu) day**,
    like every time on the floor: ``aid_day(now)`` is ``now`` in UTC, dated. So
    between 00:00 and 02:00/03:00 local (Asia/Jerusalem) the board still shows
    the previous UTC day; it rolls over at 00:00Z for every console at once,
    whatever the host's time zone.

Figures from several sources
    A movement is one convoy as reported by one source (UN 2720, COGAT, a
    partner, own observation). Two records with the same reference and
    different sources are the same convoy reported twice. The board's combined
    figure counts each convoy once, taking the first source in
    ``FIGURE_SOURCE_PRIORITY``; ``CrossingDay.figures`` (``EnteredFigures``)
    also holds each source's own figure: only the convoys it reported entered,
    at the crossing it named, never filled in from another source.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any, TypeVar, overload

from console.dtg import utc_now
from console.model.access import RELEASABLE_TO_ALL, Permission, parse_releasability
from console.model.choice import Choice
from console.model.errors import StoreError
from console.model.transitions import Step, Transitions
from console.sanitize import clean_line, clean_text


# --- the records and their workflows ---------------------------------------------------


class Commodity(Choice):
    FOOD = "food"
    WASH = "water_and_sanitation"
    MEDICAL = "medical"
    SHELTER = "shelter_and_winter"
    FUEL = "fuel"
    COOKING_GAS = "cooking_gas"
    HYGIENE = "hygiene"
    OTHER = "other"


class LoadType(Choice):
    HUMANITARIAN = "humanitarian"
    COMMERCIAL = "commercial"


class FigureSource(Choice):
    UN2720 = "un2720"
    COGAT = "cogat"
    PARTNER = "partner"
    OWN = "own_observation"

    @property
    def short(self) -> str:
        return {"un2720": "UN", "cogat": "COGAT", "partner": "partner", "own_observation": "own"}[self.value]

    @property
    def full_name(self) -> str:
        return {"un2720": "UN 2720", "cogat": "COGAT", "partner": "partner", "own_observation": "own"}[self.value]


#: When several sources report the same convoy (same reference), the combined figure takes
#: the first of these; each source's own figure is shown beside it (``EnteredFigures``).
FIGURE_SOURCE_PRIORITY = (FigureSource.UN2720, FigureSource.COGAT, FigureSource.PARTNER, FigureSource.OWN)


class MovementStatus(Choice):
    SCHEDULED = "scheduled"
    AT_CROSSING = "at_crossing"
    INSPECTED = "inspected"
    OFFLOADED = "offloaded"
    COLLECTED = "collected"
    REACHED = "reached_destination"
    HELD = "held"
    REJECTED = "rejected"
    INTERCEPTED = "intercepted"


#: Movements that count as having entered Gaza.
ENTERED_STATUSES = frozenset(
    {MovementStatus.OFFLOADED, MovementStatus.COLLECTED, MovementStatus.REACHED, MovementStatus.INTERCEPTED}
)


#: Every allowed movement transition. One table, enforced by the store (``AidRepository``).
#: held and rejected need a reason, intercepted a note; a rejected movement may only be re-planned.
MOVEMENT_TRANSITIONS: Transitions[MovementStatus] = Transitions(
    record="a movement",
    steps={
        MovementStatus.SCHEDULED: (
            Step(MovementStatus.AT_CROSSING), Step(MovementStatus.HELD, True), Step(MovementStatus.REJECTED, True),
        ),
        MovementStatus.AT_CROSSING: (
            Step(MovementStatus.INSPECTED), Step(MovementStatus.HELD, True), Step(MovementStatus.REJECTED, True),
        ),
        MovementStatus.INSPECTED: (
            Step(MovementStatus.OFFLOADED), Step(MovementStatus.HELD, True), Step(MovementStatus.REJECTED, True),
        ),
        MovementStatus.OFFLOADED: (Step(MovementStatus.COLLECTED), Step(MovementStatus.INTERCEPTED, True)),
        MovementStatus.COLLECTED: (Step(MovementStatus.REACHED), Step(MovementStatus.INTERCEPTED, True)),
        MovementStatus.HELD: (
            Step(MovementStatus.AT_CROSSING), Step(MovementStatus.INSPECTED), Step(MovementStatus.OFFLOADED),
            Step(MovementStatus.REJECTED, True),
        ),
        MovementStatus.REJECTED: (Step(MovementStatus.SCHEDULED, True, Permission.VERIFY),),
        MovementStatus.REACHED: (),
        MovementStatus.INTERCEPTED: (),
    },
    act="move a movement to {to}",
    note_needed="moving to {to} needs a note saying why",
)

#: Statuses whose record must carry a note (also when imported).
MOVEMENT_NOTE_REQUIRED = frozenset({MovementStatus.HELD, MovementStatus.REJECTED, MovementStatus.INTERCEPTED})
#: Not yet through the crossing and not stopped: the pipeline.
PIPELINE_STATUSES = (MovementStatus.SCHEDULED, MovementStatus.AT_CROSSING, MovementStatus.INSPECTED)


@dataclass(frozen=True)
class Crossing:
    code: str
    name: str
    border: str
    is_open: bool = True
    status_reason: str = ""
    status_changed_at: datetime | None = None
    daily_target: int | None = None
    id: int | None = None


@dataclass(frozen=True)
class Movement:
    planned_date: date
    crossing_code: str
    organisation: str
    commodity: Commodity
    load_type: LoadType = LoadType.HUMANITARIAN
    trucks: int | None = None
    tonnes: float | None = None
    pallets: int | None = None
    reference: str = ""
    figure_source: FigureSource = FigureSource.OWN
    status: MovementStatus = MovementStatus.SCHEDULED
    status_note: str = ""
    releasability: str = RELEASABLE_TO_ALL
    updated_at: datetime | None = None
    version: int = 1
    id: int | None = None


@dataclass(frozen=True)
class ConvoyReport:
    """One source's report of one convoy: the crossing it names, the status and the trucks it gives."""

    source: FigureSource
    crossing_id: int
    status: MovementStatus
    trucks: int = 0

    @property
    def entered(self) -> bool:
        return self.status in ENTERED_STATUSES


def best_report(reports: Mapping[FigureSource, ConvoyReport]) -> ConvoyReport:
    """The report the combined figure takes: the first source in ``FIGURE_SOURCE_PRIORITY``."""
    return reports[min(reports, key=FIGURE_SOURCE_PRIORITY.index)]


@dataclass(frozen=True)
class SourceFigure:
    """Trucks entered and the convoys behind them."""

    trucks: int = 0
    convoys: int = 0

    def __add__(self, other: "SourceFigure") -> "SourceFigure":
        return SourceFigure(self.trucks + other.trucks, self.convoys + other.convoys)

    @property
    def text(self) -> str:
        return f"{self.trucks} ({self.convoys} convoy{'' if self.convoys == 1 else 's'})"


#: Named in every figure line, also when they reported nothing: the two counts the floor compares.
STANDING_SOURCES = (FigureSource.UN2720, FigureSource.COGAT)
#: What the combined figure is, wherever it is shown without its sources beside it.
COMBINED_MEANS = "each convoy once, best source"


@dataclass(frozen=True)
class EnteredFigures:
    """Trucks entered (at a crossing, or over several), as each source reported them and combined.

    A source's figure is its own reports only: the convoys it reported entered, at the crossing it
    named. Combined counts each convoy once, as its best source reported it (``best_report``): it
    can exceed every source's figure (convoys only one source reported), and never mixes two reports.
    """

    combined: SourceFigure = SourceFigure()
    by_source: Mapping[FigureSource, SourceFigure] = field(default_factory=dict)

    def of(self, source: FigureSource) -> SourceFigure:
        return self.by_source.get(source, SourceFigure())

    @property
    def sources(self) -> tuple[FigureSource, ...]:
        """The standing sources, then any other that reported entered convoys, in priority order."""
        return tuple(s for s in FIGURE_SOURCE_PRIORITY if s in STANDING_SOURCES or self.of(s).convoys)

    def __add__(self, other: "EnteredFigures") -> "EnteredFigures":
        # each report names one crossing, so summing crossings counts no report twice
        merged = {s: self.of(s) + other.of(s) for s in FIGURE_SOURCE_PRIORITY if s in self.by_source
                  or s in other.by_source}
        return EnteredFigures(self.combined + other.combined, merged)

    @property
    def line(self) -> str:
        """``UN 2720 20 (1 convoy) · COGAT 103 (5 convoys) · combined 123``."""
        parts = [f"{s.full_name} {self.of(s).text}" for s in self.sources]
        return " · ".join([*parts, f"combined {self.combined.trucks}"])


def entered_by_crossing(convoys: Iterable[Mapping[FigureSource, ConvoyReport]]) -> dict[int, EnteredFigures]:
    """Each convoy's reports (source -> report) -> crossing id -> its figures (see ``EnteredFigures``)."""
    combined: dict[int, SourceFigure] = {}
    own: dict[int, dict[FigureSource, SourceFigure]] = {}
    for reports in convoys:
        for report in reports.values():
            if report.entered:
                mine = own.setdefault(report.crossing_id, {})
                mine[report.source] = mine.get(report.source, SourceFigure()) + SourceFigure(report.trucks, 1)
        best = best_report(reports)
        if best.entered:
            combined[best.crossing_id] = combined.get(best.crossing_id, SourceFigure()) + SourceFigure(best.trucks, 1)
    return {cid: EnteredFigures(combined.get(cid, SourceFigure()), own.get(cid, {}))
            for cid in combined.keys() | own.keys()}


class DualUseStatus(Choice):
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    DENIED = "denied"
    MORE_INFO = "more_information"
    RESUBMITTED = "resubmitted"


#: Every allowed dual-use request transition. Approval and denial need a watch officer;
#: a denial or a request for more information needs a note. One table, enforced by the store.
DUAL_USE_TRANSITIONS: Transitions[DualUseStatus] = Transitions(
    record="a dual-use request",
    steps={
        DualUseStatus.SUBMITTED: (Step(DualUseStatus.UNDER_REVIEW),),
        DualUseStatus.UNDER_REVIEW: (
            Step(DualUseStatus.APPROVED, False, Permission.VERIFY),
            Step(DualUseStatus.DENIED, True, Permission.VERIFY),
            Step(DualUseStatus.MORE_INFO, True),
        ),
        DualUseStatus.MORE_INFO: (Step(DualUseStatus.RESUBMITTED, True),),
        DualUseStatus.RESUBMITTED: (Step(DualUseStatus.UNDER_REVIEW),),
        DualUseStatus.APPROVED: (),
        DualUseStatus.DENIED: (),
    },
    act="mark a dual-use request {to}",
    note_needed="{to} needs a note for the requester",
)
#: Outcomes that stamp ``decided_at`` (a request for more information is a decision too).
DUAL_USE_DECISIONS = frozenset({DualUseStatus.APPROVED, DualUseStatus.DENIED, DualUseStatus.MORE_INFO})
#: Waiting on the working group (not on the requester, not decided).
DUAL_USE_WAITING = frozenset({DualUseStatus.SUBMITTED, DualUseStatus.UNDER_REVIEW, DualUseStatus.RESUBMITTED})
#: A request waiting longer than this is flagged.
DUAL_USE_OVERDUE_HOURS = 72


@dataclass(frozen=True)
class DualUseRequest:
    item: str
    quantity: str
    organisation: str
    list_reference: str = ""
    justification: str = ""
    movement_id: int | None = None
    status: DualUseStatus = DualUseStatus.SUBMITTED
    decision_note: str = ""
    decided_at: datetime | None = None
    submitted_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 1
    id: int | None = None


#: Sanity bounds for one movement record.
MAX_TRUCKS = 2000
MAX_TONNES = 100_000.0
MAX_PALLETS = 100_000
EARLIEST_DATE = date(2023, 1, 1)
MAX_DAYS_AHEAD = 90


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


@dataclass(frozen=True)
class InsertOutcome:
    inserted: list[int]
    already_present: int


# --- field checks (shared by the forms, the importer and the store) ---------------------


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


def crossing_change_errors(closing: bool, reason: str) -> dict[str, str]:
    """Closing a crossing needs a reason (the board shows it until it reopens); reopening does not."""
    return {"reason": "closing a crossing needs a reason"} if closing and not clean_line(reason) else {}


def parse_movement_id(text: str) -> tuple[int | None, dict[str, str]]:
    """The movement a dual-use request travels with, as typed (``12`` or ``#12``; empty for none)."""
    raw = text.strip().lstrip("#")
    if not raw:
        return None, {}
    if not raw.isdigit():
        return None, {"movement_id": f"{clean_line(raw, max_chars=20)!r} is not a movement id"}
    return int(raw), {}


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


# --- the board: a day's records folded per crossing --------------------------------


def fold_board(crossings: list[Crossing], day: date, rows: Iterable[Iterable[Any]]) -> list[CrossingDay]:
    """Per-record rows of one day (id, crossing_id, status, trucks, reference, source) -> CrossingDay per
    crossing (see the module docstring)."""
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
        if crossing.id is None:
            raise StoreError("this crossing has not been saved yet")
        crossing_id = crossing.id
        days.append(CrossingDay(crossing, day, dict(by_status.get(crossing_id, {})),
                                figures.get(crossing_id, EnteredFigures()),
                                main_source[crossing_id].value if crossing_id in main_source else ""))
    return days


def _convoys(rows: Iterable[Iterable[Any]]) -> list[dict[FigureSource, ConvoyReport]]:
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
