"""``cmcc journal verify``: the hash chain, the witnesses, and every record replayed from the journal.

On SQLite whoever can write the file can write anything, triggers included. What shows it:

1. **The chain.** Every journal row's hash covers its content and the previous row's hash:
   an edited row no longer matches its hash, rows deleted from the middle leave a gap in the
   ids and a broken link.
2. **The witnesses.** Deleting the newest rows leaves a shorter chain that is still whole, so
   the head is remembered outside the file: each console and poller keeps the newest row it has
   seen (id and hash) in its operator's state folder (``console/witness.py``), and each signed
   handover carries the head in its journal row. A witness naming row N with hash H fails when
   row N is missing or its hash is not H.
3. **The replay.** Create rows carry a record's values, later rows the values they change
   (``{field: [old, new]}`` or the new value); folding them gives what every record should be
   now, compared field by field with its table row. A table row with no journal row at all,
   and a record the journal created but never deleted that is gone, are findings too.

Everything is read in one read transaction on its own connection (a consistent snapshot while
consoles keep writing), with the standard ``sqlite3`` module in a worker thread: the journal is
scanned once in id order for the chain, then once per entity along the ``journal_entity`` index
(entity, entity_id, id), merged with the table read in id order. Memory stays flat whatever the
size (a million headlines); no query per record.

Columns the replay does not compare, and why that is safe, are listed per table in ``SPECS``
(``excluded``). Columns set to "now" by a write that does not carry the value are compared with
the time of the journal row that made the change (``Stamp``), within ``STAMP_TOLERANCE``.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeAlias

from console.model.access import Role
from console.model.aid import DUAL_USE_DECISIONS
from console.sanitize import clean_line
from console.store.journal import SEALED_COLUMNS, row_hash, seal

#: A column stamped with the time of a write is within this of the journal row's own time.
STAMP_TOLERANCE = 120.0

_UNKNOWN = object()  # the journal does not say (older rows did not carry the column)
_DECISIONS = frozenset(s.value for s in DUAL_USE_DECISIONS)
_ROLE_BY_LABEL = {r.label: int(r) for r in Role} | {r.name.lower(): int(r) for r in Role}

#: What the journal says a record's columns are now: column -> value (JSON's, a Stamp, or _UNKNOWN).
State: TypeAlias = dict[str, Any]
#: One journal row's ``changes``, parsed.
Payload: TypeAlias = dict[str, Any]
#: A journal row as ``_entity`` reads it: entity_id, id, at, actor, action, changes.
_EntityRow: TypeAlias = tuple[int, int, str, str, str, str | None]


@dataclass(frozen=True)
class Stamp:
    """The time of the journal row that set the column."""

    at: str


@dataclass(frozen=True)
class Witness:
    """Someone saw journal row ``row_id`` with ``row_hash``; ``source`` says who (for the message)."""

    row_id: int
    row_hash: str
    source: str


@dataclass
class IntegrityReport:
    rows: int = 0
    records: int = 0
    head: tuple[int, str] = (0, "")
    findings: list[str] = field(default_factory=list)
    witnesses_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.findings


@dataclass(frozen=True)
class Spec:
    """How one entity's journal rows fold into its table's rows."""

    entity: str
    table: str
    creates: frozenset[str]
    deletes: frozenset[str] = frozenset()
    #: column -> why it is not compared
    excluded: dict[str, str] = field(default_factory=dict)
    #: payload key -> column
    aliases: dict[str, str] = field(default_factory=dict)
    #: columns a create row sets from the row itself when it does not carry them: "at" or "actor"
    create_stamps: dict[str, str] = field(default_factory=dict)
    #: action -> {column: "at" | "actor"}
    row_stamps: dict[str, dict[str, str]] = field(default_factory=dict)
    #: columns older journals did not carry: unknown (not compared) unless the create row has them
    optional: frozenset[str] = frozenset()


_VERSION = "the optimistic-lock counter: changing it can only make a save look stale (refused, never applied)"
_UPDATED = ("bookkeeping of when the row last changed: the journal's own times are the record of that;"
            " it is not written by every change (acknowledgements, links), so it cannot be replayed exactly")


def _fold_operator(state: State) -> None:
    role = state.get("role")
    if isinstance(role, str):
        state["role"] = _ROLE_BY_LABEL.get(role, role)


def _fold_dual_use(state: State, action: str, changes: Payload, at: str) -> None:
    if action == "transition":
        status = changes.get("status")
        new = status[1] if isinstance(status, list) else status
        state["decision_note"] = state.get("decision_note") if new not in _DECISIONS else changes.get("note", "")
        if new in _DECISIONS:
            state["decided_at"] = Stamp(at)
        state["status"] = new


def _fold_contributor(state: State, action: str, changes: Payload, at: str, actor: str) -> None:
    if action == "status" and changes.get("note"):
        notes = state.get("notes", _UNKNOWN)
        if "stamp" not in changes or notes is _UNKNOWN:
            state["notes"] = _UNKNOWN
        else:
            state["notes"] = (notes + "\n" if notes else "") + f"{changes['stamp']} {actor}: {changes['note']}"
    elif action == "question":
        questions = state.get("open_questions", _UNKNOWN)
        if questions is _UNKNOWN or "question" not in changes:
            state["open_questions"] = _UNKNOWN
            return
        questions = dict(json.loads(questions) if isinstance(questions, str) else questions)
        value = changes.get("state")
        questions[changes["question"]] = value[1] if isinstance(value, list) else value
        state["open_questions"] = questions


def _fold_feed(state: State, action: str, changes: Payload, at: str) -> None:
    if action == "health":
        seen = state.get("items_seen", 0)
        state["items_seen"] = _UNKNOWN if seen is _UNKNOWN else seen + int(changes.get("new_items") or 0)
        if changes.get("ok") is False:
            state["last_error"] = changes.get("error", "")
            state["last_error_at"] = Stamp(at)
    elif action == "edit":
        state["consecutive_failures"] = 0  # retargeting starts the backoff over


SPECS: tuple[Spec, ...] = (
    Spec("operator", "operators", frozenset({"add", "seed"}), frozenset({"remove"}),
         create_stamps={"created_at": "at"}),
    Spec("crossing", "crossings", frozenset({"seed"}),
         aliases={"reason": "status_reason", "at": "status_changed_at"}),
    Spec("partner", "partners", frozenset({"seed"})),
    Spec("plan_point", "plan_points", frozenset({"seed"}), excluded={"version": _VERSION},
         row_stamps={"update": {"changed_at": "at", "changed_by": "actor"},
                     "note": {"changed_at": "at", "changed_by": "actor"}}),
    Spec("contributor", "contributors", frozenset({"seed"}),
         excluded={"version": _VERSION, "updated_at": _UPDATED}),
    Spec("officer", "officers", frozenset({"create", "seed"}), excluded={"version": _VERSION},
         create_stamps={"presence_changed_at": "at"}, row_stamps={"presence": {"presence_changed_at": "at"}},
         optional=frozenset({"origin_nation"})),
    Spec("incident", "incidents", frozenset({"create", "seed"}),
         excluded={"version": _VERSION, "updated_at": _UPDATED},
         aliases={"by": "acknowledged_by"}, row_stamps={"acknowledge": {"acknowledged_at": "at"}}),
    Spec("movement", "movements", frozenset({"create", "import", "seed"}),
         excluded={"version": _VERSION, "updated_at": _UPDATED},
         aliases={"note": "status_note"}, create_stamps={"created_at": "at"},
         optional=frozenset({"origin_nation"})),
    Spec("dual_use", "dual_use_requests", frozenset({"create", "seed"}),
         excluded={"version": _VERSION, "updated_at": _UPDATED}),
    Spec("feed", "feeds", frozenset({"add", "seed"}), frozenset({"remove"}),
         excluded={
             "last_success_at": "written by every poll; a quiet healthy poll is not journaled (by design)",
             "next_poll_at": "when the poller looks next: scheduling, written by every poll",
             "etag": "HTTP caching bookkeeping, written by every poll",
             "health_note": "what the latest good poll noticed (entries skipped, a header dropped): every poll",
             "last_modified": "HTTP caching bookkeeping, written by every poll",
         }, optional=frozenset({"header_env"})),
    # A headline's add row carries its feed, source, marking and title in clear and the rest as a
    # digest (``sealed``; older rows did not): those columns are unknown unless carried.
    Spec("headline", "headlines", frozenset({"add", "seed"}),
         optional=frozenset({"link", "summary", "guid", "watch_hits", "read"})),
    Spec("log", "log_entries", frozenset({"log"}), create_stamps={"at": "at", "author": "actor"}),
    Spec("handover", "handovers", frozenset({"sign"}),
         excluded={"brief": "checked against its own brief_hash, which is compared with the journal's"},
         create_stamps={"signed_by": "actor", "signed_at": "at"},
         row_stamps={"acknowledge": {"acknowledged_by": "actor", "acknowledged_at": "at"}}),
)


def _parse_default(text: str | None) -> object:
    if text is None:
        return None
    text = text.strip()
    if text.upper() == "NULL":
        return None
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return _UNKNOWN


def _when(value: object) -> datetime | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def same(table: object, expected: object) -> bool:
    """Does the table's value say what the journal says?"""
    if isinstance(expected, Stamp):
        made, now = _when(expected.at), _when(table)
        return made is not None and now is not None and abs((now - made).total_seconds()) <= STAMP_TOLERANCE
    if table == expected:
        return True
    if isinstance(table, (int, float)) and isinstance(expected, (int, float)):
        return float(table) == float(expected)
    if isinstance(table, str) and isinstance(expected, dict):  # a JSON column (open_questions)
        try:
            return bool(json.loads(table) == expected)
        except ValueError:
            return False
    if isinstance(table, str) and isinstance(expected, str):
        a, b = _when(table), _when(expected)
        return a is not None and a == b
    return False


