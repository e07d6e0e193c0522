"""Field checks shared by forms, importers and the store. Pure functions.

Each check returns a message fit to show beside the field, or raises nothing:
``validate_incident`` collects every problem at once so a form can show them all.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import TypeVar

from console.domain import RELEASABLE_TO_ALL, Choice, Incident, parse_releasability
from console.dtg import format_dtg, utc_now
from console.sanitize import clean_line, clean_text

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
_Choice = TypeVar("_Choice", bound=Choice)


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
    from console.domain import Governorate, IncidentCategory, SourceType
    from console.dtg import format_dtg, parse_when, utc_now

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
    from console.dtg import format_dtg

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
