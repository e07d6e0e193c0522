"""``cmcc poller``: poll the feeds and watch the inbox headless, for a service manager.

Holds the same ``feed-poller`` lease as the consoles, so exactly one process
polls whichever runs; prints one line per event (lease, poll, inbox file) to
stdout; SIGTERM or SIGINT stops it cleanly and releases the lease.
"""

from __future__ import annotations

import argparse

HELP = "poll the feeds and watch the inbox without a console (for a service manager)"


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--inbox", metavar="FOLDER", help="the inbox folder (default: the 'inbox' setting)")
    parser.add_argument("--no-inbox", action="store_true", help="poll the feeds only")


async def run(args: argparse.Namespace) -> int:
    import asyncio
    import signal
    import sys

    from console.config import load_settings
    from console.dtg import utc_now
    from console.identity import current_actor
    from console.runner import FeedRunner
    from console.store import Store

    settings = load_settings()
    for problem in settings.problems:
        print(f"cmcc: {problem}", file=sys.stderr)

    def say(line: str) -> None:
        print(f"{utc_now().strftime('%Y-%m-%dT%H:%M:%SZ')} {line}", flush=True)

    store = await Store.open(args.db)
    try:
        actor, _notice = await current_actor(store)  # a viewer may run it too: ingestion is the system's
        runner = FeedRunner(store, actor, settings, args.inbox or settings.inbox_for(store.path), on_event=say,
                            watch_inbox=not args.no_inbox)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        say(f"cmcc poller on {args.db} as {runner.holder}"
            + ("" if args.no_inbox else f", inbox {runner.inbox_folder}"))
        try:
            await runner.run(stop)
        finally:
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(signum)
        say("stopped")
        return 0
    finally:
        await store.close()
