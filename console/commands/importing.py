"""``cmcc import KIND FILE [--skip-invalid] [--reject-file PATH]``: records from a file, checked first.

``IMPORTERS`` maps each kind to ``"module:function"``; the function is
``async def f(store, actor, path, text, *, skip_invalid, reject_file, out, err) -> int``
(the exit status; ``text`` None for a kind in ``READS_ITSELF``, which streams the file
from ``path`` so its memory does not grow with the file) and lives beside the kind's inbox
importer in ``feeds/importers/``, so a file is checked the same way whether it is dropped in the inbox or named here.
Every bad row is reported by line and column on stderr, and nothing is imported
unless every row is valid (``--skip-invalid``: the good rows are imported and the
bad ones written, with an ``error`` column, to the reject file).

Each kind is a subcommand of its own, so ``cmcc import aid --help`` describes aid files:
``KIND_HELP`` holds its one-line summary and its description (its columns, what is required,
what importing the same file again does). They are plain text here, not read from the importer
modules, so that building the parser (every ``cmcc`` start) imports none of them.
"""

from __future__ import annotations

import argparse
from importlib import import_module

HELP = ("import records from a CSV, NDJSON or JSON file, checked row by row first"
        " (e.g. import aid FILE.csv; import KIND --help for the file's columns)")

#: kind -> "module:function" (see the module docstring). Add a kind with one line, and its help below.
IMPORTERS: dict[str, str] = {
    "aid": "feeds.importers.aid:import_text",
    "headlines": "feeds.importers.headlines:import_text",
    "incidents": "feeds.importers.incidents:import_text",
    "roster": "feeds.importers.roster:import_text",
}
#: Kinds whose importer reads the file a line at a time itself (a million-row aid file).
READS_ITSELF = {"aid"}

_FORMATS = """\
FILE is .csv (a header line naming the columns, any case), .ndjson (one JSON object a line) or
.json (a list of objects, or {"kind": ..., "items": [...]}). Every row is checked first: each bad
one is named on stderr by line and column, and nothing is imported unless every row is good
(--skip-invalid imports the good rows and writes the bad ones, with an error column, to the
reject file). A CSV cell that an export quoted for spreadsheets ('=..., '+44 ...) is read as it
was before. Exit status: 0 imported, 1 bad rows or an unreadable file (nothing imported), 2 refused.
"""

#: kind -> (summary, description) for ``cmcc import KIND --help``.
KIND_HELP: dict[str, tuple[str, str]] = {
    "aid": ("movements through the crossings (what `cmcc export aid` writes)", """\
Import aid movements: convoys through the crossings.

Columns: planned_date (YYYY-MM-DD, the UTC day; also date, day), crossing (its code or name),
organisation (org), commodity, load_type (load; default humanitarian), trucks, tonnes, pallets,
reference (waybill, ref, manifest), figure_source (source: un2720, cogat, partner, own
observation; default own observation), status (default scheduled), status_note (note, reason),
releasability (marking; default ALL). The columns `cmcc export aid` adds are accepted: id (the
movement's id where it was exported: kept when it is free here) and updated_at (read, ignored).
Any other column is an error, named once at the header.

Required: planned_date, crossing, organisation, commodity, and trucks, tonnes or pallets; a
status_note for a held, rejected or intercepted movement. A date more than 90 days ahead, an
unknown crossing or a value the movement form refuses is refused here with the same words.

Importing again: a movement whose (reference, figure_source) is already recorded is counted as
"already present" and left as it is; the same pair twice in one file is an error. A movement
without a reference is already present when its id names the same convoy here; with neither
reference nor id it is added again. So an export imports back into a fresh database to the same
records, and importing it twice changes nothing. Any size of file: it is read a line at a time
and written in short transactions; one stopped midway is finished by running it again.
"""),
    "headlines": ("headlines, as dropped in the inbox as headlines-*.csv", """\
Import headlines, checked as the inbox checks a headlines-*.csv file.

Columns: title (required), published (published_at; ISO 8601, default now), link (http or https),
summary, source (default inbox:FILE), guid (id), releasability (default ALL). Other columns are
not read, as in the inbox.

Importing again: a headline is known by its guid, else its link, else its title and time; one
already stored is counted as "already present", so importing the same file twice changes nothing.
"""),
    "incidents": ("cease-fire incidents (what `cmcc export incidents` writes)", """\
Import cease-fire incidents, checked with the incident form's rules.

Columns: when (now, 251036Z, 251036Z NOV 26 or ISO 8601; also occurred_at, time), governorate,
category, description, severity (1-5), locality, latitude and longitude (lat, lon; both or
neither, in or near the Strip), grid_ref, killed, injured (empty = unknown), alleged_party,
source, source_type, reliability (A-F), credibility (1-6), assigned_cell, releasability. The
columns `cmcc export incidents` adds are accepted: dtg (the time as a DTG: the time when it is the
only one, else the same minute), grading (reliability and credibility, e.g. B2), status
(reported, verifying, verified, unsubstantiated, closed; default reported), acknowledged_by and
acknowledged_at (both or neither), id (the incident's id where it was exported) and updated_at
(read, ignored). Any other column is an error, named once at the header.

Required: when, governorate, category, description, severity. A time in the future is refused.
Importing a verified, unsubstantiated or closed incident needs a watch officer, as the workflow.

Importing again: an incident with an id keeps it when it is free here, and is "already present"
(left as it is) when the incident of that id here, or any, has the same time, governorate,
category and description. So an export imports back into a fresh database to the same records,
and importing it twice changes nothing. A row without an id is a new report each time.
"""),
    "roster": ("liaison officers (what `cmcc export roster` writes)", """\
Import the liaison roster: partner-nation officers.

Columns: partner (the partner's code; also partner_code), name, rank, service, service_number
(also id, service_no), cell, role, contact, shift (day, night, other), rotation_start and
rotation_end (YYYY-MM-DD), presence (on floor, away, off shift), releasability (default ALL).
These are the columns `cmcc export roster` writes. Any other column is an error, named once at
the header.

Required: partner (a partner of the center) and name.

Importing again: an officer is found by partner and service_number when the row has one, else by
partner and name (any case). A found officer is updated where the row differs and left alone
where it does not (presence only when the row gives one), so importing the same roster twice
adds nobody twice and changes nothing. The same officer twice in one file is an error.
"""),
}


def register(parser: argparse.ArgumentParser) -> None:
    from console.paths import default_database_path

    kinds = parser.add_subparsers(dest="kind", metavar="KIND", required=True,
                                  help=f"what the file holds: {', '.join(sorted(IMPORTERS))}")
    for kind in sorted(IMPORTERS):
        summary, description = KIND_HELP[kind]
        sub = kinds.add_parser(kind, help=summary, description=description + "\n" + _FORMATS,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
        sub.add_argument("file", metavar="FILE", help="a .csv, .ndjson or .json file")
        sub.add_argument("--skip-invalid", action="store_true",
                         help="import the valid rows and write the invalid ones to the reject file")
        sub.add_argument("--reject-file", metavar="PATH",
                         help="where --skip-invalid writes the invalid rows (default FILE.rejects.csv beside FILE)")
        # here too, so that `cmcc import aid FILE --db PATH` works as `cmcc import --db PATH aid FILE` does
        sub.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS,
                         help=f"the database file (default: {default_database_path()})")


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
