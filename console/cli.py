"""The ``cmcc`` command: opens the console, or runs a subcommand.

``--db PATH`` is accepted before or after the subcommand. Every error the
operator can cause is one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from importlib import import_module

from console import __version__
from console.errors import CliError  # noqa: F401 - commands import it from here
from console.paths import default_database_path

#: Subcommand name -> module in console.commands with ``register(parser)`` and ``run(args)``.
SUBCOMMANDS = {
    "demo": "demo",
    "feeds": "feeds",
    "export": "export",
    "import": "importing",
    "operators": "operators",
    "poller": "poller",
    "journal": "journal",
    "handover": "handover",
    "archive": "archive",
}


#: Subcommands that only read, and so honour ``--view-as`` exactly as the console does.
READING_SUBCOMMANDS = ("export", "handover", "journal")


def _db_option(parser: argparse.ArgumentParser, *, default: object, module=None) -> None:
    parser.add_argument("--db", metavar="PATH", default=default,
                        help="the database file (default: %s)" % _default_database(module))


def _default_database(module) -> Path:
    """The database a command uses without --db: its own (``default_database``, the demo's) or the floor's."""
    return getattr(module, "default_database", default_database_path)()


def _view_as_option(parser: argparse.ArgumentParser, *, default: object) -> None:
    parser.add_argument("--view-as", metavar="LOGIN", default=default,
                        help="see the floor as LOGIN would (role and nation), read-only"
                             " (watch officers and admins; never a wider role than yours)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cmcc", description="Watch-floor console of the Civil-Military Coordination Center.")
    parser.add_argument("--version", action="version", version=f"cmcc {__version__}")
    _db_option(parser, default=None)
    _add_console_options(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in SUBCOMMANDS.items():
        module = _command_module(module_name)
        if module is None:
            continue
        sub = subparsers.add_parser(name, help=module.HELP, description=module.HELP)
        # SUPPRESS: a --db given after the subcommand wins, one given before is kept.
        _db_option(sub, default=argparse.SUPPRESS, module=module)
        if name in READING_SUBCOMMANDS:
            _view_as_option(sub, default=argparse.SUPPRESS)
        module.register(sub)
    return parser


def _add_console_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--theme", help="colour theme for this run (and remembered)")
    parser.add_argument("--low-bandwidth", action="store_true", default=None,
                        help="cheap redraws for slow links (also CMCC_LOW_BANDWIDTH=1)")
    parser.add_argument("--ascii", action="store_true", default=None,
                        help="ASCII borders and marks for terminals that mangle box drawing")
    _view_as_option(parser, default=None)


def _command_module(name: str):
    try:
        return import_module(f"console.commands.{name}")
    except ModuleNotFoundError as error:
        if error.name == f"console.commands.{name}":
            return None  # not built yet
        raise


def _works_without_database(module, args: argparse.Namespace) -> bool:
    """Whether the subcommand may run when the database does not exist: it makes one (``demo``,
    the first ``operators add`` of a new floor) or never opens one (``feeds check``). The module
    says so with ``works_without_database(args)``; no other command creates a file or a folder."""
    says = getattr(module, "works_without_database", None)
    return bool(says and says(args))


def _warn_if_exposed(path: str) -> None:
    """Once per command: a database every user of the host may read or write is no secret and no record."""
    from console.sanitize import clean_line
    from console.store.database import exposure_warning

    warning = exposure_warning(path)
    if warning:
        print(f"cmcc: warning: {clean_line(warning, max_chars=400)}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.db is None:
        module = _command_module(SUBCOMMANDS[args.command]) if args.command else None
        args.db = str(_default_database(module))
    try:
        if args.command is None:
            from console.commands.open_console import run_console

            return run_console(args)
        if args.view_as and args.command not in READING_SUBCOMMANDS:
            raise CliError(f"--view-as is read-only: 'cmcc {args.command}' does not take it"
                           f" (it does: the console, {', '.join(READING_SUBCOMMANDS)})")
        module = _command_module(SUBCOMMANDS[args.command])
        if not Path(args.db).expanduser().exists() and not _works_without_database(module, args):
            # a mistyped --db must not leave an empty database (and its folders) that then "verifies"
            raise CliError(f"{args.db} does not exist (cmcc demo makes a demo database;"
                           " cmcc, started with no command, makes a new one)")
        _warn_if_exposed(args.db)
        result = module.run(args)
        if asyncio.iscoroutine(result):
            result = asyncio.run(result)
        return int(result or 0)
    except KeyboardInterrupt:
        return 130
    except CliError as error:
        print(f"cmcc: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # `cmcc export ... | head`: the reader has all it wanted. Quietly, with stdout closed so
        # the interpreter's own flush at exit cannot raise again.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as error:  # noqa: BLE001 - known refusals become one line
        from console.model.errors import StoreError
        from console.sanitize import clean_line
        from console.store.database import DatabaseOpenError, damaged, is_damage

        if isinstance(error, (DatabaseOpenError, StoreError)):
            print(f"cmcc: {clean_line(str(error), max_chars=600)}", file=sys.stderr)
            return 2
        if is_damage(error):
            print(f"cmcc: {damaged(Path(args.db))}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
