"""``cmcc export incidents``: the records the Incidents pane shows, newest first."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import TextIO

from console.dtg import format_dtg
from console.exporting.formats import write_records

COLUMNS = (
    "id", "dtg", "occurred_at", "governorate", "locality", "latitude", "longitude", "grid_ref", "category",
    "severity", "status", "description", "killed", "injured", "alleged_party", "source", "source_type",
    "grading", "assigned_cell", "acknowledged_by", "acknowledged_at", "releasability", "updated_at",
)


def _record(incident) -> dict:
    from console.store.incidents import incident_as_dict

    data = incident_as_dict(incident)
    data["dtg"] = format_dtg(incident.occurred_at)
    data["grading"] = incident.grading
    return data


async def export_incidents(store, actor, since: timedelta | None, fmt: str, out: TextIO, *, flt=None) -> int:
    """Write the incidents ``actor`` may see of the last ``since`` (or those matching ``flt``: the pane's view)."""
    from dataclasses import replace

    from console.model.incidents import IncidentFilter

    view = flt if flt is not None else IncidentFilter()
    if since is not None:
        view = replace(view, window=min(since, view.window) if view.window else since)

    async def batches() -> AsyncIterator[list[dict]]:
        async for page in store.incidents.pages(actor, view, size=1000):
            yield [_record(i) for i in page]

    return await write_records(out, fmt, COLUMNS, batches(), title="Incidents")
