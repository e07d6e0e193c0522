"""What the aid and roster importers share: naming columns, reading the file, and setting
bad rows aside (reported by line and column, and with --skip-invalid written to a reject file)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Protocol, TextIO

from console.sanitize import clean_line
from feeds.inbox import Rejected, Row, read_rows, shown_name


class CheckedRow(Protocol):
    """A row after checking: the importers' own dataclasses have these two fields."""

    row: Row
    problems: tuple[tuple[str, str], ...]


def named_fields(row: Row, known: Collection[str], aliases: Mapping[str, str]
                 ) -> tuple[dict[str, object], list[tuple[str, str]]]:
    """The row's values under their canonical column names, and (column, message) problems:
    unknown columns, a column given twice under two names, values that are not text or numbers."""
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
            fields[name] = value
    return fields, problems


def read_for_import(path: Path, text: str, err: TextIO) -> list[Row] | None:
    """The file's records, or None after saying on ``err`` why nothing can be imported."""
    try:
        _kind, rows = read_rows(path.name, text)
    except Rejected as rejected:
        for message in rejected.errors:
            print(f"{shown_name(path.name)}: {clean_line(message, max_chars=400)}", file=err)
        print(f"{shown_name(path.name)}: nothing imported: the file cannot be read as records", file=err)
        return None
    if not rows:
        print(f"{shown_name(path.name)}: no records", file=err)
        return None
    return rows


def set_aside_bad_rows(path: Path, text: str, checked: Sequence[CheckedRow], *, skip_invalid: bool,
                       reject_file: Path | None, err: TextIO) -> tuple[list[CheckedRow], Path | None] | None:
    """Name every bad row on ``err`` (file: line N: column: message).

    None when they stop the import; otherwise the bad rows and the reject file they
    were written to (with ``skip_invalid``; no file when every row is good).
    """
    bad = [c for c in checked if c.problems]
    for result in bad:
        for column, message in result.problems:
            # column names and values quoted in messages come from the file: cleaned for the terminal
            print(f"{shown_name(path.name)}: {result.row.where}: {clean_line(column, max_chars=60)}:"
                  f" {clean_line(message, max_chars=400)}", file=err)
    if bad and not skip_invalid:
        print(f"{shown_name(path.name)}: nothing imported: {len(bad)} of {len(checked)} rows are invalid"
              " (fix them, or --skip-invalid to import the others)", file=err)
        return None
    if bad:
        reject_file = reject_file or path.with_name(f"{path.stem}.rejects{path.suffix or '.csv'}")
        write_rejects(reject_file, path.name, text, bad)
    return bad, reject_file


def _line_number(where: str) -> int | None:
    head, _, number = where.partition(" ")
    return int(number) if head == "line" and number.isdigit() else None


def _problem_text(result: CheckedRow) -> str:
    return clean_line("; ".join(f"{column}: {message}" for column, message in result.problems), max_chars=2000)


def write_rejects(target: Path, source_name: str, text: str, bad: Sequence[CheckedRow]) -> None:
    """The bad rows as they were in the file, with an ``error`` column saying what is wrong."""
    suffix = Path(source_name).suffix.lower()
    buffer = io.StringIO()
    if suffix == ".csv":
        lines = text.splitlines()
        buffer.write(lines[0] + ",error\n")
        for result in bad:
            start = _line_number(result.row.where) or 0
            span = 1 + sum(str(v).count("\n") for v in result.row.fields.values())
            original = "\n".join(lines[start - 1:start - 1 + span]) if start else ""
            error = io.StringIO()
            csv.writer(error, lineterminator="").writerow([_problem_text(result)])
            buffer.write(f"{original},{error.getvalue()}\n")
    else:
        for result in bad:
            buffer.write(json.dumps({**result.row.fields, "error": _problem_text(result)}, ensure_ascii=False) + "\n")
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_text(buffer.getvalue(), encoding="utf-8")
    temporary.replace(target)
