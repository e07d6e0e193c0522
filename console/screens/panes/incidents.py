"""The Incidents pane: the cease-fire incident log."""

from __future__ import annotations

from textual.binding import Binding

from console.domain import Entity, Incident
from console.screens.panes.base import Pane
from console.screens.summaries import incident_summary, incident_title
from console.store.incidents import IncidentFilter
from widgets.incident_table import IncidentTable

PAGE = 500


class IncidentsPane(Pane):
    KEY = "incidents"
    TITLE = "Incidents"
    TABLE = IncidentTable
    ENTITIES = frozenset({Entity.INCIDENT, Entity.INCIDENT_NOTE, Entity.SEED})

    BINDINGS = [
        Binding("a", "acknowledge", "Ack", id="incident.acknowledge", tooltip="Acknowledge the selected incident"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._belled: set[int] = set()
        self._bell_primed = False

    async def load(self) -> None:
        flt = IncidentFilter(text=self.filter_text)
        incidents: list[Incident] = await self.store.incidents.page(self.actor, flt, limit=PAGE)
        total = await self.store.incidents.count(self.actor, flt) if self.filter_text else None
        summary = await self.store.incidents.summary(self.actor)
        self.table.sync(incidents)
        self.set_summary(incident_summary(summary, len(incidents), total, self.filter_text))
        self.set_title(incident_title(summary))
        self.screen.set_pane_alert(self.KEY, " !" if summary.unacknowledged_high else "")
        self._ring_for_new_high(incidents)

    def _ring_for_new_high(self, incidents: list[Incident]) -> None:
        """Ring the bell once per new unacknowledged severity 4-5 incident."""
        fresh = {i.id for i in incidents if i.severity >= 4 and i.acknowledged_at is None and i.id is not None}
        new = fresh - self._belled
        self._belled |= fresh
        # What was already waiting when the console opened is marked, not rung.
        if new and self._bell_primed and self.settings.bell:
            self.app.bell()
        self._bell_primed = True

    def on_minute(self) -> None:
        self.table.refresh_ages()

    def action_acknowledge(self) -> None:
        incident = self.table.selected_record()
        if incident is not None:
            self.app.run_store_action(self.store.incidents.acknowledge(self.actor, incident.id),
                                      f"incident {incident.id} acknowledged")
