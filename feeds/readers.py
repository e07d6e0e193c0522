"""Reading an inbox or import file safely: bounded, decoded, parsed into rows, every bad record named.

Used by the inbox (``feeds.inbox``) and by ``cmcc import`` (``feeds.importers.columns``).

- ``read_bounded``: at most the size limit (plus one byte, to tell a file too large).
- ``decode_text``: UTF-8 (a byte-order mark dropped), or a rejection naming the line.
- ``read_rows`` (a file held whole) and ``stream_records`` (a file read a line at a time): JSON
  (a list, or ``{"kind": ..., "items": [...]}``), NDJSON and CSV, within ``feeds.limits``.
- ``Rejected``: what a file that cannot be read raises, with every problem in it.

No I/O beyond reading the one file, no store, no Textual.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from console.sanitize import clean_line
from feeds import limits
from feeds.parse import LongNumber, loads_bounded


@dataclass(frozen=True)
class Row:
    """One record of a file, with where it came from (``line 4`` or ``item 3``)."""

    where: str
    fields: dict[str, Any]


class Rejected(Exception):
    """``rows``: the records that could be read despite the errors (checked too, so every bad line is named)."""

    def __init__(self, errors: list[str], kind: str = "", *, rows: list[Any] | None = None):
        self.rows = rows
        errors = [clean_line(e, max_chars=400) for e in errors]  # they quote the file: outside text
        super().__init__(errors[0] if errors else "rejected")
        self.errors = errors
        self.kind = kind


def shown_name(name: str) -> str:
    """A file name fit for a terminal, a log or a report: escapes and controls gone, one line."""
    return clean_line(name, max_chars=255) or "(unnamed)"


def decode_text(body: bytes) -> str:
    """The file's text (UTF-8, a byte-order mark dropped); Rejected naming the line of the first bad byte."""
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = body[: error.start].count(b"\n") + 1
        raise Rejected([f"line {line}: not UTF-8 text (byte {error.start})"]) from None


def read_bounded(path: Path, max_bytes: int) -> bytes:
    """At most ``max_bytes`` + 1 bytes of the file: one more than allowed tells a file too large."""
    with path.open("rb") as handle:
        return handle.read(max_bytes + 1)


@dataclass(frozen=True)
class Record:
    """One record as ``stream_records`` yields it: its row, or the problems that kept it from being read.

    ``text`` is a CSV record's lines as they are in the file (a reject file repeats them), else "".
    """

    row: Row | None
    problems: tuple[str, ...] = ()
    text: str = ""


#: A line and its ending, split as a file opened with newline="" splits it: \n, \r\n or a lone \r.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def text_lines(text: str) -> Iterator[str]:
    """The lines of ``text`` (with their endings) one at a time, as csv.reader wants them.

    Slices of ``text``, not a copy of it: io.StringIO, which this replaces, held the whole text
    again at four bytes a character.
    """
    return (match.group() for match in _LINE.finditer(text))


def read_rows(name: str, text: str) -> tuple[str, list[Row]]:
    """(kind named inside the content or '', rows). Raises Rejected for an unreadable file."""
    if Path(name).suffix.lower() == ".json":
        return _json_rows(text)
    return "", _collect(stream_records(name, text_lines(text)))


def stream_records(name: str, lines: Iterable[str]) -> Iterator[Record]:
    """The records of a file given as its lines (``text_lines``), one at a time: what ``read_rows``
    reads, for a file too large to hold. Raises Rejected when the file as a whole cannot be read
    (an unknown extension, an empty CSV or a bad header line, a malformed JSON document).

    CSV and NDJSON are read a line at a time. A .json document is parsed whole: the standard
    library has no streaming JSON parser (callers bound its size).
    """
    suffix = Path(name).suffix.lower()
    if suffix == ".json":
        text = "".join(lines)
        _kind, items = _json_document(text)
        yield from _json_records(items, text)
    elif suffix in (".ndjson", ".jsonl"):
        yield from _ndjson_records(lines)
    elif suffix == ".csv":
        yield from _csv_records(lines)
    else:
        raise Rejected([f"file: {suffix or 'no extension'} is not a known format (use .json, .ndjson or .csv)"])


def _collect(records: Iterable[Record], kind: str = "") -> list[Row]:
    """Every row, or Rejected naming every record that could not be read (with the rows that could)."""
    rows: list[Row] = []
    errors: list[str] = []
    for record in records:
        if record.row is not None:
            rows.append(record.row)
        errors.extend(record.problems)
    if errors:
        raise Rejected(errors, kind, rows=rows)
    return rows


def _json_rows(text: str) -> tuple[str, list[Row]]:
    kind, items = _json_document(text)
    return kind, _collect(_json_records(items, text), kind)


