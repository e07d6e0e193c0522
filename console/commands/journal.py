"""``cmcc journal verify|show``: check the hash chain; read the watch log."""

from __future__ import annotations

import argparse

HELP = "verify the journal's hash chain, or show its latest rows"


def register(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("verify", help="report the first broken link of the journal's hash chain")
    show = actions.add_parser("show", help="the latest journal rows")
    show.add_argument("--limit", type=int, default=50)
    show.add_argument("--filter", default="", help="only rows whose actor, entity, action or change has this text")


async def run(args: argparse.Namespace) -> int:
    from console.commands.common import opened_store
    from console.dtg import format_dtg
    from console.sanitize import clean_line

    async with opened_store(args.db) as (store, actor):
        if args.action == "verify":
            report = await store.journal.verify_chain()
            if report.ok:
                print(f"journal ok: {report.rows_checked} rows, chain intact")
                return 0
            print(f"journal BROKEN at row {report.first_broken_id}: {report.reason}"
                  f" ({report.rows_checked} rows checked)")
            return 1
        for entry in await store.journal.recent(limit=args.limit, text=args.filter, actor=actor):
            changes = clean_line(", ".join(f"{k}={v}" for k, v in entry.changes.items()), max_chars=100)
            print(f"{entry.id:>7} {format_dtg(entry.at)} {entry.actor:12} {entry.entity.value}"
                  f"#{entry.entity_id or '-'} {entry.action}: {changes}")
    return 0
