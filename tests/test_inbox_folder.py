"""One inbox per database, beside it, that every operator's process watches and may write to.

It was a per-user folder (``~/.local/share/cmcc/inbox``): which folder was watched depended on
whose process held the lease, and ``processed/`` made by one user was not writable by another.
"""

from __future__ import annotations

import asyncio
import grp
import os
import pwd
import signal
import stat
import sys
import subprocess
from pathlib import Path

from console.config import Settings
from console.model.access import SYSTEM_ACTOR
from console.model.headlines import Feed
from console.model.leases import FEED_POLLER
from tests.conftest import open_test_store
from tests.os_users import GROUP, cmcc_as, cmcc_process_as, os_user, shared_folder
from tests.test_poller_command import read_until

#: The row of bench/hardening_report.py these cases count in.
AREA = "one inbox for every operator"

ROOT = Path(__file__).resolve().parent.parent
HEADLINE = "title,link,published_at\n{title},https://example.test/{n},2026-11-25T08:0{n}Z\n"


async def made(folder: Path, timeout: float = 20) -> bool:
    """The poller makes its inbox a moment after it holds the lease."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not folder.is_dir() and loop.time() < deadline:
        await asyncio.sleep(0.05)
    return folder.is_dir()


def test_the_inbox_is_beside_the_database_unless_the_setting_names_one(tally, tmp_path):
    tally.case(AREA)
    assert Settings().inbox_for(tmp_path / "floor.db") == tmp_path / "floor-inbox"
    assert Settings(inbox=str(tmp_path / "drop")).inbox_for(tmp_path / "floor.db") == tmp_path / "drop"


async def test_the_poller_makes_the_inbox_group_writable_and_says_which_folder_it_watches(tally, db_path):
    tally.case(AREA)
    store = await open_test_store(db_path)
    await store.feeds.add(SYSTEM_ACTOR, Feed(name="Local", url=str(db_path.parent / "none.xml"), interval_seconds=300))
    inbox = db_path.with_name(f"{db_path.stem}-inbox")
    child = subprocess.Popen([sys.executable, "-c", "import os, sys; os.umask(0o022); from console.cli import main;"
                              " sys.exit(main())", "--db", str(db_path), "poller"],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen: list[str] = []
    try:
        assert await read_until(child.stdout, "holding the feed-poller lease", seen), seen
        assert f"inbox {inbox}" in seen[0]
        assert await made(inbox)
        (inbox / "headlines-0801.csv").write_text(HEADLINE.format(title="Queue at Kerem Shalom", n=1))
        assert await read_until(child.stdout, "inbox headlines-0801.csv: imported 1 headline", seen), seen
        # whatever the umask: the group may drop files, and move them
        for folder in (inbox, inbox / "processed"):
            assert stat.S_IMODE(folder.stat().st_mode) == 0o2770, (folder, oct(folder.stat().st_mode))
        assert (await store.leases.live(FEED_POLLER)).watching == str(inbox)  # what feed health shows
    finally:
        child.send_signal(signal.SIGTERM)
        child.communicate(timeout=20)
        await store.close()


async def test_feed_health_names_the_folder_the_polling_process_watches(tally, db_path, tmp_path):
    tally.case(AREA)
    from console.screens.feed_health import FeedHealthScreen
    from tests.pilot import demo_app, until

    app = await demo_app(db_path)
    assert await app.store.leases.try_acquire(FEED_POLLER, "poller@floor:9", 60, watching="/srv/cmcc/floor-inbox")
    async with app.run_test(size=(100, 30)) as pilot:
        assert await until(pilot, lambda: app.screen is not None and app.screen.is_current)
        app.push_screen(FeedHealthScreen())
        def summary() -> str:
            return " ".join(str(line.render()) for line in app.screen.query(".feed-health-summary"))

        assert await until(pilot, lambda: isinstance(app.screen, FeedHealthScreen) and "inbox" in summary())
        assert "polled by poller@floor · inbox /srv/cmcc/floor-inbox" in summary()


def _drop(folder: Path, name: str, owner: str, n: int) -> None:
    path = folder / name
    path.write_text(HEADLINE.format(title=f"Report {n} from {owner}", n=n))
    os.chown(path, pwd.getpwnam(owner).pw_uid, -1)


async def test_two_operators_processes_watch_one_inbox_and_both_may_move_files_out_of_it(tally):
    tally.case(AREA)
    owner, other = os_user("cmcc_t_owner"), os_user("cmcc_t_other")
    folder = shared_folder()
    db = folder / "floor.db"
    inbox = folder / "floor-inbox"
    assert cmcc_as(owner, "operators", "--db", str(db), "add", owner, "--name", "Owner",
                   "--nation", "USA").returncode == 0
    assert cmcc_as(owner, "--db", str(db), "operators", "add", other, "--name", "Other", "--nation", "GBR",
                   "--role", "watch_officer").returncode == 0
    for n, login in enumerate((owner, other), start=1):
        poller = cmcc_process_as(login, "--db", str(db), "poller")
        seen: list[str] = []
        try:
            assert await read_until(poller.stdout, "holding the feed-poller lease", seen), (seen, poller.stderr)
            assert f"inbox {inbox}" in seen[0]  # not each user's own ~/.local/share/cmcc/inbox
            assert await made(inbox)
            _drop(inbox, f"headlines-080{n}.csv", login, n)
            assert await read_until(poller.stdout, f"headlines-080{n}.csv: imported 1 headline", seen), seen
            assert (inbox / "processed" / f"headlines-080{n}.csv").exists()
        finally:
            poller.send_signal(signal.SIGTERM)
            await asyncio.to_thread(poller.communicate, timeout=20)
    assert inbox.stat().st_gid == grp.getgrnam(GROUP).gr_gid == db.stat().st_gid
