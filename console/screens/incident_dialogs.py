"""Small modals of the incident workflow, and the actions the pane and the detail screen share.

- ``AdvanceStatusScreen``: the next statuses INCIDENT_TRANSITIONS allows, with a note
  where one is needed; dismisses with (status, note) or None.
- ``LinkScreen``: kind (incident/headline), id, relation. It writes the link itself and
  stays open with the store's refusal beside its field (itself, an id that does not
  exist or is not releasable to you); dismisses with (kind, id, relation) once linked.
- ``NoteScreen``: one note; ``ChoiceScreen``: pick one of a few words.
- ``IncidentActions``: mixin giving ``v``/``e``/``l``/``c`` the same behaviour wherever
  an incident is selected. Store refusals (a role that may not close, a stale version)
  come back as notifications through ``app.run_store_action``; the link dialog keeps its own.

The status, link and note dialogs have every form's keys (``console.screens.form_keys``):
enter moves to the next field and never saves (the note, a one-field form, has nowhere to
move to, and saves), ctrl+s saves, escape cancels.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from console.model.access import REQUIRED_ROLE, Actor, may
from console.model.errors import StoreError, ValidationError
from console.model.incidents import INCIDENT_TRANSITIONS, LINK_KINDS, LINK_RELATIONS, Incident, IncidentStatus
from console.model.transitions import Step, missing_note
from console.screens.form_keys import KEYS_HINT, FormModal

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{ width: 64; max-width: 100%; height: auto; max-height: 100%;
    border: round $accent; background: $surface; padding: 0 1; }}
{name} .dialog-title {{ text-style: bold; height: auto; }}
{name} .dialog-hint {{ color: $text-muted; height: auto; }}
{name} .dialog-error {{ color: $error; height: auto; }}
{name} .field-error {{ color: $error; height: auto; padding-left: 10; display: none; }}
{name} .field-error.-shown {{ display: block; }}
{name} OptionList {{ height: auto; max-height: 8; }}
{name} Horizontal {{ height: auto; }}
{name} Horizontal Label {{ width: 10; }}
{name} Horizontal Input, {name} Horizontal Select {{ width: 1fr; }}
"""


def transition_label(rule: Step[IncidentStatus], actor: Actor) -> str:
    needs = []
    if rule.needs_note:
        needs.append("needs a note")
    if not may(actor.role, rule.permission):
        needs.append(f"{REQUIRED_ROLE[rule.permission].label} only")
    return rule.to.value + (f"  ({', '.join(needs)})" if needs else "")


