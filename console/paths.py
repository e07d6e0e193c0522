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
