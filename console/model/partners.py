"""Partners in the center and their liaison officers: the records, the roster's filter and counts, and
the officer fields. Pure.

Officer fields arrive as text from two places, the officer form and the roster import;
``officer_from_fields`` turns both into an ``Officer`` with one message per bad field, so a form
shows the same words beside a field as an import report shows beside a line.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TypeVar

from console.model.access import RELEASABLE_TO_ALL, parse_releasability
from console.model.choice import Choice
from console.sanitize import clean_line


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


#: The text fields of an officer, in form and CSV order (``partner`` is the partner's code).
OFFICER_FIELDS = ("partner", "rank", "name", "service", "service_number", "cell", "role", "contact", "shift",
                  "rotation_start", "rotation_end", "presence", "releasability")
REQUIRED_OFFICER_FIELDS = ("partner", "name")
MAX_CHARS = {"rank": 16, "name": 80, "service": 40, "service_number": 40, "cell": 40, "role": 60, "contact": 120}


@dataclass(frozen=True)
class RosterFilter:
    """What the roster shows: every set field must match; empty fields match everything."""

    partners: frozenset[str] = frozenset()
    cell: str = ""  # part of the cell name, any case
    shift: Shift | None = None
    presence: Presence | None = None
    text: str = ""  # words in partner, rank, name, cell, role

    @property
    def active(self) -> bool:
        return bool(self.partners or self.cell or self.shift or self.presence or self.text)

    def describe(self) -> str:
        parts = []
        if self.partners:
            parts.append("partner " + ",".join(sorted(self.partners)))
        if self.cell:
            parts.append(f"cell ~{self.cell}")
        if self.shift:
            parts.append(f"shift {self.shift.label}")
        if self.presence:
            parts.append(self.presence.label)
        if self.text:
            parts.append(f'"{self.text}"')
        return ", ".join(parts)


@dataclass(frozen=True)
class ImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def written(self) -> int:
        return self.created + self.updated


# --- officer fields: one set of rules for the form and the import ---------------------


def _parse_date(text: str) -> date:
    return date.fromisoformat(text.strip())


_Choice = TypeVar("_Choice", bound=Choice)


def _choice_field(kind: type[_Choice], name: str, values: dict[str, str], errors: dict[str, str]) -> _Choice | None:
    """The member of ``kind`` that field ``name`` gives; None when empty or not one (with the error)."""
    if not values.get(name):
        return None
    try:
        return kind.parse(values[name])
    except ValueError:
        errors.setdefault(name, f"{values[name]!r} is not one of: {', '.join(m.label for m in kind)}")
        return None


def officer_from_fields(fields: dict[str, object], partner_codes: Collection[str],
                        base: Officer | None = None) -> tuple[Officer | None, dict[str, str]]:
    """Text fields -> a cleaned Officer, or None and a message per bad field.

    ``base`` is the officer being edited: fields missing from ``fields`` keep its values.
    """
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for name in OFFICER_FIELDS:
        raw = fields.get(name)
        if raw is None:
            continue
        if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
            errors[name] = "must be text"
            continue
        text = clean_line(raw, max_chars=4000)
        limit = MAX_CHARS.get(name)
        if limit and len(text) > limit:
            errors[name] = f"at most {limit} characters (got {len(text)})"
        values[name] = text
    officer = base or Officer(rank="", name="", partner_code="")
    codes = {c.upper() for c in partner_codes}
    if "partner" in values or base is None:
        code = values.get("partner", "").upper()
        if not code:
            errors.setdefault("partner", "missing: the partner's code, e.g. GBR")
        elif code not in codes:
            examples = ", ".join(sorted(codes)[:4])
            errors.setdefault("partner", f"{code!r} is not a partner of the center (e.g. {examples})")
        officer = replace(officer, partner_code=code)
    officer = replace(
        officer, rank=values.get("rank", officer.rank), name=values.get("name", officer.name),
        service=values.get("service", officer.service),
        service_number=values.get("service_number", officer.service_number),
        cell=values.get("cell", officer.cell), role=values.get("role", officer.role),
        contact=values.get("contact", officer.contact))
    if not officer.name:
        errors.setdefault("name", "missing: the officer's name")
    if (shift := _choice_field(Shift, "shift", values, errors)) is not None:
        officer = replace(officer, shift=shift)
    if (presence := _choice_field(Presence, "presence", values, errors)) is not None:
        officer = replace(officer, presence=presence)

    def rotation(name: str, current: date | None) -> date | None:
        if name not in values:
            return current
        if not values[name]:
            return None
        try:
            return _parse_date(values[name])
        except ValueError:
            errors.setdefault(name, f"{values[name]!r} is not a date (YYYY-MM-DD)")
            return current

    officer = replace(officer, rotation_start=rotation("rotation_start", officer.rotation_start),
                      rotation_end=rotation("rotation_end", officer.rotation_end))
    if (officer.rotation_start and officer.rotation_end and officer.rotation_end < officer.rotation_start
            and "rotation_start" not in errors and "rotation_end" not in errors):
        errors["rotation_end"] = "ends before the rotation starts"
    if values.get("releasability"):
        try:
            officer = replace(officer, releasability=parse_releasability(values["releasability"]))
        except ValueError as error:
            errors.setdefault("releasability", str(error))
    return (None, errors) if errors else (officer, {})
