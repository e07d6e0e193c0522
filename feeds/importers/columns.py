"""What the aid and roster importers share: naming columns, reading the file, and setting
bad rows aside (reported by line and column, and with --skip-invalid written to a reject file)."""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Protocol, TextIO

from console.sanitize import clean_line
from feeds.readers import Rejected, Row, read_rows, shown_name, text_lines


class CheckedRow(Protocol):
    """A row after checking: the importers' own (frozen) dataclasses have these two fields."""

    @property
    def row(self) -> Row: ...

    @property
    def problems(self) -> tuple[tuple[str, str], ...]: ...


def header_problems(name: str, first: Row | None, known: Collection[str], aliases: Mapping[str, str]) -> list[str]:
    """A CSV file's unknown (or doubled) columns, once, at line 1: every row has the same ones,
    and naming them on every line buried the one mistake under thousands of lines."""
    if first is None or not is_csv(name):
        return []
    _fields, problems = named_fields(Row(first.where, {column: None for column in first.fields}), known, aliases)
    return [f"line 1: {column}: {message}" for column, message in problems]


#: What ``cmcc export`` puts before a CSV cell beginning with one of these, so that a spreadsheet
#: shows it as text instead of running it as a formula (console.exporting.formats._csv_cell).
SPREADSHEET_QUOTE = "'"
QUOTED_STARTS = ("=", "+", "-", "@", "\t", "\r", SPREADSHEET_QUOTE)


def unquote_cell(value: object) -> object:
    """A CSV cell as it was before the export quoted it for spreadsheets: ``'=SUM(A1)`` is
    ``=SUM(A1)``, ``'+44 20 7946 0000`` is ``+44 20 7946 0000``, ``''quoted`` is ``'quoted``.
    A quote before anything else is the cell's own (``'t was`` stays as it is)."""
    if isinstance(value, str) and len(value) > 1 and value[0] == SPREADSHEET_QUOTE and value[1] in QUOTED_STARTS:
        return value[1:]
    return value


def named_fields(row: Row, known: Collection[str], aliases: Mapping[str, str], *, from_csv: bool = False
                 ) -> tuple[dict[str, object], list[tuple[str, str]]]:
    """The row's values under their canonical column names, and (column, message) problems:
    unknown columns, a column given twice under two names, values that are not text or numbers.

    ``from_csv``: the row is a CSV record, whose cells may carry the export's spreadsheet quote
    (``unquote_cell``); JSON values are data and are taken as they are."""
    fields: dict[str, object] = {}
    problems: list[tuple[str, str]] = []
    for column, value in row.fields.items():
        name = str(column).strip().lower().replace(" ", "_").replace("-", "_")
        name = aliases.get(name, name)
        if name not in known:
            problems.append((clean_line(column, max_chars=40), f"unknown column (known: {', '.join(known)})"))
        elif name in fields:
            problems.append((name, "given twice (once under another name)"))
        elif isinstance(value, (dict, list, bool)):
            problems.append((name, "must be text or a number"))
        elif value is not None:
            fields[name] = unquote_cell(value) if from_csv else value
    return fields, problems


def record_id_of(value: object) -> tuple[int | None, str]:
    """An ``id`` column's value (the record's id in the database it was exported from): (the id,
    or None when empty; a problem to name)."""
    text = "" if value is None else str(value).strip()
    if not text:
        return None, ""
    if text.isascii() and text.isdigit() and 0 < int(text) < 2 ** 63:
        return int(text), ""
    return None, (f"{clean_line(text, max_chars=30)!r} is not a record id (the whole number an export gives;"
                  " leave it empty for a new record)")


def read_for_import(path: Path, text: str, err: TextIO, known: Collection[str] = (),
                    aliases: Mapping[str, str] | None = None) -> list[Row] | None:
    """The file's records, or None after saying on ``err`` why nothing can be imported. With the
    ``known`` columns of its kind, a column none of them names is one error for the header."""
    try:
        _kind, rows = read_rows(path.name, text)
    except Rejected as rejected:
        say_unreadable(path.name, rejected.errors, err)
        return None
    if not rows:
        print(f"{shown_name(path.name)}: no records", file=err)
        return None
    if known and (header := header_problems(path.name, rows[0], known, aliases or {})):
        say_unreadable(path.name, header, err)
        return None
    return rows


def say_unreadable(name: str, messages: Iterable[str], err: TextIO) -> None:
    """The records that could not be read, and that nothing was imported because of them."""
    for message in messages:
        print(f"{shown_name(name)}: {clean_line(message, max_chars=400)}", file=err)
    print(f"{shown_name(name)}: nothing imported: the file cannot be read as records", file=err)


def problem_lines(name: str, result: CheckedRow) -> list[str]:
    """One line for each problem of a bad row: file: line N: column: message."""
    # column names and values quoted in messages come from the file: cleaned for the terminal
    return [f"{shown_name(name)}: {result.row.where}: {clean_line(column, max_chars=60)}:"
            f" {clean_line(message, max_chars=400)}" for column, message in result.problems]


