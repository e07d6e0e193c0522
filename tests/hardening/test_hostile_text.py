"""Hostile text, everywhere it can enter: stored and shown as inert text, never run by the terminal
or the markup engine.

Each entry path gets the same payloads (tests/hardening/hostile.py): feeds through the real
poller, every kind of inbox file, the incident form (pasted and typed), the roster import,
notes, the watch log, config values. Then every text value in the database is scanned, the
exports and the handover brief are read back, the Pilot's rendered screen is searched, and
the real console runs in a pseudo-terminal whose bytes are searched for the payloads.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import time
from pathlib import Path

import pytest

from console.cli import main
from console.config import load_settings
from console.model.access import SYSTEM_ACTOR
from console.model.errors import ValidationError
from console.model.headlines import Feed
from console.handover import build_brief, render_json, render_markdown
from console.store import Store
from console.store.seed import seed_demo
from feeds.inbox import Inbox
from feeds.poller import FeedPoller
from tests.conftest import REAL_LOGIN, register_test_operators, ADMIN, WATCH_OFFICER
from tests.feed_server import FeedServer, atom_document, json_feed_document, rss_document
from tests.hardening.helpers import ROOT, child_env, python, scan_database
from tests.hardening.hostile import (
    ALL_IN_ONE,
    INVALID_UTF8,
    LITERAL_MARKUP,
    LONG_LINE,
    PAYLOADS,
    assert_inert,
    count_clears,
    terminal_problems,
)
from tests.pilot import handled, loaded, screen_styles, screen_text, until

AREA = "hostile text"
#: Every payload but the unterminated OSC, which swallows whatever follows it, as a terminal would.
TERMINATED = " | ".join(v for k, v in PAYLOADS.items() if k != "unterminated osc")


def hostile_items(prefix: str) -> list[dict]:
    """One feed item per payload, the payload in the title and in the summary."""
    # The payload last: an unterminated OSC swallows the rest of its field, as a terminal would.
    return [{"title": f"{prefix} {n}: {payload}", "guid": f"{prefix}-{n}", "link": f"http://example.test/{prefix}/{n}",
             "description": f"<p>summary {n}</p> {payload}"} for n, payload in enumerate(PAYLOADS.values())]


def assert_database_inert(path: Path, tally) -> None:
    checked, found = scan_database(path)
    tally.rows_checked(AREA, checked)
    assert not found, "\n".join(found[:20])


# --- feeds through the real poller ------------------------------------------------------------


async def test_hostile_feed_titles_and_summaries_are_stored_inert_through_the_real_poller(tmp_path, tally):
    store = await Store.open(tmp_path / "feeds.db")
    try:
        with FeedServer() as server:
            server.ok("/hostile.json", json_feed_document(hostile_items("json")), content_type="application/feed+json")
            server.ok("/hostile-long.json", json_feed_document([{"title": LONG_LINE, "guid": "long",
                                                                 "description": LONG_LINE}]),
                      content_type="application/feed+json")
            # XML cannot carry ESC or C0 even as character references: what survives the parser is cleaned.
            server.ok("/hostile.xml", rss_document(hostile_items("rss")))
            server.ok("/hostile-refs.xml", rss_document(hostile_items("refs")).replace(b"\x1b", b"&#27;"))
            server.ok("/hostile.atom", atom_document(hostile_items("atom")), content_type="application/atom+xml")
            server.ok("/markup-only.xml", rss_document([{"title": m, "guid": m} for m in LITERAL_MARKUP]))
            feeds = [await store.feeds.add(SYSTEM_ACTOR, Feed(name=path.strip("/"), url=server.url(path)))
                     for path in server.routes]
            async with FeedPoller(store, read_timeout=5, total_timeout=10) as poller:
                results = [await poller.poll_once(feed) for feed in feeds]
            tally.case(AREA, sum(len(PAYLOADS) for _ in feeds))
        by_name = {r.feed.name: r for r in results}
        # The JSON feed carries every payload verbatim: all of them arrive, cleaned.
        assert by_name["hostile.json"].ok and by_name["hostile.json"].new_items == len(PAYLOADS)
        assert by_name["markup-only.xml"].ok and by_name["markup-only.xml"].new_items == len(LITERAL_MARKUP)
        for result in results:  # every other document: headlines, or a clear one-line error in feed health
            assert result.ok or (result.error and "\n" not in result.error), result
            assert_inert(result.error, where=result.feed.name)
        headlines = await store.headlines.latest(ADMIN, limit=1000)
        for headline in headlines:
            assert_inert(headline.title, max_chars=500, where="title")
            assert_inert(headline.summary, max_chars=4000, where="summary")
        titles = {h.title for h in headlines}
        for markup in LITERAL_MARKUP:  # markup stays as the characters that were sent
            assert markup in titles
        long = next(h for h in headlines if h.guid == "long")
        assert long.title.endswith("…") and long.summary.endswith("…")  # cut, with a mark where
        assert_database_inert(store.path, tally)
    finally:
        await store.close()


# --- inbox files of every kind -----------------------------------------------------------------


def inbox_documents() -> dict[str, bytes]:
    payloads = list(PAYLOADS.values())
    headlines = [{"title": f"inbox {n}: {p}", "summary": f"{LONG_LINE if n == 0 else ''} {p}",
                  "source": p, "guid": f"inbox-{n}"} for n, p in enumerate(payloads)]
    incidents = [{"when": "now", "governorate": "Rafah", "category": "shelling", "severity": 3,
                  "description": f"incident {n}: {p}", "locality": p[:70], "alleged_party": p[:70],
                  "source": p, "assigned_cell": p[:30]} for n, p in enumerate(payloads)]
    aid = [{"planned_date": "2026-11-24", "crossing": "KS", "organisation": f"org {n} {p}"[:60],
            "commodity": "food", "trucks": 3, "reference": f"WB-H-{n}", "figure_source": "un2720",
            "status": "held", "status_note": f"held: {p}"} for n, p in enumerate(payloads)]
    roster = io.StringIO()
    writer = csv.writer(roster, lineterminator="\n")
    writer.writerow(["partner", "rank", "name", "cell", "role", "contact"])
    for n, p in enumerate(payloads):
        writer.writerow(["GBR", "MAJ", f"Officer {n} {p}"[:100], p[:40], p[:60], p[:60]])
    return {
        "headlines-hostile.json": json.dumps({"kind": "headlines", "items": headlines}).encode(),
        "incidents-hostile.ndjson": "\n".join(json.dumps(i) for i in incidents).encode(),
        "aid-hostile.json": json.dumps(aid).encode(),
        "roster-hostile.csv": roster.getvalue().encode(),
        "headlines-invalid-utf8.csv": b"title,summary\nok," + INVALID_UTF8 + b"\n",
    }


async def test_hostile_inbox_files_of_every_kind_are_imported_inert_or_rejected_with_an_inert_report(
        db_path, tmp_path, tally):
    store = await Store.open(db_path)
    await seed_demo(store.database, operator_login=REAL_LOGIN)
    await register_test_operators(store)
    folder = tmp_path / "inbox"
    folder.mkdir()
    try:
        for name, body in inbox_documents().items():
            (folder / name).write_bytes(body)
            tally.case(AREA, len(PAYLOADS))
        outcomes = {o.name: o for o in await Inbox(folder, store, SYSTEM_ACTOR, settle_seconds=0.05).scan_once()}
        for name in ("headlines-hostile.json", "incidents-hostile.ndjson", "aid-hostile.json", "roster-hostile.csv"):
            assert outcomes[name].outcome == "imported", outcomes[name].message
            assert outcomes[name].rows == len(PAYLOADS), outcomes[name].message
        bad = outcomes["headlines-invalid-utf8.csv"]
        assert bad.outcome == "rejected" and "line 2: not UTF-8" in bad.errors[0]
        for report in (folder / "rejected").glob("*.error.txt"):
            assert_inert(report.read_text(encoding="utf-8"), where=report.name)
        officers = [o for o in await store.partners.officers(ADMIN) if "Officer" in o.name]
        assert len(officers) == len(PAYLOADS)
        assert any("[bold]loud[/bold]" in o.name for o in officers)  # literal, not bold
        assert_database_inert(db_path, tally)
    finally:
        await store.close()


async def test_roster_names_through_cmcc_import_are_stored_inert(db_path, tmp_path, tally):
    store = await Store.open(db_path)
    await seed_demo(store.database, operator_login=REAL_LOGIN)
    await register_test_operators(store)
    await store.close()
    path = tmp_path / "roster.csv"
    rows = [["partner", "rank", "name", "service_number", "cell"]]
    rows += [["FRA", "CNE", f"Name {n} {p}"[:100], f"FR-H-{n}", "Ops"] for n, p in enumerate(PAYLOADS.values())]
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    tally.case(AREA, len(PAYLOADS))
    assert await asyncio.to_thread(main, ["--db", str(db_path), "import", "roster", str(path)]) == 0
    store = await Store.open(db_path)
    try:
        names = [o.name for o in await store.partners.officers(ADMIN) if "Name" in o.name]
        assert len(names) == len(PAYLOADS)
    finally:
        await store.close()
    assert_database_inert(db_path, tally)
    # An invalid-UTF-8 file is one clear line, nothing imported.
    path.write_bytes(b"partner,name\nFRA," + INVALID_UTF8 + b"\n")
    assert await asyncio.to_thread(main, ["--db", str(db_path), "import", "roster", str(path)]) == 2


# --- notes, the watch log, the plan --------------------------------------------------------------


async def test_notes_log_entries_and_plan_text_are_stored_inert(demo_store, tally):
    incident = (await demo_store.incidents.page(WATCH_OFFICER, limit=1))[0]
    for n, hostile in enumerate([*PAYLOADS.values(), ALL_IN_ONE, LONG_LINE]):
        payload = f"note {n}: {hostile}"
        await demo_store.incidents.add_note(WATCH_OFFICER, incident.id, payload)
        await demo_store.watch.add_log_entry(WATCH_OFFICER, payload)
        if hostile is LONG_LINE:  # the plan refuses an over-long note, saying so, rather than cutting it
            with pytest.raises(ValidationError, match="at most"):
                await demo_store.plan.add_note(WATCH_OFFICER, 1, payload)
        else:
            await demo_store.plan.add_note(WATCH_OFFICER, 1, payload)
        tally.case(AREA, 3)
    notes = [e for e in await demo_store.incidents.timeline(WATCH_OFFICER, incident.id) if e.action == "note"]
    assert len(notes) == len(PAYLOADS) + 2
    log = await demo_store.watch.log_entries(WATCH_OFFICER)
    assert any(e.text.endswith(": [@click=app.quit]press[/]") for e in log)
    assert any(e.text.endswith("…") for e in log)  # the 100k line, cut with a mark
    assert_database_inert(demo_store.path, tally)


# --- config values --------------------------------------------------------------------------------


def test_hostile_config_values_become_inert_settings_and_inert_problems(tmp_path, tally):
    config = tmp_path / "config.toml"
    lines = []
    for n, payload in enumerate(PAYLOADS.values()):
        escaped = json.dumps(payload)  # a JSON string is a TOML basic string (\u001b escapes)
        lines.append(f"{json.dumps(f'unknown{n}{payload}')} = {escaped}")
    lines.append(f"watch_keywords = {json.dumps(ALL_IN_ONE)}")
    lines.append(f"inbox = {json.dumps(PAYLOADS['osc 52 bel'])}")
    lines.append(f"theme = {json.dumps(PAYLOADS['csi clear screen'])}")
    lines.append(f"daily_truck_target = {json.dumps(PAYLOADS['osc title'])}")
    lines.append("[incident_presets]")
    lines.append(f"{json.dumps(PAYLOADS['osc 8 link'])} = {json.dumps(PAYLOADS['dcs'])}")
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings = load_settings(config, environ={"CMCC_THEME": PAYLOADS["osc 52 st"]})
    tally.case(AREA, len(lines) + 1)
    assert len(settings.problems) == len(PAYLOADS) + 1  # each unknown key, and the bad number
    for problem in settings.problems:
        assert_inert(problem, where="problem")
    for value in (settings.watch_keywords, settings.inbox, settings.theme, *settings.watch_words,
                  *(v for pair in settings.incident_presets for v in pair)):
        assert_inert(value, where="setting")
    assert "[bold]loud[/bold]" in settings.watch_keywords
    # A config file that is not UTF-8 at all: one problem, defaults kept.
    config.write_bytes(b"theme = \"" + INVALID_UTF8 + b"\"\n")
    broken = load_settings(config, environ={})
    assert len(broken.problems) == 1 and broken.theme == ""
    assert_inert(broken.problems[0])


# --- exports and the handover brief ------------------------------------------------------------------


FORMULAS = ["=HYPERLINK(\"http://evil.test\",\"x\")", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "=1+1"]


async def test_exports_and_the_handover_brief_are_inert_and_csv_cells_cannot_run_as_formulas(
        db_path, tmp_path, tally):
    store = await Store.open(db_path)
    await seed_demo(store.database, operator_login=REAL_LOGIN)
    await register_test_operators(store)
    folder = tmp_path / "inbox"
    folder.mkdir()
    rows = [{"when": "now", "governorate": "Rafah", "category": "shelling", "severity": 4,
             "description": f"{f} {p}", "locality": f[:70], "alleged_party": f[:70], "source": f,
             "assigned_cell": f[:30]} for f, p in zip(FORMULAS * 3, PAYLOADS.values())]
    (folder / "incidents-formulas.json").write_text(json.dumps(rows), encoding="utf-8")
    [outcome] = await Inbox(folder, store, SYSTEM_ACTOR, settle_seconds=0.05).scan_once()
    assert outcome.outcome == "imported", outcome.message
    for n, payload in enumerate(PAYLOADS.values()):
        await store.watch.add_log_entry(WATCH_OFFICER, f"log {n}: {payload}")
    from datetime import timedelta

    from console.dtg import utc_now

    brief = await build_brief(store, ADMIN, utc_now() - timedelta(hours=1))
    await store.close()
    tally.case(AREA, len(rows) * 3 + len(PAYLOADS))
    for text in (render_markdown(brief), render_json(brief)):
        assert_inert(text, where="handover brief")
    assert any(e["text"].endswith("[@click=app.quit]press[/]") for e in json.loads(render_json(brief))["log"])
    assert "\\[@click=app.quit\\]" in render_markdown(brief)  # Markdown shows the brackets, escaped

    for fmt in ("csv", "json", "md"):
        target = tmp_path / f"export.{fmt}"
        assert await asyncio.to_thread(
            main, ["--db", str(db_path), "export", "incidents", "--since", "2h", "--format", fmt,
                   "--output", str(target)]) == 0
        text = target.read_text(encoding="utf-8")
        assert_inert(text, where=f"export {fmt}")
        if fmt == "csv":
            cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
            tally.rows_checked(AREA, len(cells))
            runnable = [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")
                        or (c[:1] == "-" and not _number(c))]
            assert not runnable, runnable[:5]
            assert sum(c.startswith("'=HYPERLINK") for c in cells) >= 1  # kept, neutralised
        if fmt == "json":
            exported = json.loads(text)
            assert sum(r["source"] == "=1+1" for r in exported) >= 1  # JSON is data: kept as it was


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# --- the form, by paste and by keys -----------------------------------------------------------------


async def test_an_operator_pasting_hostile_text_into_the_incident_form_saves_inert_text(db_path, tally):
    from textual import events

    from console.app import CmccApp
    from console.config import Settings
    from console.screens.incident_form import IncidentFormScreen
    from console.screens.watch_floor import WatchFloor

    store = await Store.open(db_path)
    await register_test_operators(store)
    app = CmccApp(store, WATCH_OFFICER, Settings(bell=False, poll_feeds=False))
    async with app.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor))
        await pilot.press("n")
        assert await until(pilot, lambda: isinstance(app.screen, IncidentFormScreen))
        form = app.screen
        await pilot.press("tab", "space", *"raf", "enter")  # governorate (space opens the list)
        # A paste (bracketed paste from the terminal) carries escapes the keyboard cannot.
        form.query_one("#f-locality").focus()
        await pilot.pause()
        form.query_one("#f-locality").post_message(events.Paste(PAYLOADS["osc 52 bel"] + "Jenina"))
        form.query_one("#f-description").focus()
        await pilot.pause()
        form.query_one("#f-description").post_message(events.Paste(TERMINATED + "\n" + LONG_LINE))
        form.query_one("#f-source").focus()
        await pilot.pause()
        form.query_one("#f-source").post_message(events.Paste(PAYLOADS["dcs"] + PAYLOADS["bidi overrides"]))
        form.query_one("#f-alleged_party").focus()
        await pilot.press(*"[@click=app.quit]x[/]")  # typed, key by key
        form.query_one("#f-category").focus()
        await pilot.press("space", *"shell", "enter")
        form.query_one("#f-severity").focus()
        await pilot.press("space", "3", "enter")
        await pilot.pause()
        await pilot.press("ctrl+s")
        assert await until(pilot, lambda: isinstance(app.screen, WatchFloor)), form.errors
        assert app.is_running
        saved = form.saved
    tally.case(AREA, 4)
    store = await Store.open(db_path)
    try:
        incident = await store.incidents.get(WATCH_OFFICER, saved.id)
    finally:
        await store.close()
    assert incident.alleged_party == "[@click=app.quit]x[/]"
    assert incident.locality.endswith("Jenina") and "52;" not in incident.locality
    assert "[bold]loud[/bold]" in incident.description and incident.description.endswith("…")
    for value in (incident.locality, incident.description, incident.source, incident.alleged_party):
        assert_inert(value, max_chars=4000)
    assert_database_inert(db_path, tally)


# --- what the screen shows ----------------------------------------------------------------------------


async def hostile_database(db_path: Path, folder: Path, *, raw: bool = False) -> None:
    """A demo database with the payloads in every pane: headlines, incidents, aid, roster, plan, log."""
    store = await Store.open(db_path)
    try:
        await seed_demo(store.database, operator_login=REAL_LOGIN)
        await register_test_operators(store)
        folder.mkdir(exist_ok=True)
        for name, body in inbox_documents().items():
            (folder / name).write_bytes(body)
        await Inbox(folder, store, SYSTEM_ACTOR, settle_seconds=0.01).scan_once()
        for payload in PAYLOADS.values():
            await store.plan.add_note(WATCH_OFFICER, 1, f"note: {payload}")
            await store.plan.set_owner(WATCH_OFFICER, 2, f"owner {payload}"[:60], f"next: {payload}")
            await store.watch.add_log_entry(WATCH_OFFICER, f"log: {payload}")
        await store.feeds.add(SYSTEM_ACTOR, Feed(name="hostile feed", url="http://127.0.0.1:9/never",
                                                 enabled=False))
        feed = await store.feeds.get_by_name("hostile feed")
        from console.dtg import utc_now

        await store.feeds.record_failure(feed.id, error=ALL_IN_ONE, next_poll_at=utc_now())
    finally:
        await store.close()
    if raw:
        write_raw_payloads(db_path)


def write_raw_payloads(db_path: Path) -> None:
    """Payloads written past the store's cleaning (a hand-edited file, an older cmcc): the screen's own guard."""
    import sqlite3

    connection = sqlite3.connect(db_path)
    try:
        with connection:
            payloads = [f"raw {n}: {p}" for n, p in enumerate(PAYLOADS.values())]
            heads = [r[0] for r in connection.execute(
                "SELECT id FROM headlines ORDER BY published_at DESC, id DESC LIMIT ?", (len(payloads),))]
            for headline_id, payload in zip(heads, payloads):
                connection.execute("UPDATE headlines SET title = ?, summary = ?, source = ? WHERE id = ?",
                                   (payload, payload, payload[:40], headline_id))
            incidents = [r[0] for r in connection.execute(
                "SELECT id FROM incidents ORDER BY occurred_at DESC, id DESC LIMIT ?", (len(payloads),))]
            for incident_id, payload in zip(incidents, payloads):
                connection.execute("UPDATE incidents SET locality = ?, description = ? WHERE id = ?",
                                   (payload, payload, incident_id))
            connection.execute("UPDATE feeds SET last_error = ?, name = ? WHERE name = 'hostile feed'",
                               (ALL_IN_ONE, PAYLOADS["osc title"]))
    finally:
        connection.close()


def drawn(app) -> tuple[str, list]:
    """The rendered screen as text, and every segment's style (for links and click actions)."""
    return screen_text(app), screen_styles(app)


