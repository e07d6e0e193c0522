"""``cmcc feeds``: register, list, switch and try out the feeds the poller reads."""

from __future__ import annotations

import argparse
import json
import sys

HELP = "manage the news feeds the poller reads (add, list, remove, enable, disable, check)"


def register(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="feeds_action", metavar="ACTION")
    actions.required = True

    add = actions.add_parser("add", help="register a feed (admins)", description="Register a feed (admins).")
    add.add_argument("name", help="a short name, shown in the console")
    add.add_argument("url", help="http(s):// URL, file:// URL or a file path")
    add.add_argument("--interval", type=int, default=300, metavar="S", help="seconds between polls (>= 5)")
    add.add_argument("--keywords", default="", metavar="A,B", help="watch-list words, comma-separated")
    add.add_argument("--header", action="append", default=[], metavar="NAME=ENV_VAR",
                     help="send header NAME with the value of environment variable ENV_VAR (repeatable);"
                          " the value itself is never stored")
    add.add_argument("--disabled", action="store_true", help="register it switched off")

    actions.add_parser("list", help="the feeds and their health")

    for name, text in (("remove", "forget a feed (its headlines stay)"), ("enable", "switch a feed on"),
                       ("disable", "switch a feed off")):
        sub = actions.add_parser(name, help=text, description=text)
        sub.add_argument("name")

    check = actions.add_parser(
        "check", help="fetch one feed and show what would be stored (writes nothing)",
        description="Fetch or read one feed with the poller's own code and print the headlines exactly as"
                    " they would be stored. Writes nothing.")
    check.add_argument("source", metavar="URL-OR-FILE")
    check.add_argument("--json", action="store_true", help="one JSON object per line")
    check.add_argument("--keywords", default="", metavar="A,B", help="watch-list words to mark")
    check.add_argument("--timeout", type=float, default=15.0, metavar="S", help="read timeout (default 15)")


def works_without_database(args: argparse.Namespace) -> bool:
    return args.feeds_action == "check"  # reads a feed and prints it; never opens the database


async def run(args: argparse.Namespace) -> int:
    action = args.feeds_action
    if action == "check":
        return await _check(args)
    from console.store import Store

    store = await Store.open(args.db)
    try:
        if action == "list":
            return await _list(store)
        actor = await _actor(store)
        if action == "add":
            return await _add(store, actor, args)
        if action == "remove":
            await store.feeds.remove(actor, args.name)
            print(f"removed feed {args.name} (its headlines stay)")
        else:
            await store.feeds.set_enabled(actor, args.name, action == "enable")
            print(f"{action}d feed {args.name}")
        return 0
    finally:
        await store.close()


async def _actor(store):
    try:
        from console.identity import current_actor
    except ImportError:  # pragma: no cover - identity lands with the operators work
        from console.model.access import SYSTEM_ACTOR

        return SYSTEM_ACTOR
    actor, notice = await current_actor(store)
    if notice:
        print(f"cmcc: {notice}", file=sys.stderr)
    return actor


async def _add(store, actor, args) -> int:
    from console.model.errors import ValidationError
    from console.model.headlines import Feed
    from console.store.feeds import parse_keywords

    from console.cli import CliError

    feed = Feed(name=args.name, url=args.url, interval_seconds=args.interval, enabled=not args.disabled,
                header_env=";".join(args.header), keywords=parse_keywords(args.keywords))
    try:
        added = await store.feeds.add(actor, feed)
    except ValidationError as error:
        raise CliError("; ".join(f"{'--' + k if k in ('interval', 'header') else k}: {v}"
                                 for k, v in error.errors.items())) from None
    state = "enabled" if added.enabled else "disabled"
    print(f"added feed {added.name} ({state}, every {added.interval_seconds}s): {added.url}")
    return 0


def _when(moment) -> str:
    from console.dtg import format_age, format_short_dtg

    return f"{format_short_dtg(moment)} ({format_age(moment)} ago)" if moment else "never"


async def _list(store) -> int:
    feeds = await store.feeds.list()
    if not feeds:
        print("no feeds: add one with  cmcc feeds add NAME URL")
        return 0
    header = ("NAME", "ON", "EVERY", "LAST SUCCESS", "LAST ERROR", "FAILS", "ITEMS")
    rows = [header]
    for feed in feeds:
        error = feed.last_error if feed.last_error else ""
        if error and feed.last_error_at:
            error = f"{_when(feed.last_error_at)}: {error}"
        if feed.health_note and not feed.consecutive_failures:
            error = f"note: {feed.health_note}"  # what the latest good poll noticed
        rows.append((feed.name, "yes" if feed.enabled else "no", f"{feed.interval_seconds}s",
                     _when(feed.last_success_at), error[:70] or "-", str(feed.consecutive_failures),
                     str(feed.items_seen)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    for row in rows:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])] + [row[-1]]
        print("  ".join(cells).rstrip())
    return 0


async def _check(args) -> int:
    from console.cli import CliError
    from console.model.headlines import Feed
    from console.store.feeds import parse_keywords, validate_url
    from feeds.parse import FeedError
    from feeds.poller import default_client, fetch_and_parse, is_local

    try:
        url = validate_url(args.source)
    except ValueError as error:
        raise CliError(f"check: {error}") from None
    feed = Feed(name=_source_name(url), url=url, keywords=parse_keywords(args.keywords))
    client = None if is_local(url) else default_client(read_timeout=args.timeout)
    try:
        _fetched, headlines = await fetch_and_parse(feed, client)
    except FeedError as error:
        print(f"cmcc: {url}: {error}", file=sys.stderr)
        return 1
    finally:
        if client is not None:
            await client.aclose()
    for headline in headlines:
        if args.json:
            print(json.dumps({
                "published_at": headline.published_at.isoformat(), "source": headline.source,
                "title": headline.title, "link": headline.link, "guid": headline.guid,
                "dedup_key": headline.dedup_key, "watch_hits": list(headline.watch_hits),
                "summary": headline.summary,
            }, ensure_ascii=False))
        else:
            hits = f"  [watch: {', '.join(headline.watch_hits)}]" if headline.watch_hits else ""
            print(f"{headline.published_at:%Y-%m-%d %H:%MZ}  {headline.source}  {headline.title}{hits}")
            print(f"    {headline.link or '-'}  key {headline.dedup_key}")
    for note in _fetched.notes:  # entries kept untitled or skipped, items over the bound, a header dropped
        print(f"cmcc: {url}: note: {note}", file=sys.stderr)
    if not args.json:
        print(f"{len(headlines)} headline(s); nothing was stored", file=sys.stderr)
    return 0


def _source_name(url: str) -> str:
    """What the poller would use as ``source`` is the feed's name; for a bare URL, its host or file name."""
    from pathlib import Path
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme in ("http", "https"):
        return parts.hostname or url
    return Path(parts.path if parts.scheme == "file" else url).name or url
