"""Issue 15, readable on every terminal: the bytes a real pseudo-terminal receives never draw a cell in
its own background colour (every theme, and NO_COLOR, which uses the terminal's default colours only);
terminals and locales that cannot show the marks get ASCII by themselves; every mark has an ASCII form
that no other meaning shares."""

from __future__ import annotations

import asyncio
import ast
import os
import re
import sys
import time
from pathlib import Path

import pytest

from bench.pty_capture import ANSI, PtyCapture, visible
from console.model.incidents import SEVERITY_MARKS, IncidentStatus
from console.model.partners import Presence
from console.model.plan import PlanStatus
from console.store import Store
from console.store.seed import seed_demo
from tests.conftest import REAL_LOGIN
from themes import BUILTIN_THEMES
from widgets.cells import ASCII_MARKS, ASCII_MEANINGS, MARKS

#: The row of bench/hardening_report.py these cases count in.
AREA = "terminals: NO_COLOR, vt100, dumb, locales"

ROOT = Path(__file__).resolve().parent.parent
#: Wide: every pane is on screen at once, so every mark and colour of the floor is drawn.
SIZE = (160, 48)
_LOCALE_KEYS = ("LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "PYTHONUTF8")


# --- a terminal's view of the bytes ------------------------------------------------------------


def _palette(index: int) -> tuple:
    """A 256-colour index as the terminal shows it: the 16 it defines itself, else the xterm cube/greys."""
    if index < 16:
        return ("ansi", index)
    if index >= 232:
        grey = 8 + 10 * (index - 232)
        return ("rgb", grey, grey, grey)
    index -= 16
    steps = (0, 95, 135, 175, 215, 255)
    return ("rgb", steps[index // 36], steps[index // 6 % 6], steps[index % 6])


def _colour(codes: list[int], at: int) -> tuple[tuple, int]:
    """The extended colour (38/48) starting at ``codes[at]``: (colour, codes it took)."""
    if codes[at + 1] == 5:
        return _palette(codes[at + 2]), 3
    return ("rgb", *codes[at + 2:at + 5]), 5


def apply_sgr(colours: dict[str, tuple | None], params: str) -> dict[str, tuple | None]:
    """The foreground/background after one SGR sequence (None: the terminal's default)."""
    codes = [int(p or 0) for p in params.split(";")] if params else [0]
    colours = dict(colours)
    at = 0
    while at < len(codes):
        code, took = codes[at], 1
        if code == 0:
            colours = {"fg": None, "bg": None}
        elif code in (38, 48):
            colour, took = _colour(codes, at)
            colours["fg" if code == 38 else "bg"] = colour
        elif code in (39, 49):
            colours["fg" if code == 39 else "bg"] = None
        elif 30 <= code <= 37 or 90 <= code <= 97:
            colours["fg"] = ("ansi", code % 10 + (8 if code >= 90 else 0))
        elif 40 <= code <= 47 or 100 <= code <= 107:
            colours["bg"] = ("ansi", code % 10 + (8 if code >= 100 else 0))
        at += took
    return colours


def drawn_cells(data: bytes):
    """Every visible (non-space) character written, with the (foreground, background) it was drawn in."""
    colours: dict[str, tuple | None] = {"fg": None, "bg": None}
    position = 0
    for match in [*ANSI.finditer(data), None]:
        end = match.start() if match else len(data)
        for char in data[position:end].decode("utf-8", "replace"):
            if char.isprintable() and not char.isspace():
                yield char, colours["fg"], colours["bg"]
        if match is None:
            return
        position = match.end()
        sequence = match.group(0)
        if sequence.startswith(b"\x1b[") and sequence.endswith(b"m"):
            colours = apply_sgr(colours, sequence[2:-1].decode())


def test_the_terminal_model_reads_sgr_as_a_terminal_does(tally):
    tally.case(AREA)
    black_on_black = list(drawn_cells(b"\x1b[38;5;16;48;5;16mx\x1b[0m y\x1b[30;40mz\x1b[1;39;49mw"))
    assert black_on_black == [("x", ("rgb", 0, 0, 0), ("rgb", 0, 0, 0)), ("y", None, None),
                              ("z", ("ansi", 0), ("ansi", 0)), ("w", None, None)]
    white = ("rgb", 255, 255, 255)
    assert list(drawn_cells(b"\x1b[38;2;1;2;3;48;5;231m\xe2\x96\x88")) == [("█", ("rgb", 1, 2, 3), white)]


# --- the console in a real pseudo-terminal -------------------------------------------------------


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    """One demo database for every run of this module (the console only reads it here)."""
    path = tmp_path_factory.mktemp("readable") / "cmcc.db"

    async def seed() -> None:
        store = await Store.open(path)
        try:
            await seed_demo(store.database, operator_login=REAL_LOGIN)
        finally:
            await store.close()

    asyncio.run(seed())
    return path


def console_bytes(seeded: Path, tmp_path: Path, *, theme: str = "", **env: str) -> bytes:
    """What ``cmcc`` writes to a pty until its first frame has settled, in ``env`` (TERM, locale...)."""
    config = tmp_path / "config" / "cmcc"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text(f'poll_feeds = false\nbell = false\ntheme = "{theme}"\n')
    base = {k: v for k, v in os.environ.items()
            if k not in ("COLORTERM", "NO_COLOR", "TEXTUAL_COLOR_SYSTEM", *_LOCALE_KEYS)}
    child = {**base, "LANG": "C.UTF-8", "TERM": "xterm-256color", "XDG_CONFIG_HOME": str(tmp_path / "config"),
             "XDG_DATA_HOME": str(tmp_path / "data"), **env}
    with PtyCapture([sys.executable, "-m", "console.cli", "--db", str(seeded)], size=SIZE, env=child,
                    cwd=str(ROOT)) as capture:
        wait_for_the_floor(capture)
        capture.wait_quiet(1.0, timeout=20)
        data = bytes(capture.data)
    assert b"Incidents" in visible(data), visible(data)[-600:]  # the floor was drawn, not an error
    return data


def wait_for_the_floor(capture: PtyCapture, timeout: float = 40.0) -> None:
    """Until the incidents pane's rows are on screen: the first frame waits for the data, which on a busy
    machine can take longer than the pause ``wait_quiet`` takes for "settled"."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and capture.running():
        if re.search(rb"\d incidents", visible(bytes(capture.data))):
            break
        time.sleep(0.1)


def same_colour_cells(data: bytes) -> list[tuple]:
    return sorted({(char, fg) for char, fg, bg in drawn_cells(data) if fg is not None and fg == bg})


@pytest.mark.parametrize("theme", sorted(BUILTIN_THEMES))
def test_no_theme_draws_a_visible_cell_in_its_own_background_colour(tally, seeded, tmp_path, theme):
    tally.case(AREA)
    data = console_bytes(seeded, tmp_path, theme=theme)
    assert same_colour_cells(data) == []
    assert any(fg is not None or bg is not None for _char, fg, bg in drawn_cells(data))  # colours at all


@pytest.mark.parametrize("term, theme", [("xterm-256color", ""), ("xterm", ""), ("xterm-256color", "cmcc-dark")])
def test_no_color_draws_every_cell_in_the_terminals_default_colours(tally, seeded, tmp_path, term, theme):
    tally.case(AREA)
    data = console_bytes(seeded, tmp_path, theme=theme, TERM=term, NO_COLOR="1")
    cells = list(drawn_cells(data))
    assert cells and same_colour_cells(data) == []
    assert [cell for cell in cells if cell[1:] != (None, None)] == []
    assert re.search(rb"\x1b\[[0-9;]*(1|7)[;m]", data)  # emphasis by bold and reverse instead


def non_ascii(data: bytes) -> set[str]:
    return {c for c in visible(data).decode("utf-8", "replace") if ord(c) > 127}


@pytest.mark.parametrize("env", [
    {"TERM": "vt100"}, {"TERM": "linux"}, {"TERM": "dumb"},
    {"LANG": "C"}, {"LANG": "", "LC_ALL": "POSIX"}, {"LANG": "en_US.ISO-8859-1"},
], ids=lambda env: ",".join(f"{k}={v}" for k, v in env.items() if v))
def test_terminals_and_locales_that_cannot_show_the_marks_get_ascii_by_themselves(tally, seeded, tmp_path, env):
    tally.case(AREA)
    data = console_bytes(seeded, tmp_path, **env)
    assert non_ascii(data) == set()
    assert re.search(rb"\b[1-5][.o^&#]", visible(data))  # severities keep an ASCII mark


def test_a_utf8_terminal_still_gets_the_marks(tally, seeded, tmp_path):
    tally.case(AREA)
    assert non_ascii(console_bytes(seeded, tmp_path, LANG="en_US.UTF-8")) & set(MARKS)  # the test above can fail


@pytest.mark.parametrize("term", ["vt100", "dumb"])
def test_a_terminal_without_colours_gets_none(tally, seeded, tmp_path, term):
    tally.case(AREA)
    data = console_bytes(seeded, tmp_path, TERM=term)
    assert [cell for cell in drawn_cells(data) if cell[1:] != (None, None)] == []


# --- the table of marks ----------------------------------------------------------------------------


def test_every_mark_has_one_ascii_form_that_no_other_meaning_shares(tally):
    tally.case(AREA)
    forms = [form for form, _meaning in MARKS.values()]
    assert all(len(form) == 1 and form.isascii() and form.isprintable() and form != " " for form in forms)
    assert len(set(forms)) == len(forms)  # no two marks look alike in ASCII
    assert not set(forms) & set(ASCII_MEANINGS)  # nor like a mark that is ASCII anyway (* for a watch-list hit)
    assert all(ASCII_MARKS[mark] == form for mark, (form, _meaning) in MARKS.items())


def test_the_domains_marks_are_all_in_the_table(tally):
    tally.case(AREA)
    drawn = {*SEVERITY_MARKS.values(), *(s.mark for s in PlanStatus), *(p.mark for p in Presence),
             *(s.mark for s in IncidentStatus)}
    assert {m for m in drawn if not m.isascii()} <= set(MARKS)
    assert {m for m in drawn if m.isascii()} <= set(ASCII_MEANINGS) | set(MARKS)


def _string_constants(path: Path) -> str:
    """Every string the module can draw: its literals, docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)}
    return "".join(node.value for node in ast.walk(tree)
                   if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings)


def test_every_non_ascii_character_the_console_draws_has_an_ascii_form(tally):
    tally.case(AREA)
    drawn = "".join(_string_constants(path) for folder in ("console", "widgets", "themes")
                    for path in sorted((ROOT / folder).rglob("*.py")))
    assert {c for c in drawn if not c.isascii()} - set(ASCII_MARKS) == set()