def showing(app, key: str) -> bool:
    """What ``key`` opens is in front with its rows loaded (and laid out): the screen to search."""
    from console.screens.feed_health import FeedHealthScreen
    from console.screens.watch_floor import WatchFloor
    from console.screens.watch_log import WatchLogScreen

    screen = app.screen
    if key in "12345":
        if not isinstance(screen, WatchFloor):
            return False
        pane = screen.panes[int(key) - 1]
        return screen.active == int(key) - 1 and pane.table.row_count > 0 and pane.table.region.height > 0
    if key == "F":
        return isinstance(screen, FeedHealthScreen) and screen.query_one("#feed-health").row_count > 0
    if key == "W":
        return isinstance(screen, WatchLogScreen) and screen.query_one("#journal").row_count > 0
    return isinstance(screen, WatchFloor)  # escape: back on the floor


def data_actions(styles) -> list[str]:
    """Links and click actions that could only have come from data."""
    found = []
    for style in styles:
        if style.link and "evil.test" in style.link:
            found.append(f"link {style.link}")
        meta = style.meta or {}
        click = str(meta.get("@click", ""))
        if "quit" in click:
            found.append(f"@click {click}")
    return found


async def test_every_pane_the_ticker_and_details_show_hostile_text_literally_and_run_nothing(
        db_path, tmp_path, tally):
    from console.app import CmccApp
    from console.config import Settings

    await hostile_database(db_path, tmp_path / "inbox", raw=True)
    store = await Store.open(db_path)
    app = CmccApp(store, ADMIN, Settings(bell=False, poll_feeds=False))
    seen_text = []
    async with app.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: loaded(app))
        for key in ("1", "2", "3", "4", "5", "4", "F", "escape", "W", "escape"):
            await pilot.press(key)
            assert await until(pilot, lambda: showing(app, key)), key
            await pilot.pause()  # and drawn
            text, styles = drawn(app)
            seen_text.append(text)
            assert "\x1b" not in text and not any("\x80" <= c <= "\x9f" for c in text), key
            assert not data_actions(styles), data_actions(styles)
            tally.case(AREA)
        # A click on the literal "[@click=app.quit]" text does nothing but select.
        await pilot.press("4")
        assert await until(pilot, lambda: showing(app, "4"))
        await pilot.pause()
        headlines = app.screen.panes[3].table
        text = screen_text(app)
        for y, line in enumerate(text.splitlines()):
            x = line.find("[@click=app.quit]")
            if x >= 0:
                await pilot.click(offset=(x + 2, y))
                break
        else:
            pytest.fail("the literal [@click=...] text is not on the screen")
        # The click was handled: it selected the row it landed on, and that is all it did.
        assert await until(pilot, lambda: "[@click=app.quit]" in getattr(headlines.selected_record(), "title", ""))
        assert await handled(pilot, app)
        assert app.is_running
        # The detail of that headline shows it in full, literally, with no link or action either.
        await pilot.press("enter")
        assert await until(pilot, lambda: "[@click=app.quit]press[/]" in screen_text(app))
        text, styles = drawn(app)
        seen_text.append(text)
        assert "[@click=app.quit]press[/]" in text
        assert "\x1b" not in text and not data_actions(styles)
        await pilot.press("escape")
        assert await until(pilot, lambda: showing(app, "escape"))
        assert app.is_running
        ticker = app.screen_stack[1].query_one("#ticker") if len(app.screen_stack) > 1 else None
        if ticker is not None:
            assert_inert(ticker.shown_text, where="ticker")
    await store.close()
    everything = "\n".join(seen_text)
    assert "[bold]loud[/bold]" in everything  # shown as typed, not as bold
    assert "[link=http://evil.test/m]" in everything


