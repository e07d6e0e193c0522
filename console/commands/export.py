"""``cmcc export KIND --since 24h --format csv|json|md [--output FILE]``.

KIND is incidents, aid or roster (``console.exporting``). A csv or json export imports back with
``cmcc import KIND`` to the same records; importing it again changes nothing.
"""

from __future__ import annotations

import argparse

HELP = ("write records (what you may see) as csv, json or md: e.g. export incidents --since 24h;"
        " csv and json import back with cmcc import KIND")


def register(parser: argparse.ArgumentParser) -> None:
    from console.exporting.formats import FORMATS
    from console.exporting.registry import EXPORTERS

    parser.add_argument("kind", choices=sorted(EXPORTERS), help="what to export")
    parser.add_argument("--since", default="24h",
                        help="how far back: 90m, 24h, 7d, 2w (default 24h; the roster is not dated: all of it)")
    parser.add_argument("--format", dest="fmt", choices=FORMATS, default="csv", help="output format (default csv)")
    parser.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of standard output")


async def run(args: argparse.Namespace) -> int:
    import os
    import sys
    from pathlib import Path

    from console.cli import CliError
    from console.dtg import parse_duration
    from console.exporting.registry import EXPORTERS
    from console.identity import current_actor
    from console.store import Store

    try:
        since = parse_duration(args.since)
    except ValueError as error:
        raise CliError(f"--since: {error}") from None
    if not Path(args.db).expanduser().exists():
        raise CliError(f"{args.db} does not exist")
    store = await Store.open(args.db)
    try:
        actor, notice = await current_actor(store, getattr(args, "view_as", None))
        if notice:
            print(f"cmcc: {notice}", file=sys.stderr)
        exporter = EXPORTERS[args.kind]
        if not args.output or args.output == "-":
            count = await exporter(store, actor, since, args.fmt, sys.stdout)
            sys.stdout.flush()
        else:
            target = Path(args.output).expanduser()
            temporary = target.with_name(f".{target.name}.tmp")
            try:
                with temporary.open("w", encoding="utf-8", newline="") as out:
                    count = await exporter(store, actor, since, args.fmt, out)
                os.replace(temporary, target)
            except OSError as error:
                temporary.unlink(missing_ok=True)
                raise CliError(f"cannot write {target}: {error.strerror}") from None
    finally:
        await store.close()
    print(f"cmcc: exported {count} {args.kind}" + (f" to {args.output}" if args.output else ""), file=sys.stderr)
    return 0
