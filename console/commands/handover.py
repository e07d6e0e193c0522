"""``cmcc handover --since 12h [--format md|json]``: the shift handover brief."""

from __future__ import annotations

import argparse

HELP = "print the shift handover brief (md or json)"


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", default="12h", help="how far back: e.g. 12h, 90m, 1d (default 12h)")
    parser.add_argument("--format", choices=("md", "json"), default="md")


async def run(args: argparse.Namespace) -> int:
    from console.cli import CliError
    from console.commands.common import opened_store
    from console.config import load_settings
    from console.dtg import parse_duration, utc_now
    from console.handover import build_brief, render_json, render_markdown

    try:
        since = utc_now() - parse_duration(args.since)
    except ValueError as error:
        raise CliError(str(error)) from None
    async with opened_store(args.db, getattr(args, "view_as", None)) as (store, actor):
        brief = await build_brief(store, actor, since, daily_target=load_settings().daily_truck_target)
    print(render_json(brief) if args.format == "json" else render_markdown(brief), end="")
    return 0