# --- the bytes that reach a real terminal ---------------------------------------------------------------


def run_in_pty(db_path: Path, home: Path, keys: list[str], *, quiet: float = 0.3,
               size=(140, 45)) -> bytes:
    """Run ``cmcc --db`` in a pseudo-terminal, press ``keys``, quit; every byte it wrote."""
    import fcntl
    import select
    import signal
    import struct
    import subprocess
    import termios

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    env = child_env(TERM="xterm-256color", COLORTERM="truecolor", HOME=str(home),
                    XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
                    USER="tester", LOGNAME="tester", TEXTUAL_ANIMATIONS="none")
    (home / "config" / "cmcc").mkdir(parents=True, exist_ok=True)
    (home / "config" / "cmcc" / "config.toml").write_text("poll_feeds = false\nbell = false\n")
    process = subprocess.Popen([python(), "-m", "console.cli", "--db", str(db_path)], stdin=slave, stdout=slave,
                               stderr=slave, env=env, cwd=str(ROOT), start_new_session=True, close_fds=True)
    os.close(slave)
    output = bytearray()

    def drain(quiet_for: float, at_most: float) -> None:
        """Read until the console has written nothing for ``quiet_for`` seconds (it has drawn what the
        last key asked for), or ``at_most`` seconds have passed."""
        deadline = time.monotonic() + at_most
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], quiet_for)
            if not ready:
                return
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            output.extend(chunk)

    try:
        drain(1.0, 15.0)  # start-up and first paint
        for key in keys:
            os.write(master, key.encode())
            drain(quiet, 5.0)
        os.write(master, b"q")
        drain(quiet, 5.0)
        os.write(master, b"y")  # quit: yes
        drain(quiet, 5.0)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        os.close(master)
    return bytes(output)


