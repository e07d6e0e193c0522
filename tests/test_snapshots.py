"""Snapshot tests of the look: every pane at 80x24 and the split at 160x48, in four looks.

What it guards: the screen, cell for cell and colour for colour, as SVG files in
``tests/__snapshots__/test_snapshots/`` (pytest-textual-snapshot, on syrupy). It is the alarm
for the next Textual upgrade (and for any change of a widget, a theme or the layout): a test
fails when a screen no longer looks as it did, and the run writes ``snapshot_report.html``
(in the folder pytest was started from) with the old and the new screen side by side.

Cases: 6 screens (Incidents, Aid flow, Partners, Headlines, Plan at 80x24, keys 1-5; the split
at 160x48, every pane on screen) x 4 looks (``cmcc-dark``; ``cmcc-16``; ``NO_COLOR`` set with no
theme chosen, so cmcc-mono and Textual's no-colour filter, as ``NO_COLOR=1 cmcc`` starts;
``--ascii`` on cmcc-dark) = 24 snapshots.

After an intended change of the look (a new column, a new footer, a Textual upgrade), look at
the report first, then regenerate every snapshot with this one command, from the project root,
and review the changed .svg files before committing them::

    .venv/bin/python -m pytest tests/test_snapshots.py --snapshot-update

(``-k 'split and ascii'`` regenerates only some and leaves the others alone.) A full run with
``--snapshot-update`` also deletes snapshots no test uses any more. The snapshots are Textual's and
Rich's rendering: a Textual or Rich upgrade, or a new widget look, is expected to fail them once.

Deterministic by construction: the demo data are seeded with a fixed ``now`` and the seed's fixed
random seed, as a registered operator (no "not a registered operator" notice), on a fixed clock
(``console.dtg.utc_now`` frozen in every module of ours that imported it by name, and
``date.today()`` in the modules that ask it: see ``frozen_time``); no feeds polled, the ticker
never steps, and each screenshot waits for every pane to be loaded (the hidden ones too: they
put their marks in the pane bar), the first frame drawn and the screen to stop changing. The
terminal (TERM, COLORTERM, NO_COLOR) is set by each case; nothing of the machine (login, time
zone, date) is on screen.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import shutil
import sys
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pytest

from console import dtg
from console.app import CmccApp
from console.config import Settings
from console.screens.watch_floor import WatchFloor
from console.store import Store
from console.store.seed import seed_demo
from tests.conftest import ADMIN, register_test_operators
from tests.pilot import until

ROOT = Path(__file__).resolve().parent.parent
#: The one moment every snapshot is taken at (a Wednesday mid-month: recent rows show DTGs, older
#: ones dates; 12:36 local time on the floor, IST).
NOW = dt.datetime(2026, 11, 25, 10, 36, 0, tzinfo=dt.timezone.utc)
OUR_PACKAGES = ("console", "widgets", "feeds", "themes")

NARROW, WIDE = (80, 24), (160, 48)
#: (id, key pressed, terminal size): the five panes one at a time, then the split.
SCREENS = [("incidents", "1", NARROW), ("aid", "2", NARROW), ("partners", "3", NARROW),
           ("headlines", "4", NARROW), ("plan", "5", NARROW), ("split", "", WIDE)]
#: (id, theme, --ascii, NO_COLOR). An empty theme is the automatic choice (cmcc-mono under NO_COLOR).
LOOKS = [("cmcc-dark", "cmcc-dark", False, False), ("cmcc-16", "cmcc-16", False, False),
         ("no-color", "", False, True), ("ascii", "cmcc-dark", True, False)]


# --- a fixed clock ----------------------------------------------------------------------------


class FrozenDate(dt.date):
    """``date.today()`` on the fixed clock; everything else is ``date``'s."""

    @classmethod
    def today(cls) -> dt.date:
        return NOW.date()


def frozen_utc_now() -> dt.datetime:
    return NOW


#: The console's own clock, taken before anything froze it (frozen_time may nest).
REAL_UTC_NOW = dtg.utc_now


def our_modules() -> list:
    return [module for name, module in list(sys.modules.items())
            if module is not None and name.partition(".")[0] in OUR_PACKAGES]


@cache
def source_of(module) -> str:
    path = getattr(module, "__file__", None)
    return Path(path).read_text(encoding="utf-8") if path and path.endswith(".py") else ""


@contextmanager
def frozen_time():
    """``utc_now()`` and ``date.today()`` return NOW in every module of ours, for the block.

    The console has no single clock to set: modules took ``utc_now`` by name (``from console.dtg
    import utc_now``), so each loaded module holding it gets the frozen one (console.dtg too, for
    modules imported later and for dtg's own defaults); ``date`` is swapped only in the modules that
    call ``date.today(`` (elsewhere a subclass could change an isinstance check).
    """
    real_utc_now = REAL_UTC_NOW
    with pytest.MonkeyPatch.context() as patch:
        for module in our_modules():
            if getattr(module, "utc_now", None) is real_utc_now:
                patch.setattr(module, "utc_now", frozen_utc_now)
            if getattr(module, "date", None) is dt.date and "date.today(" in source_of(module):
                patch.setattr(module, "date", FrozenDate)
        try:
            yield
        finally:
            # A module first imported inside the block took the frozen names: not beyond it.
            for module in our_modules():
                if getattr(module, "utc_now", None) is frozen_utc_now:
                    module.utc_now = real_utc_now
                if getattr(module, "date", None) is FrozenDate:
                    module.date = dt.date