def _json_document(text: str) -> tuple[str, list[Any]]:
    """(kind, items) of a JSON list of records or ``{"kind": ..., "items": [...]}``."""
    try:
        document = loads_bounded(text)
    except json.JSONDecodeError as error:
        raise Rejected([f"line {error.lineno}: malformed JSON: {error.msg} (column {error.colno})"]) from None
    except RecursionError:
        raise Rejected(["file: JSON nested too deeply"]) from None
    kind = ""
    if isinstance(document, dict):
        kind = document.get("kind", "")
        if not isinstance(kind, str):
            raise Rejected(["file: \"kind\" must be text"])
        document = document.get("items")
        if not isinstance(document, list):
            raise Rejected(["file: a JSON object needs an \"items\" list"])
    if not isinstance(document, list):
        raise Rejected(["file: JSON must be a list of records or {\"kind\": ..., \"items\": [...]}"])
    return kind.strip().lower(), document


def _json_records(items: list[Any], text: str) -> Iterator[Record]:
    for index, item in enumerate(items, start=1):
        yield _json_record(f"item {index}", item, text)


def _ndjson_records(lines: Iterable[str]) -> Iterator[Record]:
    """Every line checked, a malformed one too (every bad line is named, not only the first)."""
    number = 0
    for physical in lines:
        # Numbered as text.splitlines() numbered them before this read line by line (it also
        # splits at \v, \f, \x1c-\x1e, \x85, \u2028, \u2029): the same line numbers as ever.
        for line in physical.splitlines():
            number += 1
            if not line.strip():
                continue
            try:
                item = loads_bounded(line)
            except json.JSONDecodeError as error:
                yield Record(None, (f"line {number}: malformed JSON: {error.msg} (column {error.colno})",))
                continue
            except RecursionError:
                yield Record(None, (f"line {number}: malformed JSON: nested too deeply",))
                continue
            yield _json_record(f"line {number}", item)


def _json_record(where: str, item: object, text: str | None = None) -> Record:
    """A JSON record is an object of at most MAX_FIELDS_PER_ROW fields; anything else is an error at ``where``."""
    if not isinstance(item, dict):
        return Record(None, (f"{where}: not an object",))
    if len(item) > limits.MAX_FIELDS_PER_ROW:
        return Record(None, (f"{where}: {len(item)} fields, more than {limits.MAX_FIELDS_PER_ROW}",))
    long = [(k, v) for k, v in item.items() if isinstance(v, LongNumber)]
    if long:
        return Record(None, tuple(f"{where}: {clean_line(key, max_chars=40)}: {value.describe(text)}"
                                  for key, value in long))
    return Record(Row(where, item))


class _LinesRead:
    """The lines a csv.reader pulls, kept until taken: after each record, that record's text."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self._read: list[str] = []

    def __iter__(self) -> _LinesRead:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self._read.append(line)
        return line

    def take(self) -> str:
        text = "".join(self._read)
        self._read.clear()
        return text


def _csv_records(lines: Iterable[str]) -> Iterator[Record]:
    # strict: a quote never closed (or closed mid-field) is an error, not a field that silently
    # swallows every later line up to the next quote (records merged into one title).
    source = _LinesRead(lines)
    reader = csv.reader(source, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise Rejected(["file: empty CSV (a header line is needed)"]) from None
    except csv.Error as error:
        raise Rejected([_csv_problem(1, reader.line_num, error)]) from None
    if len(header) > limits.MAX_FIELDS_PER_ROW:
        raise Rejected([f"line 1: {len(header)} columns, more than {limits.MAX_FIELDS_PER_ROW}"])
    columns = [clean_line(h, max_chars=64).lower().strip() for h in header]
    if not any(columns):
        raise Rejected(["line 1: the header line names no columns"])
    if len(set(columns)) != len(columns):
        raise Rejected(["line 1: a column name appears twice"])
    source.take()
    start = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield Record(None, (_csv_problem(start, reader.line_num, error),))
            return  # the reader cannot resync after a broken quote
        where = f"line {start}"
        start = reader.line_num + 1
        text = source.take()  # csv.reader reads no further than the record it returns
        if not values or not any(v.strip() for v in values):
            continue
        if len(values) > len(columns):
            yield Record(None, (f"{where}: {len(values)} fields, the header has {len(columns)}",))
            continue
        too_long = [columns[i] for i, v in enumerate(values) if len(v) > limits.MAX_CSV_FIELD_CHARS]
        if too_long:
            yield Record(None, (f"{where}: {too_long[0]}: longer than {limits.MAX_CSV_FIELD_CHARS} characters",))
            continue
        yield Record(Row(where, dict(zip(columns, values))), text=text)


_PLACE = re.compile(r"^(?:line|item) (\d+)\b")


def in_file_order(messages: list[str]) -> list[str]:
    """Messages by their line or item number (stable: a line's own messages keep their order)."""
    def place(message: str) -> int:
        match = _PLACE.match(message)
        return int(match.group(1)) if match else 0
    return sorted(messages, key=place)


def _csv_problem(start: int, reached: int, error: csv.Error) -> str:
    """A broken quote, named at the line where its record (and so the quoted field) began."""
    text = str(error)
    if "end of data" in text or "expected after" in text or "quote" in text:
        where = f" (read to line {reached})" if reached > start else ""
        return (f"line {start}: unbalanced quote: a quoted field begins on this line and is not closed"
                f" properly{where}; nothing after it could be read")
    return f"line {start}: {clean_line(text, max_chars=120)}"
