"""Settings: one typed object read from ``$XDG_CONFIG_HOME/cmcc/config.toml`` and the environment.

A bad value is reported by name and replaced by its default; the console
starts anyway (``Settings.problems`` lists what was wrong). pydantic-settings
reads and types the file; ``save_setting`` edits it with tomlkit, so the
operator's comments, order, tables and value types survive a theme change.
"""

from __future__ import annotations

import os
import stat
import tempfile
import tomllib
from contextvars import ContextVar
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Annotated, get_type_hints

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    Strict,
    TypeAdapter,
    ValidationError,
    create_model,
)
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from console.errors import CliError
from console.model.incidents import Ageing
from console.paths import config_path
from console.sanitize import clean_line

# The file's types. Strict: TOML has real types, so "400" is not 400 and true is not 1.
Flag = Annotated[bool, Strict()]
Count = Annotated[int, Strict(), Field(ge=0)]
Seconds = Annotated[float, Strict(), Field(gt=0, allow_inf_nan=False)]  # an int is taken as a float
Hours = Seconds
Text = Annotated[str, Strict(), AfterValidator(lambda text: clean_line(text, max_chars=200))]
PresetName = Annotated[str, Strict(), AfterValidator(lambda text: clean_line(text, max_chars=40))]
BindingId = Annotated[str, AfterValidator(lambda text: clean_line(text, max_chars=60))]
CrossingCode = Annotated[str, AfterValidator(lambda code: clean_line(code, max_chars=16).upper())]


def _table_as_pairs(table: object) -> object:
    # [incident_presets] is a table; Settings keeps it as (name, filter) pairs in file order.
    if not isinstance(table, dict):
        raise ValueError("not a table")  # noqa: TRY004 - pydantic reports a ValueError, not a TypeError
    return tuple(table.items())


Presets = Annotated[tuple[tuple[PresetName, Text], ...], BeforeValidator(_table_as_pairs)]


@dataclass(frozen=True)
class Settings:
    """The settings as the console uses them. A plain frozen dataclass (not the pydantic model):
    ``Settings(bell=False)`` reads no file, and ``dataclasses.replace`` works on it."""

    #: "" = automatic: cmcc-dark, or cmcc-16 / cmcc-mono for low bandwidth, 16 colours or NO_COLOR.
    theme: Text = ""
    low_bandwidth: Flag = False
    ascii: Flag = False
    bell: Flag = True
    default_releasability: Text = "ALL"
    inbox: Text = ""
    daily_truck_target: Count = 600
    #: Per-crossing daily truck targets by crossing code (``[crossing_targets]`` KS = 400); they
    #: override the crossing's own target in the database.
    crossing_targets: dict[CrossingCode, Count] = field(default_factory=dict)
    isf_planned_size: Count = 20000
    ticker_seconds: Seconds = 12.0
    refresh_seconds: Seconds = 0.25
    #: Run the feed pollers and the inbox watcher in this console when no other process holds the lease.
    poll_feeds: Flag = True
    #: Watch-list words marked in every headline, e.g. "Rafah, drone, convoy" (feeds add their own).
    watch_keywords: Text = ""
    #: Named incident filters, e.g. [incident_presets] "hot rafah" = "open, sev >= 3, last 24h, Rafah"
    #: (added to the built-in presets; ``p`` on the Incidents pane cycles through them).
    incident_presets: Presets = ()
    #: Keys of your own: binding id -> key, e.g. [keys] "incident.acknowledge" = "A" (console/keymap.py).
    keys: dict[BindingId, Text] = field(default_factory=dict)
    #: Hours after its report an incident may stay reported, or verifying, before it is marked ageing.
    reported_ageing_hours: Hours = 2.0
    verifying_ageing_hours: Hours = 6.0
    problems: tuple[str, ...] = field(default=(), compare=False)

    @property
    def watch_words(self) -> tuple[str, ...]:
        """``watch_keywords`` as words, without blanks or repeats."""
        seen: dict[str, str] = {}
        for word in self.watch_keywords.split(","):
            word = word.strip()
            if word and word.casefold() not in seen:
                seen[word.casefold()] = word
        return tuple(seen.values())

    @property
    def ageing(self) -> Ageing:
        return Ageing(self.reported_ageing_hours, self.verifying_ageing_hours)

    def inbox_for(self, database: str | Path) -> Path:
        """The inbox folder: the ``inbox`` setting, or one beside the database (``cmcc.db`` ->
        ``cmcc-inbox``), so every process on that database watches the same folder, whoever runs it."""
        if self.inbox:
            return Path(self.inbox).expanduser()
        database = Path(database).expanduser()
        return database.with_name(f"{database.stem}-inbox")


# --- reading -------------------------------------------------------------------------------------

_HINTS = get_type_hints(Settings, include_extras=True)
_FIELDS = {f.name: f for f in fields(Settings) if f.name != "problems"}
_file_values: ContextVar[dict[str, object]] = ContextVar("cmcc_config_file_values")


