"""One incident in full, and its timeline: every change, who made it and when.

Opened with enter on the Incidents pane. It stays current while open
(``console.screens.detail_base``): a change to this incident, from this console
or any other, reloads it, and one no longer there or releasable says so. The
same keys as the pane work here (e edit, v advance, a acknowledge, l link,
c note); escape goes back.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static
from widgets.key_footer import KeyFooter

from console.model.incidents import Incident, IncidentLink
from console.model.journal import Entity
from console.dtg import format_age, format_dtg, format_local
from console.screens.detail_base import DetailScreen
from console.screens.incident_dialogs import IncidentActions
from widgets.incidents.incident_timeline import IncidentTimeline
from widgets.incidents.incident_table import CATEGORY_SHORT


def _unknown(value: int | None) -> str:
    return "unknown" if value is None else str(value)


def incident_header(incident: Incident, links: list[IncidentLink]) -> Text:
    text = Text()
    text.append(f"Incident {incident.id}  ", "bold")
    text.append(f"sev {incident.severity}  {incident.status.mark} {incident.status.value}  grading {incident.grading}",
                "bold")
    text.append(f"\n{format_dtg(incident.occurred_at)} ({format_local(incident.occurred_at)},"
                f" {format_age(incident.occurred_at)} ago)")
    text.append(f"\n{CATEGORY_SHORT[incident.category]} at {incident.place}")
    if incident.latitude is not None:
        text.append(f"  {incident.latitude:.4f}N {incident.longitude:.4f}E")
    if incident.grid_ref:
        text.append(f"  grid {incident.grid_ref}")
    text.append(f"\nkilled {_unknown(incident.killed)}, injured {_unknown(incident.injured)}")
    if incident.alleged_party:
        text.append(f"; alleged party: {incident.alleged_party}")
    text.append(f"\nsource: {incident.source or '(none)'} ({incident.source_type.label})")
    text.append(f"\ncell: {incident.assigned_cell or '(unassigned)'}; ")
    if incident.acknowledged_at is not None:
        text.append(f"acknowledged by {incident.acknowledged_by} at {format_dtg(incident.acknowledged_at)}")
    else:
        text.append("NOT ACKNOWLEDGED", "bold red")
    text.append(f"\nreleasable to {incident.releasability}; version {incident.version}")
    text.append("\n\n")
    text.append(incident.description)
    if links:
        text.append("\n\nCorroborations:", "bold")
        for link in links:
            relation = link.relation.replace("_", " ")
            if link.outgoing:
                text.append(f"\n  {relation} {link.other_kind} {link.other_id}")
            else:
                text.append(f"\n  incident {link.other_id} {relation} this one")
            text.append(f"  ({link.created_by}, {format_dtg(link.created_at)})", "dim")
    return text


class IncidentDetailScreen(IncidentActions, DetailScreen):
    WRITES = frozenset({"edit", "advance", "acknowledge", "link", "note"})
    DEFAULT_CSS = """
    IncidentDetailScreen > VerticalScroll { height: 1fr; padding: 0 1; }
    IncidentDetailScreen #detail-header { height: auto; }
    IncidentDetailScreen .section { height: 1; text-style: bold underline; margin: 1 0 0 0; }
    """
    BINDINGS = [
        Binding("escape", "close", "Back", id="detail.close", tooltip="Back to the watch floor"),
        Binding("e", "edit", "Edit", id="detail.edit", tooltip="Edit this incident"),
        Binding("v", "advance", "Status", id="detail.advance", tooltip="Advance its status"),
        Binding("a", "acknowledge", "Ack", id="detail.acknowledge", tooltip="Acknowledge it"),
        Binding("l", "link", "Link", id="detail.link", tooltip="Link it to another incident or a headline"),
        Binding("c", "note", "Note", id="detail.note", tooltip="Add a note"),
        Binding("j", "scroll_down", "Down", show=False, id="detail.down"),
        Binding("k", "scroll_up", "Up", show=False, id="detail.up"),
    ]

    def __init__(self, incident_id: int) -> None:
        super().__init__(Entity.INCIDENT, incident_id)
        self.incident_id = incident_id

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="detail-scroll"):
            yield Static("loading…", id="detail-header", markup=False)
            yield Static("Timeline", classes="section")
            yield IncidentTimeline(id="timeline")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#detail-scroll").focus()

    def selected_incident(self) -> Incident | None:
        return self.record

    async def fetch(self) -> Incident | None:
        return await self.app.store.incidents.get(self.app.actor, self.incident_id)

    async def show_record(self, incident: Incident) -> None:
        store, actor = self.app.store, self.app.actor
        links = await store.incidents.corroborations(actor, self.incident_id)
        entries = await store.incidents.timeline(actor, self.incident_id)
        self.query_one("#detail-header", Static).update(incident_header(incident, links))
        self.query_one(IncidentTimeline).show_entries(entries)

    def gone_text(self) -> str:
        return f"incident {self.incident_id} does not exist or is not releasable to you"

    def show_gone(self) -> None:
        self.query_one("#detail-header", Static).update(self.gone_text())
        self.query_one(IncidentTimeline).show_entries([])

    def action_close(self) -> None:
        self.dismiss()

    def action_scroll_down(self) -> None:
        self.query_one("#detail-scroll", VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one("#detail-scroll", VerticalScroll).scroll_up()
