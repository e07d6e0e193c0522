"""Partners in the center, their liaison officers, and stabilization-force contributors.

Officer fields arrive as text from two places, the officer form and the roster
import; ``console.model.partners.officer_from_fields`` turns both into an ``Officer`` with one message
per bad field, so a form shows the same words beside a field as an import
report shows beside a line.

The roster import is idempotent: an officer is found again by partner and
service number when the file gives one, else by partner and name
(case-insensitive). A row that matches changes only what differs; a row that
matches and differs in nothing writes nothing (no journal row either).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import aiosqlite

from console.model.access import Actor, Permission, may_widen, widens
from console.model.errors import PermissionDenied, StoreError, ValidationError
from console.model.isf import QUESTION_OPEN, QUESTION_SETTLED, Contributor, IsfStatus, OpenQuestion, check_pledges
from console.model.journal import Entity, StatusChange
from console.model.partners import (
    ROTATION_WARNING_DAYS,
    ImportCounts,
    Officer,
    Partner,
    PartnerKind,
    Presence,
    RosterCounts,
    RosterFilter,
    Shift,
    officer_from_fields,
)
from console.dtg import utc_now
from console.sanitize import clean_text
from console.store.database import Database
from console.store.batches import write_in_batches
from console.store.guard import check_version, require
from console.store.journal import record
from console.store.journal_reader import status_changes
from console.store.rows import (
    from_iso,
    inserted_id,
    origin_of,
    row_in,
    to_date,
    to_iso,
    visible_row_in,
    visible_to,
)

#: Columns stored from an Officer (besides the partner), compared on edit and re-import.
EDITABLE_OFFICER_COLUMNS = ("rank", "name", "service", "service_number", "cell", "role", "contact", "shift",
                            "rotation_start", "rotation_end", "releasability")


def partner_from_row(row: sqlite3.Row) -> Partner:
    return Partner(code=row["code"], name=row["name"], kind=PartnerKind(row["kind"]), cell=row["cell"], id=row["id"])


def officer_from_row(row: sqlite3.Row) -> Officer:
    return Officer(
        id=row["id"], rank=row["rank"], name=row["name"], partner_code=row["partner_code"], service=row["service"],
        cell=row["cell"], role=row["role"], contact=row["contact"], shift=Shift(row["shift"]),
        rotation_start=to_date(row["rotation_start"]), rotation_end=to_date(row["rotation_end"]),
        presence=Presence(row["presence"]), presence_changed_at=from_iso(row["presence_changed_at"]),
        releasability=row["releasability"], version=row["version"], service_number=row["service_number"],
    )


def contributor_from_row(row: sqlite3.Row) -> Contributor:
    return Contributor(
        id=row["id"], nation=row["nation"], status=IsfStatus(row["status"]), troops=row["troops"],
        police=row["police"], role_offered=row["role_offered"], caveats=row["caveats"],
        open_questions=row["open_questions"], notes=row["notes"], updated_at=from_iso(row["updated_at"]),
        version=row["version"],
    )


OFFICER_SELECT = "SELECT o.*, p.code AS partner_code FROM officers o JOIN partners p ON p.id = o.partner_id"
#: The roster import's match: by partner + service number. ``service_number <> ''`` repeats the
#: condition of the partial unique index (officers_service_number), without which SQLite may not
#: use it (it cannot prove that ``= ?`` is never ''): the match fell back to scanning the partner's
#: officers, and an import grew quadratically (40k rows in 151 s, 1M rows about a day).
MATCH_BY_NUMBER = "SELECT id FROM officers WHERE partner_id = ? AND service_number = ? AND service_number <> ''"
#: ... else by partner + name, case-insensitive (the officers_partner_name index).
MATCH_BY_NAME = "SELECT id FROM officers WHERE partner_id = ? AND name = ? COLLATE NOCASE ORDER BY id LIMIT 1"


def _officer_columns(officer: Officer) -> dict[str, Any]:
    return {
        "rank": officer.rank, "name": officer.name, "service": officer.service,
        "service_number": officer.service_number, "cell": officer.cell, "role": officer.role,
        "contact": officer.contact, "shift": officer.shift.value,
        "rotation_start": officer.rotation_start.isoformat() if officer.rotation_start else None,
        "rotation_end": officer.rotation_end.isoformat() if officer.rotation_end else None,
        "releasability": officer.releasability,
    }


class PartnerRepository:
    def __init__(self, database: Database):
        self.database = database

    # --- reads ---------------------------------------------------------------

    async def partners(self) -> list[Partner]:
        return [partner_from_row(r) for r in await self.database.fetchall("SELECT * FROM partners ORDER BY name")]

    async def partner_codes(self) -> list[str]:
        return [r[0] for r in await self.database.fetchall("SELECT code FROM partners ORDER BY code")]

    async def officers(self, actor: Actor, flt: RosterFilter | None = None, limit: int = 5000,
                       offset: int = 0) -> list[Officer]:
        """The officers ``actor`` may see that ``flt`` matches, by partner and name (``offset``: a
        page further on, as ``cmcc export roster`` reads them)."""
        clause, params = visible_to(actor, "o.releasability")
        parts = [clause]
        flt = flt or RosterFilter()
        if flt.partners:
            codes = sorted(flt.partners)
            parts.append("p.code IN (%s)" % ",".join(f":pc{i}" for i in range(len(codes))))
            params.update({f"pc{i}": c for i, c in enumerate(codes)})
        if flt.cell:
            parts.append("instr(lower(o.cell), lower(:cell)) > 0")
            params["cell"] = flt.cell
        if flt.shift:
            parts.append("o.shift = :shift")
            params["shift"] = flt.shift.value
        if flt.presence:
            parts.append("o.presence = :presence")
            params["presence"] = flt.presence.value
        for index, word in enumerate(flt.text.split()[:8]):
            parts.append(f"instr(lower(p.code || ' ' || o.rank || ' ' || o.name || ' ' || o.cell || ' ' || o.role),"
                         f" lower(:w{index})) > 0")
            params[f"w{index}"] = word
        params.update(limit=limit, offset=offset)
        rows = await self.database.fetchall(
            f"{OFFICER_SELECT} WHERE {' AND '.join(parts)} ORDER BY p.code, o.name, o.id"
            " LIMIT :limit OFFSET :offset", params)
        return [officer_from_row(r) for r in rows]

    async def roster_counts(self, actor: Actor, today: date) -> RosterCounts:
        """Everyone the actor may see, counted in SQL: on the floor per partner, and rotations ending
        within ROTATION_WARNING_DAYS (a summary built from a page of rows undercounts a big roster)."""
        clause, params = visible_to(actor, "o.releasability")
        params["soon"] = (today + timedelta(days=ROTATION_WARNING_DAYS)).isoformat()
        counts = await self.database.fetchone(
            f"SELECT count(*), coalesce(sum(o.rotation_end IS NOT NULL AND o.rotation_end <> ''"
            f" AND o.rotation_end <= :soon), 0) FROM officers o WHERE {clause}", params)
        total, ending = (counts[0], counts[1]) if counts is not None else (0, 0)  # one row: an aggregate
        rows = await self.database.fetchall(
            f"SELECT p.code, count(*) AS n FROM officers o JOIN partners p ON p.id = o.partner_id"
            f" WHERE o.presence = 'on_floor' AND {clause} GROUP BY p.code ORDER BY n DESC, p.code", params)
        return RosterCounts(int(total), tuple((row[0], int(row[1])) for row in rows), int(ending))

    async def officer(self, actor: Actor, officer_id: int) -> Officer | None:
        clause, params = visible_to(actor, "o.releasability")
        params["id"] = officer_id
        row = await self.database.fetchone(f"{OFFICER_SELECT} WHERE o.id = :id AND {clause}", params)
        return officer_from_row(row) if row else None

    async def contributors(self) -> list[Contributor]:
        rows = await self.database.fetchall("SELECT * FROM contributors ORDER BY troops + police DESC, nation")
        return [contributor_from_row(r) for r in rows]

    async def contributor(self, contributor_id: int) -> Contributor | None:
        row = await self.database.fetchone("SELECT * FROM contributors WHERE id = ?", (contributor_id,))
        return contributor_from_row(row) if row else None

    async def contributor_history(self, contributor_id: int) -> list[StatusChange]:
        """Every status change of one contributor, oldest first, with who and when (from the journal)."""
        rows = await self.database.fetchall(
            "SELECT at, actor, action, changes FROM journal WHERE entity = ? AND entity_id = ? ORDER BY id",
            (Entity.CONTRIBUTOR.value, contributor_id))
        return status_changes(rows)

    # --- officers ------------------------------------------------------------

    @staticmethod
    async def _partner_id(conn: aiosqlite.Connection, code: str) -> int:
        async with conn.execute("SELECT id FROM partners WHERE code = ?", (code,)) as cursor:
            row = await cursor.fetchone()
        if row is None:
            raise ValidationError({"partner": f"{code!r} is not a partner of the center"})
        return int(row[0])

    @staticmethod
    async def _current(conn: aiosqlite.Connection, actor: Actor, officer_id: int) -> Officer:
        return officer_from_row(await visible_row_in(conn, actor, OFFICER_SELECT, "o.id", officer_id, "officer",
                                                     column="o.releasability"))

    async def _check(self, officer: Officer) -> Officer:
        fields = {name: value for name, value in _officer_columns(officer).items() if value is not None}
        fields.update(partner=officer.partner_code, presence=officer.presence.value)
        cleaned, errors = officer_from_fields(fields, await self.partner_codes())
        if errors or cleaned is None:
            raise ValidationError(errors)
        return replace(cleaned, presence=officer.presence, id=officer.id, version=officer.version)

    async def create_officer(self, actor: Actor, officer: Officer) -> Officer:
        cleaned = await self._check(officer)
        async with self.database.write(actor) as (conn, actor):
            require(actor, Permission.CREATE, "add officers to the roster")
            new_id = await self._insert_officer(conn, actor, cleaned)
        return replace(cleaned, id=new_id, version=1)

    async def _insert_officer(self, conn: aiosqlite.Connection, actor: Actor, officer: Officer) -> int:
        values = _officer_columns(officer)
        values.update(partner_id=await self._partner_id(conn, officer.partner_code), presence=officer.presence.value,
                      presence_changed_at=to_iso(utc_now()), origin_nation=origin_of(actor))
        columns = ", ".join(values)
        cursor = await conn.execute(
            f"INSERT INTO officers ({columns}) VALUES ({', '.join(':' + c for c in values)})", values)
        new_id = inserted_id(cursor)
        await record(conn, actor, Entity.OFFICER, new_id, "create",
                     {"partner": officer.partner_code, **_officer_columns(officer),
                      "presence": officer.presence.value, "partner_id": values["partner_id"],
                      "origin_nation": values["origin_nation"]})
        return new_id

    async def update_officer(self, actor: Actor, officer: Officer, expected_version: int | None = None) -> Officer:
        """Save an edited officer. Refused (StaleRecord) if someone saved it since ``expected_version``."""
        if officer.id is None:
            raise StoreError("an officer to edit needs its id")
        cleaned = await self._check(officer)
        async with self.database.write(actor) as (conn, actor):
            require(actor, Permission.EDIT, "edit officers")
            current = await self._current(conn, actor, officer.id)
            check_version("officer", officer.id, expected_version, current.version)
            await self._apply_update(conn, actor, current, cleaned, "edit")
        return await self.officer(actor, officer.id) or cleaned

    async def _apply_update(self, conn: aiosqlite.Connection, actor: Actor, current: Officer, new: Officer,
                            action: str) -> bool:
        old_values, new_values = _officer_columns(current), _officer_columns(new)
        changed = {k: [old_values[k], new_values[k]] for k in EDITABLE_OFFICER_COLUMNS
                   if old_values[k] != new_values[k]}
        assignments = {k: v[1] for k, v in changed.items()}
        if new.partner_code != current.partner_code:
            assignments["partner_id"] = await self._partner_id(conn, new.partner_code)
            changed["partner"] = [current.partner_code, new.partner_code]
        if not changed:
            return False
        if "releasability" in changed and widens(*changed["releasability"]):
            origin = (await row_in(conn, "SELECT origin_nation FROM officers WHERE id = ?", (current.id,),
                                   f"officer {current.id} does not exist"))[0]
            if not may_widen(actor, origin):
                raise PermissionDenied(f"{actor.name} may not widen {current.name}'s releasability: only the"
                                       f" originating nation ({origin or 'none recorded'}) or a watch officer may")
        sets = ", ".join(f"{k} = :{k}" for k in assignments)
        await conn.execute(f"UPDATE officers SET {sets}, version = version + 1 WHERE id = :id",
                           {**assignments, "id": current.id})
        await record(conn, actor, Entity.OFFICER, current.id, action, {"name": new.name, **changed})
        return True

    async def set_presence(self, actor: Actor, officer_id: int, presence: Presence,
                           expected_version: int | None = None) -> Officer:
        async with self.database.write(actor) as (conn, actor):
            require(actor, Permission.EDIT, "change presence")
            current = await self._current(conn, actor, officer_id)
            check_version("officer", officer_id, expected_version, current.version)
            return await self._set_presence(conn, actor, current, presence)

    async def cycle_presence(self, actor: Actor, officer_id: int) -> Officer:
        """On floor -> away -> off shift -> on floor, from whatever is stored now."""
        async with self.database.write(actor) as (conn, actor):
            require(actor, Permission.EDIT, "change presence")
            current = await self._current(conn, actor, officer_id)
            return await self._set_presence(conn, actor, current, current.presence.next)

    @staticmethod
    async def _set_presence(conn: aiosqlite.Connection, actor: Actor, current: Officer,
                            presence: Presence) -> Officer:
        now = utc_now().replace(microsecond=0)
        await conn.execute(
            "UPDATE officers SET presence = ?, presence_changed_at = ?, version = version + 1 WHERE id = ?",
            (presence.value, to_iso(now), current.id))
        await record(conn, actor, Entity.OFFICER, current.id, "presence",
                     {"name": current.name, "presence": [current.presence.value, presence.value]})
        return replace(current, presence=presence, presence_changed_at=now, version=current.version + 1)

    # --- the roster import -----------------------------------------------------

    async def import_officers(self, actor: Actor, officers: Sequence[Officer]) -> ImportCounts:
        """Create or update officers from an import, in short transactions (console/store/batches.py)."""
        counts = await write_in_batches(self.database, actor, officers, self.upsert_officers_in)
        return ImportCounts(sum(c.created for c in counts), sum(c.updated for c in counts),
                            sum(c.unchanged for c in counts))

    async def upsert_officers_in(self, conn: aiosqlite.Connection, actor: Actor,
                                 officers: Sequence[Officer]) -> ImportCounts:
        """In the caller's transaction: officers matched by partner + service number, else partner + name.

        A matched officer gets only the fields that differ; presence is kept unless the row gave one.
        """
        require(actor, Permission.CREATE, "import the roster")
        created = updated = unchanged = 0
        partner_ids: dict[str, int] = {}
        for officer in officers:
            partner_id = partner_ids.get(officer.partner_code)
            if partner_id is None:
                partner_id = partner_ids[officer.partner_code] = await self._partner_id(conn, officer.partner_code)
            sql, key = ((MATCH_BY_NUMBER, officer.service_number) if officer.service_number
                        else (MATCH_BY_NAME, officer.name))
            async with conn.execute(sql, (partner_id, key)) as cursor:
                found = await cursor.fetchone()
            if found is None:
                await self._insert_officer(conn, actor, officer)
                created += 1
                continue
            current = await self._current(conn, actor, int(found[0]))
            new = replace(officer, service_number=officer.service_number or current.service_number)
            changed = await self._apply_update(conn, actor, current, new, "import")
            if officer.presence is not current.presence and officer.presence_changed_at is not None:
                await self._set_presence(conn, actor, replace(current, name=new.name), officer.presence)
                changed = True
            updated += changed
            unchanged += not changed
        return ImportCounts(created, updated, unchanged)

    # --- stabilization-force contributors -----------------------------------------

    @staticmethod
    async def _contributor_in(conn: aiosqlite.Connection, contributor_id: int) -> Contributor:
        return contributor_from_row(await row_in(conn, "SELECT * FROM contributors WHERE id = ?", (contributor_id,),
                                                 f"contributor {contributor_id} does not exist"))

    async def set_contributor_status(self, actor: Actor, contributor_id: int, status: IsfStatus, note: str = "",
                                     *, troops: int | None = None, police: int | None = None,
                                     expected_version: int | None = None) -> Contributor:
        """Record a new status (and, with it, the pledged numbers); the note says why."""
        note = clean_text(note, max_chars=2000)
        if errors := check_pledges(troops, police):
            raise ValidationError(errors)
        async with self.database.write(actor) as (conn, actor):
            require(actor, Permission.EDIT, "change a contributor's status")
            current = await self._contributor_in(conn, contributor_id)
            check_version("contributor", contributor_id, expected_version, current.version)
            changes: dict[str, Any] = {"nation": current.nation}
            if status is not current.status:
                changes["status"] = [current.status.value, status.value]
            for name, value in (("troops", troops), ("police", police)):
                if value is not None and value != getattr(current, name):
                    changes[name] = [getattr(current, name), value]
            if len(changes) == 1:
                if not note:
                    return current
                changes["status"] = [current.status.value, status.value]
            notes = current.notes
            if note:
                stamp = utc_now().strftime("%d%H%MZ %b %y").upper()
                notes = (notes + "\n" if notes else "") + f"{stamp} {actor.login}: {note}"
                changes.update(note=note, stamp=stamp)  # replay appends the same line to notes
            now = utc_now()
            await conn.execute(
                "UPDATE contributors SET status = ?, troops = ?, police = ?, notes = ?, updated_at = ?,"
                " version = version + 1 WHERE id = ?",
                (status.value, current.troops if troops is None else troops,
                 current.police if police is None else police, notes, to_iso(now), contributor_id))
            await record(conn, actor, Entity.CONTRIBUTOR, contributor_id, "status", changes)
        return await self.contributor(contributor_id) or current

    async def toggle_question(self, actor: Actor, contributor_id: int, question: OpenQuestion) -> str:
        """Open <-> settled for one question; returns the new state."""
        async with self.database.write(actor) as (conn, actor):
            require(actor, Permission.EDIT, "settle or reopen a contributor's question")
            current = await self._contributor_in(conn, contributor_id)
            questions = {q.value: s for q, s in current.questions.items()}
            old = questions[question.value]
            questions[question.value] = QUESTION_SETTLED if old == QUESTION_OPEN else QUESTION_OPEN
            await conn.execute(
                "UPDATE contributors SET open_questions = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                (json.dumps(questions, sort_keys=True), to_iso(utc_now()), contributor_id))
            await record(conn, actor, Entity.CONTRIBUTOR, contributor_id, "question",
                         {"nation": current.nation, "question": question.value,
                          "state": [old, questions[question.value]]})
        return questions[question.value]
