"""Domain records and rules of the watch floor. Pure: no I/O, no Textual.

Records are frozen dataclasses; statuses are enums; the allowed status
transitions and the role each mutation needs live in tables here, so the store
enforces them and the interface merely asks.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum, IntEnum
from typing import Any, Self


class Choice(str, Enum):
    """A string enum whose value is what is stored and whose label is shown."""

    _value_: str

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")

    @classmethod
    def parse(cls, text: str) -> Self:
        """Accept the value, the label or the member name, case-insensitively."""
        wanted = text.strip().lower().replace(" ", "_").replace("-", "_")
        for member in cls:
            if wanted in (member.value.lower(), member.name.lower()):
                return member
        choices = ", ".join(m.value for m in cls)
        raise ValueError(f"{text!r} is not one of: {choices}")


# --- people and permissions -------------------------------------------------


class Role(IntEnum):
    """Ordered: each role may do everything the ones below it may."""

    VIEWER = 0
    OPERATOR = 1
    WATCH_OFFICER = 2
    ADMIN = 3

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", " ")

    @classmethod
    def parse(cls, text: str) -> "Role":
        key = text.strip().upper().replace(" ", "_").replace("-", "_")
        try:
            return cls[key]
        except KeyError:
            raise ValueError(
                f"{text!r} is not a role (viewer, operator, watch_officer, admin)"
            ) from None


class Permission(str, Enum):
    CREATE = "create"  # new records of any kind
    EDIT = "edit"  # edits, notes, links, acknowledgement, presence
    VERIFY = "verify"  # verification outcomes, closing, reopening
    SIGN_HANDOVER = "sign_handover"
    MANAGE_FEEDS = "manage_feeds"
    MANAGE_OPERATORS = "manage_operators"


#: The least role that holds each permission. The store checks this table.
REQUIRED_ROLE: dict[Permission, Role] = {
    Permission.CREATE: Role.OPERATOR,
    Permission.EDIT: Role.OPERATOR,
    Permission.VERIFY: Role.WATCH_OFFICER,
    Permission.SIGN_HANDOVER: Role.WATCH_OFFICER,
    Permission.MANAGE_FEEDS: Role.ADMIN,
    Permission.MANAGE_OPERATORS: Role.ADMIN,
}


def may(role: Role, permission: Permission) -> bool:
    return role >= REQUIRED_ROLE[permission]


@dataclass(frozen=True)
class Actor:
    """Who makes a change, and from where. Every mutation takes one.

    The store judges a write by the operator's role and nation as the database has them at that
    moment (looked up by ``login`` inside the write's transaction), so ``role`` and ``nation`` here
    are what the screen shows, not a grant. ``viewer_login`` is set when a real operator views the
    floor as this one (``--view-as``): such an actor reads as this operator and never writes.
    ``system`` marks the feed poller's own identity, the only one the store does not look up.
    """

    login: str
    name: str
    role: Role
    nation: str
    origin: str = "local"
    viewer_login: str = ""
    system: bool = False

    @property
    def label(self) -> str:
        return f"{self.name} ({self.nation}, {self.role.label})"

    @property
    def viewing_as(self) -> bool:
        """True when someone else views the floor as this operator: read-only."""
        return bool(self.viewer_login)


#: The feed poller acts under this identity (inbox files under their owner's).
SYSTEM_ACTOR = Actor("cmcc-system", "System", Role.ADMIN, "ALL", "local", system=True)


@dataclass(frozen=True)
class Operator:
    login: str
    name: str
    nation: str
    role: Role
    id: int | None = None


# --- releasability ----------------------------------------------------------

RELEASABLE_TO_ALL = "ALL"


def widens(old_marking: str, new_marking: str) -> bool:
    """Does the new marking release the record to a nation the old one did not?"""
    if old_marking == RELEASABLE_TO_ALL:
        return False
    if new_marking == RELEASABLE_TO_ALL:
        return True
    return not set(new_marking.split(",")) <= set(old_marking.split(","))


def may_widen(actor: "Actor", origin_nation: str) -> bool:
    """Only the originating nation or a watch officer (or above) may widen a marking."""
    return actor.role >= Role.WATCH_OFFICER or (bool(origin_nation) and actor.nation == origin_nation)


def parse_releasability(text: str) -> str:
    """Normalise a marking: 'ALL' or a sorted comma list of nation codes."""
    codes = sorted({c.strip().upper() for c in text.replace(";", ",").split(",") if c.strip()})
    if not codes or RELEASABLE_TO_ALL in codes:
        return RELEASABLE_TO_ALL
    for code in codes:
        if not (2 <= len(code) <= 4 and code.isalpha()):
            raise ValueError(f"{code!r} is not a nation code (2-4 letters)")
    return ",".join(codes)


# --- incidents --------------------------------------------------------------


class Governorate(Choice):
    NORTH_GAZA = "North Gaza"
    GAZA = "Gaza"
    DEIR_AL_BALAH = "Deir al-Balah"
    KHAN_YOUNIS = "Khan Younis"
    RAFAH = "Rafah"

    @property
    def label(self) -> str:
        return self.value

    @property
    def short(self) -> str:
        return {"North Gaza": "N.Gaza", "Deir al-Balah": "DeirB", "Khan Younis": "KhanY"}.get(
            self.value, self.value
        )


LOCALITIES: dict[Governorate, tuple[str, ...]] = {
    Governorate.NORTH_GAZA: ("Jabalia camp", "Beit Lahia", "Beit Hanoun"),
    Governorate.GAZA: ("Shujaiyya", "Zeitoun", "Tuffah", "Rimal", "Sheikh Radwan", "Sabra", "Shati camp"),
    Governorate.DEIR_AL_BALAH: ("Nuseirat", "Bureij", "Maghazi", "Deir al-Balah"),
    Governorate.KHAN_YOUNIS: ("Khan Younis", "Bani Suheila", "al-Mawasi"),
    Governorate.RAFAH: ("Tal al-Sultan", "Jenina", "Rafah"),
}


class IncidentCategory(Choice):
    YELLOW_LINE = "yellow_line_approach"
    SMALL_ARMS = "small_arms_fire"
    ANTI_TANK = "anti_tank_fire"
    AIR_STRIKE = "air_or_drone_strike"
    SHELLING = "shelling"
    ARMED_CLASH = "armed_clash"
    TUNNEL = "tunnel_emergence"
    DEMOLITION = "demolition"
    AID_LOOTING = "aid_looting"
    AID_OBSTRUCTION = "crossing_closure_or_aid_obstruction"
    REMAINS_DELAY = "remains_handover_delay"
    ROCKET = "rocket_or_mortar_launch"
    OTHER = "other"


class IncidentStatus(Choice):
    REPORTED = "reported"
    VERIFYING = "verifying"
    VERIFIED = "verified"
    UNSUBSTANTIATED = "unsubstantiated"
    CLOSED = "closed"

    @property
    def mark(self) -> str:
        """A letter, so status is never told by colour alone."""
        return {"reported": "R", "verifying": "?", "verified": "V", "unsubstantiated": "U", "closed": "C"}[
            self.value
        ]


class SourceType(Choice):
    PARTNER_LIAISON = "partner_liaison"
    UN = "un"
    IDF_STATEMENT = "idf_statement"
    HAMAS_STATEMENT = "hamas_statement"
    MEDIA = "media"
    SOCIAL_MEDIA = "social_media"
    OTHER = "other"


@dataclass(frozen=True)
class Transition:
    to: IncidentStatus
    needs_note: bool
    permission: Permission


#: Every allowed incident transition, and what it needs. One table, enforced by the store.
INCIDENT_TRANSITIONS: dict[IncidentStatus, tuple[Transition, ...]] = {
    IncidentStatus.REPORTED: (
        Transition(IncidentStatus.VERIFYING, True, Permission.EDIT),
    ),
    IncidentStatus.VERIFYING: (
        Transition(IncidentStatus.VERIFIED, False, Permission.VERIFY),
        Transition(IncidentStatus.UNSUBSTANTIATED, False, Permission.VERIFY),
    ),
    IncidentStatus.VERIFIED: (Transition(IncidentStatus.CLOSED, True, Permission.VERIFY),),
    IncidentStatus.UNSUBSTANTIATED: (Transition(IncidentStatus.CLOSED, True, Permission.VERIFY),),
    IncidentStatus.CLOSED: (Transition(IncidentStatus.REPORTED, True, Permission.VERIFY),),
}

OPEN_INCIDENT_STATUSES = frozenset(
    {IncidentStatus.REPORTED, IncidentStatus.VERIFYING, IncidentStatus.VERIFIED, IncidentStatus.UNSUBSTANTIATED}
)


def incident_transition(current: IncidentStatus, target: IncidentStatus) -> Transition:
    for transition in INCIDENT_TRANSITIONS[current]:
        if transition.to is target:
            return transition
    allowed = ", ".join(t.to.value for t in INCIDENT_TRANSITIONS[current]) or "none"
    raise ValueError(f"an incident cannot go from {current.value} to {target.value} (allowed: {allowed})")


SEVERITY_MARKS = {1: "·", 2: "▪", 3: "▲", 4: "◆", 5: "█"}


@dataclass(frozen=True)
class Incident:
    occurred_at: datetime  # UTC
    governorate: Governorate
    category: IncidentCategory
    description: str
    severity: int
    locality: str = ""
    latitude: float | None = None
    longitude: float | None = None
    grid_ref: str = ""
    killed: int | None = None  # None: unknown
    injured: int | None = None
    alleged_party: str = ""
    source: str = ""
    source_type: SourceType = SourceType.OTHER
    reliability: str = "F"  # NATO Admiralty scale A-F
    credibility: int = 6  # 1-6
    status: IncidentStatus = IncidentStatus.REPORTED
    assigned_cell: str = ""
    acknowledged_by: str = ""
    acknowledged_at: datetime | None = None
    releasability: str = RELEASABLE_TO_ALL
    origin_nation: str = ""  # set by the store from the reporting actor
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 1
    id: int | None = None

    @property
    def grading(self) -> str:
        return f"{self.reliability}{self.credibility}"

    @property
    def place(self) -> str:
        return f"{self.governorate.value}/{self.locality}" if self.locality else self.governorate.value


@dataclass(frozen=True)
class IncidentNote:
    incident_id: int
    text: str
    author: str
    created_at: datetime
    releasability: str = RELEASABLE_TO_ALL
    id: int | None = None


# --- aid flow ---------------------------------------------------------------


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


@dataclass(frozen=True)
class StatusStep:
    """One allowed status change of an aid record: where to, whether it needs a note, who may."""

    to: Choice
    needs_note: bool = False
    permission: Permission = Permission.EDIT


#: Every allowed movement transition. One table, enforced by the store (``AidRepository``).
#: held and rejected need a reason, intercepted a note; a rejected movement may only be re-planned.
MOVEMENT_TRANSITIONS: dict[MovementStatus, tuple[StatusStep, ...]] = {
    MovementStatus.SCHEDULED: (
        StatusStep(MovementStatus.AT_CROSSING), StatusStep(MovementStatus.HELD, True),
        StatusStep(MovementStatus.REJECTED, True),
    ),
    MovementStatus.AT_CROSSING: (
        StatusStep(MovementStatus.INSPECTED), StatusStep(MovementStatus.HELD, True),
        StatusStep(MovementStatus.REJECTED, True),
    ),
    MovementStatus.INSPECTED: (
        StatusStep(MovementStatus.OFFLOADED), StatusStep(MovementStatus.HELD, True),
        StatusStep(MovementStatus.REJECTED, True),
    ),
    MovementStatus.OFFLOADED: (
        StatusStep(MovementStatus.COLLECTED), StatusStep(MovementStatus.INTERCEPTED, True),
    ),
    MovementStatus.COLLECTED: (
        StatusStep(MovementStatus.REACHED), StatusStep(MovementStatus.INTERCEPTED, True),
    ),
    MovementStatus.HELD: (
        StatusStep(MovementStatus.AT_CROSSING), StatusStep(MovementStatus.INSPECTED),
        StatusStep(MovementStatus.OFFLOADED), StatusStep(MovementStatus.REJECTED, True),
    ),
    MovementStatus.REJECTED: (StatusStep(MovementStatus.SCHEDULED, True, Permission.VERIFY),),
    MovementStatus.REACHED: (),
    MovementStatus.INTERCEPTED: (),
}

#: Statuses whose record must carry a note (also when imported).
MOVEMENT_NOTE_REQUIRED = frozenset({MovementStatus.HELD, MovementStatus.REJECTED, MovementStatus.INTERCEPTED})
#: Not yet through the crossing and not stopped: the pipeline.
PIPELINE_STATUSES = (MovementStatus.SCHEDULED, MovementStatus.AT_CROSSING, MovementStatus.INSPECTED)


def movement_transition(current: MovementStatus, target: MovementStatus) -> StatusStep:
    for step in MOVEMENT_TRANSITIONS[current]:
        if step.to is target:
            return step
    allowed = ", ".join(s.to.label for s in MOVEMENT_TRANSITIONS[current]) or "none"
    raise ValueError(f"a movement cannot go from {current.label} to {target.label} (allowed: {allowed})")


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
DUAL_USE_TRANSITIONS: dict[DualUseStatus, tuple[StatusStep, ...]] = {
    DualUseStatus.SUBMITTED: (StatusStep(DualUseStatus.UNDER_REVIEW),),
    DualUseStatus.UNDER_REVIEW: (
        StatusStep(DualUseStatus.APPROVED, False, Permission.VERIFY),
        StatusStep(DualUseStatus.DENIED, True, Permission.VERIFY),
        StatusStep(DualUseStatus.MORE_INFO, True),
    ),
    DualUseStatus.MORE_INFO: (StatusStep(DualUseStatus.RESUBMITTED, True),),
    DualUseStatus.RESUBMITTED: (StatusStep(DualUseStatus.UNDER_REVIEW),),
    DualUseStatus.APPROVED: (),
    DualUseStatus.DENIED: (),
}
#: Outcomes that stamp ``decided_at`` (a request for more information is a decision too).
DUAL_USE_DECISIONS = frozenset({DualUseStatus.APPROVED, DualUseStatus.DENIED, DualUseStatus.MORE_INFO})
#: Waiting on the working group (not on the requester, not decided).
DUAL_USE_WAITING = frozenset({DualUseStatus.SUBMITTED, DualUseStatus.UNDER_REVIEW, DualUseStatus.RESUBMITTED})
#: A request waiting longer than this is flagged.
DUAL_USE_OVERDUE_HOURS = 72


def dual_use_transition(current: DualUseStatus, target: DualUseStatus) -> StatusStep:
    for step in DUAL_USE_TRANSITIONS[current]:
        if step.to is target:
            return step
    allowed = ", ".join(s.to.label for s in DUAL_USE_TRANSITIONS[current]) or "none"
    raise ValueError(f"a dual-use request cannot go from {current.label} to {target.label} (allowed: {allowed})")


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


# --- partners, officers, stabilization force ---------------------------------


class PartnerKind(Choice):
    MILITARY = "military"
    CIVIL_GOVERNMENT = "civil_government"
    UN_AGENCY = "un_agency"
    NGO = "ngo"


@dataclass(frozen=True)
class Partner:
    code: str
    name: str
    kind: PartnerKind
    cell: str = ""
    id: int | None = None


class Shift(Choice):
    DAY = "day"
    NIGHT = "night"
    OTHER = "other"


class Presence(Choice):
    ON_FLOOR = "on_floor"
    AWAY = "away"
    OFF_SHIFT = "off_shift"

    @property
    def mark(self) -> str:
        return {"on_floor": "●", "away": "◐", "off_shift": "○"}[self.value]

    @property
    def next(self) -> "Presence":
        """The `p` key cycles on floor -> away -> off shift -> on floor."""
        order = list(Presence)
        return order[(order.index(self) + 1) % len(order)]


@dataclass(frozen=True)
class Officer:
    rank: str
    name: str
    partner_code: str
    service: str = ""
    cell: str = ""
    role: str = ""
    contact: str = ""
    shift: Shift = Shift.DAY
    rotation_start: date | None = None
    rotation_end: date | None = None
    presence: Presence = Presence.OFF_SHIFT
    presence_changed_at: datetime | None = None
    releasability: str = RELEASABLE_TO_ALL
    version: int = 1
    id: int | None = None
    service_number: str = ""  # with the partner, the roster import's idempotence key when given


#: An officer is marked when the rotation ends within this many days.
ROTATION_WARNING_DAYS = 7


@dataclass(frozen=True)
class RosterCounts:
    """The whole roster an actor may see, counted (never a page of it)."""

    total: int
    on_floor_by_partner: tuple[tuple[str, int], ...]  # most first
    rotations_ending: int

    @property
    def on_floor(self) -> int:
        return sum(n for _, n in self.on_floor_by_partner)


def rotation_ending(officer: Officer, today: date, days: int = ROTATION_WARNING_DAYS) -> bool:
    """True when the officer's rotation ends within ``days`` of ``today`` (or has already ended)."""
    return officer.rotation_end is not None and officer.rotation_end <= today + timedelta(days=days)


class IsfStatus(Choice):
    UNDER_DISCUSSION = "under_discussion"
    PLEDGED = "pledged"
    ACCEPTED = "accepted"
    VETOED = "vetoed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"

    @property
    def mark(self) -> str:
        """A letter, so status is never told by colour alone."""
        return {"under_discussion": "?", "pledged": "P", "accepted": "A", "vetoed": "X", "declined": "D",
                "withdrawn": "W"}[self.value]


class IsfRole(Choice):
    TROOPS = "troops"
    POLICE_TRAINING = "police_training"
    LOGISTICS = "logistics"
    FUNDING = "funding"


class OpenQuestion(Choice):
    """What each stabilization-force contributor still has to settle."""

    MANDATE = "mandate"
    COMMAND = "command"
    LEGAL_BASIS = "legal_basis"
    FUNDING = "funding"
    RULES_OF_ENGAGEMENT = "rules_of_engagement"

    @property
    def letter(self) -> str:
        return {"mandate": "M", "command": "C", "legal_basis": "L", "funding": "F", "rules_of_engagement": "R"}[
            self.value]


QUESTION_OPEN = "open"
QUESTION_SETTLED = "settled"


def parse_open_questions(text: str) -> dict[OpenQuestion, str]:
    """The contributor's JSON ``{"mandate": "open", ...}`` as a full map; unknown keys and values are dropped."""
    try:
        raw = json.loads(text or "{}")
    except (ValueError, RecursionError):
        raw = {}
    if not isinstance(raw, dict):
        raw = {}
    result = {}
    for question in OpenQuestion:
        value = raw.get(question.value)
        result[question] = value if value in (QUESTION_OPEN, QUESTION_SETTLED) else QUESTION_OPEN
    return result


def question_marks(text: str) -> str:
    """``MC·F·``: the letter of each open question, a dot for each settled one."""
    return "".join(q.letter if state == QUESTION_OPEN else "·" for q, state in parse_open_questions(text).items())


@dataclass(frozen=True)
class Contributor:
    nation: str
    status: IsfStatus
    troops: int = 0
    police: int = 0
    role_offered: str = ""
    caveats: str = ""
    open_questions: str = ""  # JSON object: question -> "open" | "settled"
    notes: str = ""
    updated_at: datetime | None = None
    version: int = 1
    id: int | None = None

    @property
    def questions(self) -> dict[OpenQuestion, str]:
        return parse_open_questions(self.open_questions)


@dataclass(frozen=True)
class StatusChange:
    """One change in a record's history, read from the journal: who, when, from what to what, why."""

    at: datetime
    actor: str
    old: str
    new: str
    note: str = ""
    action: str = ""


# --- the plan ---------------------------------------------------------------


class PlanStatus(Choice):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    BLOCKED = "blocked"
    DISPUTED = "disputed"

    @property
    def mark(self) -> str:
        return {"not_started": "·", "in_progress": "~", "done": "✓", "blocked": "✗", "disputed": "!"}[self.value]


@dataclass(frozen=True)
class PlanPoint:
    number: int
    title: str
    status: PlanStatus = PlanStatus.NOT_STARTED
    owner: str = ""
    next_step: str = ""
    changed_at: datetime | None = None
    changed_by: str = ""
    version: int = 1
    id: int | None = None


@dataclass(frozen=True)
class PlanNote:
    point_number: int
    text: str
    author: str
    created_at: datetime
    id: int | None = None


# --- feeds and headlines ----------------------------------------------------


@dataclass(frozen=True)
class Feed:
    name: str
    url: str
    interval_seconds: int = 300
    enabled: bool = True
    header_env: str = ""  # "Header-Name=ENV_VAR" pairs; the value is read at poll time
    keywords: tuple[str, ...] = ()
    last_success_at: datetime | None = None
    last_error_at: datetime | None = None
    last_error: str = ""
    consecutive_failures: int = 0
    next_poll_at: datetime | None = None
    items_seen: int = 0
    etag: str = ""
    last_modified: str = ""
    id: int | None = None
    health_note: str = ""  # what the latest good poll noticed (entries skipped, a header dropped)


@dataclass(frozen=True)
class Headline:
    title: str
    published_at: datetime  # UTC
    source: str
    link: str = ""
    summary: str = ""
    guid: str = ""
    dedup_key: str = ""
    feed_id: int | None = None
    read: bool = False
    watch_hits: tuple[str, ...] = ()
    releasability: str = RELEASABLE_TO_ALL
    id: int | None = None
    archived: bool = False  # found in the archive file (cmcc archive), not in the live database


# --- the journal and changes ------------------------------------------------


class Entity(str, Enum):
    INCIDENT = "incident"
    INCIDENT_NOTE = "incident_note"
    MOVEMENT = "movement"
    CROSSING = "crossing"
    DUAL_USE = "dual_use"
    PARTNER = "partner"
    OFFICER = "officer"
    CONTRIBUTOR = "contributor"
    PLAN_POINT = "plan_point"
    FEED = "feed"
    HEADLINE = "headline"
    OPERATOR = "operator"
    LOG = "log"
    HANDOVER = "handover"
    SEED = "seed"
    LEASE = "lease"  # who holds the feed-polling lease (acquire, takeover, release)


@dataclass(frozen=True)
class JournalEntry:
    id: int
    at: datetime
    actor: str
    origin: str
    entity: Entity
    entity_id: int | None
    action: str
    changes: dict[str, Any] = field(default_factory=dict)


class StoreError(Exception):
    """A change the store refused or could not make, with a message for the operator."""


class PermissionDenied(StoreError):
    pass


class StaleRecord(StoreError):
    """Someone else saved the record since it was read; the caller should reload."""


class ValidationError(StoreError):
    """One or more fields are invalid; ``errors`` maps field name to message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
