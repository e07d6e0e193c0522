"""``cmcc import KIND FILE [--skip-invalid] [--reject-file PATH]``: records from a file, checked first.

``IMPORTERS`` maps each kind to ``"module:function"``; the function is
``async def f(store, actor, path, text, *, skip_invalid, reject_file, out, err) -> int``
(the exit status; ``text`` None for a kind in ``READS_ITSELF``, which streams the file
from ``path`` so its memory does not grow with the file) and lives beside the kind's inbox importer in ``feeds/importers/``,
so a file is checked the same way whether it is dropped in the inbox or named here.
Every bad row is reported by line and column on stderr, and nothing is imported
unless every row is valid (``--skip-invalid``: the good rows are imported and the
bad ones written, with an ``error`` column, to the reject file).
"""

from __future__ import annotations

import argparse
from importlib import import_module

HELP = "import records from a CSV, NDJSON or JSON file, checked row by row first (e.g. import aid FILE.csv)"

#: kind -> "module:function" (see the module docstring). Add a kind with one line.
IMPORTERS: dict[str, str] = {
    "aid": "feeds.importers.aid:import_text",
    "roster": "feeds.importers.roster:import_text",
}
#: Kinds whose importer reads the file a line at a time itself (a million-row aid file).
READS_ITSELF = {"aid"}


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=sorted(IMPORTERS), help="what the file holds")
    parser.add_argument("file", metavar="FILE", help="a .csv, .ndjson or .json file")
    parser.add_argument("--skip-invalid", action="store_true",
                        help="import the valid rows and write the invalid ones to the reject file")
    parser.add_argument("--reject-file", metavar="PATH",
                        help="where --skip-invalid writes the invalid rows (default FILE.rejects.csv beside FILE)")


def importer(kind: str):
    module_name, _, function = IMPORTERS[kind].partition(":")
    return getattr(import_module(module_name), function)


async def run(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from console.cli import CliError
    from console.identity import current_actor
    from console.store import Store

    path = Path(args.file).expanduser()
    text: str | None = None
    try:
        if args.kind in READS_ITSELF:
            with path.open("rb"):
                pass  # can be read: the importer streams it (and names a byte that is not UTF-8)
        else:
            text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise CliError(f"{path} does not exist") from None
    except IsADirectoryError:
        raise CliError(f"{path} is a directory") from None
    except UnicodeDecodeError as error:
        raise CliError(f"{path}: not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise CliError(f"cannot read {path}: {error.strerror}") from None
    if not Path(args.db).expanduser().exists():
        raise CliError(f"{args.db} does not exist")
    reject_file = Path(args.reject_file).expanduser() if args.reject_file else None
    store = await Store.open(args.db)
    try:
        actor, notice = await current_actor(store)
        if notice:
            print(f"cmcc: {notice}", file=sys.stderr)
        return await importer(args.kind)(store, actor, path, text, skip_invalid=args.skip_invalid,
                                         reject_file=reject_file, out=sys.stdout, err=sys.stderr)
    finally:
        await store.close()
