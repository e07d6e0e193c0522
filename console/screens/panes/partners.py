"""The Partners pane: the liaison roster, and (key `i`) the stabilization-force contributors.

Roster keys: `p` cycles presence (on floor -> away -> off shift), `n` new officer,
`e` edit, `f` filter by partner/cell/shift/presence. Contributor keys: `c`
status (with a note), `o` settle/reopen open questions, enter the detail with
the status history. `/` filters whichever table shows.

The forms and detail screens are imported when a key opens them, not at start-up.
"""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from console.model.isf import Contributor
from console.model.journal import Entity
from console.model.partners import Officer, RosterFilter
from console.screens.panes.base import Pane, PaneContext
from console.screens.summaries import partner_summary
from widgets.partners.contributor_table import ContributorTable
from widgets.filter_input import FilterInput
from widgets.summary_lines import SummaryLines
from widgets.partners.officer_roster import OfficerRoster
from widgets.record_table import RecordTable

ROSTER_ACTIONS = {"presence", "new_officer", "edit_officer", "roster_filter"}
ISF_ACTIONS = {"isf_status", "isf_questions", "isf_detail"}


class PartnersPane(Pane):
    KEY = "partners"
    TITLE = "Partners"
    TABLE = OfficerRoster
    ENTITIES = frozenset({Entity.OFFICER, Entity.PARTNER, Entity.CONTRIBUTOR, Entity.SEED})

    DEFAULT_CSS = """
    PartnersPane > .pane-summary { text-wrap: nowrap; text-overflow: ellipsis; }
    """

    WRITES = frozenset({"presence", "new_officer", "edit_officer", "isf_status", "isf_questions"})
    BINDINGS = [
        Binding("p", "presence", "Presence", id="partners.presence",
                tooltip="Cycle the selected officer's presence: on floor -> away -> off shift"),
        Binding("n", "new_officer", "New", id="partners.new", tooltip="Add an officer to the roster"),
        Binding("e", "edit_officer", "Edit", id="partners.edit", tooltip="Edit the selected officer"),
        Binding("f", "roster_filter", "Filter by", id="partners.filter",
                tooltip="Show only some partners, a cell, a shift or a presence"),
        Binding("i", "toggle_isf", "ISF/roster", id="partners.isf",
                tooltip="Switch between the liaison roster and the stabilization-force contributors"),
        Binding("c", "isf_status", "ISF status", id="partners.isf_status",
                tooltip="Change the selected contributor's status, with a note"),
        Binding("o", "isf_questions", "Questions", id="partners.isf_questions",
                tooltip="Settle or reopen the selected contributor's open questions"),
    ]

    def __init__(self, context: PaneContext, *, filled: bool = True) -> None:
        super().__init__(context, filled=filled)
        self.roster: OfficerRoster = self.table  # type: ignore[assignment]
        self.contributor_table = ContributorTable(id="table-isf")
        self.roster_filter = RosterFilter()
        self.show_isf = False
        self.partner_codes: list[str] = []

    def content(self) -> ComposeResult:
        yield Static(self.TITLE, classes="pane-title")
        yield SummaryLines("", classes="pane-summary")
        yield self.roster
        yield self.contributor_table
        yield FilterInput()

    def on_mount(self) -> None:
        self.contributor_table.display = False

    # --- loading ---------------------------------------------------------------

    async def load(self) -> None:
        everyone: list[Officer] = await self.store.partners.officers(self.actor)
        self.partner_codes = await self.store.partners.partner_codes()
        contributors = await self.store.partners.contributors()
        counts = await self.store.partners.roster_counts(self.actor, self.roster.today)
        if self.show_isf:
            words = self.filter_text.lower().split()
            shown_isf = [c for c in contributors if all(w in _contributor_text(c) for w in words)]
            self.contributor_table.sync(shown_isf)
            shown = len(shown_isf)
            described = self.filter_text
        else:
            flt = RosterFilter(self.roster_filter.partners, self.roster_filter.cell, self.roster_filter.shift,
                               self.roster_filter.presence, self.filter_text)
            officers = await self.store.partners.officers(self.actor, flt) if flt.active else everyone
            self.roster.sync(officers)
            shown = len(officers)
            described = flt.describe()
        self.set_title(f"Partners · {'ISF contributors' if self.show_isf else 'liaison roster'}"
                       f"  (i: {'roster' if self.show_isf else 'ISF'})")
        self.set_summary(partner_summary(counts, contributors, self.settings.isf_planned_size,
                                         filter_text=described, shown=shown))

    def on_minute(self) -> None:
        if self.roster.new_day(date.today()):
            self.roster.records.clear()
            self.roster.clear()
            self.request_reload()

    # --- which keys apply ------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ROSTER_ACTIONS and self.show_isf or action in ISF_ACTIONS and not self.show_isf:
            return False
        return super().check_action(action, parameters)

    def action_toggle_isf(self) -> None:
        self.show_isf = not self.show_isf
        self.roster.display = not self.show_isf
        self.contributor_table.display = self.show_isf
        self.table = self.contributor_table if self.show_isf else self.roster
        self.filter_text = ""
        filter_input = self.query_one(FilterInput)
        filter_input.value = ""
        filter_input.remove_class("-shown")
        self.table.focus()
        self.refresh_bindings()
        self.request_reload()

    # --- roster ----------------------------------------------------------------

    def action_presence(self) -> None:
        officer: Officer | None = self.roster.selected_record()
        if officer is None:
            return
        new = officer.presence.next
        self.run_store_action(self.store.partners.cycle_presence(self.actor, officer.id),
                                  f"{officer.name}: {new.label}")

    def action_new_officer(self) -> None:
        from console.screens.officer_form import officer_form

        self.app.push_screen(officer_form(self.store, self.actor, None, self.partner_codes,
                                          self.settings.default_releasability), self._saved)

    def action_edit_officer(self) -> None:
        from console.screens.officer_form import officer_form

        officer: Officer | None = self.roster.selected_record()
        if officer is not None:
            self.app.push_screen(officer_form(self.store, self.actor, officer, self.partner_codes), self._saved)

    def _saved(self, result) -> None:
        if isinstance(result, Officer):
            self.notify(f"saved {result.rank} {result.name}".strip(), timeout=3, markup=False)
        self.table.focus()

    def action_roster_filter(self) -> None:
        from console.screens.officer_form import roster_filter_form

        def apply(result) -> None:
            if isinstance(result, RosterFilter):
                self.roster_filter = result
                self.request_reload()
            self.table.focus()

        self.app.push_screen(roster_filter_form(self.roster_filter, self.partner_codes), apply)

    # --- contributors ----------------------------------------------------------

    def _contributor(self) -> Contributor | None:
        return self.contributor_table.selected_record()

    def action_isf_status(self) -> None:
        from console.screens.isf_screens import contributor_status_form

        contributor = self._contributor()
        if contributor is not None:
            self.app.push_screen(contributor_status_form(self.store, self.actor, contributor),
                                 lambda _result: self.table.focus())

    def action_isf_questions(self) -> None:
        from console.screens.isf_screens import QuestionsScreen

        contributor = self._contributor()
        if contributor is not None:
            self.app.push_screen(QuestionsScreen(self.store, self.actor, contributor),
                                 lambda _result: self.table.focus())

    def action_isf_detail(self) -> None:
        from console.screens.isf_screens import ContributorDetailScreen

        contributor = self._contributor()
        if contributor is not None:
            self.app.push_screen(ContributorDetailScreen(self.store, self.actor, contributor.id))

    def on_record_table_record_selected(self, event: RecordTable.RecordSelected) -> None:
        from console.screens.full_record import FullRecordScreen
        from console.screens.isf_screens import ContributorDetailScreen

        event.stop()
        if event.table is self.contributor_table:
            self.app.push_screen(ContributorDetailScreen(self.store, self.actor, event.record_id))
        elif event.table is self.roster:
            officer = self.roster.records.get(event.record_id)
            if officer is not None:  # to read, whoever you are; `e` edits
                title = f"{officer.rank} {officer.name}".strip()
                self.app.push_screen(FullRecordScreen(title, officer_record(officer)))


def officer_record(officer: Officer) -> list[tuple[str, object]]:
    """The officer in full, a label and value a line (`enter` on the roster)."""
    rotation = " to ".join(d.isoformat() for d in (officer.rotation_start, officer.rotation_end) if d) or "-"
    return [("Partner", officer.partner_code), ("Rank", officer.rank), ("Name", officer.name),
            ("Service", officer.service), ("Service no.", officer.service_number), ("Cell / desk", officer.cell),
            ("Role", officer.role), ("Contact", officer.contact), ("Shift", officer.shift.label),
            ("Presence", officer.presence.label), ("Rotation", rotation), ("Releasable", officer.releasability)]


def _contributor_text(contributor: Contributor) -> str:
    return (f"{contributor.nation} {contributor.status.label} {contributor.role_offered} {contributor.caveats}"
            f" {contributor.notes}").lower()
