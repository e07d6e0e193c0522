"""Shared fixtures: a real SQLite file per test, and no leakage from the developer's own config."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

# The console reads the terminal from the environment (console/terminal.py): a CI runner's TERM=dumb
# or NO_COLOR would start every in-process console colourless. Tests of those set them themselves.
os.environ["TERM"] = "xterm-256color"
os.environ.pop("NO_COLOR", None)

from console.model.access import SYSTEM_ACTOR, Actor, Operator, Role
from console.identity import os_login
from console.store import Store
from console.store.seed import seed_demo

WATCH_OFFICER = Actor("wo_gbr", "Maj. Claire Morgan", Role.WATCH_OFFICER, "GBR", "test")
OPERATOR = Actor("op_deu", "Capt. Jonas Weber", Role.OPERATOR, "DEU", "test")
VIEWER = Actor("viewer_egy", "Lt. Omar Haddad", Role.VIEWER, "EGY", "test")
ADMIN = Actor("admin", "Admin", Role.ADMIN, "USA", "test")
#: The real user running the tests (the password database's name for our uid): the store judges
#: every write by the operators table, so the test actors above are registered operators, and
#: the tests' own login is the demo databases' admin.
REAL_LOGIN = os_login()
TEST_ACTORS = (ADMIN, WATCH_OFFICER, OPERATOR, VIEWER)


async def register_test_operators(store: Store, *others: Actor) -> None:
    """Make the test actors, ``others`` (and the real login, as admin) operators of ``store``, once."""
    wanted = [Actor(REAL_LOGIN, f"{REAL_LOGIN} (test admin)", Role.ADMIN, "USA"), *TEST_ACTORS, *others]
    for actor in wanted:
        if await store.operators.get(actor.login) is None:
            await store.operators.add(SYSTEM_ACTOR, Operator(actor.login, actor.name, actor.nation, actor.role))


@pytest.fixture
def tally():
    """What the hardening report counts (tests/hardening/tally.py): the suite's tests and the
    cases of later rounds kept beside the features they test (``tally.SUITE``)."""
    from tests.hardening.tally import TALLY

    return TALLY


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """Config and data come from the test, not from whoever runs it; the login variables name
    someone else, so a test that trusted them (getpass does) would see the wrong operator."""
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
def store_operators() -> tuple[Actor, ...]:
    """Operators the ``store`` fixture registers besides the test actors (a module overrides this)."""
    return ()


@pytest.fixture
async def store(db_path, store_operators):
    """The test's store (at ``db_path``), its operators the test actors and ``store_operators``."""
    opened = await open_test_store(db_path, *store_operators)
    yield opened
    await opened.close()


@pytest.fixture
def folder(tmp_path):
    """An empty inbox folder."""
    path = tmp_path / "inbox"
    path.mkdir()
    return path


@pytest.fixture
async def demo_store(db_path):
    await migrated_copy(db_path)
    opened = await Store.open(db_path)
    await seed_demo(opened.database, operator_login=REAL_LOGIN)
    await register_test_operators(opened)
    yield opened
    await opened.close()


_MIGRATED: list[Path] = []  # this process's empty, migrated database (built once)


async def migrated_copy(path) -> None:
    """Put an empty database with every migration applied at ``path``, unless a file is there.

    Applying the migrations takes ~110 ms, a copy of their result well under 1 ms: most tests
    open a fresh store, so this was ~30 s of the suite's time. Only the schema is shared, never
    data, so nothing depends on when the copy was made."""
    path = Path(path)
    if path.exists():
        return
    if not _MIGRATED:
        folder = tempfile.mkdtemp(prefix="cmcc-migrated-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        template = Path(folder) / "migrated.db"
        await (await Store.open(template)).close()
        _MIGRATED.append(template)
    shutil.copy(_MIGRATED[0], path)  # with its mode: owner and group, as cmcc creates it


async def open_test_store(path, *others: Actor) -> Store:
    """``Store.open`` with the test actors (and ``others``) registered as its operators."""
    await migrated_copy(path)
    store = await Store.open(path)
    try:
        await register_test_operators(store, *others)
    except BaseException:
        await store.close()
        raise
    return store


def pytest_xdist_auto_num_workers(config) -> int:
    """``-n auto``: three workers a core. Most of the suite waits (on processes, terminals, servers and
    timers), so a core with one worker sits idle half the run (measured on two cores: 6 min 23 s with
    two workers, 3 min 22 s with four; later, 716 tests: 2 min 50 s with four, 2 min 37 s with six)."""
    return 3 * (os.cpu_count() or 1)
