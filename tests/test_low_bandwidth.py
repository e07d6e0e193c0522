"""Low-bandwidth mode and the byte budget: no animation or mouse, a slow ticker, coalesced reloads,
frames squeezed without changing what the terminal shows, and the pty byte counter of the bench."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from hypothesis import given, settings as hypothesis_settings, strategies as st

from bench.bandwidth import EMPTY_APP
from bench.pty_capture import PtyCapture
from console import low_bandwidth
from console.app import CmccApp
from console.config import Settings
from console.model.access import SYSTEM_ACTOR
from console.model.headlines import Headline
from console.dtg import utc_now
from console.low_bandwidth import squeeze_sgr
from console.screens.watch_floor import WatchFloor
from console.store import Store
from tests.pilot import caught_up, demo_app, loaded, until
from widgets.clock_bar import ClockBar
from widgets.headlines.headline_ticker import HeadlineTicker

SLOW = Settings(low_bandwidth=True, bell=False)


async def test_low_bandwidth_mode_turns_off_animation_and_the_mouse_and_says_so(db_path):
    app = await demo_app(db_path, settings=SLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: loaded(app))
        assert app.animation_level == "none"
        assert app.use_mouse is False
        assert app.theme == "cmcc-16"
        assert app.screen.query_one(ClockBar).render().plain.startswith(" CMCC  LOW-BW ")
    normal = await demo_app(db_path, settings=Settings(bell=False))
    async with normal.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: loaded(normal))
        assert normal.use_mouse is True
        assert "LOW-BW" not in normal.screen.query_one(ClockBar).render().plain


def test_the_console_command_runs_the_app_without_the_mouse_on_a_slow_link(db_path, monkeypatch):
    asked = {}

    async def run_async(self, **kwargs):
        asked.update(kwargs, animation_level=self.animation_level)
        await self.store.close()

    monkeypatch.setattr(CmccApp, "run_async", run_async)
    monkeypatch.setenv("CMCC_LOW_BANDWIDTH", "1")
    from console.commands.open_console import run_console

    run_console(argparse.Namespace(db=str(db_path), theme=None, low_bandwidth=None, ascii=None, operator=None))
    assert asked == {"mouse": False, "animation_level": "none"}


def test_a_slow_link_holds_the_ticker_and_stretches_the_refresh_and_minute_redraws():
    fast, slow = Settings(ticker_seconds=8, refresh_seconds=0.25), Settings(low_bandwidth=True, ticker_seconds=8)
    assert low_bandwidth.ticker_seconds(fast) == 8 and low_bandwidth.ticker_seconds(slow) is None
    assert low_bandwidth.refresh_seconds(fast) == 0.25 and low_bandwidth.refresh_seconds(slow) == 1.0
    assert low_bandwidth.minute_tick(fast) == 1 and low_bandwidth.minute_tick(slow) > 1


async def test_the_ticker_steps_through_the_newest_headlines(db_path):
    app = await demo_app(db_path, settings=Settings(ticker_seconds=0.2, bell=False))
    async with app.run_test(size=(80, 24)) as pilot:
        ticker = app.screen.query_one(HeadlineTicker)
        assert await until(pilot, lambda: len(ticker.headlines) > 1)
        seen = set()
        assert await until(pilot, lambda: seen.add(ticker.render().plain) or ticker.steps >= 3)
        assert len(seen) >= 2


async def test_on_a_slow_link_the_ticker_holds_the_newest_headline_and_follows_a_newer_one(db_path):
    app = await demo_app(db_path, settings=Settings(low_bandwidth=True, ticker_seconds=0.2, bell=False))
    async with app.run_test(size=(80, 24)) as pilot:
        ticker = app.screen.query_one(HeadlineTicker)
        assert await until(pilot, lambda: len(ticker.headlines) > 1)
        assert ticker.step_seconds is None  # however short the setting: no stepping on a slow link
        newest = ticker.headlines[0]
        assert newest.title in ticker.shown_text
        store = await Store.open(db_path)  # another process: a feed brings a newer headline
        try:
            await store.headlines.add_many(SYSTEM_ACTOR, [Headline(
                title="newer than the rest", published_at=newest.published_at + timedelta(seconds=1),
                source="Wire", dedup_key="newer-than-the-rest")], feed_id=None)
        finally:
            await store.close()
        assert await until(pilot, lambda: "newer than the rest" in ticker.shown_text, timeout=10)
        assert ticker.steps == 0


async def insert_one_by_one(db_path, count: int) -> None:
    """Another process (a feed) commits ``count`` headlines, one transaction and journal row each."""
    store = await Store.open(db_path)
    try:
        now = utc_now()
        for n in range(count):
            await store.headlines.add_many(SYSTEM_ACTOR, [Headline(
                title=f"burst item {n}", published_at=now - timedelta(seconds=count - n), source="Burst Wire",
                dedup_key=f"burst-{n}")], feed_id=None)
    finally:
        await store.close()


async def test_a_burst_of_200_headlines_costs_a_few_reloads_not_one_per_item(db_path):
    app = await demo_app(db_path, settings=SLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: loaded(app))
        screen = app.screen
        before = dict(screen.reloads)
        await insert_one_by_one(db_path, 200)
        table = screen.pane("headlines").table
        assert await until(pilot, lambda: any(h.title == "burst item 199" for h in table.records.values()),
                           timeout=15)
        assert await caught_up(pilot, app)  # the whole burst has reached the floor, its last reload run
        reloads = {key: screen.reloads[key] - before.get(key, 0) for key in screen.reloads}
        assert 1 <= reloads["headlines"] <= 10  # coalesced: at most one per refresh tick
        assert reloads.get("incidents", 0) == reloads.get("plan", 0) == 0  # untouched panes stay still


async def test_the_first_frame_waits_for_the_data(db_path):
    app = await demo_app(db_path, settings=Settings(bell=False))
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.first_frame.held or shown_loaded(app)
        assert await until(pilot, lambda: not app.first_frame.held)
        assert shown_loaded(app)  # the panes off screen load after the first frame (issue 9)


async def test_on_a_slow_link_the_clock_moves_only_with_the_rest_of_the_screen(db_path, monkeypatch):
    # An idle floor sends nothing (issue 17: 0 B/s idle over a full minute in low-bandwidth mode):
    # the clock keeps the minute it was drawn at, says "as of", and moves with the next frame.
    later = utc_now() + timedelta(minutes=7)
    app = await demo_app(db_path, settings=SLOW)
    async with app.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: loaded(app))
        clock = app.screen.query_one(ClockBar)
        drawn = clock.render().plain
        assert clock.follows_screen and " as of " in drawn
        monkeypatch.setattr("widgets.clock_bar.utc_now", lambda: later)
        clock.set_status(feed_health=clock.feed_health)  # as the floor does each minute: nothing new
        assert clock.render().plain == drawn
        app.written.publish(None)  # a frame went out: the clock catches up with it
        assert await until(pilot, lambda: later.strftime("%d%H%MZ") in clock.render().plain)


async def test_on_a_normal_link_the_clock_redraws_itself_on_the_minute(db_path, monkeypatch):
    later = utc_now() + timedelta(minutes=7)
    app = await demo_app(db_path, settings=Settings(bell=False))
    async with app.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: loaded(app))
        clock = app.screen.query_one(ClockBar)
        assert " as of " not in clock.render().plain
        monkeypatch.setattr("widgets.clock_bar.utc_now", lambda: later)
        clock.tick()
        assert later.strftime("%d%H%MZ") in clock.render().plain


async def test_the_thrifty_driver_reports_each_write():
    from textual.drivers.headless_driver import HeadlessDriver

    calls = []
    driver_class = low_bandwidth.thrifty_driver(HeadlessDriver, on_write=lambda: calls.append(1))
    driver = driver_class(CmccApp.__new__(CmccApp), size=(80, 24))
    driver.write("\x1b[1mA\x1b[0m")
    driver.write("")  # a repaint that changed nothing: no output, nothing reported
    driver.write("B")
    assert len(calls) == 2


def shown_loaded(app) -> bool:
    """What the first frame shows has its data: the panes on screen and the ticker."""
    screen = app.screen
    return (isinstance(screen, WatchFloor) and all(p.table.row_count for p in screen.panes if p.display)
            and bool(screen.query_one("#ticker").headlines))


# --- squeezing frames --------------------------------------------------------------------------

_TOKEN = re.compile(r"\x1b\[([0-9;]*)m|\x1b\[(\d+);(\d+)H|\r|\n|[^\x1b\r\n]")


def terminal(data: str) -> dict[tuple[int, int], tuple[str, tuple[tuple[str, str], ...]]]:
    """A tiny terminal: which character, drawn with which attributes (bold, colours...), is in each cell."""
    cells, row, col, attrs = {}, 1, 1, {}
    for match in _TOKEN.finditer(data):
        sgr, cup_row, cup_col = match.groups()
        token = match.group(0)
        if sgr is not None:
            attrs = apply_sgr(attrs, sgr)
        elif cup_row is not None:
            row, col = int(cup_row), int(cup_col)
        elif token == "\r":
            col = 1
        elif token == "\n":
            row += 1
        else:
            cells[(row, col)] = (token, tuple(sorted(attrs.items())))
            col += 1
    return cells


FLAGS = {"1": "bold", "2": "dim", "3": "italic", "4": "underline", "7": "reverse", "9": "strike"}


def apply_sgr(attrs: dict[str, str], params: str) -> dict[str, str]:
    """What an SGR sequence leaves in force, read as a terminal reads it."""
    attrs, parts = dict(attrs), params.split(";") if params else ["0"]
    while parts:
        code = parts.pop(0)
        if code in ("", "0"):
            attrs = {}
        elif code in FLAGS:
            attrs[FLAGS[code]] = "on"
        elif code in ("38", "48"):
            width = 1 if parts[0] == "5" else 3
            attrs["fg" if code == "38" else "bg"] = ";".join(parts[:width + 1])
            del parts[:width + 1]
        elif code in ("39", "49"):
            attrs.pop("fg" if code == "39" else "bg", None)
        elif 30 <= int(code) <= 37:
            attrs["fg"] = code
        elif 40 <= int(code) <= 47:
            attrs["bg"] = code
    return attrs


STYLES = ["1;38;5;253;48;5;234", "38;5;246;48;5;234", "7", "39;49", "1;31;49", "38;5;100", "48;5;17",
          "38;5;188;48;5;17", "1;7;38;5;188;48;5;17"]
frame_parts = st.lists(st.one_of(
    st.tuples(st.just("text"), st.sampled_from(STYLES), st.text("ab ▪│", min_size=1, max_size=4)),
    st.tuples(st.just("move"), st.integers(1, 5), st.integers(1, 9)),
    st.tuples(st.just("newline"), st.sampled_from(["\r\n", "\n"]), st.just(0)),
), max_size=40)


def render(parts) -> str:
    out = []
    for kind, a, b in parts:
        if kind == "text":
            out.append(f"\x1b[{a}m{b}\x1b[0m")  # how Rich writes every segment
        elif kind == "move":
            out.append(f"\x1b[{a};{b}H")
        else:
            out.append(a)
    return "".join(out)


@hypothesis_settings(max_examples=300, deadline=None)
@given(frame_parts)
def test_squeezing_a_frame_never_changes_what_the_terminal_shows(parts):
    frame = render(parts)
    assert terminal(squeeze_sgr(frame)) == terminal(frame)
    assert len(squeeze_sgr(frame)) <= len(frame)


def test_squeezing_drops_a_reset_when_the_next_colours_replace_the_only_ones_in_force():
    row = "\x1b[3;1H\x1b[38;5;188;48;5;16m 041825Z \x1b[0m\x1b[1;38;5;197;48;5;16m4\x1b[0m\n\x1b[4;1H"
    squeezed = squeeze_sgr(row)
    assert squeezed == "\x1b[3;1H\x1b[38;5;188;48;5;16m 041825Z \x1b[1;38;5;197;48;5;16m4\x1b[0m\x1b[4;1H"
    assert terminal(squeezed) == terminal(row)
    # Bold in force: a reset is the only way to turn it off before plain colours; it stays.
    bold = "\x1b[1;38;5;197;48;5;16m4\x1b[0m\x1b[38;5;188;48;5;16m x\x1b[0m"
    assert squeeze_sgr(bold) == bold


def test_squeezing_drops_a_reset_and_set_that_restore_the_same_colours():
    row = "\x1b[3;1H\x1b[38;5;253;48;5;235m 250916Z \x1b[0m\x1b[38;5;253;48;5;235m small arms \x1b[0m\r\n\x1b[4;1H"
    assert squeeze_sgr(row) == "\x1b[3;1H\x1b[38;5;253;48;5;235m 250916Z  small arms \x1b[0m\x1b[4;1H"


# --- the bench's byte counter ------------------------------------------------------------------


def test_the_pty_byte_counter_sees_an_empty_app_paint():
    with PtyCapture([sys.executable, "-c", EMPTY_APP], size=(80, 24)) as capture:
        capture.wait_quiet(0.5, timeout=15)
        first, _seconds = capture.first_paint(0.5)
        assert first > 1000  # the header and footer at least
        assert capture.total() >= first
        assert capture.running()
    assert not capture.running()


async def test_a_focused_field_keeps_a_steady_cursor(db_path):
    app = await demo_app(db_path, settings=Settings(bell=False))
    async with app.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: loaded(app))
        await pilot.press("slash")
        assert await until(pilot, lambda: app.focused is not None and hasattr(app.focused, "cursor_blink"))
        assert app.focused.cursor_blink is False


def test_the_frame_rate_is_set_before_textual_is_imported_and_a_slow_link_keeps_60():
    fast, slow, chosen = {}, {}, {"TEXTUAL_FPS": "30"}
    low_bandwidth.set_frame_rate(Settings(), fast)
    low_bandwidth.set_frame_rate(SLOW, slow)
    low_bandwidth.set_frame_rate(Settings(), chosen)
    assert (fast["TEXTUAL_FPS"], slow["TEXTUAL_FPS"], chosen["TEXTUAL_FPS"]) == ("120", "60", "30")
    # And Textual reads it: in a fresh interpreter, as `cmcc` starts.
    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_FPS"}
    script = ("from console import low_bandwidth; from console.config import Settings;"
              " low_bandwidth.set_frame_rate(Settings()); import textual.constants as c; print(c.MAX_FPS)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                            cwd=str(Path(__file__).resolve().parent.parent), timeout=60)
    assert result.stdout.strip() == "120", result.stderr
