"""Military date-time groups (DTG) in Zulu: ``DDHHMMZ MON YY``.

Times are stored in UTC; the operator sees a DTG and the local time of the
floor (Asia/Jerusalem).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Asia/Jerusalem")
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")

_DTG = re.compile(
    r"^\s*(?P<day>\d{2})(?P<hour>\d{2})(?P<minute>\d{2})Z"
    r"(?:\s*(?P<month>[A-Za-z]{3})\s*(?P<year>\d{2}))?\s*$"
)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def format_dtg(moment: datetime) -> str:
    """``251036Z NOV 26`` for 25 Nov 2026, 10:36 UTC."""
    utc = moment.astimezone(timezone.utc)
    return f"{utc:%d%H%M}Z {MONTHS[utc.month - 1]} {utc:%y}"


def format_short_dtg(moment: datetime, now: datetime | None = None) -> str:
    """Seven characters at most, for narrow tables.

    ``251036Z`` (day, hour, minute) in the current month; outside it a day
    without its month would read as this month's, so, as mail and news readers
    do, the date alone: ``08 NOV`` in this year, ``NOV'25`` before it. The
    record's own screen shows the full DTG.
    """
    utc, today = moment.astimezone(timezone.utc), (now or utc_now()).astimezone(timezone.utc)
    if (utc.year, utc.month) == (today.year, today.month):
        return f"{utc:%d%H%M}Z"
    if utc.year == today.year:
        return f"{utc:%d} {MONTHS[utc.month - 1]}"
    return f"{MONTHS[utc.month - 1]}'{utc:%y}"


def format_clock(moment: datetime, now: datetime | None = None) -> str:
    """``06:16:43Z`` today (UTC), else the short DTG: a poll's time, never mistaken for a DTG."""
    utc, today = moment.astimezone(timezone.utc), (now or utc_now()).astimezone(timezone.utc)
    if utc.date() == today.date():
        return f"{utc:%H:%M:%S}Z"
    return format_short_dtg(utc, today)


def format_local(moment: datetime) -> str:
    return moment.astimezone(LOCAL_ZONE).strftime("%H:%M %Z")


def format_age(moment: datetime, now: datetime | None = None, *, coarse: bool = False) -> str:
    """A compact age: ``45s``, ``12m``, ``3h12m``, ``2d04h``.

    ``coarse`` (a list's Age column, beside the exact DTG): whole hours from one hour to a day
    (``3h``), so a screen of rows changes once an hour, not every minute: over a slow link the
    minute's ages were most of an idle console's bytes; whole days from ten days (``399d``), which
    also keeps a year-old row within the column.
    """
    seconds = int(((now or utc_now()) - moment).total_seconds())
    if seconds < 0:
        return "future"
    if seconds < 60:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h" if coarse else f"{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d" if coarse and days >= 10 else f"{days}d{hours:02d}h"


def parse_when(text: str, now: datetime | None = None) -> datetime:
    """Parse ``now``, ``251036Z``, ``251036Z NOV 26`` or ISO 8601 into UTC.

    A DTG without month and year takes the latest such day not after ``now``
    plus a day of grace (a report is about the past, rarely tomorrow).
    Raises ValueError with a message fit to show beside a form field.
    """
    now = (now or utc_now()).astimezone(timezone.utc)
    raw = text.strip()
    if not raw:
        raise ValueError("enter a time: now, DDHHMMZ, DDHHMMZ MON YY or ISO 8601")
    if raw.lower() == "now":
        return now.replace(second=0, microsecond=0)
    match = _DTG.match(raw)
    if match:
        return _from_dtg(match, now)
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{raw!r} is not a time: use now, DDHHMMZ, DDHHMMZ MON YY or ISO 8601"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)  # the floor works in Zulu
    return parsed.astimezone(timezone.utc)


def _from_dtg(match: re.Match[str], now: datetime) -> datetime:
    day, hour, minute = int(match["day"]), int(match["hour"]), int(match["minute"])
    if hour > 23 or minute > 59:
        raise ValueError(f"{match.string.strip()!r}: hour must be 00-23 and minute 00-59")
    if match["month"]:
        month_name = match["month"].upper()
        if month_name not in MONTHS:
            raise ValueError(f"{match['month']!r} is not a month (JAN..DEC)")
        year = 2000 + int(match["year"])
        return _build(year, MONTHS.index(month_name) + 1, day, hour, minute, match.string)
    # No month: this month, or the month before if that would be in the future.
    latest = now + timedelta(days=1)
    year, month = latest.year, latest.month
    for _ in range(13):
        try:
            candidate = datetime(year, month, day, hour, minute, tzinfo=timezone.utc)
        except ValueError:
            candidate = None
        if candidate is not None and candidate <= latest:
            return candidate
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    raise ValueError(f"{match.string.strip()!r}: day {day:02d} does not exist")


def _build(year: int, month: int, day: int, hour: int, minute: int, source: str) -> datetime:
    try:
        return datetime(year, month, day, hour, minute, tzinfo=timezone.utc)
    except ValueError:
        raise ValueError(f"{source.strip()!r}: that day does not exist in that month") from None


def parse_duration(text: str) -> timedelta:
    """``90m``, ``24h``, ``7d``, ``2w`` into a timedelta (for --since and --before)."""
    match = re.fullmatch(r"\s*(\d+)\s*([mhdw])\s*", text.lower())
    if not match:
        raise ValueError(f"{text!r} is not a duration: use e.g. 90m, 24h, 7d, 2w")
    amount, unit = int(match[1]), match[2]
    if amount == 0:  # an empty window would read as "no window": everything
        raise ValueError(f"{text.strip()!r} is no time at all: use e.g. 90m, 24h, 7d, 2w")
    return {"m": timedelta(minutes=amount), "h": timedelta(hours=amount), "d": timedelta(days=amount),
            "w": timedelta(weeks=amount)}[unit]
