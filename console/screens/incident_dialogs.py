"""Small modals of the incident workflow, and the actions the pane and the detail screen share.

- ``AdvanceStatusScreen``: the next statuses INCIDENT_TRANSITIONS allows, with a note
  where one is needed; dismisses with (status, note) or None.
- ``LinkScreen``: kind (incident/headline), id, relation; dismisses with (kind, id, relation).
- ``NoteScreen``: one note; ``ChoiceScreen``: pick one of a few words.
- ``IncidentActions``: mixin giving ``v``/``e``/``l``/``c`` the same behaviour wherever
  an incident is selected. Store refusals (a role that may not close, a stale version)
  come back as notifications through ``app.run_store_action``.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from console.domain import (
    INCIDENT_TRANSITIONS,
    REQUIRED_ROLE,
    Actor,
    Incident,
    IncidentStatus,
    Transition,
    may,
)
from console.store.incidents import LINK_KINDS, LINK_RELATIONS

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{ width: 64; max-width: 100%; height: auto; max-height: 100%;
    border: round $accent; background: $surface; padding: 0 1; }}
{name} .dialog-title {{ text-style: bold; height: auto; }}
{name} .dialog-hint {{ color: $text-muted; height: auto; }}
{name} .dialog-error {{ color: $error; height: auto; }}
{name} OptionList {{ height: auto; max-height: 8; }}
{name} Horizontal {{ height: auto; }}
{name} Horizontal Label {{ width: 10; }}
{name} Horizontal Input, {name} Horizontal Select {{ width: 1fr; }}
"""


def transition_label(rule: Transition, actor: Actor) -> str:
    needs = []
    if rule.needs_note:
        needs.append("needs a note")
    if not may(actor.role, rule.permission):
        needs.append(f"{REQUIRED_ROLE[rule.permission].label} only")
    return rule.to.value + (f"  ({', '.join(needs)})" if needs else "")


class AdvanceStatusScreen(ModalScreen[tuple[IncidentStatus, str] | None]):
    DEFAULT_CSS = DIALOG_CSS.format(name="AdvanceStatusScreen")
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="advance.cancel"),
        Binding("ctrl+s", "submit", "Move", priority=True, id="advance.submit"),
    ]

    def __init__(self, incident: Incident, actor: Actor) -> None:
        super().__init__()
        self.incident = incident
        self.actor = actor
        self.rules = list(INCIDENT_TRANSITIONS[incident.status])

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"Incident {self.incident.id}: {self.incident.status.value} → ?", classes="dialog-title",
                         markup=False)
            yield OptionList(*[Option(transition_label(r, self.actor), id=r.to.value) for r in self.rules],
                             id="next-status")
            with Horizontal():
                yield Label("Note")
                yield Input(placeholder="why (needed where marked)", id="note", compact=True)
            yield Static("", classes="dialog-error", id="advance-error", markup=False)
            yield Static("enter: choose · tab: note · esc: cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def _chosen(self) -> Transition | None:
        index = self.query_one(OptionList).highlighted
        return self.rules[index] if index is not None and 0 <= index < len(self.rules) else None

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        rule = self._chosen()
        if rule is not None and rule.needs_note and not self.query_one("#note", Input).value.strip():
            self.query_one("#advance-error", Static).update(f"moving to {rule.to.value} needs a note: type it, enter")
            self.query_one("#note", Input).focus()
            return
        self.action_submit()

    @on(Input.Submitted, "#note")
    def note_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        rule = self._chosen()
        if rule is None:
            return
        note = self.query_one("#note", Input).value.strip()
        if rule.needs_note and not note:
            self.query_one("#advance-error", Static).update(f"moving to {rule.to.value} needs a note")
            self.query_one("#note", Input).focus()
            return
        self.dismiss((rule.to, note))

    def action_cancel(self) -> None:
        self.dismiss(None)


class LinkScreen(ModalScreen[tuple[str, int, str] | None]):
    DEFAULT_CSS = DIALOG_CSS.format(name="LinkScreen")
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="link.cancel"),
        Binding("ctrl+s", "submit", "Link", priority=True, id="link.submit"),
    ]

    def __init__(self, incident: Incident) -> None:
        super().__init__()
        self.incident = incident

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"Link incident {self.incident.id} to…", classes="dialog-title", markup=False)
            with Horizontal():
                yield Label("Kind")
                yield Select([(k, k) for k in LINK_KINDS], value="incident", allow_blank=False, id="link-kind",
                             compact=True)
            with Horizontal():
                yield Label("Id")
                yield Input(placeholder="its number", id="link-id", compact=True, restrict=r"[0-9]*")
            with Horizontal():
                yield Label("Relation")
                yield Select([(r, r) for r in LINK_RELATIONS], value="relates", allow_blank=False,
                             id="link-relation", compact=True)
            yield Static("", classes="dialog-error", id="link-error", markup=False)
            yield Static("tab: next · enter on the id or ctrl+s: link · esc: cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#link-id", Input).focus()

    @on(Input.Submitted, "#link-id")
    def id_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        raw = self.query_one("#link-id", Input).value.strip()
        if not raw.isdigit() or int(raw) <= 0:
            self.query_one("#link-error", Static).update("give the number of the incident or headline")
            self.query_one("#link-id", Input).focus()
            return
        self.dismiss((str(self.query_one("#link-kind", Select).value), int(raw),
                      str(self.query_one("#link-relation", Select).value)))

    def action_cancel(self) -> None:
        self.dismiss(None)


