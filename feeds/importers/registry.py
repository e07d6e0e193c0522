"""Every kind the inbox imports, listed in one place: kind -> ``Importer``.

Explicit, so that what is known never depends on which module happened to be imported first:
an importer module only builds its ``IMPORTER`` (``feeds.importers.base.Importer``), and a new
kind is added here. Imports point one way: the inbox imports this registry, this registry imports
the importers, and no importer imports the inbox or the registry.
"""

from __future__ import annotations

from feeds.importers import aid, headlines, incidents, roster
from feeds.importers.base import Importer

#: kind -> importer, in the order the inbox names them.
IMPORTERS: dict[str, Importer] = {
    importer.kind: importer
    for importer in (headlines.IMPORTER, incidents.IMPORTER, aid.IMPORTER, roster.IMPORTER)
}

#: The kinds the inbox names when a file's kind cannot be told ("name it <kind>-...").
KNOWN_KINDS: tuple[str, ...] = tuple(IMPORTERS)
