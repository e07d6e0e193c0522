"""Trust: who you are is the real uid, viewing as someone else is read-only, the store judges every
write by the database as it is at that moment, the last admin stays, and the file is not everyone's."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
import subprocess
import sys

import pytest

from console.model.access import SYSTEM_ACTOR, Actor, Operator, Role
from console.model.errors import PermissionDenied, StoreError
from console.errors import CliError
from console.identity import current_actor
from console.store import Store
from console.store.seed import seed_demo
from tests.conftest import ADMIN, OPERATOR, REAL_LOGIN, VIEWER, WATCH_OFFICER, register_test_operators
from tests.os_users import cmcc_as, os_user, shared_folder
from tests.pilot import demo_app, recorded_notices, until, watch_floor
from tests.test_store_foundation import an_incident

SPOOF = {"LOGNAME": "wo_gbr", "USER": "wo_gbr", "LNAME": "wo_gbr", "USERNAME": "wo_gbr"}


def cmcc(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "console.cli", *args], capture_output=True, text=True,
                          timeout=60, env={**os.environ, **(env or {})})


def journal_actors(db) -> list[str]:
    with sqlite3.connect(db) as raw:
        return [row[0] for row in raw.execute("SELECT actor FROM journal ORDER BY id")]


def demo_db(tmp_path) -> str:
    db = str(tmp_path / "trust.db")
    assert cmcc("demo", "--db", db, "--no-console").returncode == 0  # we are its admin
    return db


# --- who you are -------------------------------------------------------------------------


def test_the_login_variables_cannot_make_anyone_another_operator(tmp_path):
    db = demo_db(tmp_path)
    added = cmcc("--db", db, "operators", "add", "op_fra", "--name", "Capt. Roux", "--nation", "FRA", env=SPOOF)
    assert added.returncode == 0, added.stderr
    assert journal_actors(db)[-1] == REAL_LOGIN  # not wo_gbr, whatever the four variables say


def test_a_user_who_is_not_an_operator_gains_nothing_by_naming_the_admin():
    stranger = os_user("cmcc_t_stranger")
    db = str(shared_folder() / "floor.db")
    assert cmcc_as(None, "demo", "--db", db, "--no-console").returncode == 0
    spoof = {name: REAL_LOGIN for name in SPOOF}
    refused = cmcc_as(stranger, "--db", db, "operators", "set-role", "wo_gbr", "admin", env=spoof)
    assert refused.returncode == 2 and "may not change roles" in refused.stderr
    assert refused.stderr.count("\n") <= 2  # a line (and perhaps a warning), never a traceback


async def test_a_new_process_sees_the_real_login_not_the_variables(demo_store, monkeypatch):
    for name, value in SPOOF.items():
        monkeypatch.setenv(name, value)
    actor, _ = await current_actor(demo_store)
    assert actor.login == REAL_LOGIN and actor.role is Role.ADMIN


# --- viewing as someone else -------------------------------------------------------------


@pytest.mark.parametrize("login", ["wo_gbr", "op_deu", "viewer_egy"])
async def test_viewing_as_takes_their_role_and_nation_and_writes_nothing(demo_store, login):
    actor, notice = await current_actor(demo_store, view_as=login)
    operator = await demo_store.operators.get(login)
    assert (actor.login, actor.role, actor.nation, actor.viewer_login) == (
        login, operator.role, operator.nation, REAL_LOGIN)
    assert "read-only" in notice
    before = await demo_store.journal.last_id()
    incident = (await demo_store.incidents.page(actor, limit=1))[0]
    for write in (demo_store.watch.add_log_entry(actor, "as someone else"),
                  demo_store.incidents.acknowledge(actor, incident.id),
                  demo_store.incidents.create(actor, an_incident())):
        with pytest.raises(PermissionDenied, match="read-only"):
            await write
    assert await demo_store.journal.last_id() == before


async def test_viewing_as_an_unknown_or_wider_login_is_refused(demo_store):
    with pytest.raises(CliError, match="no such operator"):
        await current_actor(demo_store, view_as="ghost")
    # We, a watch officer now, may not view as the admin; an operator may not view as anyone.
    await demo_store.operators.add(ADMIN, Operator("second_admin", "Second", "USA", Role.ADMIN))
    await demo_store.operators.set_role(ADMIN, REAL_LOGIN, Role.WATCH_OFFICER)
    with pytest.raises(CliError, match="wider role"):
        await current_actor(demo_store, view_as="second_admin")
    await demo_store.operators.set_role(ADMIN, REAL_LOGIN, Role.OPERATOR)
    with pytest.raises(CliError, match="only a watch officer or admin"):
        await current_actor(demo_store, view_as="viewer_egy")


def test_view_as_on_the_command_line(tmp_path):
    db = demo_db(tmp_path)
    ghost = cmcc("--db", db, "export", "incidents", "--since", "60d", "--view-as", "ghost")
    assert ghost.returncode == 2 and ghost.stderr.strip() == "cmcc: --view-as ghost: no such operator"
    assert ghost.stdout == ""
    mine = cmcc("--db", db, "journal", "show", "--limit", "100000").stdout.splitlines()
    egy = cmcc("--db", db, "journal", "show", "--limit", "100000", "--view-as", "viewer_egy").stdout.splitlines()
    assert egy and len(egy) < len(mine)  # the rows about USA-, GBR-... only records are not EGY's to see
    brief = cmcc("--db", db, "--view-as", "viewer_egy", "handover", "--since", "30d", "--format", "json")
    assert brief.returncode == 0 and '"for": "Lt. Omar Haddad (EGY)"' in brief.stdout
    writing = cmcc("--db", db, "--view-as", "wo_gbr", "operators", "add", "x", "--name", "X", "--nation", "FRA")
    assert writing.returncode == 2 and "read-only" in writing.stderr
    assert "wo_gbr" not in journal_actors(db)  # the demo wrote as cmcc-seed; nobody wrote as wo_gbr


async def test_the_console_viewing_as_says_so_and_acknowledges_nothing(db_path):
    app = await demo_app(db_path)
    actor, _ = await current_actor(app.store, view_as="wo_gbr")
    app.actor = actor
    async with app.run_test(size=(120, 30)) as pilot:
        floor = await watch_floor(pilot, app)
        table = floor.panes[0].table
        assert await until(pilot, lambda: table.row_count > 0)
        clock = str(floor.query_one("#clock").render())
        assert clock.startswith(" CMCC  VIEW AS wo_gbr ")
        assert floor.active_bindings["a"].enabled is False  # greyed in the footer: nothing to write
        assert not any(floor.active_bindings[key].enabled for key in "nev")
        assert floor.active_bindings["f"].enabled is True  # reading is all there


async def test_one_person_cannot_sign_and_acknowledge_a_handover(demo_store):
    from console.handover import build_brief
    from console.dtg import utc_now
    from datetime import timedelta

    since = utc_now() - timedelta(hours=12)
    brief = await build_brief(demo_store, WATCH_OFFICER, since)
    signed = await demo_store.watch.sign_handover(WATCH_OFFICER, since, brief)
    # The signer, viewing as another watch officer, is still the signer: read-only, refused.
    await demo_store.operators.add(ADMIN, Operator("wo_fra", "Cdt. Roux", "FRA", Role.WATCH_OFFICER))
    as_fra = Actor("wo_fra", "Cdt. Roux", Role.WATCH_OFFICER, "FRA", viewer_login="wo_gbr")
    with pytest.raises(PermissionDenied, match="read-only"):
        await demo_store.watch.acknowledge_handover(as_fra, signed.id)
    assert (await demo_store.watch.handover(signed.id)).acknowledged_by in (None, "")


# --- what you may do, now ----------------------------------------------------------------


async def test_a_demoted_or_removed_operator_is_refused_at_the_next_write(demo_store):
    incident = await demo_store.incidents.create(OPERATOR, an_incident(severity=5))
    await demo_store.operators.set_role(ADMIN, OPERATOR.login, Role.VIEWER)
    with pytest.raises(PermissionDenied, match="viewer"):
        await demo_store.incidents.acknowledge(OPERATOR, incident.id)  # the actor still says operator
    await demo_store.operators.remove(ADMIN, WATCH_OFFICER.login)
    with pytest.raises(PermissionDenied):
        await demo_store.watch.add_log_entry(WATCH_OFFICER, "after removal")
    promoted = Actor(VIEWER.login, VIEWER.name, Role.VIEWER, VIEWER.nation)
    await demo_store.operators.set_role(ADMIN, VIEWER.login, Role.OPERATOR)
    await demo_store.incidents.acknowledge(promoted, incident.id)  # judged by the table: now an operator


async def test_a_new_nation_applies_to_the_next_write(demo_store):
    secret = await demo_store.incidents.create(WATCH_OFFICER, an_incident(releasability="GBR"))
    await demo_store.operators.add(ADMIN, Operator("op_gbr", "Capt. Hale", "GBR", Role.OPERATOR))
    op_gbr = Actor("op_gbr", "Capt. Hale", Role.OPERATOR, "GBR")
    await demo_store.incidents.add_note(op_gbr, secret.id, "seen")
    with sqlite3.connect(demo_store.path) as raw:  # moved to another nation's cell
        raw.execute("UPDATE operators SET nation = 'EGY' WHERE login = 'op_gbr'")
    raw.close()
    with pytest.raises(StoreError):
        await demo_store.incidents.add_note(op_gbr, secret.id, "no longer mine to see")


async def test_a_running_console_follows_a_demotion_from_another_process(db_path):
    app = await demo_app(db_path, actor=WATCH_OFFICER)
    notices = recorded_notices(app)
    async with app.run_test(size=(120, 30)) as pilot:
        floor = await watch_floor(pilot, app)
        table = floor.panes[0].table
        assert await until(pilot, lambda: table.row_count > 0)
        assert "watch officer" in str(floor.query_one("#clock").render())
        assert floor.active_bindings["a"].enabled is True
        demoted = await asyncio.to_thread(cmcc, "--db", str(db_path), "operators", "set-role", "wo_gbr", "viewer")
        assert demoted.returncode == 0, demoted.stderr
        assert await until(pilot, lambda: "viewer" in str(floor.query_one("#clock").render()), timeout=3)
        assert app.actor.role is Role.VIEWER
        assert any("your access changed: now" in n for n in notices)
        assert floor.active_bindings["a"].enabled is False  # the footer greys what a viewer cannot do


# --- the last admin, and the way back ----------------------------------------------------


def test_the_last_admin_can_be_neither_demoted_nor_removed(tmp_path):
    db = demo_db(tmp_path)
    for args in (("set-role", REAL_LOGIN, "viewer"), ("remove", REAL_LOGIN)):
        refused = cmcc("--db", db, "operators", *args)
        assert refused.returncode == 2
        assert refused.stderr.strip() == f"cmcc: {REAL_LOGIN} is the last admin: cannot " \
                                         f"{'demote' if args[0] == 'set-role' else 'remove'} them" \
                                         " (make another operator admin first)"
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT role FROM operators WHERE login = ?", (REAL_LOGIN,)).fetchone() == (3,)
    raw.close()
    assert cmcc("--db", db, "operators", "set-role", "wo_gbr", "admin").returncode == 0
    assert cmcc("--db", db, "operators", "set-role", REAL_LOGIN, "viewer").returncode == 0  # one admin is left


def test_the_file_owner_recovers_an_admin_and_nobody_else_may():
    owner, other = os_user("cmcc_t_owner"), os_user("cmcc_t_other")
    db = str(shared_folder() / "floor.db")
    assert cmcc_as(owner, "operators", "--db", db, "add", owner, "--name", "Owner", "--nation", "USA").returncode == 0
    assert cmcc_as(owner, "--db", db, "operators", "add", other, "--name", "Other", "--nation", "GBR",
                   "--role", "watch_officer").returncode == 0
    refused = cmcc_as(other, "--db", db, "operators", "recover", other)
    assert refused.returncode == 2 and f"only {owner}, who owns" in refused.stderr
    done = cmcc_as(owner, "--db", db, "operators", "recover", other)
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT role FROM operators WHERE login = ?", (other,)).fetchone() == (3,)
        assert raw.execute("SELECT actor, action FROM journal ORDER BY id DESC LIMIT 1").fetchone() == (
            owner, "recover")
    raw.close()


def test_root_may_recover_an_admin(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("root's way back: only root can test it")
    db = demo_db(tmp_path)
    assert cmcc("--db", db, "operators", "recover", "viewer_egy").returncode == 0
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT role FROM operators WHERE login = 'viewer_egy'").fetchone() == (3,)
    raw.close()


# --- inbox files are their owner's -------------------------------------------------------


async def test_an_inbox_file_is_attributed_to_the_user_who_owns_it(tmp_path, db_path):
    from feeds.inbox import Inbox

    owner = os_user("cmcc_t_op")
    store = await Store.open(db_path)
    try:
        await seed_demo(store.database, operator_login=REAL_LOGIN)
        await register_test_operators(store)
        await store.operators.add(ADMIN, Operator(owner, "Capt. Inbox", "DEU", Role.OPERATOR))
        folder = tmp_path / "inbox"
        folder.mkdir()
        path = folder / "headlines-0800.csv"
        path.write_text("title,link,published_at\nQueue at Kerem Shalom,https://example.test/q,2026-11-25T08:00Z\n")
        import pwd
        os.chown(path, pwd.getpwnam(owner).pw_uid, -1)
        stranger_file = folder / "headlines-0801.csv"
        stranger_file.write_text("title,link,published_at\nNot from us,https://example.test/n,2026-11-25T08:01Z\n")
        os.chown(stranger_file, pwd.getpwnam(os_user("cmcc_t_stranger")).pw_uid, -1)
        before = await store.journal.last_id()
        outcomes = {o.name: o for o in await Inbox(folder, store, SYSTEM_ACTOR, settle_seconds=0.05).scan_once()}
        assert outcomes["headlines-0800.csv"].outcome == "imported"
        assert outcomes["headlines-0801.csv"].outcome == "rejected"
        assert "cmcc_t_stranger (viewer) may not add headlines" in " ".join(outcomes["headlines-0801.csv"].errors)
        rows = [e for e in await store.journal.after(before) if e.entity.value == "headline"]
        assert rows and {e.actor for e in rows} == {owner}
    finally:
        await store.close()


# --- the file itself ---------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077])
def test_a_new_database_and_its_wal_and_shm_are_the_owner_and_groups_only(tmp_path, umask):
    db = tmp_path / "new" / "floor.db"
    code = ("import asyncio, os, sys\n"
            f"os.umask({umask})\n"
            "from console.store import Store\n"
            "async def main():\n"
            "    store = await Store.open(sys.argv[1])\n"
            "    print(sorted(os.listdir(os.path.dirname(sys.argv[1]))))\n"
            "    for name in os.listdir(os.path.dirname(sys.argv[1])):\n"
            "        print(name, oct(os.stat(os.path.join(os.path.dirname(sys.argv[1]), name)).st_mode & 0o777))\n"
            "    await store.close()\n"
            "asyncio.run(main())\n")
    done = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    modes = dict(line.split() for line in done.stdout.splitlines()[1:])
    assert {"floor.db", "floor.db-wal", "floor.db-shm"} <= set(modes)
    assert all(mode == "0o660" for mode in modes.values()), modes


def test_a_database_everyone_may_read_is_warned_about_once(tmp_path):
    db = demo_db(tmp_path)
    quiet = cmcc("--db", db, "journal", "show", "--limit", "1")
    assert "every user" not in quiet.stderr
    os.chmod(db, os.stat(db).st_mode | stat.S_IROTH | stat.S_IWOTH)
    warned = cmcc("--db", db, "journal", "show", "--limit", "1")
    assert warned.returncode == 0
    assert warned.stderr.count("can be read and written by every user of this host") == 1


async def test_the_console_warns_of_a_database_everyone_may_read(db_path):
    app = await demo_app(db_path)
    os.chmod(db_path, 0o664)
    seen = recorded_notices(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await watch_floor(pilot, app)
        assert await until(pilot, lambda: any("can be read by every user" in m for m in seen))
