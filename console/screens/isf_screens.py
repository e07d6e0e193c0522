"""Stabilization-force contributors: the status form (`c`), the open questions (`o`) and the detail screen."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import OptionList, Static
from widgets.key_footer import KeyFooter
from textual.widgets.option_list import Option

from console.model.access import Actor
from console.model.isf import QUESTION_OPEN, Contributor, IsfStatus, OpenQuestion
from console.model.journal import Entity, StatusChange
from console.dtg import format_dtg
from console.messages import StoreChanged
from console.screens.detail_base import DetailModal, DetailScreen
from console.screens.forms import CHOICE, LIST, FormField, FormScreen, parse_count


def _label(value: str, enum) -> str:
    try:
        return enum(value).label
    except ValueError:
        return value or "-"


def contributor_status_form(store, actor: Actor, contributor: Contributor) -> FormScreen:
    """A new status with a note saying why; the pledged numbers beside it."""
    choices = tuple((s.value, f"{s.mark} {s.label}") for s in IsfStatus)

    def numbers(values: dict[str, str]) -> tuple[dict[str, int | None], dict[str, str]]:
        parsed, errors = {}, {}
        for name in ("troops", "police"):
            try:
                parsed[name] = parse_count(values[name])
            except ValueError:
                errors[name] = "a whole number, 0 or more (e.g. 1,500)"
        return parsed, errors

    def check(values: dict[str, str]) -> dict[str, str]:
        errors = numbers(values)[1]
        if values[CHOICE] == contributor.status.value and not values["note"].strip() and not errors:
            parsed = numbers(values)[0]
            if parsed["troops"] in (None, contributor.troops) and parsed["police"] in (None, contributor.police):
                errors[CHOICE] = "pick a new status, or change the numbers, or write a note"
        return errors

    async def save(values: dict[str, str]) -> Contributor:
        parsed = numbers(values)[0]
        return await store.partners.set_contributor_status(
            actor, contributor.id, IsfStatus(values[CHOICE]), values["note"], troops=parsed["troops"],
            police=parsed["police"], expected_version=contributor.version)

    def watch(message: StoreChanged) -> bool:
        return contributor.id in message.ids().get(Entity.CONTRIBUTOR, set())

    return FormScreen(
        f"{contributor.nation}: stabilization-force status",
        [FormField(CHOICE, "Status", contributor.status.value, kind=LIST, choices=choices),
         FormField("troops", "Troops", f"{contributor.troops}", placeholder="pledged troops", max_length=9),
         FormField("police", "Police", f"{contributor.police}", placeholder="pledged police", max_length=9),
         FormField("note", "Note", placeholder="why: who said what, where", max_length=2000)],
        check=check, save=save, watch=watch, hint="arrows: status · enter: next field · ctrl+s: save · esc: cancel")


class QuestionsScreen(DetailModal[None]):
    """The five open questions of one contributor; enter settles or reopens the highlighted one."""

    DEFAULT_CSS = """
    QuestionsScreen { align: center middle; }
    QuestionsScreen > Vertical { width: 60; max-width: 100%; height: auto; border: round $accent;
                                 padding: 0 1; background: $surface; }
    QuestionsScreen OptionList { height: auto; }
    QuestionsScreen .hint { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "dismiss", "Close", id="questions.close", tooltip="Close the questions")]
    RELOAD_ON_MOUNT = False  # handed the contributor as the pane shows it

    def __init__(self, store, actor: Actor, contributor: Contributor) -> None:
        super().__init__(Entity.CONTRIBUTOR, contributor.id, contributor)
        self.store = store
        self.actor = actor
        self.contributor = contributor

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"{self.contributor.nation}: open questions"), classes="title")
            yield OptionList(*self._options(), id="questions", compact=True)
            yield Static(Text("enter: settle / reopen   esc: close"), classes="hint")

    def _options(self) -> list[Option]:
        return [Option(Text(f"{'[ ] open   ' if state == QUESTION_OPEN else '[x] settled'}  {q.label}"), id=q.value)
                for q, state in self.contributor.questions.items()]

    @on(OptionList.OptionSelected)
    def toggle(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._toggle(OpenQuestion(event.option_id))

    @work(group="questions", exit_on_error=False)
    async def _toggle(self, question: OpenQuestion) -> None:
        from console.model.errors import StoreError

        try:
            await self.store.partners.toggle_question(self.actor, self.contributor.id, question)
        except StoreError as error:
            self.notify(str(error), severity="error", timeout=8, markup=False)
        self.reload()

    async def fetch(self) -> Contributor | None:
        return await self.store.partners.contributor(self.contributor.id)

    async def show_record(self, contributor: Contributor) -> None:
        self.contributor = contributor
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        for index, option in enumerate(self._options()):
            options.replace_option_prompt_at_index(index, option.prompt)
        options.highlighted = highlighted

    def gone_text(self) -> str:
        return "this contributor no longer exists"

    def show_gone(self) -> None:
        self.query_one(".title", Static).update(Text(f"{self.contributor.nation}: {self.gone_text()}"))


def history_table(history: list[StatusChange], enum) -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column()
    for change in history:
        what = Text(f"{_label(change.old, enum)} -> {_label(change.new, enum)}" if change.old
                    else f"{_label(change.new, enum)} (first recorded)")
        if change.note:
            what.append(f"  {change.note}", "italic")
        table.add_row(Text(format_dtg(change.at)), Text(change.actor), what)
    return table


class ContributorDetailScreen(DetailScreen):
    """Everything about one contributor, and the history of its status: who changed it, when, why."""
    WRITES = frozenset({"status"})

    DEFAULT_CSS = """
    ContributorDetailScreen VerticalScroll { padding: 0 1; }
    ContributorDetailScreen .section { text-style: bold; margin-top: 1; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="isf_detail.back", tooltip="Back to the watch floor"),
        Binding("c", "status", "Status", id="isf_detail.status", tooltip="Change the status (with a note)"),
        Binding("o", "questions", "Questions", id="isf_detail.questions",
                tooltip="Settle or reopen an open question"),
    ]

    def __init__(self, store, actor: Actor, contributor_id: int) -> None:
        super().__init__(Entity.CONTRIBUTOR, contributor_id)
        self.store = store
        self.actor = actor
        self.contributor_id = contributor_id

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("", id="isf-facts")
            yield Static(Text("Status history"), classes="section")
            yield Static("", id="isf-history")
            yield Static(Text("Notes"), classes="section")
            yield Static("", id="isf-notes")
        yield KeyFooter()

    async def fetch(self) -> Contributor | None:
        return await self.store.partners.contributor(self.contributor_id)

    def gone_text(self) -> str:
        return "this contributor no longer exists"

    def show_gone(self) -> None:
        self.query_one("#isf-facts", Static).update(Text(self.gone_text()))
        self.query_one("#isf-history", Static).update("")
        self.query_one("#isf-notes", Static).update("")

    async def show_record(self, contributor: Contributor) -> None:
        history = await self.store.partners.contributor_history(self.contributor_id)
        facts = Table.grid(padding=(0, 2))
        facts.add_column(style="bold", no_wrap=True)
        facts.add_column()
        status = contributor.status
        facts.add_row("Nation", Text(contributor.nation))
        facts.add_row("Status", Text(f"{status.mark} {status.label}"))
        facts.add_row("Pledged", Text(f"{contributor.troops:,} troops, {contributor.police:,} police"))
        facts.add_row("Offers", Text(contributor.role_offered.replace("_", " ") or "-"))
        facts.add_row("Caveats", Text(contributor.caveats or "-"))
        questions = Text()
        for question, state in contributor.questions.items():
            questions.append(f"{'[ ]' if state == QUESTION_OPEN else '[x]'} {question.label}  ",
                             "bold" if state == QUESTION_OPEN else "dim")
        facts.add_row("Questions", questions)
        if contributor.updated_at:
            facts.add_row("Updated", Text(format_dtg(contributor.updated_at)))
        self.query_one("#isf-facts", Static).update(Group(Text(f"{contributor.nation}: stabilization force",
                                                               style="bold"), facts))
        self.query_one("#isf-history", Static).update(history_table(history, IsfStatus) if history
                                                      else Text("no changes recorded"))
        self.query_one("#isf-notes", Static).update(Text(contributor.notes or "none"))

    def action_status(self) -> None:
        if self.record is not None:
            self.app.push_screen(contributor_status_form(self.store, self.actor, self.record))

    def action_questions(self) -> None:
        if self.record is not None:
            self.app.push_screen(QuestionsScreen(self.store, self.actor, self.record))
