"""Watch shifts: operators and roles, the watch log, the signed handover, the journal's chain."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from console.model.access import SYSTEM_ACTOR, Role
from console.model.headlines import Feed
from console.model.journal import MACHINE_LOGINS
from console.model.aid import FIGURE_SOURCE_PRIORITY
from console.model.errors import PermissionDenied, StoreError
from console.handover import build_brief, render_json, render_markdown
from console.identity import current_actor
from console.screens.handover import HandoverScreen
from console.screens.text_prompt import TextPromptScreen
from console.screens.watch_log import WatchLogScreen
from console.store import Store
from console.store.seed import seed_demo
from tests.conftest import REAL_LOGIN, ADMIN, OPERATOR, VIEWER, WATCH_OFFICER
from tests.os_users import cmcc_as, os_user, shared_folder
from tests.pilot import demo_app, screen_text, until, watch_floor

FIXED_NOW = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)


def cmcc(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "console.cli", *args], capture_output=True, text=True,
                          timeout=60, env=os.environ)


def test_the_first_operator_is_admin_and_only_admins_manage_operators(tmp_path):
    db = str(tmp_path / "ops.db")
    first = cmcc("operators", "--db", db, "add", REAL_LOGIN, "--name", "Test Admin", "--nation", "USA",
                 "--role", "viewer")
    assert first.returncode == 0, first.stderr
    assert "as admin" in first.stdout  # the first operator of a new database is its admin
    assert cmcc("--db", db, "operators", "add", "wo1", "--name", "WO One", "--nation", "GBR",
                "--role", "watch_officer").returncode == 0
    assert cmcc("--db", db, "operators", "set-role", "wo1", "operator").returncode == 0
    listing = cmcc("--db", db, "operators", "list").stdout
    assert "wo1" in listing and "operator" in listing.split("wo1")[1].splitlines()[0]
    assert cmcc("--db", db, "operators", "remove", "wo1").returncode == 0
    assert "wo1" not in cmcc("--db", db, "operators", "list").stdout


def test_a_watch_officer_of_the_host_may_not_manage_operators():
    wo1 = os_user("cmcc_t_wo1")
    db = str(shared_folder() / "ops.db")
    assert cmcc_as(None, "--db", db, "operators", "add", REAL_LOGIN, "--name", "A", "--nation", "USA").returncode == 0
    assert cmcc_as(None, "--db", db, "operators", "add", wo1, "--name", "WO One", "--nation", "GBR",
                   "--role", "watch_officer").returncode == 0
    refused = cmcc_as(wo1, "--db", db, "operators", "add", "x", "--name", "X", "--nation", "FRA")
    assert refused.returncode == 2 and "may not add operators" in refused.stderr


async def test_an_unknown_login_is_a_viewer_with_a_notice(db_path):
    store = await Store.open(db_path)
    try:
        await seed_demo(store.database, operator_login="somebody_else")
        actor, notice = await current_actor(store)
    finally:
        await store.close()
    assert actor.login == REAL_LOGIN and actor.role is Role.VIEWER and "not a registered operator" in notice


async def test_the_origin_of_an_ssh_session_goes_into_the_journal(demo_store, monkeypatch):
    monkeypatch.setenv("SSH_CLIENT", "10.20.30.40 51234 22")
    actor, _ = await current_actor(demo_store)
    entry_id = await demo_store.watch.add_log_entry(actor, "Took the watch")
    (entry,) = [e for e in await demo_store.journal.after(0, limit=100000) if e.entity_id == entry_id
                and e.entity.value == "log"]
    assert entry.origin == "ssh:10.20.30.40" and entry.actor == REAL_LOGIN


async def test_journal_verify_reports_the_first_broken_link(tmp_path):
    db = tmp_path / "chain.db"
    assert cmcc("demo", "--db", str(db), "--no-console").returncode == 0
    ok = cmcc("--db", str(db), "journal", "verify")
    assert ok.returncode == 0 and "chain intact" in ok.stdout
    with sqlite3.connect(db) as raw:
        raw.execute("DROP TRIGGER journal_no_update")
        raw.execute("UPDATE journal SET changes = '{\"forged\": true}' WHERE id = 42")
    raw.close()
    broken = cmcc("--db", str(db), "journal", "verify")
    assert broken.returncode == 1 and broken.stdout.startswith("journal BROKEN: journal row 42 field hash")


async def test_handover_is_signed_by_one_watch_officer_and_acknowledged_by_another(demo_store):
    since = FIXED_NOW - timedelta(hours=12)
    brief = await build_brief(demo_store, WATCH_OFFICER, since, now=FIXED_NOW)
    with pytest.raises(PermissionDenied):
        await demo_store.watch.sign_handover(OPERATOR, since, brief)
    signed = await demo_store.watch.sign_handover(WATCH_OFFICER, since, brief)
    with pytest.raises(StoreError, match="incoming watch officer"):
        await demo_store.watch.acknowledge_handover(WATCH_OFFICER, signed.id)
    with pytest.raises(PermissionDenied):
        await demo_store.watch.acknowledge_handover(VIEWER, signed.id)
    await demo_store.watch.acknowledge_handover(ADMIN, signed.id)
    with pytest.raises(StoreError, match="already acknowledged"):
        await demo_store.watch.acknowledge_handover(ADMIN, signed.id)
    stored = await demo_store.watch.handover(signed.id)
    assert stored.brief == brief and stored.acknowledged_by == "admin"
    actions = [(e.actor, e.action) for e in await demo_store.journal.recent(limit=5) if e.entity.value == "handover"]
    assert actions == [("admin", "acknowledge"), ("wo_gbr", "sign")]


async def test_the_handover_brief_matches_the_database_field_by_field(db_path):
    store = await Store.open(db_path)
    try:
        await seed_demo(store.database, operator_login=REAL_LOGIN, now=FIXED_NOW)
        await store.watch.add_log_entry(WATCH_OFFICER, "Rafah liaison reports queue of 40 trucks")
        since = FIXED_NOW - timedelta(hours=12)
        brief = await build_brief(store, WATCH_OFFICER, since, now=FIXED_NOW, daily_target=600)
    finally:
        await store.close()
    # An independent oracle: the same questions asked of the file in plain SQL.
    marking = "(releasability = 'ALL' OR instr(',' || releasability || ',', ',GBR,') > 0)"
    with sqlite3.connect(db_path) as raw:
        open_total = raw.execute(
            f"SELECT count(*) FROM incidents WHERE status != 'closed' AND {marking}").fetchone()[0]
        top_severity = raw.execute(
            f"SELECT max(severity) FROM incidents WHERE status != 'closed' AND {marking}").fetchone()[0]
        new_total = raw.execute(
            f"SELECT count(*) FROM incidents WHERE occurred_at >= ? AND {marking}",
            (since.isoformat(),)).fetchone()[0]
        # Each convoy (reference) counts once, by its most authoritative source.
        rank = " ".join(f"WHEN '{s.value}' THEN {i}" for i, s in enumerate(FIGURE_SOURCE_PRIORITY))
        entered = dict(raw.execute(
            f"WITH ranked AS (SELECT m.*, row_number() OVER (PARTITION BY CASE WHEN reference = '' THEN 'id' || id"
            f" ELSE reference END ORDER BY CASE figure_source {rank} END) AS n FROM movements m"
            f" WHERE planned_date = ?)"
            " SELECT c.name, coalesce(sum(r.trucks), 0) FROM crossings c LEFT JOIN ranked r ON r.crossing_id = c.id"
            " AND r.n = 1 AND r.status IN ('offloaded','collected','reached_destination','intercepted')"
            " GROUP BY c.id", (FIXED_NOW.date().isoformat(),)).fetchall())
        waiting = {r[0] for r in raw.execute(
            "SELECT id FROM dual_use_requests WHERE status IN"
            " ('submitted','under_review','more_information','resubmitted')")}
        on_floor = dict(raw.execute(
            "SELECT p.code, count(*) FROM officers o JOIN partners p ON p.id = o.partner_id"
            " WHERE o.presence = 'on_floor' GROUP BY p.code").fetchall())
    raw.close()
    assert brief["open_incidents"]["total"] == open_total
    assert brief["open_incidents"]["listed"][0]["severity"] == top_severity
    assert brief["new_incidents"]["total"] == new_total
    assert {c["crossing"]: c["entered"] for c in brief["aid_today"]["crossings"]} == entered
    assert brief["aid_today"]["entered"] == sum(entered.values())
    assert {q["id"] for q in brief["dual_use_waiting"]} == waiting
    assert brief["on_floor"]["by_partner"] == on_floor
    assert [e["text"] for e in brief["log"]] == ["Rafah liaison reports queue of 40 trucks"]
    assert json.loads(render_json(brief)) == brief
    markdown = render_markdown(brief)
    assert f"## Open incidents: {open_total}" in markdown and "Rafah liaison reports" in markdown


def test_handover_cli_prints_markdown_or_json(tmp_path):
    db = str(tmp_path / "h.db")
    assert cmcc("demo", "--db", db, "--no-console").returncode == 0
    md = cmcc("--db", db, "handover", "--since", "12h")
    assert md.returncode == 0 and md.stdout.startswith("# Watch handover")
    js = cmcc("handover", "--db", db, "--since", "12h", "--format", "json")
    assert js.returncode == 0 and "open_incidents" in json.loads(js.stdout)
    bad = cmcc("--db", db, "handover", "--since", "soon")
    assert bad.returncode == 2 and "not a duration" in bad.stderr


async def test_a_watch_officer_logs_reads_the_watch_log_and_signs_the_handover(db_path):
    app = await demo_app(db_path, actor=WATCH_OFFICER)
    async with app.run_test(size=(80, 24)) as pilot:
        floor = await watch_floor(pilot, app)
        assert await until(pilot, lambda: floor.panes[0].table.row_count > 0)
        await pilot.press("L")
        assert await until(pilot, lambda: isinstance(app.screen, TextPromptScreen))
        await pilot.press(*"Crossing queue cleared", "enter")
        await pilot.press("W")
        assert await until(pilot, lambda: isinstance(app.screen, WatchLogScreen))
        table = app.screen.query_one("#journal")
        assert await until(pilot, lambda: any(e.changes.get("text") == "Crossing queue cleared"
                                              for e in table.records.values()))
        await pilot.press("escape", "H")
        assert await until(pilot, lambda: isinstance(app.screen, HandoverScreen) and app.screen.brief is not None)
        await pilot.press("s")
        assert await until(pilot, lambda: app.screen.last is not None and app.screen.last.signed_by == "wo_gbr")
        status = str(app.screen.query_one("#handover-status").render())
        assert "AWAITING ACKNOWLEDGEMENT" in status


async def test_a_new_database_tells_the_first_user_how_to_become_admin(db_path):
    store = await Store.open(db_path)
    try:
        actor, notice = await current_actor(store)
    finally:
        await store.close()
    assert actor.role is Role.VIEWER and f"cmcc operators add {REAL_LOGIN}" in notice


async def test_the_handover_gives_each_source_its_own_aid_figure_and_says_what_combined_is(store):
    from tests.test_aid_store import DAY, two_sources_day

    await two_sources_day(store)
    now = datetime(DAY.year, DAY.month, DAY.day, 10, 0, tzinfo=timezone.utc)
    brief = await build_brief(store, OPERATOR, now - timedelta(hours=12), now=now, daily_target=600)
    aid = json.loads(render_json(brief))["aid_today"]
    assert "other_sources" not in json.dumps(aid)  # its meaning changed: by_source is each source's own
    assert {k: aid[k] for k in ("target", "entered_counts", "entered", "entered_convoys", "by_source")} == {
        "target": 600, "entered_counts": "each convoy once, best source", "entered": 149, "entered_convoys": 7,
        "by_source": {"un2720": {"trucks": 87, "convoys": 4}, "cogat": {"trucks": 134, "convoys": 6},
                      "partner": {"trucks": 7, "convoys": 1}}}
    ks, zk = aid["crossings"]
    assert (ks["crossing"], ks["entered"], ks["entered_convoys"], ks["target"]) == ("Kerem Shalom", 149, 7, 350)
    assert ks["by_source"] == {"un2720": {"trucks": 87, "convoys": 4}, "cogat": {"trucks": 118, "convoys": 5},
                               "partner": {"trucks": 7, "convoys": 1}}
    assert (zk["crossing"], zk["entered"], zk["entered_convoys"]) == ("Zikim", 0, 0)
    assert zk["by_source"] == {"un2720": {"trucks": 0, "convoys": 0}, "cogat": {"trucks": 16, "convoys": 1}}
    markdown = render_markdown(brief)
    assert "## Aid today: 149 of 600 trucks combined (each convoy once, best source)" in markdown
    assert "\nUN 2720 87 (4 convoys) · COGAT 134 (6 convoys) · partner 7 (1 convoy) · combined 149\n" in markdown
    assert "| crossing | open | combined | UN 2720 | COGAT | partner | target |" in markdown
    assert "| Kerem Shalom | yes | 149 (7) | 87 (4) | 118 (5) | 7 (1) | 350 |" in markdown
    assert "| Zikim | yes | 0 (0) | 0 (0) | 16 (1) | 0 (0) | 60 |" in markdown


async def test_the_watch_log_shows_people_by_default_and_every_row_after_a(db_path):
    app = await demo_app(db_path, actor=WATCH_OFFICER)
    async with app.run_test(size=(80, 24)) as pilot:
        await watch_floor(pilot, app)
        await app.store.watch.add_log_entry(WATCH_OFFICER, "Crossing queue cleared")
        await app.store.feeds.add(SYSTEM_ACTOR, Feed(name="machine feed", url="https://example.test/rss"))
        await pilot.press("W")
        assert await until(pilot, lambda: isinstance(app.screen, WatchLogScreen))
        log = app.screen
        table = log.query_one("#journal")

        def actors() -> set[str]:
            return {e.actor for e in table.records.values()}

        assert await until(pilot, lambda: "wo_gbr" in actors())
        assert not actors() & set(MACHINE_LOGINS)  # the seed's and the system's rows wait for `a`
        assert "people's actions" in str(log.query_one(".pane-title").render())
        await pilot.press("a")
        assert await until(pilot, lambda: {"cmcc-system", "cmcc-seed"} <= actors() and "wo_gbr" in actors())
        assert "every change" in str(log.query_one(".pane-title").render())
        await pilot.press("a")
        assert await until(pilot, lambda: not actors() & set(MACHINE_LOGINS) and "wo_gbr" in actors())


async def test_enter_on_a_watch_log_row_shows_the_whole_change_wrapped(db_path):
    from console.screens.full_record import FullRecordScreen

    app = await demo_app(db_path, actor=WATCH_OFFICER)
    long_entry = "Convoy held at the gate " + " ".join(f"word{n}" for n in range(60)) + " END-OF-ENTRY"
    async with app.run_test(size=(80, 24)) as pilot:
        await watch_floor(pilot, app)
        await app.store.watch.add_log_entry(WATCH_OFFICER, long_entry)
        await pilot.press("W")
        assert await until(pilot, lambda: isinstance(app.screen, WatchLogScreen))
        table = app.screen.query_one("#journal")
        assert await until(pilot, lambda: any(e.changes.get("text") == long_entry for e in table.records.values()))
        row = next(rid for rid, e in table.records.items() if e.changes.get("text") == long_entry)
        table.move_cursor(row=table.get_row_index(row))
        assert await until(pilot, lambda: "text: Convoy" in screen_text(app))
        assert "END-OF-ENTRY" not in screen_text(app)  # the list cuts it at the screen's width
        await pilot.press("enter")
        assert await until(pilot, lambda: isinstance(app.screen, FullRecordScreen))
        full = app.screen
        assert "END-OF-ENTRY" in full.text() and "wo_gbr" in full.text()
        assert await until(pilot, lambda: "END-OF-ENTRY" in screen_text(app))  # wrapped onto the screen
        await pilot.press("escape")
        assert await until(pilot, lambda: isinstance(app.screen, WatchLogScreen))


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_the_handover_screen_draws_the_brief_and_outside_text_reads_as_written(db_path, size):
    from console.model.incidents import Governorate, Incident, IncidentCategory
    from console.dtg import utc_now

    app = await demo_app(db_path)
    async with app.run_test(size=size) as pilot:
        await watch_floor(pilot, app)
        await app.store.incidents.create(ADMIN, Incident(
            occurred_at=utc_now(), governorate=Governorate.RAFAH, category=IncidentCategory.SHELLING,
            severity=5, description="Queue at [bold]gate[/bold] | col *two* `x`"))
        await pilot.press("H")
        assert await until(pilot, lambda: isinstance(app.screen, HandoverScreen) and app.screen.brief is not None)
        assert await until(pilot, lambda: "Watch handover" in screen_text(app))
        shown = screen_text(app)
        assert "# Watch handover" not in shown and "## Open incidents" not in shown  # headings, drawn
        words = " ".join(shown.split())  # the line as read, wherever the width wraps it
        assert "Queue at [bold]gate[/bold] | col *two* `x`" in words  # as written: no \\[ escapes
