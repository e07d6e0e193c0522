"""Settings: one typed object read from ``$XDG_CONFIG_HOME/cmcc/config.toml`` and the environment.

A bad value is reported by name and replaced by its default; the console
starts anyway (``Settings.problems`` lists what was wrong).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from console.paths import config_path, data_dir
from console.sanitize import clean_line


@dataclass(frozen=True)
class Settings:
    #: "" = automatic: cmcc-dark, or cmcc-16 / cmcc-mono for low bandwidth, 16 colours or NO_COLOR.
    theme: str = ""
    low_bandwidth: bool = False
    ascii: bool = False
    bell: bool = True
    default_releasability: str = "ALL"
    inbox: str = ""
    daily_truck_target: int = 600
    #: Per-crossing daily truck targets by crossing code (``[crossing_targets]`` KS = 400); they
    #: override the crossing's own target in the database.
    crossing_targets: dict[str, int] = field(default_factory=dict)
    isf_planned_size: int = 20000
    ticker_seconds: float = 8.0
    refresh_seconds: float = 0.25
    #: Run the feed pollers and the inbox watcher in this console when no other process holds the lease.
    poll_feeds: bool = True
    #: Watch-list words marked in every headline, e.g. "Rafah, drone, convoy" (feeds add their own).
    watch_keywords: str = ""
    #: Named incident filters, e.g. [incident_presets] "hot rafah" = "open, sev >= 3, last 24h, Rafah"
    #: (added to the built-in presets; ``p`` on the Incidents pane cycles through them).
    incident_presets: tuple[tuple[str, str], ...] = ()
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

    def inbox_for(self, database: str | Path) -> Path:
        """The inbox folder: the ``inbox`` setting, or one beside the database (``cmcc.db`` ->
        ``cmcc-inbox``), so every process on that database watches the same folder, whoever runs it."""
        if self.inbox:
            return Path(self.inbox).expanduser()
        database = Path(database).expanduser()
        return database.with_name(f"{database.stem}-inbox")


_TYPES = {f.name: f.type for f in fields(Settings) if f.name != "problems"}


def load_settings(path: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    path = path or config_path()
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    problems: list[str] = []
    if path.exists():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as error:
            raw = {}
            problems.append(f"{path}: {clean_line(error)}; using defaults")
        for key, value in raw.items():
            if key not in _TYPES:
                problems.append(f"{path}: unknown setting {clean_line(key)!r} ignored")
                continue
            checked = _coerce(key, value)
            if checked is None:
                problems.append(f"{path}: {key} = {clean_line(repr(value), max_chars=60)} is not valid; default kept")
            else:
                values[key] = checked
    if environ.get("CMCC_LOW_BANDWIDTH", "").lower() in ("1", "true", "yes", "on"):
        values["low_bandwidth"] = True
    if environ.get("CMCC_THEME"):
        values["theme"] = clean_line(environ["CMCC_THEME"], max_chars=40)
    return replace(Settings(**values), problems=tuple(problems))


def _coerce(key: str, value: object) -> object | None:
    kind = _TYPES[key]
    if kind == "bool":
        return value if isinstance(value, bool) else None
    if kind == "int":
        return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
    if kind == "float":
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0 else None
    if key == "incident_presets":
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            return None
        return tuple((clean_line(k, max_chars=40), clean_line(v, max_chars=200)) for k, v in value.items())
    if kind == "str":
        return clean_line(value, max_chars=200) if isinstance(value, str) else None
    if kind == "dict[str, int]":
        if not isinstance(value, dict) or not all(
                isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value.values()):
            return None
        return {clean_line(k, max_chars=16).upper(): v for k, v in value.items()}
    return None


def save_setting(key: str, value: str | bool | int, path: Path | None = None) -> None:
    """Remember one setting (e.g. the theme chosen at run time), keeping the others."""
    path = path or config_path()
    current: dict[str, object] = {}
    if path.exists():
        try:
            current = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, OSError):
            current = {}
    current[key] = value
    lines = []
    for name, item in current.items():
        if isinstance(item, bool):
            lines.append(f"{name} = {'true' if item else 'false'}")
        elif isinstance(item, (int, float)):
            lines.append(f"{name} = {item}")
        elif isinstance(item, dict):  # a table such as incident_presets, kept inline
            import json  # a JSON string is a valid TOML basic string

            pairs = ", ".join(f"{json.dumps(str(k))} = {json.dumps(str(v))}" for k, v in item.items())
            lines.append(f"{name} = {{ {pairs} }}")
        elif isinstance(item, str):
            escaped = item.replace("\\", "\\\\").replace('"', '\\"')
            lines.append(f'{name} = "{escaped}"')
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    temporary.replace(path)
