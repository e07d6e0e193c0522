"""The sanitizer and the DTG parser: examples and properties."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.dtg import format_age, format_dtg, parse_duration, parse_when
from console.sanitize import clean_line, clean_text

NOW = datetime(2026, 11, 25, 10, 36, 20, tzinfo=timezone.utc)


@pytest.mark.parametrize("hostile, expected", [
    ("\x1b[31mred\x1b[0m", "red"),
    ("\x1b]52;c;ZXZpbA==\x07clip", "clip"),  # OSC 52 clipboard write
    ("\x1bP1$qm\x1b\\dcs", "dcs"),  # DCS
    ("a\u202eb\u2066c", "abc"),  # bidi override and isolate
    ("bell\x07 and \x9b31m C1", "bell and C1"),
    ("[bold]markup[/bold]", "[bold]markup[/bold]"),  # kept as text; never interpreted
])
def test_escapes_and_controls_are_stripped(hostile, expected):
    assert clean_line(hostile) == expected


def test_long_text_is_cut_with_a_mark():
    assert clean_text("x" * 5000, max_chars=100) == "x" * 99 + "…"


@given(st.text())
def test_sanitizing_twice_equals_once_and_never_leaves_esc(text):
    once = clean_text(text)
    assert clean_text(once) == once
    assert "\x1b" not in once and "\x9b" not in once
    assert all(ord(c) >= 32 or c in "\n\t" for c in once)


def test_dtg_formats_zulu():
    assert format_dtg(NOW) == "251036Z NOV 26"


@pytest.mark.parametrize("text, expected", [
    ("now", NOW.replace(second=0)),
    ("251036Z", datetime(2026, 11, 25, 10, 36, tzinfo=timezone.utc)),
    ("251036Z NOV 26", datetime(2026, 11, 25, 10, 36, tzinfo=timezone.utc)),
    ("301200Z", datetime(2026, 10, 30, 12, 0, tzinfo=timezone.utc)),  # day 30 is still to come: last month
    ("2026-11-25T12:36+02:00", datetime(2026, 11, 25, 10, 36, tzinfo=timezone.utc)),
    ("2026-11-25 10:36", datetime(2026, 11, 25, 10, 36, tzinfo=timezone.utc)),
])
def test_when_accepts_now_dtg_and_iso(text, expected):
    assert parse_when(text, NOW) == expected


@pytest.mark.parametrize("text, message", [
    ("", "enter a time"), ("251099Z", "minute"), ("311036Z NOV 26", "does not exist"),
    ("251036Z XYZ 26", "not a month"), ("yesterday", "not a time"),
])
def test_bad_times_say_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        parse_when(text, NOW)


@given(st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2098, 12, 31)))
def test_a_formatted_dtg_parses_back_to_the_same_minute(moment):
    moment = moment.replace(second=0, microsecond=0, tzinfo=timezone.utc)
    assert parse_when(format_dtg(moment), NOW) == moment


@given(st.text(max_size=30))
def test_the_dtg_parser_only_raises_value_error(text):
    try:
        parse_when(text, NOW)
    except ValueError:
        pass


def test_ages_and_durations():
    assert format_age(NOW - timedelta(hours=3, minutes=12), NOW) == "3h12m"
    assert format_age(NOW - timedelta(days=2, hours=4), NOW) == "2d04h"
    # The Age column: whole hours within the day, so the rows it shows change once an hour.
    assert format_age(NOW - timedelta(hours=3, minutes=12), NOW, coarse=True) == "3h"
    assert format_age(NOW - timedelta(minutes=42), NOW, coarse=True) == "42m"
    assert format_age(NOW - timedelta(days=2, hours=4), NOW, coarse=True) == "2d04h"
    assert format_age(NOW - timedelta(days=399, hours=23), NOW, coarse=True) == "399d"  # fits the Age column
    assert format_age(NOW - timedelta(days=399, hours=23), NOW) == "399d23h"
    assert parse_duration("24h") == timedelta(hours=24)
    with pytest.raises(ValueError):
        parse_duration("soon")


async def test_the_watch_log_shows_a_cleared_figure_as_empty_never_as_none(demo_store):
    from dataclasses import replace

    from tests.conftest import ADMIN
    from widgets.watch.journal_table import describe_changes

    [first] = (await demo_store.incidents.page(ADMIN, limit=1))
    counted = await demo_store.incidents.update(ADMIN, replace(first, killed=2))
    await demo_store.incidents.update(ADMIN, replace(counted, killed=None))
    [entry] = [e for e in await demo_store.incidents.timeline(ADMIN, first.id) if "killed" in e.changes][-1:]
    assert describe_changes(entry) == "killed: 2 → (empty)"  # was "killed: 2 → None"


FUTURE_REPORT = {"when": "2030-01-01T00:00Z", "governorate": "rafah", "category": "shelling",
                 "description": "reported shelling", "severity": "3", "reliability": "C", "credibility": "3"}


def test_a_time_in_the_future_is_refused_in_the_form_beyond_ten_minutes_of_skew():
    from datetime import timedelta

    from console.dtg import format_dtg, utc_now
    from console.model.incidents import incident_from_fields

    incident, errors = incident_from_fields(FUTURE_REPORT)
    assert incident is None  # was accepted, and sat at the top of the log for ever
    assert errors["when"].startswith("010000Z JAN 30 is in the future")
    soon = utc_now() + timedelta(minutes=5)  # another host's clock a few minutes ahead: fine
    assert incident_from_fields({**FUTURE_REPORT, "when": soon.isoformat()})[1] == {}
    later = utc_now() + timedelta(minutes=30)
    assert format_dtg(later.replace(second=0, microsecond=0)) in incident_from_fields(
        {**FUTURE_REPORT, "when": later.isoformat()})[1]["when"]


async def test_a_time_in_the_future_is_refused_in_the_inbox_naming_its_line(folder, demo_store):
    import json

    from console.model.access import SYSTEM_ACTOR
    from feeds.inbox import Inbox

    past = {**FUTURE_REPORT, "when": "2026-11-30T10:00Z"}
    (folder / "incidents-late.ndjson").write_text(f"{json.dumps(past)}\n{json.dumps(FUTURE_REPORT)}\n")
    [outcome] = await Inbox(folder, demo_store, SYSTEM_ACTOR, settle_seconds=0.05).scan_once()
    assert outcome.outcome == "rejected"
    assert [e.split(" is in ")[0] for e in outcome.errors] == ["line 2: when: 010000Z JAN 30"]


def test_a_short_dtg_outside_the_current_month_names_its_month():
    from console.dtg import format_clock, format_short_dtg

    now = datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc)
    assert format_short_dtg(datetime(2026, 12, 1, 16, 13, tzinfo=timezone.utc), now) == "011613Z"
    assert format_short_dtg(datetime(2026, 11, 8, 16, 13, tzinfo=timezone.utc), now) == "08 NOV"  # was "081613Z"
    assert format_short_dtg(datetime(2025, 12, 8, 16, 13, tzinfo=timezone.utc), now) == "DEC'25"
    # A poll's time: today's reads as a clock, an older one as a short DTG, never "02 061643Z".
    assert format_clock(datetime(2026, 12, 3, 6, 16, 43, tzinfo=timezone.utc), now) == "06:16:43Z"
    assert format_clock(datetime(2026, 12, 2, 6, 16, 43, tzinfo=timezone.utc), now) == "020616Z"


async def test_the_incidents_table_shows_the_month_of_a_report_from_an_earlier_month(db_path):
    from console.dtg import MONTHS, utc_now
    from tests.pilot import until, watch_floor
    from tests.test_incidents_workflow import WATCH_OFFICER, console, pane
    from tests.test_store_foundation import an_incident

    app = await console(db_path)
    old = await app.store.incidents.create(WATCH_OFFICER, an_incident(occurred_at=utc_now() - timedelta(days=40)))
    recent = await app.store.incidents.create(WATCH_OFFICER, an_incident(occurred_at=utc_now()))
    async with app.run_test(size=(120, 30)) as pilot:
        await watch_floor(pilot, app)
        table = pane(app).table
        assert await until(pilot, lambda: table.row_count >= 2)
        then = old.occurred_at.astimezone(timezone.utc)
        month = MONTHS[then.month - 1]
        shown = table.get_cell(str(old.id), "occurred_at").plain
        assert shown == (f"{then:%d} {month}" if then.year == utc_now().year else f"{month}'{then:%y}")
        recent_utc = recent.occurred_at.astimezone(timezone.utc)
        assert table.get_cell(str(recent.id), "occurred_at").plain == f"{recent_utc:%d%H%M}Z"
