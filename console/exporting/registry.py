"""The export kinds, listed in one place: ``cmcc export KIND`` and the panes' ``x`` key look them up here.

An exporter is ``async def export(store, actor, since: timedelta | None, fmt: str, out: TextIO) -> int``
(returns how many records it wrote). To add a kind, write its module beside this one (using
``console.exporting.formats.write_records``) and add it to ``EXPORTERS`` below: what is known
never depends on which module happened to be imported first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Any, TextIO

from console.exporting.aid import export_aid
from console.exporting.incidents import export_incidents
from console.exporting.roster import export_roster

Exporter = Callable[[Any, Any, timedelta, str, TextIO], Awaitable[int]]

#: kind -> exporter
EXPORTERS: Mapping[str, Exporter] = {
    "aid": export_aid,
    "incidents": export_incidents,
    "roster": export_roster,
}
