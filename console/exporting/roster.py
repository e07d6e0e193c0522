"""``cmcc export roster``: the liaison officers the Partners pane lists, by partner and name.

The columns are the roster import's own (``feeds.importers.roster``), so the file imports back
with ``cmcc import roster`` (or dropped in the inbox as ``roster-*.csv``): an officer is found again
by partner and service number, else by partner and name, and importing it twice changes nothing.
There is no ``id`` column: in a roster file ``id`` means the service number. The roster is not
dated, so ``--since`` does not narrow it: every officer the reader may see is written.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import TextIO

from console.exporting.formats import write_records

#: The roster import's columns (``console.store.partners.OFFICER_FIELDS``), in its order.
COLUMNS = ("partner", "rank", "name", "service", "service_number", "cell", "role", "contact", "shift",
           "rotation_start", "rotation_end", "presence", "releasability")
PAGE = 2000


def officer_as_dict(officer) -> dict:
    """An officer as the roster import reads it."""
    return {
        "partner": officer.partner_code, "rank": officer.rank, "name": officer.name, "service": officer.service,
        "service_number": officer.service_number, "cell": officer.cell, "role": officer.role,
        "contact": officer.contact, "shift": officer.shift.value,
        "rotation_start": officer.rotation_start.isoformat() if officer.rotation_start else None,
        "rotation_end": officer.rotation_end.isoformat() if officer.rotation_end else None,
        "presence": officer.presence.value, "releasability": officer.releasability,
    }


async def export_roster(store, actor, since: timedelta | None, fmt: str, out: TextIO) -> int:
    """Write every officer ``actor`` may see (``since`` does not apply: the roster is not dated)."""

    async def batches() -> AsyncIterator[list[dict]]:
        offset = 0
        while True:
            page = await store.partners.officers(actor, limit=PAGE, offset=offset)
            if not page:
                return
            yield [officer_as_dict(officer) for officer in page]
            offset += len(page)

    return await write_records(out, fmt, COLUMNS, batches(), title="Liaison roster")
