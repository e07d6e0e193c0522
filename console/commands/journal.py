"""``cmcc journal verify|head|show``: check the journal (chain, witnesses, replay); its head; the watch log."""

from __future__ import annotations

import argparse

HELP = "verify the journal (chain, witnesses, every record replayed), print its head, or show its latest rows"


def register(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("verify", help="check the hash chain, the witnesses of its head, and every record against"
                                      " the journal: exit 1 and one line per finding when anything was changed")
    actions.add_parser("head", help="the newest journal row (id hash), to copy into a log or a brief")
    show = actions.add_parser("show", help="the latest journal rows")
    show.add_argument("--limit", type=_positive, default=50, help="how many rows (at least 1; default 50)")
    show.add_argument("--filter", default="", help="only rows whose actor, entity, action or change has this text")
    show.add_argument("--view-as", metavar="LOGIN", default=argparse.SUPPRESS,
                      help="the rows LOGIN may see (watch officers and admins; read-only)")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} rows: give at least 1")
    return value


async def run(args: argparse.Namespace) -> int:
    from console.commands.common import opened_store
    from console.dtg import format_dtg
    from console.sanitize import clean_line

    async with opened_store(args.db, getattr(args, "view_as", None)) as (store, actor):
        if args.action == "verify":
            from console import witness
            from console.store.integrity import verify

            witnesses = witness.read_all(store.path)  # before the snapshot: it then holds what they name
            report = await verify(store.path, witnesses)
            if report.ok:
                witness.remember(store.path, *report.head)
                print(f"journal ok: {report.rows} rows, chain intact, {report.records} records match"
                      f" ({report.witnesses_checked} witnesses reached)")
                return 0
            for finding in report.findings:
                print(f"journal BROKEN: {clean_line(finding, max_chars=400)}")
            print(f"({len(report.findings)} findings; {report.rows} journal rows, {report.records} records match)")
            return 1
        if args.action == "head":
            row_id, row_hash = await store.journal.head()
            print(f"{row_id} {row_hash}")
            return 0
        for entry in await store.journal.recent(limit=args.limit, text=args.filter, actor=actor):
            changes = clean_line(", ".join(f"{k}={v}" for k, v in entry.changes.items()), max_chars=100)
            print(f"{entry.id:>7} {format_dtg(entry.at)} {entry.actor:12} {entry.entity.value}"
                  f"#{entry.entity_id or '-'} {entry.action}: {changes}")
    return 0