class NoteScreen(ModalScreen[str | None]):
    DEFAULT_CSS = DIALOG_CSS.format(name="NoteScreen")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="note.cancel")]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield Input(placeholder="the note", id="note-text", compact=True)
            yield Static("enter: save · esc: cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def done(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceScreen(ModalScreen[str | None]):
    DEFAULT_CSS = DIALOG_CSS.format(name="ChoiceScreen")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="choice.cancel")]

    def __init__(self, title: str, choices: list[str]) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield OptionList(*[Option(c, id=c) for c in self.choices])
            yield Static("enter: choose · esc: cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class IncidentActions:
    """``e`` edit, ``v`` advance, ``l`` link, ``c`` note, ``a`` acknowledge for ``selected_incident()``."""

    def selected_incident(self) -> Incident | None:  # pragma: no cover - provided by the host
        raise NotImplementedError

    def action_edit(self) -> None:
        from console.screens.incident_form import IncidentFormScreen

        incident = self.selected_incident()
        if incident is not None:
            self.app.push_screen(IncidentFormScreen(incident))

    def action_advance(self) -> None:
        incident = self.selected_incident()
        if incident is None:
            return
        if not INCIDENT_TRANSITIONS[incident.status]:
            self.app.notify(f"incident {incident.id} is {incident.status.value}: nothing follows", timeout=4)
            return

        def move(answer: tuple[IncidentStatus, str] | None) -> None:
            if answer is not None:
                target, note = answer
                self.app.run_store_action(
                    self.app.store.incidents.transition(self.app.actor, incident.id, target, note,
                                                        expected_version=incident.version),
                    f"incident {incident.id}: {incident.status.value} → {target.value}")

        self.app.push_screen(AdvanceStatusScreen(incident, self.app.actor), move)

    def action_link(self) -> None:
        incident = self.selected_incident()
        if incident is None:
            return

        def link(answer: tuple[str, int, str] | None) -> None:
            if answer is not None:
                kind, other_id, relation = answer
                self.app.run_store_action(
                    self.app.store.incidents.link(self.app.actor, incident.id, kind, other_id, relation),
                    f"incident {incident.id} {relation} {kind} {other_id}")

        self.app.push_screen(LinkScreen(incident), link)

    def action_note(self) -> None:
        incident = self.selected_incident()
        if incident is None:
            return

        def save(text: str | None) -> None:
            if text:
                self.app.run_store_action(self.app.store.incidents.add_note(self.app.actor, incident.id, text),
                                          f"note added to incident {incident.id}")

        self.app.push_screen(NoteScreen(f"Note on incident {incident.id}"), save)

    def action_acknowledge(self) -> None:
        incident = self.selected_incident()
        if incident is not None:
            self.app.run_store_action(self.app.store.incidents.acknowledge(self.app.actor, incident.id),
                                      f"incident {incident.id} acknowledged")
