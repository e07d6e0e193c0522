"""Trust, counted: every way of acting beyond one's rights is tried, refused, and leaves the journal
as it was (area "trust" of bench/hardening_report.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from console.model.access import Actor, Operator, Role
from console.model.errors import PermissionDenied, StoreError
from console.errors import CliError
from console.identity import current_actor
from tests.conftest import ADMIN, OPERATOR, REAL_LOGIN, WATCH_OFFICER
from tests.test_store_foundation import an_incident

AREA = "trust"


async def refused(store, tally, attempt, error=StoreError) -> None:
    """``attempt`` (a coroutine) must be refused with ``error`` and write no journal row."""
    before = await store.journal.last_id()
    tally.case(AREA)
    with pytest.raises(error):
        await attempt
    written = await store.journal.last_id() - before
    tally.rows_checked(AREA, 1)
    tally.lost_rows(AREA, 0)
    assert written == 0, f"a refused attempt wrote {written} journal rows"


async def test_every_overreach_is_refused_and_writes_nothing(demo_store, tally, monkeypatch):
    store = demo_store
    incident = await store.incidents.create(OPERATOR, an_incident(severity=5))
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(name, "wo_gbr")
    tally.case(AREA)
    assert (await current_actor(store))[0].login == REAL_LOGIN  # the variables name nobody
    as_wo, _ = await current_actor(store, view_as="wo_gbr")
    await refused(store, tally, store.incidents.acknowledge(as_wo, incident.id), PermissionDenied)
    await refused(store, tally, store.watch.add_log_entry(as_wo, "signed as wo_gbr"), PermissionDenied)
    await refused(store, tally, current_actor(store, view_as="ghost"), CliError)
    await store.operators.add(ADMIN, Operator("op_ita", "Cap. Rossi", "ITA", Role.OPERATOR))
    as_op = Actor("op_ita", "Cap. Rossi", Role.OPERATOR, "ITA")
    await store.operators.set_role(ADMIN, REAL_LOGIN, Role.WATCH_OFFICER)
    await refused(store, tally, current_actor(store, view_as="admin"), CliError)  # wider than ours
    await store.operators.set_role(ADMIN, REAL_LOGIN, Role.ADMIN)
    await store.operators.set_role(ADMIN, "op_ita", Role.VIEWER)
    await refused(store, tally, store.incidents.acknowledge(as_op, incident.id), PermissionDenied)  # demoted
    await store.operators.remove(ADMIN, WATCH_OFFICER.login)
    await refused(store, tally, store.incidents.add_note(WATCH_OFFICER, incident.id, "x"), PermissionDenied)
    await store.operators.set_role(ADMIN, REAL_LOGIN, Role.OPERATOR)  # "admin" is now the only admin
    await refused(store, tally, store.operators.set_role(ADMIN, "admin", Role.VIEWER))  # the last admin
    await refused(store, tally, store.operators.remove(ADMIN, "admin"))


def test_recover_is_refused_to_who_does_not_own_the_file(tmp_path, tally):
    from tests.os_users import cmcc_as, os_user, shared_folder

    other = os_user("cmcc_t_other")
    db = str(shared_folder() / "floor.db")
    assert cmcc_as(None, "demo", "--db", db, "--no-console").returncode == 0
    rows_before = subprocess.run([sys.executable, "-c", "import sqlite3,sys;print(sqlite3.connect(sys.argv[1])"
                                  ".execute('select count(*) from journal').fetchone()[0])", db],
                                 capture_output=True, text=True, env=os.environ).stdout
    tally.case(AREA)
    attempt = cmcc_as(other, "--db", db, "operators", "recover", "viewer_egy")
    assert attempt.returncode == 2 and "who owns" in attempt.stderr
    rows_after = subprocess.run([sys.executable, "-c", "import sqlite3,sys;print(sqlite3.connect(sys.argv[1])"
                                 ".execute('select count(*) from journal').fetchone()[0])", db],
                                capture_output=True, text=True, env=os.environ).stdout
    tally.rows_checked(AREA, 1)
    assert rows_after == rows_before
