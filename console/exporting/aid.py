"""``cmcc export aid``: movements through the crossings planned in the window, newest day first.

``--since 7d`` counts back in UTC days: every movement whose planned date (a UTC
day) is on or after the day ``now - 7d`` falls in.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import TextIO

from console.exporting.formats import write_records

COLUMNS = (
    "id", "planned_date", "crossing", "organisation", "commodity", "load_type", "trucks", "tonnes", "pallets",
    "reference", "figure_source", "status", "status_note", "releasability", "updated_at",
)
PAGE = 2000


async def export_aid(store, actor, since: timedelta | None, fmt: str, out: TextIO) -> int:
    """Write the movements ``actor`` may see, planned within ``since`` (all when None)."""
    from console.dtg import utc_now
    from console.model.aid import aid_day
    from console.store.aid import movement_as_dict

    first = aid_day(utc_now() - since) if since is not None else None

    async def batches() -> AsyncIterator[list[dict]]:
        offset = 0
        while True:
            page = await store.aid.movements(actor, since=first, limit=PAGE, offset=offset)
            if not page:
                return
            yield [movement_as_dict(m) for m in page]
            offset += len(page)

    return await write_records(out, fmt, COLUMNS, batches(), title="Aid movements")
