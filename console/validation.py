"""Field checks shared by forms, importers and the store. Pure functions.

Each check returns a message fit to show beside the field, or raises nothing:
``validate_incident`` collects every problem at once so a form can show them all.
"""

from __future__ import annotations

from dataclasses import replace

from console.domain import RELEASABLE_TO_ALL, Incident, parse_releasability
from console.sanitize import clean_line, clean_text

#: The Gaza Strip lies roughly within 31.22-31.60 N, 34.21-34.57 E; "near" allows ~5 km.
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


def validate_incident(incident: Incident) -> tuple[Incident, dict[str, str]]:
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
    try:
        cleaned = replace(cleaned, releasability=parse_releasability(cleaned.releasability or RELEASABLE_TO_ALL))
    except ValueError as error:
        errors["releasability"] = str(error)
    return cleaned, errors
