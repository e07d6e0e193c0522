"""Shared fixtures: a real SQLite file per test, and no leakage from the developer's own config."""

from __future__ import annotations

import pytest

from console.domain import Actor, Role
from console.store import Store
from console.store.seed import seed_demo

WATCH_OFFICER = Actor("wo_gbr", "Maj. Claire Morgan", Role.WATCH_OFFICER, "GBR", "test")
OPERATOR = Actor("op_deu", "Capt. Jonas Weber", Role.OPERATOR, "DEU", "test")
VIEWER = Actor("viewer_egy", "Lt. Omar Haddad", Role.VIEWER, "EGY", "test")
ADMIN = Actor("admin", "Admin", Role.ADMIN, "USA", "test")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """Config, data and the OS login come from the test, not from whoever runs it."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("USER", "tester")
    monkeypatch.setenv("LOGNAME", "tester")
    monkeypatch.delenv("CMCC_LOW_BANDWIDTH", raising=False)
    monkeypatch.delenv("CMCC_THEME", raising=False)
    monkeypatch.delenv("SSH_CLIENT", raising=False)
    monkeypatch.delenv("SSH_CONNECTION", raising=False)


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "cmcc.db"


@pytest.fixture
async def store(db_path):
    opened = await Store.open(db_path)
    yield opened
    await opened.close()


@pytest.fixture
async def demo_store(db_path):
    opened = await Store.open(db_path)
    await seed_demo(opened.database, operator_login="tester")
    yield opened
    await opened.close()
