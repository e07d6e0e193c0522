"""``cmcc demo``: create (or reuse) a demo database and open the console on it, live.

While the console runs, a feed simulator on 127.0.0.1 serves an RSS, an Atom
and a JSON feed that gain items every few seconds; the seed's placeholder
feeds are pointed at it (polled every ``DEMO_FEED_INTERVAL`` seconds), and a
demo inbox folder under the data directory receives a headlines file now and
then. So a new user sees polling, the ticker, watch-list hits and the inbox
end to end. The simulator runs in the console's own event loop and stops
with it. ``--no-console`` only creates the database (no simulator).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
from dataclasses import replace
from pathlib import Path

from console.paths import demo_database_path

HELP = "create (or reuse) a demo database and open the console on it, with live simulated feeds"

#: Seconds between polls of each demo feed: live, but a sane journal (one health row per poll).
DEMO_FEED_INTERVAL = 10
#: Mean seconds between new simulated items (across the three feeds).
SIMULATOR_INTERVAL = 6.0
#: Mean seconds between inbox files.
INBOX_EVERY_SECONDS = 75.0
#: Seed feed name -> simulator stream. The seed's fourth feed stays as it is (off).
DEMO_FEEDS = {"Wire Service": "rss", "OCHA Updates": "atom", "Social Monitor": "json"}


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-console", action="store_true",
                        help="only create the demo database, print its path and exit")
    parser.add_argument("--theme", help=argparse.SUPPRESS)
    parser.add_argument("--low-bandwidth", action="store_true", default=None, help="cheap redraws for slow links")
    parser.add_argument("--ascii", action="store_true", default=None, help="ASCII borders and marks")


async def prepare_demo(store) -> None:
    """Seed an empty database; make the OS user an admin of the demo."""
    from console.model.access import SYSTEM_ACTOR, Operator, Role
    from console.identity import os_login
    from console.store.seed import is_seeded, seed_demo

    login = os_login()
    if not await is_seeded(store.database):
        await seed_demo(store.database, operator_login=login)
    elif await store.operators.get(login) is None:
        await store.operators.add(SYSTEM_ACTOR, Operator(login, f"{login} (demo admin)", "USA", Role.ADMIN))


def demo_inbox(database) -> Path:
    """Beside the demo database, as any database's inbox (``demo.db`` -> ``demo-inbox``): never
    the ``inbox`` setting, which may be the floor's real one."""
    from console.config import Settings

    return Settings().inbox_for(database)


async def point_feeds_at(store, urls: dict[str, str], interval: int = DEMO_FEED_INTERVAL) -> None:
    """Aim the demo feeds at the simulator (its port changes each run), enabled, polled often."""
    from console.model.access import SYSTEM_ACTOR
    from console.model.headlines import Feed
    from console.store.seed import WATCH_WORDS

    for name, stream in DEMO_FEEDS.items():
        if await store.feeds.get_by_name(name) is None:
            await store.feeds.add(SYSTEM_ACTOR, Feed(name=name, url=urls[stream], interval_seconds=interval,
                                                     keywords=WATCH_WORDS))
        else:
            await store.feeds.retarget(SYSTEM_ACTOR, name, urls[stream], interval_seconds=interval)


async def drop_inbox_files(folder, every: float = INBOX_EVERY_SECONDS, rng: random.Random | None = None) -> None:
    """A small headlines file into the inbox now and then, as a partner cell would."""
    from feeds.simulator import drop_inbox_file

    rng = rng or random.Random()
    wait = min(every, 15.0)  # the first one soon, so a new user sees the inbox at work
    while True:
        await asyncio.sleep(wait)
        wait = every * rng.uniform(0.5, 1.5)
        try:
            await asyncio.to_thread(drop_inbox_file, folder, count=rng.randint(1, 3))
        except OSError:
            return  # the folder went away: the demo goes on without it


@contextlib.asynccontextmanager
async def live_demo(store, settings, *, simulator_interval: float = SIMULATOR_INTERVAL,
                    feed_interval: int = DEMO_FEED_INTERVAL, inbox_every: float = INBOX_EVERY_SECONDS):
    """The simulator and the inbox dropper around the console; yields the console's settings."""
    from feeds.inbox import make_folder
    from feeds.simulator import FeedSimulator

    simulator = await FeedSimulator(interval=simulator_interval).start()
    dropper = None
    try:
        await point_feeds_at(store, simulator.urls, feed_interval)
        inbox = demo_inbox(store.path)
        make_folder(inbox)
        dropper = asyncio.create_task(drop_inbox_files(inbox, inbox_every), name="demo-inbox-dropper")
        yield replace(settings, inbox=str(inbox), poll_feeds=True)
    finally:
        if dropper is not None:
            dropper.cancel()
            await asyncio.gather(dropper, return_exceptions=True)
        await simulator.stop()


def works_without_database(args: argparse.Namespace) -> bool:
    return True  # it makes the demo database


#: Without --db the demo never touches the operator's real database (console/cli.py reads this).
default_database = demo_database_path


def run(args: argparse.Namespace) -> int:
    if args.no_console:
        import asyncio

        from console.store import Store

        async def create() -> None:
            store = await Store.open(args.db)
            try:
                await prepare_demo(store)
            finally:
                await store.close()

        asyncio.run(create())
        print(args.db)
        return 0
    from console.commands.open_console import run_console

    return run_console(args, prepare=prepare_demo, live=live_demo)