def set_aside_bad_rows(path: Path, text: str, checked: Sequence[CheckedRow], *, skip_invalid: bool,
                       reject_file: Path | None, err: TextIO) -> tuple[list[CheckedRow], Path | None] | None:
    """Name every bad row on ``err`` (file: line N: column: message).

    None when they stop the import; otherwise the bad rows and the reject file they
    were written to (with ``skip_invalid``; no file when every row is good).
    """
    bad = [c for c in checked if c.problems]
    go_on, reject_file = set_aside(path, (line for result in bad for line in problem_lines(path.name, result)),
                                   len(bad), len(checked), lambda: reject_lines(path.name, text, bad),
                                   skip_invalid=skip_invalid, reject_file=reject_file, err=err)
    return (bad, reject_file) if go_on else None


def set_aside(path: Path, problems: Iterable[str], bad: int, total: int, rejects: Callable[[], Iterable[str]], *,
              skip_invalid: bool, reject_file: Path | None, err: TextIO) -> tuple[bool, Path | None]:
    """Print the ``problems`` lines of the ``bad`` of ``total`` rows; (go on importing?, the reject file).

    Bad rows stop the import unless ``skip_invalid``; then ``rejects()`` (the reject file's
    lines) is written to ``reject_file`` (default FILE.rejects.csv beside FILE).
    """
    for line in problems:
        print(line, file=err)
    if bad and not skip_invalid:
        print(f"{shown_name(path.name)}: nothing imported: {bad} of {total} rows are invalid"
              " (fix them, or --skip-invalid to import the others)", file=err)
        return False, None
    if not bad:
        return True, None
    reject_file = reject_file or path.with_name(f"{path.stem}.rejects{path.suffix or '.csv'}")
    write_lines(reject_file, rejects())
    if bad == total:
        # --skip-invalid that leaves nothing to import is a failure, not "0 imported" and exit 0
        print(f"{shown_name(path.name)}: nothing imported: all {total} rows are invalid (written to"
              f" {shown_name(str(reject_file))})", file=err)
        return False, reject_file
    return True, reject_file


def _line_number(where: str) -> int | None:
    head, _, number = where.partition(" ")
    return int(number) if head == "line" and number.isdigit() else None


def _problem_text(result: CheckedRow) -> str:
    return clean_line("; ".join(f"{column}: {message}" for column, message in result.problems), max_chars=2000)


def is_csv(name: str) -> bool:
    """A reject file repeats a CSV file's own lines; other files' records are written as JSON lines."""
    return Path(name).suffix.lower() == ".csv"


def reject_header(first_line: str) -> str:
    """A CSV reject file's header: the file's own, with an ``error`` column."""
    return first_line + ",error"


def reject_line(result: CheckedRow, original: str | None) -> str:
    """One bad row in a reject file: a CSV record as it was (``original``, its lines) with an ``error``
    column; for a JSON record (``original`` None), the record with an ``error`` key."""
    if original is None:
        return json.dumps({**result.row.fields, "error": _problem_text(result)}, ensure_ascii=False)
    error = io.StringIO()
    csv.writer(error, lineterminator="").writerow([_problem_text(result)])
    return f"{original},{error.getvalue()}"


def reject_lines(source_name: str, text: str, bad: Sequence[CheckedRow]) -> Iterator[str]:
    """The lines of a reject file for ``bad`` rows of the file ``text``."""
    if not is_csv(source_name):
        yield from (reject_line(result, None) for result in bad)
        return
    lines = text.splitlines()
    yield reject_header(lines[0])
    for result in bad:
        start = _line_number(result.row.where) or 0
        span = 1 + sum(str(v).count("\n") for v in result.row.fields.values())
        yield reject_line(result, "\n".join(lines[start - 1:start - 1 + span]) if start else "")


def write_lines(target: Path, lines: Iterable[str]) -> None:
    """``lines`` written to a temporary name, then renamed: ``target`` is whole or untouched."""
    temporary = target.with_name(f".{target.name}.tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(line + "\n")
    temporary.replace(target)


class NotUtf8(ValueError):
    """The file is not UTF-8 text: ``offset`` is the first bad byte (after a byte-order mark)."""

    def __init__(self, offset: int) -> None:
        super().__init__(f"not UTF-8 text (byte {offset})")
        self.offset = offset


def file_lines(path: Path) -> Iterator[str]:
    """The file's lines one at a time, as ``text_lines`` splits its decoded text; a UTF-8 BOM dropped.

    Raises NotUtf8 at the first byte that is not UTF-8. Split at b"\\n" before decoding, which is
    safe: no byte of a multi-byte UTF-8 sequence is 0x0A.
    """
    offset = 0
    with path.open("rb") as handle:
        for raw in handle:
            if offset == 0 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise NotUtf8(offset + error.start) from None
            offset += len(raw)
            yield from text_lines(line)
