"""``cmcc archive --before 90d [--archive PATH]``: move old headlines to an archive database file.

Safe to interrupt and to run again: the headlines are copied and checked
before they are deleted from the live database (console/store/archive.py).
They stay searchable from the console (Headlines pane, ``/``), marked archived.
"""

from __future__ import annotations

import argparse

HELP = "move headlines older than --before (e.g. 90d) to an archive file; they stay searchable"


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--before", required=True, metavar="AGE",
                        help="archive headlines published more than AGE ago: e.g. 90d, 12w")
    parser.add_argument("--archive", metavar="PATH",
                        help="the archive file (default: <db stem>-archive.db beside the database)")


async def run(args: argparse.Namespace) -> int:
    from console.cli import CliError
    from console.commands.common import opened_store
    from console.dtg import format_dtg, parse_duration, utc_now
    from console.store.archive import archive_headlines

    try:
        age = parse_duration(args.before)
    except ValueError as error:
        raise CliError(str(error)) from None
    if age.total_seconds() <= 0:
        raise CliError("--before must be more than 0 (e.g. 90d)")
    cutoff = utc_now() - age
    async with opened_store(args.db) as (store, actor):
        result = await archive_headlines(store.database, actor, cutoff, args.archive)
    if result.moved:
        print(f"archived {result.moved:,} headlines published before {format_dtg(cutoff)} to {result.archive}")
    else:
        print(f"nothing to archive: no headline published before {format_dtg(cutoff)} is left in the live database"
              f" (archive: {result.archive})")
    return 0