def _shown(value: object) -> str:
    if isinstance(value, Stamp):
        return f"about {value.at} (the time of its journal row)"
    if isinstance(value, dict):
        value = json.dumps(value, sort_keys=True)
    return clean_line(repr(value) if isinstance(value, str) else str(value), max_chars=60)


class _Verifier:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.report = IntegrityReport()
        self.handover_heads: list[Witness] = []
        self.archive_rows: list[int] = []
        self.removed_feeds: set[int] = set()
        self.partner_ids: dict[str, int] = {}
        self.incident_notes: dict[int, State] = {}
        self.plan_notes: dict[int, State] = {}
        #: (plan point id, note text) -> how many notes the journal made without an id
        self.unnumbered_notes: dict[tuple[int | None, str | None], int] = {}

    def finding(self, text: str) -> None:
        self.report.findings.append(text)

    # --- 1. the chain ------------------------------------------------------------

    def chain(self) -> None:
        prev_hash, expected_id, checked = "", None, 0
        cursor = self.conn.execute(
            "SELECT id, at, actor, origin, entity, entity_id, action, changes, prev_hash, hash"
            " FROM journal ORDER BY id")
        for row in cursor:
            checked += 1
            row_id = row[0]
            if expected_id is not None and row_id != expected_id:
                gap = (f"journal row {expected_id} is missing" if row_id == expected_id + 1 else
                       f"journal rows {expected_id}-{row_id - 1} are missing")
                self.finding(f"{gap} (deleted from the middle: row {row_id}'s link no longer matches)")
            elif row[8] != prev_hash:
                self.finding(f"journal row {row_id} field prev_hash: does not link to row {row_id - 1}"
                             " (rows before it were deleted or replaced)")
            if row_hash(row[8], *row[1:8]) != row[9]:
                self.finding(f"journal row {row_id} field hash: its content does not match its hash (edited)")
            if row[4] == "handover" and row[6] == "sign":
                head = _loads(row[7]).get("head")
                if isinstance(head, list) and len(head) == 2 and head[0]:
                    self.handover_heads.append(Witness(int(head[0]), str(head[1]),
                                                       f"the handover signed in journal row {row_id}"))
            elif row[4] == "headline" and row[5] is None and row[6] == "archive":
                self.archive_rows.append(row_id)
            prev_hash, expected_id = row[9], row_id + 1
            self.report.head = (row_id, row[9])
        self.report.rows = checked

    # --- 2. the witnesses ---------------------------------------------------------

    def witnesses(self, witnesses: Iterable[Witness]) -> None:
        last_id = self.report.head[0]
        for witness in [*witnesses, *self.handover_heads]:
            self.report.witnesses_checked += 1
            found = self.conn.execute("SELECT hash FROM journal WHERE id = ?", (witness.row_id,)).fetchone()
            saw = f"{witness.source} saw it with hash {witness.row_hash[:12]}"
            if found is None and witness.row_id > last_id:
                self.finding(f"journal row {witness.row_id} is missing: {saw}; the newest rows (after row"
                             f" {last_id}) were deleted")
            elif found is None:
                self.finding(f"journal row {witness.row_id} is missing: {saw}")
            elif found[0] != witness.row_hash:
                self.finding(f"journal row {witness.row_id} field hash: is {found[0][:12]}, but {saw}"
                             " (the journal was rewritten or rows after a deletion took its place)")

    # --- 3. the replay -------------------------------------------------------------

    def replay(self) -> None:
        self.partner_ids = {code: pid for pid, code in self.conn.execute("SELECT id, code FROM partners")}
        for spec in SPECS:
            self._entity(spec)
        self._notes("incident note", "incident_notes", self.incident_notes)
        self._notes("plan point note", "plan_point_notes", self.plan_notes)

    def _columns(self, table: str) -> tuple[list[str], dict[str, object]]:
        info = self.conn.execute(f"PRAGMA table_info({table})").fetchall()
        names = [r[1] for r in info]
        defaults = {r[1]: (_parse_default(r[4]) if r[4] is not None else (_UNKNOWN if r[3] else None))
                    for r in info}
        return names, defaults

    def _entity(self, spec: Spec) -> None:
        names, defaults = self._columns(spec.table)
        columns = set(names)
        journal = self.conn.execute(
            "SELECT entity_id, id, at, actor, action, changes FROM journal"
            " WHERE entity = ? AND entity_id IS NOT NULL ORDER BY entity_id, id", (spec.entity,))
        table = self.conn.execute(f"SELECT {', '.join(names)} FROM {spec.table} ORDER BY id")
        pending = next(journal, None)
        record = next(table, None)
        while pending is not None or record is not None:
            record_id = record[0] if record is not None else None
            if pending is not None and (record_id is None or pending[0] <= record_id):
                entity_id = pending[0]
                rows: list[_EntityRow] = []
                while pending is not None and pending[0] == entity_id:
                    rows.append(pending)
                    pending = next(journal, None)
                state = self._fold(spec, rows, columns, defaults)
                if record is not None and record_id == entity_id:
                    self._compare(spec, entity_id, state, dict(zip(names, record)), rows[-1][1])
                    record = next(table, None)
                elif state is not None and not self._gone_by_design(spec, state, rows[-1][1], entity_id):
                    self.finding(f"{_label(spec.entity)} {entity_id}: journal row {rows[-1][1]} says it exists,"
                                 f" but it is not in the {spec.table} table (deleted without a journal row)")
            else:
                self.finding(f"{_label(spec.entity)} {record_id}: in the {spec.table} table with no journal row"
                             " (written behind the journal's back)")
                record = next(table, None)

    def _gone_by_design(self, spec: Spec, state: State, last_row: int, entity_id: int) -> bool:
        if spec.entity == "headline":  # `cmcc archive` moves old headlines out with one journal row
            return any(row > last_row for row in self.archive_rows)
        return False

    def _fold(self, spec: Spec, rows: Sequence[_EntityRow], columns: set[str],
              defaults: dict[str, object]) -> State | None:
        state: State | None = None
        for entity_id, _row_id, at, actor, action, body in rows:
            changes = _loads(body)
            if action in spec.creates:
                state = dict(defaults)
                state["id"] = entity_id
                for column in spec.optional if action != "seed" else ():  # the seed carries every column
                    state[column] = _UNKNOWN
                for column, source in spec.create_stamps.items():
                    state[column] = Stamp(at) if source == "at" else actor
                for key, value in changes.items():
                    column = spec.aliases.get(key, key)
                    if column in columns:
                        state[column] = value
                if "sealed" in changes:  # the digest stands for the columns it covers
                    state["__sealed__"] = changes["sealed"]
                    for column in SEALED_COLUMNS.get(spec.entity, ()):
                        if column not in changes:
                            state[column] = _UNKNOWN
            elif action in spec.deletes:
                state = None
                if spec.entity == "feed":
                    self.removed_feeds.add(entity_id)
                continue
            elif state is None:
                state = {"__orphan__": action}  # a change to a record the journal never created
                continue
            else:
                for key, value in changes.items():
                    column = spec.aliases.get(key, key)
                    if column in columns and column != "id":
                        state[column] = value[1] if isinstance(value, list) and len(value) == 2 else value
            for column, source in spec.row_stamps.get(action, {}).items():
                state[column] = Stamp(at) if source == "at" else actor
            self._fold_special(spec, state, action, changes, at, actor, entity_id)
        return state

    def _fold_special(self, spec: Spec, state: State, action: str, changes: Payload, at: str, actor: str,
                      entity_id: int) -> None:
        entity = spec.entity
        if entity == "operator":
            _fold_operator(state)
        elif entity == "officer":
            if "partner" in changes and "partner_id" not in changes:
                code = changes["partner"][1] if isinstance(changes["partner"], list) else changes["partner"]
                state["partner_id"] = self.partner_ids.get(code, _UNKNOWN)
        elif entity == "dual_use":
            _fold_dual_use(state, action, changes, at)
        elif entity == "contributor":
            _fold_contributor(state, action, changes, at, actor)
        elif entity == "feed":
            _fold_feed(state, action, changes, at)
        elif entity == "incident" and changes.get("note_id") and changes.get("note"):
            marking = changes.get("note_releasability", "ALL" if action == "transition" else _UNKNOWN)
            self.incident_notes[int(changes["note_id"])] = {
                "incident_id": entity_id, "text": changes["note"], "author": actor, "created_at": Stamp(at),
                "releasability": marking, "origin_nation": ""}
        elif entity == "plan_point" and changes.get("note_id") and changes.get("note"):
            self.plan_notes[int(changes["note_id"])] = {
                "point_id": entity_id, "text": changes["note"], "author": actor, "created_at": Stamp(at)}
        elif entity == "plan_point" and action == "update" and changes.get("note"):
            # a status change's note, journaled before its row carried the note's id: matched by text
            key = (entity_id, changes["note"])
            self.unnumbered_notes[key] = self.unnumbered_notes.get(key, 0) + 1

    def _compare(self, spec: Spec, entity_id: int, state: State | None, row: dict[str, Any], last_row: int) -> None:
        label = f"{_label(spec.entity)} {entity_id}"
        if state is None:
            self.finding(f"{label}: journal row {last_row} deleted it, but it is in the {spec.table} table")
            return
        if "__orphan__" in state:
            self.finding(f"{label}: in the {spec.table} table, but the journal never created it"
                         f" (only a {state['__orphan__']!r} row)")
            return
        before = len(self.report.findings)
        for column, table_value in row.items():
            if column in spec.excluded:
                continue
            expected = state.get(column, _UNKNOWN)
            if expected is _UNKNOWN:
                continue
            if spec.entity == "headline" and column == "title":
                ok = isinstance(table_value, str) and table_value[:200] == str(expected)[:200]
            elif spec.entity == "headline" and column == "feed_id":
                ok = same(table_value, expected) or (table_value is None and expected in self.removed_feeds)
            else:
                ok = same(table_value, expected)
            if not ok:
                self.finding(f"{label} field {column}: table says {_shown(table_value)},"
                             f" journal says {_shown(expected)}")
        sealed = state.get("__sealed__")
        if sealed is not None and spec.entity in SEALED_COLUMNS and seal(spec.entity, row) != sealed:
            self.finding(f"{label} field {'|'.join(SEALED_COLUMNS[spec.entity])}: the table's values do not"
                         " match the digest its journal row sealed")
        if spec.entity == "handover" and isinstance(row.get("brief"), str):
            if hashlib.sha256(row["brief"].encode("utf-8")).hexdigest() != row.get("brief_hash"):
                self.finding(f"{label} field brief: does not match its brief_hash (the signed brief was edited)")
        if len(self.report.findings) == before:
            self.report.records += 1

    def _notes(self, entity: str, table: str, expected: dict[int, State]) -> None:
        names, _defaults = self._columns(table)
        spec = Spec(entity.replace(" ", "_"), table, frozenset())
        for record in self.conn.execute(f"SELECT {', '.join(names)} FROM {table} ORDER BY id"):
            row = dict(zip(names, record))
            state = expected.pop(row["id"], None)
            key = (row.get("point_id"), row.get("text"))
            if state is None and self.unnumbered_notes.get(key):
                self.unnumbered_notes[key] -= 1
                state = {"point_id": key[0], "text": key[1]}
            if state is None:
                self.finding(f"{entity} {row['id']}: in the {table} table with no journal row"
                             " (written behind the journal's back)")
                continue
            self._compare(spec, row["id"], {"id": row["id"], **state}, row, 0)
        for note_id in sorted(expected):
            self.finding(f"{entity} {note_id}: the journal records it, but it is not in the {table} table")


def _label(entity: str) -> str:
    return entity.replace("_", " ")


def _loads(body: str | None) -> Payload:
    try:
        value = json.loads(body or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def verify_file(path: str | Path, witnesses: Sequence[Witness] = ()) -> IntegrityReport:
    """Check the database at ``path`` (blocking: run it in a thread). Read the witnesses before
    calling: the snapshot taken here then holds every row they can name."""
    conn = sqlite3.connect(Path(path), isolation_level=None)
    try:
        conn.execute("PRAGMA query_only = 1")
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("BEGIN")  # one snapshot for every read below
        verifier = _Verifier(conn)
        verifier.chain()
        verifier.witnesses(witnesses)
        verifier.replay()
        conn.execute("COMMIT")
        return verifier.report
    finally:
        conn.close()


async def verify(path: str | Path, witnesses: Sequence[Witness] = ()) -> IntegrityReport:
    import asyncio

    return await asyncio.to_thread(verify_file, path, witnesses)
