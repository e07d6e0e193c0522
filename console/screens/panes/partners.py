"""The Partners pane: the liaison roster and the stabilization-force summary."""

from __future__ import annotations

from console.domain import Entity, Officer
from console.screens.panes.base import Pane
from console.screens.summaries import partner_summary
from widgets.officer_roster import OfficerRoster


class PartnersPane(Pane):
    KEY = "partners"
    TITLE = "Partners"
    TABLE = OfficerRoster
    ENTITIES = frozenset({Entity.OFFICER, Entity.PARTNER, Entity.CONTRIBUTOR, Entity.SEED})

    async def load(self) -> None:
        officers: list[Officer] = await self.store.partners.officers(self.actor)
        text = self.filter_text.lower()
        shown = [o for o in officers if text in f"{o.partner_code} {o.name} {o.cell} {o.rank}".lower()] if text \
            else officers
        self.table.sync(shown)
        contributors = await self.store.partners.contributors()
        self.set_summary(partner_summary(officers, contributors, self.settings.isf_planned_size))
