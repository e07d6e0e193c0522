"""Small modals of the incident workflow, and the actions the pane and the detail screen share.

- ``AdvanceStatusScreen``: the status dialog (``console.screens.status_dialog``) on
  INCIDENT_TRANSITIONS: the next statuses it allows, with a note where one is needed;
  dismisses with (status, note) or None.
- ``LinkScreen``: kind (incident/headline), id, relation. It writes the link itself and
  stays open with the store's refusal beside its field (itself, an id that does not
  exist or is not releasable to you); dismisses with (kind, id, relation) once linked.
- ``NoteScreen``: one note; ``ChoiceScreen``: pick one of a few words.
- ``IncidentActions``: mixin giving ``v``/``e``/``l``/``c`` the same behaviour wherever
  an incident is selected. Store refusals (a role that may not close, a stale version)
  come back as notifications through ``app.run_store_action``; the link dialog keeps its own.

The status, link and note dialogs are forms (``console.screens.forms``), with every form's
keys: enter moves to the next field and never saves (the note, a one-field form, has nowhere
to move to, and saves), ctrl+s saves, escape cancels.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from console.model.access import Actor
from console.model.incidents import INCIDENT_TRANSITIONS, LINK_KINDS, LINK_RELATIONS, Incident, IncidentStatus
from console.screens.form_keys import KEYS_HINT
from console.screens.forms import DROPDOWN, TEXT, FormField, FormScreen, Values
from console.screens.status_dialog import StatusDialog

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > #form-box, {name} > Vertical {{ width: 64; max-width: 100%; height: auto; max-height: 100%;
    border: round $accent; background: $surface; padding: 0 1; }}
{name} .dialog-title {{ text-style: bold; height: auto; }}
{name} .dialog-hint {{ color: $text-muted; height: auto; }}
{name} OptionList {{ height: auto; max-height: 8; }}
"""


class AdvanceStatusScreen(StatusDialog):
    """The incident's next status, from INCIDENT_TRANSITIONS; dismisses with (status, note) for the
    caller to write (a refusal, such as a role that may not close, comes back as a notice)."""

    DEFAULT_CSS = DIALOG_CSS.format(name="AdvanceStatusScreen")
    BINDINGS = [Binding("ctrl+s", "save", "Save", priority=True, id="form.save",
                        tooltip="Move the incident to the highlighted status")]
    FIELD_ID = "{name}"
    LABEL_WIDTH = 10

    def __init__(self, incident: Incident, actor: Actor) -> None:
        super().__init__(INCIDENT_TRANSITIONS, incident.status, actor=actor, status_label="",
                         title=f"Incident {incident.id}: {incident.status.value} → ?",
                         hint="arrows: status · " + KEYS_HINT)
        self.incident = incident


class LinkScreen(FormScreen):
    """Link the incident to another incident or a headline; the store says whether it may."""

    DEFAULT_CSS = DIALOG_CSS.format(name="LinkScreen")
    BINDINGS = [Binding("ctrl+s", "save", "Save", priority=True, id="form.save", tooltip="Write the link")]
    FIELD_ID = "{name}"
    LABEL_WIDTH = 10
    FIRST_FOCUS = "link-id"
    #: The store's name for a field -> the form's.
    STORE_NAMES = {"kind": "link-kind", "link": "link-id", "id": "link-id", "relation": "link-relation"}
    REFUSAL = "not linked: {error}"

    def __init__(self, incident: Incident) -> None:
        super().__init__(f"Link incident {incident.id} to…", [
            FormField("link-kind", "Kind", "incident", kind=DROPDOWN, choices=tuple((k, k) for k in LINK_KINDS)),
            FormField("link-id", "Id", kind=TEXT, placeholder="its number", restrict=r"[0-9]*"),
            FormField("link-relation", "Relation", "relates", kind=DROPDOWN,
                      choices=tuple((r, r) for r in LINK_RELATIONS)),
        ])
        self.incident = incident

    def answer(self, values: Values) -> tuple[str, str, str]:
        return values["link-kind"], values["link-id"].strip(), values["link-relation"]

    def check(self, values: Values) -> dict[str, str]:
        """What can be told without the store: a number, and not this incident itself."""
        kind, raw, _relation = self.answer(values)
        if not raw.isdigit() or int(raw) <= 0:
            return {"link-id": "give the number of the incident or headline"}
        if kind == "incident" and int(raw) == self.incident.id:
            return {"link-id": f"incident {self.incident.id} cannot be linked to itself"}
        return {}

    async def save(self, values: Values) -> tuple[str, int, str]:
        kind, raw, relation = self.answer(values)
        await self.app.store.incidents.link(self.app.actor, self.incident.id, kind, int(raw), relation)
        return kind, int(raw), relation


class NoteScreen(FormScreen):
    """One note (it may not be empty); dismisses with its text."""

    DEFAULT_CSS = DIALOG_CSS.format(name="NoteScreen")
    FIELD_ID = "{name}"

    def __init__(self, title: str) -> None:
        super().__init__(title, [FormField("note-text", "", kind=TEXT, placeholder="the note", required=True,
                                           empty="a note cannot be empty")])

    async def save(self, values: Values) -> str:
        return values["note-text"].strip()


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
            self.app.notify(f"incident {incident.id} is {incident.status.value}: nothing follows",
                            severity="warning", timeout=4, markup=False)
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
            if answer is not None:  # the dialog wrote it (and kept a refusal beside its field)
                kind, other_id, relation = answer
                self.app.notify(f"incident {incident.id} {relation} {kind} {other_id}", timeout=3, markup=False)

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
