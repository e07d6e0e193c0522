"""Themes at run time: which one to start with, user theme files, hot reload, filters.

User themes are TOML files in ``$XDG_CONFIG_HOME/cmcc/themes/`` (one theme per
file)::

    name = "ops-blue"            # optional, defaults to the file name
    dark = true
    primary = "#1F5F8B"          # required; colours as CSS: "#rrggbb", "red", "ansi_blue", ...
    background = "#0B1016"
    foreground = "#E0E6EC"
    # also: secondary accent warning error success surface panel boost,
    #       luminosity_spread text_alpha ansi, and a [variables] table
    [variables]
    "block-cursor-background" = "#FFD166"

Editing a file while the console runs reloads it (``watchfiles``); a broken
file is reported on screen and, if it is the theme in use, the console falls
back to the default theme instead of crashing. The operator's choice (``--theme``,
config ``theme``, or the palette's "Theme" command) is remembered in the config
file; a fallback or an automatic choice (low bandwidth, ``NO_COLOR``, 16-colour
terminal) is not.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import LineFilter, NoColor
from textual.theme import Theme

from console.paths import config_dir
from console.sanitize import clean_line
from themes import BUILTIN_THEMES, DEFAULT_THEME, MONOCHROME_THEME, SIXTEEN_COLOUR_THEME
from widgets.cells import ascii_text

if TYPE_CHECKING:
    from textual.app import App

NIGHT_THEME = "cmcc-night"
_COLOUR_KEYS = ("primary", "secondary", "accent", "warning", "error", "success",
                "foreground", "background", "surface", "panel", "boost")
_KEYS = {"name", "dark", "luminosity_spread", "text_alpha", "ansi", "variables", *_COLOUR_KEYS}
MAX_THEME_FILE_BYTES = 64 * 1024


class ThemeFileError(Exception):
    """A user theme file that cannot be used; the message is one line naming the problem."""


def themes_dir() -> Path:
    return config_dir() / "themes"


# --- reading theme files ---------------------------------------------------------


def load_theme_file(path: Path) -> Theme:
    """One user theme from a TOML file, fully checked (every colour parses)."""
    try:
        if path.stat().st_size > MAX_THEME_FILE_BYTES:
            raise ThemeFileError(f"{path.name}: larger than {MAX_THEME_FILE_BYTES // 1024} KB")
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as error:
        raise ThemeFileError(f"{path.name}: {clean_line(error, max_chars=120)}") from None
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise ThemeFileError(f"{path.name}: unknown key {clean_line(unknown[0], max_chars=40)!r}")
    name = raw.get("name", path.stem)
    if not isinstance(name, str) or not name.strip() or len(name) > 40:
        raise ThemeFileError(f"{path.name}: name must be a short text")
    name = clean_line(name, max_chars=40)
    if name in BUILTIN_THEMES:
        raise ThemeFileError(f"{path.name}: {name!r} is a built-in theme; choose another name")
    if "primary" not in raw:
        raise ThemeFileError(f"{path.name}: primary colour missing")
    fields: dict[str, object] = {"name": name}
    for key in _COLOUR_KEYS:
        if key in raw:
            fields[key] = _colour(path, key, raw[key])
    for key in ("dark", "ansi"):
        if key in raw:
            if not isinstance(raw[key], bool):
                raise ThemeFileError(f"{path.name}: {key} must be true or false")
            fields[key] = raw[key]
    for key in ("luminosity_spread", "text_alpha"):
        if key in raw:
            value = raw[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ThemeFileError(f"{path.name}: {key} must be a number from 0 to 1")
            fields[key] = float(value)
    variables = raw.get("variables", {})
    if not isinstance(variables, dict) or not all(isinstance(v, str) for v in variables.values()):
        raise ThemeFileError(f"{path.name}: [variables] must map names to texts")
    fields["variables"] = {clean_line(k, max_chars=60): clean_line(v, max_chars=60) for k, v in variables.items()}
    theme = Theme(**fields)  # type: ignore[arg-type]
    try:
        theme.to_color_system().generate()
    except Exception as error:  # noqa: BLE001 - any failure to build colours is a bad file
        raise ThemeFileError(f"{path.name}: {clean_line(error, max_chars=120)}") from None
    return theme


def _colour(path: Path, key: str, value: object) -> str:
    if not isinstance(value, str):
        raise ThemeFileError(f"{path.name}: {key} must be a colour text")
    try:
        Color.parse(value)
    except Exception:  # noqa: BLE001 - ColorParseError and friends
        raise ThemeFileError(f"{path.name}: {key} = {clean_line(value, max_chars=30)!r} is not a colour") from None
    return value


def load_user_themes(directory: Path | None = None) -> tuple[dict[str, tuple[Theme, Path]], dict[Path, str]]:
    """Every ``*.toml`` theme in ``directory``: (name -> (theme, file)), (file -> problem)."""
    directory = directory or themes_dir()
    themes: dict[str, tuple[Theme, Path]] = {}
    problems: dict[Path, str] = {}
    if not directory.is_dir():
        return themes, problems
    for path in sorted(directory.glob("*.toml")):
        try:
            theme = load_theme_file(path)
        except ThemeFileError as error:
            problems[path] = str(error)
            continue
        if theme.name in themes:
            problems[path] = f"{path.name}: theme {theme.name!r} is already defined in {themes[theme.name][1].name}"
            continue
        themes[theme.name] = (theme, path)
    return themes, problems


# --- the first theme ---------------------------------------------------------------


def initial_theme(requested: str, *, low_bandwidth: bool, no_color: bool, color_system: str | None) -> str:
    """The theme to start with. The operator's choice always wins; without one (``""``), NO_COLOR gets
    monochrome, low bandwidth or a 16/8-colour terminal gets ANSI colours, and others the default."""
    if requested:
        return requested
    if no_color:
        return MONOCHROME_THEME
    if low_bandwidth or color_system in ("standard", "windows"):
        return SIXTEEN_COLOUR_THEME
    return DEFAULT_THEME


# --- line filters ------------------------------------------------------------------


class AsciiFilter(LineFilter):
    """Box drawing, blocks and marks to ASCII look-alikes in everything drawn (settings.ascii)."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [Segment(ascii_text(text), style, control) if not control else Segment(text, style, control)
                for text, style, control in segments]