CLOCK_READS = re.compile(r"\b(?:datetime\.now|datetime\.utcnow|datetime\.today|time\.localtime|time\.strftime)\(")


def test_every_clock_the_screen_reads_is_frozen():
    """The snapshots hold only while frozen_time covers every read of the clock: a new
    ``datetime.now()`` outside console/dtg.py, or a ``date.today()`` not through a module's ``date``
    name, would make them differ from one minute to the next."""
    import console.app  # noqa: F401 - every module the floor uses is loaded
    files = sorted(p for package in OUR_PACKAGES for p in (ROOT / package).rglob("*.py"))
    unfrozen = [f"{path.relative_to(ROOT)}: {match.group(0)}"
                for path in files if path != ROOT / "console" / "dtg.py"
                for match in CLOCK_READS.finditer(path.read_text(encoding="utf-8"))]
    assert unfrozen == []
    for path in files:
        text = path.read_text(encoding="utf-8")
        if "date.today(" in text:
            assert re.search(r"^from datetime import .*\bdate\b", text, re.M), f"{path}: date.today() not by name"
    with frozen_time():
        assert dtg.utc_now() == NOW
        assert all(getattr(m, "utc_now", frozen_utc_now) is frozen_utc_now for m in our_modules())
        roster = sys.modules["widgets.partners.officer_roster"]
        assert roster.date.today() == NOW.date()
    assert dtg.utc_now() != NOW and sys.modules["widgets.partners.officer_roster"].date is dt.date


# --- the demo floor ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    """The demo database, seeded once for the module at NOW; each case runs on a copy of it."""
    path = tmp_path_factory.mktemp("snapshots") / "cmcc.db"

    async def seed() -> None:
        store = await Store.open(path)
        try:
            # ADMIN, not the real login of whoever runs the tests: nothing of this machine is in the data.
            await seed_demo(store.database, operator_login=ADMIN.login, now=NOW)
            await register_test_operators(store)
        finally:
            await store.close()

    with frozen_time():
        asyncio.run(seed())
    return path


def floor_app(seeded: Path, db_path: Path, *, theme: str, ascii_only: bool) -> CmccApp:
    """The console on a copy of the demo database, as the registered test admin.

    pytest-textual-snapshot runs the app with ``App.run`` (``asyncio.run``: a loop of its own), so
    the store is opened here in a short loop of its own first. That holds: aiosqlite runs each
    connection in a thread and makes every call's future on the loop awaiting it, and the store's
    write lock binds to a loop only when a writer first waits on it (it never does while opening).
    The App closes the store in its own loop when it ends.
    """
    shutil.copyfile(seeded, db_path)
    db_path.chmod(0o600)  # as cmcc creates it: no "can be read by every user" notice
    store = asyncio.run(Store.open(db_path))
    settings = Settings(theme=theme, ascii=ascii_only, bell=False, poll_feeds=False,
                        ticker_seconds=24 * 3600.0,  # the ticker never steps to the next headline
                        refresh_seconds=0.05)  # the hidden panes load sooner: the same screen, faster
    return CmccApp(store, ADMIN, settings)


def loaded(app: CmccApp) -> bool:
    """The floor's first frame drawn and every pane loaded (the hidden ones load one per tick)."""
    screen = app.screen
    hold = getattr(app, "first_frame", None)
    return (isinstance(screen, WatchFloor) and hold is not None and hold.drawn
            and all(pane.table.row_count for pane in screen.panes))


async def settled(pilot, app: CmccApp, *, quiet: float = 0.1, timeout: float = 10.0) -> bool:
    """Until two screenshots ``quiet`` seconds apart are the same (a notice, a reload, a footer still
    settling would differ)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last = app.export_screenshot()
    while loop.time() < deadline:
        await pilot.pause(quiet)
        shot = app.export_screenshot()
        if shot == last:
            return True
        last = shot
    return False


@pytest.fixture
def terminal(monkeypatch):
    """What most SSH sessions report (TERM=xterm-256color, COLORTERM not forwarded); no NO_COLOR."""
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("COLORTERM", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return monkeypatch


@pytest.fixture
def clock():
    with frozen_time():
        yield


@pytest.mark.parametrize("look, theme, ascii_only, no_color", LOOKS, ids=[look[0] for look in LOOKS])
@pytest.mark.parametrize("screen, key, size", SCREENS, ids=[s[0] for s in SCREENS])
def test_the_floor_looks_as_it_did(snap_compare, seeded, db_path, terminal, clock,
                                   screen, key, size, look, theme, ascii_only, no_color):
    if no_color:
        terminal.setenv("NO_COLOR", "1")  # read by CmccApp and Textual when the App is made
    app = floor_app(seeded, db_path, theme=theme, ascii_only=ascii_only)

    async def show(pilot) -> None:
        assert await until(pilot, lambda: loaded(app), timeout=20), "the floor never finished loading"
        floor = app.screen
        if key:
            index = int(key) - 1
            await pilot.press(key)
            assert await until(pilot, lambda: floor.active == index and floor.panes[index].table.has_focus), \
                f"key {key} did not bring the {screen} pane to the front"
        assert await settled(pilot, app), "the screen kept changing: something on it moves by itself"

    assert snap_compare(app, terminal_size=size, run_before=show)
