"""Themes: every built-in theme shows every pane, severity never by colour alone, ASCII for poor
terminals, the palette switches and remembers, and theme files reload or fall back."""

from __future__ import annotations

import re

import pytest
from textual.command import CommandPalette

from console.config import Settings, load_settings
from console.model.incidents import SEVERITY_MARKS
from console.theming import (NightFilter, ThemeFileError, initial_theme, known_theme, load_theme_file,
                             themes_dir)
from tests.pilot import demo_app, handled, loaded, recorded_notices, screen_styles, screen_text, until
from themes import BUILTIN_THEMES, DEFAULT_THEME
from widgets.cells import ASCII_MARKS

SEVERITY_CELL = re.compile(r"^[1-5](\S)!?$")


@pytest.fixture(autouse=True)
def terminal_with_256_colours(monkeypatch):
    """What most SSH sessions report (TERM=xterm-256color, COLORTERM not forwarded)."""
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("COLORTERM", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)


async def visit_every_pane(app, pilot) -> str:
    """Keys 1..5 in turn; returns everything the screen showed."""
    seen = []
    for key in "12345":
        await pilot.press(key)
        await pilot.pause()
        seen.append(screen_text(app))
    return "\n".join(seen)


@pytest.mark.parametrize("name", sorted(BUILTIN_THEMES))
async def test_each_theme_shows_every_pane_and_marks_every_severity(db_path, name):
    app = await demo_app(db_path, settings=Settings(theme=name, bell=False))
    async with app.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: loaded(app))
        assert app.theme == name
        shown = await visit_every_pane(app, pilot)
        assert "Incidents" in shown and "Plan" in shown
        incidents = app.screen.panes[0].table
        marks = {SEVERITY_CELL.match(incidents.get_cell(str(rid), "severity").plain).group(1)
                 for rid in incidents.records}
        assert marks <= set(SEVERITY_MARKS.values()) and marks  # a mark, never colour alone


async def test_the_night_theme_draws_everything_in_red_on_black(db_path):
    app = await demo_app(db_path, settings=Settings(theme="cmcc-night", bell=False))
    async with app.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: loaded(app))
        assert any(isinstance(f, NightFilter) for f in app.get_line_filters())
        colours = [colour for style in screen_styles(app) for colour in (style.color, style.bgcolor)
                   if colour is not None and colour.triplet is not None]
        assert colours
        assert all(c.triplet.green == 0 and c.triplet.blue == 0 for c in colours)


async def test_the_ascii_option_draws_no_box_drawing_blocks_or_marks(db_path):
    app = await demo_app(db_path, settings=Settings(ascii=True, bell=False))
    async with app.run_test(size=(160, 48)) as pilot:  # wide: the pane borders show too
        assert await until(pilot, lambda: loaded(app))
        shown = screen_text(app) + await visit_every_pane(app, pilot)
        assert not set(shown) & set(ASCII_MARKS)
        assert not [c for c in shown if "\u2500" <= c <= "\u259f"]
        assert re.search(r"\b[1-5][.o^&#]", shown)  # severities keep an ASCII mark
    plain = await demo_app(db_path, settings=Settings(bell=False))
    async with plain.run_test(size=(160, 48)) as pilot:
        assert await until(pilot, lambda: loaded(plain))
        assert set(screen_text(plain)) & set(ASCII_MARKS)  # the check above can fail


async def test_the_palette_switches_the_theme_and_the_choice_is_remembered(db_path):
    app = await demo_app(db_path, settings=Settings(bell=False))
    async with app.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: loaded(app))
        assert app.theme == DEFAULT_THEME
        await pilot.press("ctrl+p")
        assert await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"theme")
        await pilot.pause(0.5)
        await pilot.press("enter")
        assert await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"cmcc-night")
        await pilot.pause(0.5)
        await pilot.press("enter")
        assert await until(pilot, lambda: not isinstance(app.screen, CommandPalette))
        assert await until(pilot, lambda: app.theme == "cmcc-night")
        assert await until(pilot, lambda: load_settings().theme == "cmcc-night")


async def test_an_automatic_choice_is_not_remembered(db_path):
    app = await demo_app(db_path, settings=Settings(low_bandwidth=True, bell=False))
    async with app.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: loaded(app))
        assert app.theme == "cmcc-16"
        assert await handled(pilot, app)  # what the theme's change asked the app to do next has run
    assert load_settings().theme == ""


