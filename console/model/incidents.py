"""Incidents: the record, its workflow, its field checks, the filter language and the summary. Pure.

Field checks are shared by the form, the importers and the store: each returns a message fit to
show beside the field, and ``validate_incident`` collects every problem at once so a form can show
them all. The filter language (``parse_filter_spec``, ``describe_filter``) reads and writes presets
such as ``open, sev >= 3, last 24h``; the store turns an ``IncidentFilter`` into SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from console.dtg import format_dtg, parse_duration, parse_when, utc_now
from console.model.access import RELEASABLE_TO_ALL, Permission, parse_releasability
from console.model.choice import Choice
from console.model.transitions import Step, Transitions
from console.sanitize import clean_line, clean_text


# --- the record and its workflow -----------------------------------------------------


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


#: Every allowed incident transition, and what it needs. One table, enforced by the store.
INCIDENT_TRANSITIONS: Transitions[IncidentStatus] = Transitions(
    record="an incident",
    steps={
        IncidentStatus.REPORTED: (Step(IncidentStatus.VERIFYING, True, Permission.EDIT),),
        IncidentStatus.VERIFYING: (
            Step(IncidentStatus.VERIFIED, False, Permission.VERIFY),
            Step(IncidentStatus.UNSUBSTANTIATED, False, Permission.VERIFY),
        ),
        IncidentStatus.VERIFIED: (Step(IncidentStatus.CLOSED, True, Permission.VERIFY),),
        IncidentStatus.UNSUBSTANTIATED: (Step(IncidentStatus.CLOSED, True, Permission.VERIFY),),
        IncidentStatus.CLOSED: (Step(IncidentStatus.REPORTED, True, Permission.VERIFY),),
    },
    act="move an incident to {to}",
    note_needed="moving to {to} needs a note saying why",
)

OPEN_INCIDENT_STATUSES = frozenset(
    {IncidentStatus.REPORTED, IncidentStatus.VERIFYING, IncidentStatus.VERIFIED, IncidentStatus.UNSUBSTANTIATED}
)


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
class Ageing:
    """How long after its report an incident may stay reported, or verifying, before it is marked
    as ageing (settings ``reported_ageing_hours`` / ``verifying_ageing_hours``)."""

    reported_hours: float = 2.0
    verifying_hours: float = 6.0

    def limit(self, status: IncidentStatus) -> float | None:
        """Hours allowed in ``status``; None for a status that does not age."""
        return {IncidentStatus.REPORTED: self.reported_hours,
                IncidentStatus.VERIFYING: self.verifying_hours}.get(status)

    def is_ageing(self, incident: Incident, now: datetime) -> bool:
        hours = self.limit(incident.status)
        reported = incident.created_at or incident.occurred_at
        return hours is not None and (now - reported).total_seconds() > hours * 3600


def awaits_acknowledgement(incident: Incident) -> bool:
    """Open, severity 4-5 and not acknowledged: what rings the bell and what `]` / `[` jump to."""
    return (incident.severity >= 4 and incident.acknowledged_at is None
            and incident.status in OPEN_INCIDENT_STATUSES)

@dataclass(frozen=True)
class IncidentNote:
    incident_id: int
    text: str
    author: str
    created_at: datetime
    releasability: str = RELEASABLE_TO_ALL
    id: int | None = None


#: The permission an import needs to give a new incident each status: the workflow's own steps.
IMPORT_STATUS_PERMISSION = {
    IncidentStatus.REPORTED: Permission.CREATE,
    IncidentStatus.VERIFYING: Permission.EDIT,
    IncidentStatus.VERIFIED: Permission.VERIFY,
    IncidentStatus.UNSUBSTANTIATED: Permission.VERIFY,
    IncidentStatus.CLOSED: Permission.VERIFY,
}

LINK_KINDS = ("incident", "headline")
LINK_RELATIONS = ("confirms", "disputes", "relates")
PROMOTED_FROM = "promoted_from"


@dataclass(frozen=True)
class IncidentFilter:
    statuses: frozenset[IncidentStatus] = frozenset()
    min_severity: int = 1
    governorates: frozenset[Governorate] = frozenset()
    categories: frozenset[IncidentCategory] = frozenset()
    since: datetime | None = None
    #: A moving time window ("last 24h"), measured from the moment of each query.
    window: timedelta | None = None
    text: str = ""
    sort: str = "occurred_at"
    descending: bool = True
    unacknowledged_only: bool = False

    @classmethod
    def open_incidents(cls, **kwargs: Any) -> "IncidentFilter":
        return cls(statuses=frozenset(OPEN_INCIDENT_STATUSES), **kwargs)

    def narrows(self) -> bool:
        """True if it leaves out anything the actor may see (the sort order leaves out nothing)."""
        return replace(self, sort=IncidentFilter.sort, descending=IncidentFilter.descending) != IncidentFilter()

    def effective_since(self, now: datetime | None = None) -> datetime | None:
        moments = [m for m in (self.since, (now or utc_now()) - self.window if self.window else None) if m]
        return max(moments) if moments else None


@dataclass(frozen=True)
class IncidentSummary:
    by_status: dict[str, int] = field(default_factory=dict)
    by_severity: dict[int, int] = field(default_factory=dict)
    last_24h_by_governorate: dict[str, int] = field(default_factory=dict)
    unacknowledged_high: int = 0
    #: The newest unacknowledged open severity 4-5 incidents (at most 200): what rings the bell.
    unacknowledged_high_ids: tuple[int, ...] = ()
    #: Still reported or verifying longer after the report than ``Ageing`` allows.
    ageing: int = 0

    @property
    def total(self) -> int:
        """Every incident the actor may see: what ``count`` gives for a filter that narrows nothing."""
        return sum(self.by_status.values())


@dataclass(frozen=True)
class ImportOutcome:
    """What ``import_in`` did: the ids it inserted, and how many incidents were already recorded."""

    inserted: list[int]
    already_present: int


@dataclass(frozen=True)
class IncidentLink:
    """A corroboration, seen from one incident: ``outgoing`` when this incident made it."""

    other_kind: str
    other_id: int
    relation: str
    created_by: str
    created_at: datetime
    outgoing: bool = True


# --- filter presets: "open, sev >= 3, last 24h" ------------------------------------

_SEVERITY_TERM = re.compile(r"^(?:sev|severity)\s*>=?\s*([1-5])$")
_WINDOW_TERM = re.compile(r"^(?:last|since|within)\s+(\d+\s*[mhdw])$")


_Choice = TypeVar("_Choice", bound=Choice)


def _member(kind: type[_Choice], name: str) -> _Choice | None:
    """The member of ``kind`` that ``name`` names, or None."""
    try:
        return kind.parse(name)
    except ValueError:
        return None


def parse_filter_spec(spec: str) -> IncidentFilter:
    """Read a preset such as ``open, sev >= 3, last 24h, Rafah, shelling, unacknowledged, text: drone``.

    Raises ValueError naming the term it cannot read.
    """
    statuses: set[IncidentStatus] = set()
    governorates: set[Governorate] = set()
    categories: set[IncidentCategory] = set()
    values: dict[str, Any] = {}  # IncidentFilter's other fields, by name
    for raw in spec.split(","):
        term = " ".join(raw.strip().split())
        lower = term.lower()
        if not term or lower == "all":
            continue
        if lower.startswith("text:") or lower.startswith("text="):
            values["text"] = clean_line(term[5:], max_chars=200).strip()
            continue
        if lower == "open":
            statuses |= OPEN_INCIDENT_STATUSES
            continue
        if lower in ("unacknowledged", "unacked", "not acknowledged"):
            values["unacknowledged_only"] = True
            continue
        if match := _SEVERITY_TERM.match(lower):
            values["min_severity"] = int(match[1])
            continue
        if match := _WINDOW_TERM.match(lower):
            values["window"] = parse_duration(match[1])
            continue
        name = lower.split("=", 1)[1].strip() if "=" in lower else lower
        if (status := _member(IncidentStatus, name)) is not None:
            statuses.add(status)
        elif (governorate := _member(Governorate, name)) is not None:
            governorates.add(governorate)
        elif (category := _member(IncidentCategory, name)) is not None:
            categories.add(category)
        else:
            raise ValueError(f"{clean_line(term, max_chars=40)!r} is not a filter term (e.g. open, sev >= 3,"
                             " last 24h, Rafah, shelling, unacknowledged, text: words)")
    return IncidentFilter(statuses=frozenset(statuses), governorates=frozenset(governorates),
                          categories=frozenset(categories), **values)


def _duration_text(window: timedelta) -> str:
    minutes = int(window.total_seconds() // 60)
    if minutes % 60 == 0 and 60 <= minutes <= 72 * 60:
        return f"{minutes // 60}h"  # the watch floor says 24h and 72h, not 1d and 3d
    for unit, size in (("w", 7 * 24 * 60), ("d", 24 * 60), ("h", 60)):
        if minutes % size == 0 and minutes >= size:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"


def describe_filter(flt: IncidentFilter) -> str:
    """The preset text of a filter (``parse_filter_spec`` reads it back); ``all`` when it has none."""
    terms = []
    if flt.statuses == OPEN_INCIDENT_STATUSES:
        terms.append("open")
    else:
        terms += [s.value for s in IncidentStatus if s in flt.statuses]
    if flt.min_severity > 1:
        terms.append(f"sev >= {flt.min_severity}")
    if flt.window:
        terms.append(f"last {_duration_text(flt.window)}")
    terms += [g.value for g in Governorate if g in flt.governorates]
    terms += [c.value for c in IncidentCategory if c in flt.categories]
    if flt.unacknowledged_only:
        terms.append("unacknowledged")
    if flt.text:
        terms.append(f"text: {flt.text.replace(',', ' ')}")
    return ", ".join(terms) or "all"


#: Presets every console has; ``incident_presets`` in the config adds (or overrides) more.
BUILTIN_PRESETS: dict[str, str] = {
    "all": "all",
    "open": "open",
    "hot": "open, sev >= 3, last 24h",
    "unacknowledged": "open, unacknowledged",
    "last 24h": "last 24h",
}


# --- field checks -------------------------------------------------------------------

#: The Gaza Strip lies roughly within 31.22-31.60 N, 34.21-34.57 E; "near" allows ~5 km.
#: How far ahead of this host's clock a reported time may be: another host's clock, minutes apart.
CLOCK_SKEW = timedelta(minutes=10)
LAT_RANGE = (31.17, 31.65)
LON_RANGE = (34.16, 34.62)
RELIABILITY = "ABCDEF"


def check_coordinates(latitude: float | None, longitude: float | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if (latitude is None) != (longitude is None):
        errors["latitude" if latitude is None else "longitude"] = "give both latitude and longitude, or neither"
        return errors
    if latitude is not None and not LAT_RANGE[0] <= latitude <= LAT_RANGE[1]:
        errors["latitude"] = f"{latitude} is not in or near the Gaza Strip (31.22-31.60 N)"
    if longitude is not None and not LON_RANGE[0] <= longitude <= LON_RANGE[1]:
        errors["longitude"] = f"{longitude} is not in or near the Gaza Strip (34.21-34.57 E)"
    return errors


def check_not_future(moment: datetime, now: datetime | None = None) -> str | None:
    """Why a time of something that happened cannot be ``moment``, or None. A report is about the
    past: one dated next year would sit at the top of every log, newest, for ever."""
    now = now or utc_now()
    if moment <= now + CLOCK_SKEW:
        return None
    return (f"{format_dtg(moment)} is in the future (it is {format_dtg(now)} now): check the day, the month and"
            " that the time is in Zulu")


def validate_incident(incident: Incident, now: datetime | None = None) -> tuple[Incident, dict[str, str]]:
    """Clean the text fields and check every rule; return the cleaned record and the errors."""
    cleaned = replace(
        incident,
        description=clean_text(incident.description),
        locality=clean_line(incident.locality, max_chars=80),
        grid_ref=clean_line(incident.grid_ref, max_chars=40),
        alleged_party=clean_line(incident.alleged_party, max_chars=80),
        source=clean_line(incident.source, max_chars=200),
        assigned_cell=clean_line(incident.assigned_cell, max_chars=40),
        reliability=(incident.reliability or "").strip().upper(),
    )
    errors: dict[str, str] = {}
    if not cleaned.description:
        errors["description"] = "describe what happened"
    if not isinstance(cleaned.severity, int) or not 1 <= cleaned.severity <= 5:
        errors["severity"] = f"severity must be 1 to 5 (got {cleaned.severity})"
    if cleaned.reliability not in RELIABILITY or len(cleaned.reliability) != 1:
        errors["reliability"] = "source reliability is a letter A-F"
    if not isinstance(cleaned.credibility, int) or not 1 <= cleaned.credibility <= 6:
        errors["credibility"] = "information credibility is 1-6"
    for name in ("killed", "injured"):
        value = getattr(cleaned, name)
        if value is not None and value < 0:
            errors[name] = f"{name} cannot be negative (leave empty for unknown)"
    errors.update(check_coordinates(cleaned.latitude, cleaned.longitude))
    if future := check_not_future(cleaned.occurred_at, now):
        errors["when"] = future
    try:
        cleaned = replace(cleaned, releasability=parse_releasability(cleaned.releasability or RELEASABLE_TO_ALL))
    except ValueError as error:
        errors["releasability"] = str(error)
    return cleaned, errors


# --- from typed text: the form and the inbox importer ------------------------------

#: Field names an operator types (the form) or a file carries (the inbox), in form order.
INCIDENT_FIELDS = (
    "when", "governorate", "locality", "latitude", "longitude", "grid_ref", "category", "description",
    "severity", "killed", "injured", "alleged_party", "source", "source_type", "reliability", "credibility",
    "assigned_cell", "releasability",
)


_Number = TypeVar("_Number", int, float)


def _optional_number(text: str, kind: type[_Number], name: str, errors: dict[str, str]) -> _Number | None:
    text = (text or "").strip()
    if not text or text.lower() in ("unknown", "?", "-"):
        return None
    try:
        return kind(text)
    except ValueError:
        errors[name] = f"{clean_line(text, max_chars=20)!r} is not a {'whole ' if kind is int else ''}number" + (
            " (leave empty for unknown)" if name in ("killed", "injured") else "")
        return None


def _choice(enum: type[_Choice], text: str, name: str, errors: dict[str, str],
            default: _Choice | None = None) -> _Choice | None:
    text = (text or "").strip()
    if not text:
        if default is None:
            errors[name] = "choose one"
        return default
    try:
        return enum.parse(text)
    except ValueError as error:
        errors[name] = clean_line(str(error), max_chars=200)
        return default


#: The Incident fields ``incident_from_fields`` reads from typed text (the rest an edit keeps).
_TYPED_FIELDS = (
    "occurred_at", "governorate", "category", "description", "severity", "locality", "grid_ref", "alleged_party",
    "source", "source_type", "reliability", "credibility", "assigned_cell", "releasability",
    "latitude", "longitude", "killed", "injured",
)


def incident_from_fields(values: dict[str, object], base: Incident | None = None,
                         now: datetime | None = None) -> tuple[Incident | None, dict[str, str]]:
    """Build an Incident from typed text (``INCIDENT_FIELDS``), checking every field at once.

    Returns (cleaned incident, {}) or (None, {field: message}). ``base`` keeps id,
    status, version and the rest of an incident being edited.
    """
    def now_utc(moment: datetime | None) -> datetime:
        return moment or utc_now()

    text = {name: "" if values.get(name) is None else str(values.get(name)) for name in INCIDENT_FIELDS}
    errors: dict[str, str] = {}
    try:
        if base is not None and text["when"].strip() == format_dtg(base.occurred_at):
            occurred = base.occurred_at  # unchanged: keep the stored seconds
        else:
            occurred = parse_when(text["when"], now)
    except ValueError as error:
        errors["when"] = str(error)
        occurred = None
    governorate = _choice(Governorate, text["governorate"], "governorate", errors)
    category = _choice(IncidentCategory, text["category"], "category", errors)
    source_type = _choice(SourceType, text["source_type"], "source_type", errors, SourceType.OTHER)
    severity = _optional_number(text["severity"], int, "severity", errors)
    if severity is None and "severity" not in errors:
        errors["severity"] = "severity must be 1 to 5"
    credibility = _optional_number(text["credibility"], int, "credibility", errors)
    latitude = _optional_number(text["latitude"], float, "latitude", errors)
    longitude = _optional_number(text["longitude"], float, "longitude", errors)
    killed = _optional_number(text["killed"], int, "killed", errors)
    injured = _optional_number(text["injured"], int, "injured", errors)
    typed = Incident(
        # Placeholders where a field could not be read, so every other field is still checked.
        occurred_at=occurred or now_utc(now), governorate=governorate or Governorate.GAZA,
        category=category or IncidentCategory.OTHER, description=text["description"],
        severity=severity if severity is not None else 1, locality=text["locality"], grid_ref=text["grid_ref"],
        alleged_party=text["alleged_party"], source=text["source"], source_type=source_type or SourceType.OTHER,
        reliability=text["reliability"] or "F", credibility=credibility if credibility is not None else 6,
        assigned_cell=text["assigned_cell"], releasability=text["releasability"] or RELEASABLE_TO_ALL,
        latitude=latitude, longitude=longitude, killed=killed, injured=injured,
    )
    # An edit keeps the rest of ``base`` (id, status, version, acknowledgement, origin, times).
    incident = typed if base is None else replace(base, **{name: getattr(typed, name) for name in _TYPED_FIELDS})
    cleaned, more = validate_incident(incident, now)
    for name, message in more.items():
        errors.setdefault(name, message)
    return (None, errors) if errors else (cleaned, {})


def incident_to_fields(incident: Incident) -> dict[str, str]:
    """The typed text of an incident: what the form shows when editing (round-trips ``incident_from_fields``)."""
    def number(value: object) -> str:
        return "" if value is None else str(value)

    return {
        "when": format_dtg(incident.occurred_at), "governorate": incident.governorate.value,
        "locality": incident.locality, "latitude": number(incident.latitude),
        "longitude": number(incident.longitude), "grid_ref": incident.grid_ref,
        "category": incident.category.value, "description": incident.description,
        "severity": number(incident.severity), "killed": number(incident.killed),
        "injured": number(incident.injured), "alleged_party": incident.alleged_party, "source": incident.source,
        "source_type": incident.source_type.value, "reliability": incident.reliability,
        "credibility": number(incident.credibility), "assigned_cell": incident.assigned_cell,
        "releasability": incident.releasability,
    }
