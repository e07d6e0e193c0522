"""What an importer is: ``Importer`` (validate every row, then write inside the inbox's
transaction), the ``ImportContext`` it validates in, and ``RowErrors``, where it names every bad field.

Every importer module (``feeds.importers.*``) builds one ``Importer`` from these, and
``feeds.importers.registry`` lists them all; nothing here imports an importer or the inbox.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from console.model.access import Actor
from console.sanitize import clean_line
from feeds.readers import Row

if TYPE_CHECKING:
    from console.store import Store
    from console.store.database import Connection


class RowErrors:
    """Every problem found in a file, by place and field."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, field_name: str, message: str) -> None:
        # The one place row errors are built: keys and values quoted from the file are outside text,
        # and these lines reach stdout, logs, notices and report files (cleaned as titles are).
        where, field_name = clean_line(where, max_chars=60), clean_line(field_name, max_chars=60)
        message = clean_line(message, max_chars=400)
        self.items.append(f"{where}: {field_name}: {message}" if field_name else f"{where}: {message}")

    def __bool__(self) -> bool:
        return bool(self.items)


@dataclass(frozen=True)
class Importer:
    """Validate all rows (no I/O), then write them inside the inbox's transaction.

    ``validate(rows, context)`` returns the records, adding to ``errors`` for each
    bad field. ``write(store, conn, actor, records)`` runs inside the transaction
    that also records the file's hash (or, for a large file of an idempotent kind,
    once per batch before it: ``Inbox._write``), and returns how many records it
    wrote. It must only use connection-level store functions (not methods that
    open their own transaction).
    """

    kind: str
    validate: Callable[[list[Row], "ImportContext", RowErrors], list[Any]]
    write: Callable[[Store, Connection, Actor, list[Any]], Awaitable[int]]
    #: ``check(store, records)``: errors found by reading the store (an unknown partner), before
    #: anything is written, so that a large file written in batches is refused whole.
    check: Callable[[Store, list[Any]], Awaitable[list[str]]] | None = None
    #: The columns a record may have (and other names for them), for a CSV header checked once.
    columns: tuple[str, ...] = ()
    aliases: Mapping[str, str] = field(default_factory=dict)
    #: Writing the same records twice changes nothing (they are matched, or ignored as duplicates):
    #: a large file may then be written in short transactions (console/store/batches.py).
    idempotent: bool = False


@dataclass(frozen=True)
class ImportContext:
    file_name: str
    actor: Actor