# --- user theme files ----------------------------------------------------------------------


def write_theme(text: str, name: str = "ops") -> None:
    themes_dir().mkdir(parents=True, exist_ok=True)
    (themes_dir() / f"{name}.toml").write_text(text, encoding="utf-8")


GOOD = 'primary = "#112233"\nbackground = "#000000"\n[variables]\n"footer-key-foreground" = "#FFD166"\n'


async def test_a_broken_theme_file_falls_back_to_the_default_with_a_notice(db_path):
    write_theme('primary = "not a colour"\n')
    app = await demo_app(db_path, settings=Settings(theme="ops", bell=False))
    shown = recorded_notices(app)
    async with app.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: loaded(app))
        assert app.theme == DEFAULT_THEME
        assert any("ops.toml" in n and DEFAULT_THEME in n for n in shown)
    assert load_settings().theme == ""  # the fallback is not remembered


async def test_an_unknown_theme_falls_back_with_a_notice(db_path):
    app = await demo_app(db_path, settings=Settings(theme="no-such-theme", bell=False))
    shown = recorded_notices(app)
    async with app.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: loaded(app))
        assert app.theme == DEFAULT_THEME
        assert any("no-such-theme" in n for n in shown)


async def test_editing_the_theme_file_in_use_reloads_it_and_a_mistake_falls_back(db_path):
    write_theme(GOOD)
    app = await demo_app(db_path, settings=Settings(theme="ops", bell=False))
    shown = recorded_notices(app)
    async with app.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: loaded(app))
        assert app.theme == "ops" and app.current_theme.primary == "#112233"
        await pilot.pause(0.3)  # the watcher is up
        write_theme(GOOD.replace("#112233", "#445566"))
        assert await until(pilot, lambda: app.current_theme.primary == "#445566", timeout=10)
        assert app.theme_variables["primary"].upper() == "#445566"
        write_theme("primary = [broken\n")
        assert await until(pilot, lambda: app.theme == DEFAULT_THEME, timeout=10)
        assert any("ops.toml" in n for n in shown)
        write_theme(GOOD)
        assert await until(pilot, lambda: app.theme == "ops", timeout=10)


@pytest.mark.parametrize("text, problem", [
    ('primary = "#112233"\nsparkle = true\n', "unknown key 'sparkle'"),
    ('background = "#000000"\n', "primary colour missing"),
    ('primary = "#11223"\n', "is not a colour"),
    ('name = "cmcc-dark"\nprimary = "#112233"\n', "built-in"),
    ('primary = "#112233"\ndark = "yes"\n', "dark must be true or false"),
    ('primary = "#112233"\n[variables]\nx = 1\n', "[variables]"),
    ("primary = \n", "ops.toml"),
])
def test_theme_files_are_checked_and_problems_named(text, problem):
    write_theme(text)
    with pytest.raises(ThemeFileError, match=re.escape(problem)):
        load_theme_file(themes_dir() / "ops.toml")


def test_a_good_theme_file_becomes_a_theme_named_after_the_file():
    write_theme(GOOD)
    theme = load_theme_file(themes_dir() / "ops.toml")
    assert theme.name == "ops" and theme.primary == "#112233"
    assert theme.variables == {"footer-key-foreground": "#FFD166"}
    assert known_theme("ops") and known_theme("cmcc-night") and not known_theme("nope")


def test_the_first_theme_suits_the_terminal_unless_the_operator_chose_one():
    assert initial_theme("", low_bandwidth=False, no_color=False, color_system="256") == DEFAULT_THEME
    assert initial_theme("", low_bandwidth=True, no_color=False, color_system="truecolor") == "cmcc-16"
    assert initial_theme("", low_bandwidth=False, no_color=False, color_system="standard") == "cmcc-16"
    assert initial_theme("", low_bandwidth=False, no_color=True, color_system="256") == "cmcc-mono"
    assert initial_theme("cmcc-light", low_bandwidth=True, no_color=True, color_system="standard") == "cmcc-light"
    assert initial_theme(DEFAULT_THEME, low_bandwidth=True, no_color=False, color_system="standard") == DEFAULT_THEME