async def test_the_bytes_a_real_terminal_receives_carry_none_of_the_payloads(tmp_path, tally):
    keys = ["1", "2", "3", "4", "5", "4", "F", "\x1b", "W", "\x1b", "1"]
    clean_db, hostile_db = tmp_path / "clean.db", tmp_path / "hostile.db"
    store = await Store.open(clean_db)
    await seed_demo(store.database, operator_login=REAL_LOGIN)
    await register_test_operators(store)
    await store.close()
    await hostile_database(hostile_db, tmp_path / "inbox", raw=True)
    clean, hostile = await asyncio.gather(asyncio.to_thread(run_in_pty, clean_db, tmp_path / "clean-home", keys),
                                          asyncio.to_thread(run_in_pty, hostile_db, tmp_path / "hostile-home", keys))
    tally.case(AREA, len(keys) * len(PAYLOADS))
    assert len(clean) > 1000 and len(hostile) > 1000, "the console did not draw"
    assert b"[bold]loud[/bold]" in hostile or b"[bold]" in hostile  # the literal text reached the screen
    assert not terminal_problems(hostile, clean), terminal_problems(hostile, clean)
    # Screen clears: no more than the clean run's own (start, alternate screen), whatever the data held.
    assert count_clears(hostile) <= count_clears(clean) + 1
    # The only OSC/DCS sequences are the ones Textual sends itself (the clean run sends the same kinds).
    assert _introducers(hostile) <= _introducers(clean), (_introducers(hostile), _introducers(clean))


def _introducers(output: bytes) -> set[bytes]:
    found = set()
    for introducer in (b"\x1b]", b"\x1bP", b"\x1b_", b"\x1b^", b"\x1bX"):
        if introducer in output:
            found.add(introducer)
    return found


async def test_the_screen_reader_sees_links_and_click_actions_where_they_are_drawn():
    """The control for every ``not data_actions(...)`` above: a link drawn on screen is found."""
    from rich.style import Style
    from rich.text import Text
    from textual.app import App
    from textual.widgets import Static

    class Linked(App):
        def compose(self):
            yield Static("plain")
            yield Static(Text.assemble(("here", Style(link="https://evil.test/x")), " ",
                                       ("press", Style.from_meta({"@click": "app.quit"}))))

    app = Linked()
    async with app.run_test(size=(40, 5)) as pilot:
        await pilot.pause()
        text, styles = drawn(app)
        assert "here press" in text
        assert any(a.startswith("link https://evil.test/x") for a in data_actions(styles))
        assert any("quit" in a for a in data_actions(styles))
