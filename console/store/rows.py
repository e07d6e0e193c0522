"""Conversions between SQLite values and domain values."""

from __future__ import annotations

from datetime import date, datetime, timezone

from console.domain import RELEASABLE_TO_ALL, Actor


def to_iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def from_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def to_date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def visible_to(actor: Actor, column: str = "releasability") -> tuple[str, dict]:
    """A WHERE fragment: rows whose marking releases them to the actor's nation."""
    if actor.nation == RELEASABLE_TO_ALL:
        return "1", {}
    return (
        f"({column} = 'ALL' OR instr(',' || {column} || ',', ',' || :viewer_nation || ',') > 0)",
        {"viewer_nation": actor.nation},
    )


def origin_of(actor: Actor) -> str:
    """The nation a new record comes from; none for the system (feeds, inbox), whose records
    only a watch officer may widen."""
    return "" if actor.nation == RELEASABLE_TO_ALL else actor.nation
