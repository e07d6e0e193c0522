"""``cmcc demo``: create (or reuse) a demo database and open the console on it."""

from __future__ import annotations

import argparse

from console.paths import demo_database_path

HELP = "create (or reuse) a demo database and open the console on it"


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-console", action="store_true",
                        help="only create the demo database, print its path and exit")
    parser.add_argument("--theme", help=argparse.SUPPRESS)
    parser.add_argument("--low-bandwidth", action="store_true", default=None, help="cheap redraws for slow links")


async def prepare_demo(store) -> None:
    """Seed an empty database; make the OS user an admin of the demo."""
    from console.domain import SYSTEM_ACTOR, Operator, Role
    from console.identity import os_login
    from console.store.seed import is_seeded, seed_demo

    login = os_login()
    if not await is_seeded(store.database):
        await seed_demo(store.database, operator_login=login)
    elif await store.operators.get(login) is None:
        await store.operators.add(SYSTEM_ACTOR, Operator(login, f"{login} (demo admin)", "USA", Role.ADMIN))


def run(args: argparse.Namespace) -> int:
    from console.cli import default_database_path

    if args.db == str(default_database_path()):
        # No --db given: the demo never touches the operator's real database.
        args.db = str(demo_database_path())
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

    return run_console(args, prepare=prepare_demo)
