"""Where cmcc keeps its files by default (XDG base directories)."""

from __future__ import annotations

import os
from pathlib import Path


def _xdg(variable: str, fallback: str) -> Path:
    value = os.environ.get(variable, "")
    return Path(value) if value and Path(value).is_absolute() else Path.home() / fallback


def data_dir() -> Path:
    return _xdg("XDG_DATA_HOME", ".local/share") / "cmcc"


def config_dir() -> Path:
    return _xdg("XDG_CONFIG_HOME", ".config") / "cmcc"


def default_database_path() -> Path:
    return data_dir() / "cmcc.db"


def demo_database_path() -> Path:
    return data_dir() / "demo.db"


def config_path() -> Path:
    return config_dir() / "config.toml"


def state_dir() -> Path:
    """The operator's own state folder ($XDG_STATE_HOME/cmcc, default ~/.local/state/cmcc)."""
    return _xdg("XDG_STATE_HOME", ".local/state") / "cmcc"


def witness_path(database: str | Path) -> Path:
    """Where this operator remembers the newest journal row seen of ``database`` (by its resolved path)."""
    import hashlib

    resolved = str(Path(database).expanduser().resolve())
    return state_dir() / "witness" / f"{hashlib.sha256(resolved.encode('utf-8')).hexdigest()[:24]}.json"