class _FileSchema(BaseSettings):
    # Frozen like Settings; unknown keys kept aside (model_extra) to be reported, not fatal;
    # case-sensitive like TOML itself (``Theme`` is not ``theme``); Settings' own defaults trusted,
    # so a bad value is the file's alone.
    model_config = SettingsConfigDict(frozen=True, extra="allow", case_sensitive=True, validate_default=False)

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings):
        # Only the file's values (read once by load_settings, less those already rejected): no
        # environment, .env or secrets folder, so a stray THEME or BELL variable changes nothing.
        # Not the init keywords either: a file key such as ``_secrets_dir`` must stay a key.
        return (InitSettingsSource(settings_cls, _file_values.get()),)


# Settings' fields, types and defaults, as a pydantic-settings model: one list of settings.
_ConfigFile = create_model(
    "_ConfigFile", __base__=_FileSchema,
    **{name: (_HINTS[name], f.default_factory() if f.default is MISSING else f.default)
       for name, f in _FIELDS.items()})


def load_settings(path: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    path = path or config_path()
    environ = os.environ if environ is None else environ
    problems: list[str] = []
    try:
        # TomlConfigSettingsSource reads with tomllib; a missing file is an empty one.
        raw = TomlConfigSettingsSource(_ConfigFile, toml_file=path).toml_data
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as error:
        raw = {}
        problems.append(f"{path}: {clean_line(error)}; using defaults")
    values = _checked(path, raw, problems)
    if environ.get("CMCC_LOW_BANDWIDTH", "").lower() in ("1", "true", "yes", "on"):
        values["low_bandwidth"] = True
    if environ.get("CMCC_THEME"):
        values["theme"] = clean_line(environ["CMCC_THEME"], max_chars=40)
    return Settings(**values, problems=tuple(problems))


def _checked(path: Path, raw: dict[str, object], problems: list[str]) -> dict[str, object]:
    """The file's valid settings; each bad value or unknown key goes to ``problems`` instead."""
    raw = dict(raw)
    token = _file_values.set(raw)
    try:
        try:
            model = _ConfigFile()
        except ValidationError as error:
            # Fields are checked independently and all at once: drop each bad one and check again.
            for key in dict.fromkeys(str(e["loc"][0]) for e in error.errors()):
                value = clean_line(repr(raw.pop(key)), max_chars=60)
                problems.append(f"{path}: {key} = {value} is not valid; default kept")
            model = _ConfigFile()
    finally:
        _file_values.reset(token)
    problems.extend(f"{path}: unknown setting {clean_line(key)!r} ignored" for key in model.model_extra or {})
    return {name: getattr(model, name) for name in _FIELDS if name in model.model_fields_set}


# --- writing -------------------------------------------------------------------------------------


class SettingsFileError(CliError, OSError):
    """The config file cannot be edited safely, so it was left as it is. One line to show.

    An OSError, like any failed write, so the palette's theme choice shows it as a notice; a
    CliError, so ``cmcc --theme`` prints it as one line rather than a traceback."""


# What save_setting writes: one value, not a table.
_SINGLE_VALUES = {name for name, f in _FIELDS.items() if isinstance(f.default, (bool, int, float, str))}


def save_setting(key: str, value: str | bool | float, path: Path | None = None) -> None:
    """Remember one setting (e.g. the theme chosen at run time), changing nothing else in the file.

    Raises SettingsFileError, with the file untouched, if the file is not valid TOML or UTF-8
    (rewriting it would lose what the operator wrote), and OSError if it cannot be written."""
    if key not in _SINGLE_VALUES:
        raise ValueError(f"{key!r} is not a single-value setting")
    # Only here: tomlkit is ~12 ms of every start-up, and most starts write nothing.
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    value = TypeAdapter(_HINTS[key]).validate_python(value)  # what is written must load back
    # Through a symlink (a dotfiles checkout), edit the file it points to, not the link.
    path = Path(os.path.realpath(path or config_path()))
    try:
        text = path.read_bytes().decode("utf-8") if path.exists() else ""
        before = tomllib.loads(text)  # the parser load_settings uses decides what is valid
        document = tomlkit.parse(text)
        # An existing key changes in place (its comment kept); a new top-level one goes before the
        # first table, never under [crossing_targets].
        document[key] = value
        text = document.as_string()
        after = tomllib.loads(text)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, TOMLKitError) as error:
        raise SettingsFileError(f"{path}: {clean_line(error)}; not changed, {key} not remembered") from None
    if after != {**before, key: value}:  # checked, not assumed: only this key may change
        raise SettingsFileError(f"{path}: {key} cannot be set without changing other settings; not changed")
    _replace_atomically(path, text)


def _replace_atomically(path: Path, text: str) -> None:
    """Write beside the file, then rename over it: a crash leaves the old file or the new, never half."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = 0o600  # the operator's own settings
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:  # newline="": keep the file's
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