@lru_cache(2048)
def _night_style(style: Style) -> Style:
    return style + Style.from_color(_red(style.color, floor=70), _red(style.bgcolor, floor=0, top=140))


def _red(colour, *, floor: int, top: int = 255):
    if colour is None or colour.is_default:
        return None
    try:
        brightness = Color.from_rich_color(colour).brightness
    except Exception:  # noqa: BLE001 - a colour we cannot read is left alone
        return colour
    return Color(int(floor + (top - floor) * brightness), 0, 0).rich_color


class NightFilter(LineFilter):
    """Every colour becomes a red of the same brightness: nothing on screen spoils night vision."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [Segment(text, _night_style(style) if style is not None else None, control)
                for text, style, control in segments]


# --- glue for the App ------------------------------------------------------------------


class Theming:
    """Registers the themes with the App, applies and remembers the operator's choice, reloads files."""

    def __init__(self, app: "App", *, ascii_only: bool = False, colourless: bool = False, remember=None) -> None:
        self.app = app
        self.ascii_filter = AsciiFilter(enabled=ascii_only)
        self.night_filter = NightFilter()
        #: NO_COLOR, or a terminal without colours (console.terminal): monochrome, default colours only.
        self.colourless = colourless
        self.no_colour_filter = NoColor()
        #: The theme the operator asked for (shown again once its broken file is fixed).
        self.wanted = DEFAULT_THEME
        self.user_files: dict[str, Path] = {}
        self.problems: dict[Path, str] = {}
        self._remember = remember
        self._automatic: str | None = None
        self._started = False

    # registration

    def _read_files(self) -> tuple[set[str], dict[Path, str]]:
        """(Re)register the user themes: (names whose definition changed or vanished, new problems)."""
        themes, problems = load_user_themes()
        changed = set()
        for name in set(self.user_files) - set(themes):
            self.app.unregister_theme(name)
            changed.add(name)
        for name, (theme, _path) in themes.items():
            if self.app.get_theme(name) != theme:
                changed.add(name)
            self.app.register_theme(theme)
        self.user_files = {name: path for name, (_theme, path) in themes.items()}
        fresh = {path: message for path, message in problems.items() if self.problems.get(path) != message}
        self.problems = problems
        return changed, fresh

    def _file_of(self, name: str) -> Path:
        return self.user_files.get(name) or themes_dir() / f"{name}.toml"

    def _report(self, fresh: dict[Path, str], fell_back: bool) -> None:
        for path, message in fresh.items():
            wanted_here = fell_back and path == self._file_of(self.wanted)
            suffix = f"; using {DEFAULT_THEME}" if wanted_here else ""
            self.app.notify(f"theme file {message}{suffix}", severity="warning", timeout=10, markup=False)

    # choosing

    def start(self, requested: str, *, low_bandwidth: bool) -> None:
        """On mount: register everything, apply the first theme, remember later choices, watch files."""
        for theme in BUILTIN_THEMES.values():
            self.app.register_theme(theme)
        _changed, fresh = self._read_files()
        self.wanted = initial_theme(requested, low_bandwidth=low_bandwidth,
                                    no_color=self.colourless or getattr(self.app, "no_color", False),
                                    color_system=self.app.console.color_system)
        fell_back = self.apply(self.wanted)
        self._report(fresh, fell_back)
        if fell_back and self._file_of(self.wanted) not in fresh:
            self.app.notify(f"no theme called {clean_line(self.wanted, max_chars=40)!r}; using {DEFAULT_THEME}",
                            severity="warning", timeout=10, markup=False)
        self.app.theme_changed_signal.subscribe(self.app, self._theme_changed)
        self._started = True
        if themes_dir().is_dir():
            self.app.run_worker(self.watch_files(), exclusive=True, group="theme-files", exit_on_error=False)

    def apply(self, name: str) -> bool:
        """Show ``name`` without remembering it; True if it is unknown or broken and the default is shown."""
        fell_back = self.app.get_theme(name) is None
        if fell_back:
            name = DEFAULT_THEME
        self._automatic = name
        if self.app.theme == name:
            self._automatic = None
            self.app.refresh_css(animate=False)
        else:
            self.app.theme = name
        return fell_back

    def _theme_changed(self, theme: Theme) -> None:
        if self._automatic is not None and theme.name == self._automatic:
            self._automatic = None
            return
        self._automatic = None
        self.wanted = theme.name
        if self._remember is not None:
            try:
                self._remember(theme.name)
            except OSError as error:
                self.app.notify(f"could not remember the theme: {clean_line(error)}", severity="warning",
                                markup=False)

    # hot reload

    async def watch_files(self) -> None:
        from watchfiles import awatch  # lazily: only consoles with a themes folder pay for it

        async for _changes in awatch(themes_dir(), debounce=200, step=50):
            self.reload()

    def reload(self) -> None:
        """Re-read the theme files: show the wanted theme again if it changed, fall back if it broke."""
        changed, fresh = self._read_files()
        fell_back = False
        if self.wanted in changed or (self.app.theme != self.wanted and self.app.get_theme(self.wanted)):
            fell_back = self.apply(self.wanted)
            if not fell_back:
                self.app.notify(f"theme {self.wanted} reloaded", timeout=3, markup=False)
        elif self.app.get_theme(self.app.theme) is None:
            fell_back = self.apply(self.wanted)
        self._report(fresh, fell_back)

    # filters

    def line_filters(self) -> list[LineFilter]:
        extra: list[LineFilter] = []
        if self._started and self.app.theme == NIGHT_THEME:
            extra.append(self.night_filter)
        if self.ascii_filter.enabled:
            extra.append(self.ascii_filter)
        if self.colourless and not getattr(self.app, "no_color", False):
            # A terminal without colours but no NO_COLOR, so Textual added no filter of its own. Last:
            # nothing after it may add a colour back.
            extra.append(self.no_colour_filter)
        return extra


def known_theme(name: str) -> bool:
    """Is ``name`` a built-in theme (ours or Textual's) or a readable user theme file?"""
    from textual.theme import BUILTIN_THEMES as TEXTUAL_THEMES

    return name in BUILTIN_THEMES or name in TEXTUAL_THEMES or name in load_user_themes()[0]
