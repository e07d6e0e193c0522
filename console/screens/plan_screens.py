"""The plan whiteboard's forms (`v` status, `o` owner and next step, `N` note) and a point's detail screen."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static
from widgets.key_footer import KeyFooter

from console.model.access import Actor
from console.model.journal import Entity
from console.model.plan import MAX_NEXT_STEP, MAX_NOTE, MAX_OWNER, PlanPoint, PlanStatus, check_owner_and_step
from console.dtg import format_dtg
from console.messages import StoreChanged
from console.screens.detail_base import DetailScreen
from console.screens.isf_screens import history_table
from console.screens.forms import CHOICE, LIST, FormField, FormScreen


def _changed(point: PlanPoint):
    def watch(message: StoreChanged) -> bool:
        return point.id in message.ids().get(Entity.PLAN_POINT, set())
    return watch


def plan_status_form(store, actor: Actor, point: PlanPoint) -> FormScreen:
    choices = tuple((s.value, f"{s.mark} {s.label}") for s in PlanStatus)

    def check(values: dict[str, str]) -> dict[str, str]:
        errors = check_owner_and_step("", values["next_step"])[2]
        if values[CHOICE] == point.status.value and not values["note"].strip() \
                and values["next_step"].strip() == point.next_step:
            errors[CHOICE] = "pick a new status, or change the next step, or write a note"
        return errors

    async def save(values: dict[str, str]) -> PlanPoint:
        return await store.plan.set_status(actor, point.number, PlanStatus(values[CHOICE]), values["next_step"],
                                           note=values["note"], expected_version=point.version)

    return FormScreen(
        f"Point {point.number}: {point.title}",
        [FormField(CHOICE, "Status", point.status.value, kind=LIST, choices=choices),
         FormField("next_step", "Next step", point.next_step, placeholder="what happens next",
                   max_length=MAX_NEXT_STEP),
         FormField("note", "Note", placeholder="why (kept in the point's notes)", max_length=MAX_NOTE)],
        check=check, save=save, watch=_changed(point),
        hint="arrows: status · enter: next field · ctrl+s: save · esc: cancel")


def plan_owner_form(store, actor: Actor, point: PlanPoint) -> FormScreen:
    def check(values: dict[str, str]) -> dict[str, str]:
        return check_owner_and_step(values["owner"], values["next_step"])[2]

    async def save(values: dict[str, str]) -> PlanPoint:
        return await store.plan.set_owner(actor, point.number, values["owner"], values["next_step"],
                                          expected_version=point.version)

    return FormScreen(
        f"Point {point.number}: owner and next step",
        [FormField("owner", "Owner", point.owner, placeholder="who carries it", max_length=MAX_OWNER),
         FormField("next_step", "Next step", point.next_step, placeholder="what happens next",
                   max_length=MAX_NEXT_STEP)],
        check=check, save=save, watch=_changed(point))


def plan_note_form(store, actor: Actor, point: PlanPoint) -> FormScreen:
    async def save(values: dict[str, str]) -> int:
        return await store.plan.add_note(actor, point.number, values["note"])

    return FormScreen(f"Point {point.number}: add a note",
                      [FormField("note", "Note", placeholder="what was said or decided", max_length=MAX_NOTE,
                                 required=True, empty="a note cannot be empty")],
                      save=save)


class PlanDetailScreen(DetailScreen):
    """One point in full: title, status, owner, next step, last change, status history and notes."""
    WRITES = frozenset({"status", "owner", "note"})

    DEFAULT_CSS = """
    PlanDetailScreen VerticalScroll { padding: 0 1; }
    PlanDetailScreen .section { text-style: bold; margin-top: 1; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="plan_detail.back", tooltip="Back to the watch floor"),
        Binding("v", "status", "Status", id="plan_detail.status", tooltip="Change the point's status"),
        Binding("o", "owner", "Owner", id="plan_detail.owner", tooltip="Edit the owner and next step"),
        Binding("N", "note", "Note", id="plan_detail.note", tooltip="Add a note to the point"),
    ]

    def __init__(self, store, actor: Actor, number: int) -> None:
        super().__init__(Entity.PLAN_POINT, None)  # the journal's id is known once the point is read
        self.store = store
        self.actor = actor
        self.number = number

    def journal_id(self) -> int | None:
        return self.record.id if self.record is not None else None

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("", id="plan-facts")
            yield Static(Text("Notes"), classes="section")
            yield Static("", id="plan-notes")
            yield Static(Text("Status history"), classes="section")
            yield Static("", id="plan-history")
        yield KeyFooter()

    async def fetch(self) -> PlanPoint | None:
        return await self.store.plan.point(self.number)

    def gone_text(self) -> str:
        return f"there is no plan point {self.number}"

    def show_gone(self) -> None:
        self.query_one("#plan-facts", Static).update(Text(self.gone_text()))
        self.query_one("#plan-notes", Static).update("")
        self.query_one("#plan-history", Static).update("")

    async def show_record(self, point: PlanPoint) -> None:
        notes = await self.store.plan.notes(self.number)
        history = await self.store.plan.history(self.number)
        facts = Table.grid(padding=(0, 2))
        facts.add_column(style="bold", no_wrap=True)
        facts.add_column()
        facts.add_row("Status", Text(f"{point.status.mark} {point.status.label}"))
        facts.add_row("Owner", Text(point.owner or "-"))
        facts.add_row("Next step", Text(point.next_step or "-"))
        if point.changed_at:
            facts.add_row("Last change", Text(f"{format_dtg(point.changed_at)} by {point.changed_by or '-'}"))
        self.query_one("#plan-facts", Static).update(
            Group(Text(f"{point.number}. {point.title}", style="bold"), facts))
        if notes:
            table = Table.grid(padding=(0, 1))
            table.add_column(no_wrap=True)
            table.add_column(no_wrap=True)
            table.add_column()
            for note in notes:
                table.add_row(Text(format_dtg(note.created_at)), Text(note.author), Text(note.text))
            self.query_one("#plan-notes", Static).update(table)
        else:
            self.query_one("#plan-notes", Static).update(Text("none yet (N adds one)"))
        self.query_one("#plan-history", Static).update(history_table(history, PlanStatus) if history
                                                       else Text("no changes recorded"))

    def action_status(self) -> None:
        if self.record is not None:
            self.app.push_screen(plan_status_form(self.store, self.actor, self.record))

    def action_owner(self) -> None:
        if self.record is not None:
            self.app.push_screen(plan_owner_form(self.store, self.actor, self.record))

    def action_note(self) -> None:
        if self.record is not None:
            self.app.push_screen(plan_note_form(self.store, self.actor, self.record))
