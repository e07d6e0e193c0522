"""``cmcc operators add|list|set-role|remove``: who may use the console (admins only).

The first operator added to a new database becomes its admin.
"""

from __future__ import annotations

import argparse

HELP = "manage operators: add, list, set-role, remove (admin only); recover (the database file's owner)"


def register(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add an operator (the first one becomes admin)")
    add.add_argument("login")
    add.add_argument("--name", required=True, help="display name, e.g. 'Maj. Claire Morgan'")
    add.add_argument("--nation", required=True, help="nation code, e.g. GBR")
    add.add_argument("--role", default="operator", help="viewer, operator, watch_officer or admin")
    actions.add_parser("list", help="list operators")
    set_role = actions.add_parser("set-role", help="change an operator's role")
    set_role.add_argument("login")
    set_role.add_argument("role")
    remove = actions.add_parser("remove", help="remove an operator")
    remove.add_argument("login")
    recover = actions.add_parser(
        "recover", help="make LOGIN an admin again: only the OS user who owns the database file (or root)")
    recover.add_argument("login")


def works_without_database(args: argparse.Namespace) -> bool:
    return args.action == "add"  # a new floor's database begins with its first operator, its admin


async def run(args: argparse.Namespace) -> int:
    from console.cli import CliError
    from console.commands.common import opened_store
    from console.model.access import Operator, Role

    try:
        role = Role.parse(getattr(args, "role", "operator"))
    except ValueError as error:
        raise CliError(str(error)) from None
    async with opened_store(args.db) as (store, actor):
        if args.action == "list":
            operators = await store.operators.list()
            print(f"{'login':16} {'name':28} {'nation':6} role")
            for operator in operators:
                print(f"{operator.login:16} {operator.name:28} {operator.nation:6} {operator.role.label}")
            return 0
        if args.action == "add":
            added = await store.operators.add(actor, Operator(args.login, args.name, args.nation, role))
            print(f"added {added.login} ({added.nation}) as {added.role.label}")
        elif args.action == "set-role":
            await store.operators.set_role(actor, args.login, role)
            print(f"{args.login} is now {role.label}")
        elif args.action == "remove":
            await store.operators.remove(actor, args.login)
            print(f"removed {args.login}")
        elif args.action == "recover":
            _check_owns(store.path)
            await store.operators.recover(actor, args.login)
            print(f"{args.login} is now admin (recovered by {actor.login}, journaled)")
    return 0


def _check_owns(path) -> None:
    """``recover`` is for whoever owns the database file: on SQLite they can write anything anyway."""
    import os

    from console.cli import CliError
    from console.identity import login_of_uid, os_login

    owner = os.stat(path).st_uid
    if os.getuid() not in (0, owner):
        raise CliError(f"only {login_of_uid(owner)}, who owns {path}, or root may recover an admin"
                       f" (you are {os_login()})")