class AdvanceStatusScreen(FormModal[tuple[IncidentStatus, str] | None]):
    DEFAULT_CSS = DIALOG_CSS.format(name="AdvanceStatusScreen")
    BINDINGS = [Binding("ctrl+s", "save", "Save", priority=True, id="form.save",
                        tooltip="Move the incident to the highlighted status")]

    def __init__(self, incident: Incident, actor: Actor) -> None:
        super().__init__()
        self.incident = incident
        self.actor = actor
        self.rules = list(INCIDENT_TRANSITIONS[incident.status])

    def compose_form(self) -> ComposeResult:
        with Vertical():
            yield Static(f"Incident {self.incident.id}: {self.incident.status.value} → ?", classes="dialog-title",
                         markup=False)
            yield OptionList(*[Option(transition_label(r, self.actor), id=r.to.value) for r in self.rules],
                             id="next-status")
            with Horizontal():
                yield Label("Note")
                yield Input(placeholder="why (needed where marked)", id="note", compact=True)
            yield Static("", classes="dialog-error", id="advance-error", markup=False)
            yield Static("arrows: status · " + KEYS_HINT, classes="dialog-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def _chosen(self) -> Step[IncidentStatus] | None:
        index = self.query_one(OptionList).highlighted
        return self.rules[index] if index is not None and 0 <= index < len(self.rules) else None

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        """A status clicked: on to the note, as enter does."""
        event.stop()
        self.query_one("#note", Input).focus()

    def check_fields(self) -> dict[str, str] | None:
        rule = self._chosen()
        return {} if rule is None else missing_note(INCIDENT_TRANSITIONS, rule, self.query_one("#note", Input).value)

    def clear_field_error(self, name: str) -> None:
        self.query_one("#advance-error", Static).update("")

    def action_save(self) -> None:
        rule = self._chosen()
        if rule is None:
            return
        note = self.query_one("#note", Input).value.strip()
        if errors := self.check_fields():
            self.query_one("#advance-error", Static).update(errors["note"])
            self.errors_shown(errors)
            self.query_one("#note", Input).focus()
            return
        self.dismiss((rule.to, note))


class LinkScreen(FormModal[tuple[str, int, str] | None]):
    """Link the incident to another incident or a headline; the store says whether it may."""

    DEFAULT_CSS = DIALOG_CSS.format(name="LinkScreen")
    BINDINGS = [Binding("ctrl+s", "save", "Save", priority=True, id="form.save", tooltip="Write the link")]

    #: The store's name for a field -> the field's widget id.
    FIELD_IDS = {"kind": "link-kind", "link": "link-id", "id": "link-id", "relation": "link-relation"}

    def __init__(self, incident: Incident) -> None:
        super().__init__()
        self.incident = incident
        self.saving = False

    def compose_form(self) -> ComposeResult:
        with Vertical():
            yield Static(f"Link incident {self.incident.id} to…", classes="dialog-title", markup=False)
            with Horizontal():
                yield Label("Kind")
                yield Select([(k, k) for k in LINK_KINDS], value="incident", allow_blank=False, id="link-kind",
                             compact=True)
            yield Static("", classes="field-error", id="error-link-kind", markup=False)
            with Horizontal():
                yield Label("Id")
                yield Input(placeholder="its number", id="link-id", compact=True, restrict=r"[0-9]*")
            yield Static("", classes="field-error", id="error-link-id", markup=False)
            with Horizontal():
                yield Label("Relation")
                yield Select([(r, r) for r in LINK_RELATIONS], value="relates", allow_blank=False,
                             id="link-relation", compact=True)
            yield Static("", classes="field-error", id="error-link-relation", markup=False)
            yield Static("", classes="dialog-error", id="link-error", markup=False)
            yield Static(KEYS_HINT, classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#link-id", Input).focus()

    def answer(self) -> tuple[str, str, str]:
        return (str(self.query_one("#link-kind", Select).value), self.query_one("#link-id", Input).value.strip(),
                str(self.query_one("#link-relation", Select).value))

    def check_fields(self) -> dict[str, str] | None:
        """What can be told without the store: a number, and not this incident itself."""
        kind, raw, _relation = self.answer()
        if not raw.isdigit() or int(raw) <= 0:
            return {"link-id": "give the number of the incident or headline"}
        if kind == "incident" and int(raw) == self.incident.id:
            return {"link-id": f"incident {self.incident.id} cannot be linked to itself"}
        return {}

    def show_errors(self, errors: dict[str, str], general: str = "") -> None:
        """Each message beside its field (by widget id), the rest under the fields."""
        fields = set(self.FIELD_IDS.values())
        for field in fields:
            message = errors.get(field, "")
            error = self.query_one(f"#error-{field}", Static)
            error.update(f"✗ {message}" if message else "")
            error.set_class(bool(message), "-shown")
        rest = [message for name, message in errors.items() if name not in fields]
        self.query_one("#link-error", Static).update("; ".join(([general] if general else []) + rest))
        self.errors_shown({name: message for name, message in errors.items() if name in fields})
        first = next((field for field in ("link-kind", "link-id", "link-relation") if field in errors), None)
        if first is not None:
            self.query_one(f"#{first}").focus()

    def clear_field_error(self, name: str) -> None:
        error = self.query_one(f"#error-{name}", Static)
        error.update("")
        error.set_class(False, "-shown")

    def action_save(self) -> None:
        if self.saving:
            return
        errors = self.check_fields()
        self.show_errors(errors)
        if errors:
            return
        kind, raw, relation = self.answer()
        self.saving = True
        self._link(kind, int(raw), relation)

    @work(group="link-save", exit_on_error=False)
    async def _link(self, kind: str, other_id: int, relation: str) -> None:
        try:
            await self.app.store.incidents.link(self.app.actor, self.incident.id, kind, other_id, relation)
        except ValidationError as error:
            self.show_errors({self.FIELD_IDS.get(name, name): message for name, message in error.errors.items()})
        except StoreError as error:
            self.show_errors({}, f"not linked: {error}")
        else:
            self.dismiss((kind, other_id, relation))
        finally:
            self.saving = False


class NoteScreen(FormModal[str | None]):
    DEFAULT_CSS = DIALOG_CSS.format(name="NoteScreen")

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose_form(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield Input(placeholder="the note", id="note-text", compact=True)
            yield Static("", classes="dialog-error", id="note-error", markup=False)
            yield Static("enter or ctrl+s: save · esc: cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def check_fields(self) -> dict[str, str] | None:
        return {} if self.query_one(Input).value.strip() else {"note-text": "a note cannot be empty"}

    def clear_field_error(self, name: str) -> None:
        self.query_one("#note-error", Static).update("")

    def action_save(self) -> None:
        if errors := self.check_fields():
            self.query_one("#note-error", Static).update(f"✗ {errors['note-text']}")
            self.errors_shown(errors)
            return
        self.dismiss(self.query_one(Input).value.strip())


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
            self.app.notify(f"incident {incident.id} is {incident.status.value}: nothing follows", timeout=4,
                            markup=False)
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
