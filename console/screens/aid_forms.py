"""Keyboard forms of the Aid flow pane: a movement, a status change, a crossing closure or
reopening, a dual-use request and its decision.

Each is a modal ``AidForm``: one line per field (label, input, and the field's
error beside it). The keys are every form's (``console.screens.form_keys``):
enter moves to the next field (from the last back to the first), ctrl+s saves
from anywhere, escape cancels. Nothing is written until every field is
valid: the form parses the text with the same functions the importer uses and
the store checks again (a ``ValidationError`` from the store lands beside its
field); a message goes as soon as its field is put right. The form dismisses
with the saved record, or None when cancelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Static

from console.model.aid import (
    DUAL_USE_TRANSITIONS,
    MOVEMENT_TRANSITIONS,
    Commodity,
    Crossing,
    DualUseRequest,
    DualUseStatus,
    FigureSource,
    LoadType,
    Movement,
    MovementStatus,
    crossing_change_errors,
    crossing_lookup,
    movement_from_fields,
    parse_movement_id,
)
from console.model.errors import StoreError, ValidationError
from console.model.transitions import Transitions, missing_note, step
from console.screens.form_keys import KEYS_HINT, FormModal


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    placeholder: str = ""
    suggestions: tuple[str, ...] = ()
    value: str = ""


class AidForm(FormModal):
    """A modal form; subclasses give ``fields()``, ``async submit(values)`` and, where the values
    can be checked at once, ``check(values)``."""

    TITLE_TEXT = ""
    HINT = ""

    DEFAULT_CSS = """
    AidForm { align: center middle; }
    AidForm > #form-box {
        width: 100%; max-width: 110; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    AidForm .form-title { text-style: bold; height: 1; }
    AidForm .form-hint { color: $text-muted; height: auto; }
    AidForm #form-fields { height: auto; max-height: 100%; }
    AidForm .form-row { height: auto; }
    AidForm .form-label { width: 15; height: 1; padding-right: 2; }
    AidForm .form-row Input { width: 30; height: 1; }
    AidForm .form-error { width: 1fr; height: auto; color: $error; padding-left: 1; }
    AidForm #form-general { color: $error; height: auto; }
    AidForm .form-keys { color: $text-muted; height: 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._fields = list(self.fields())
        self._saving = False

    def fields(self) -> Sequence[FormField]:  # pragma: no cover - abstract
        raise NotImplementedError

    async def submit(self, values: dict[str, str]) -> tuple[object, str]:  # pragma: no cover - abstract
        """Save, returning (record, message); raise ValidationError with errors by field name."""
        raise NotImplementedError

    def check(self, values: dict[str, str]) -> dict[str, str] | None:
        """The errors found without the store (pure, instant); None when only a save can tell."""
        return None

    def compose_form(self) -> ComposeResult:
        with Vertical(id="form-box"):
            yield Static(Text(self.TITLE_TEXT), classes="form-title")
            if self.HINT:
                yield Static(Text(self.HINT), classes="form-hint")
            with VerticalScroll(id="form-fields"):
                for spec in self._fields:
                    with Horizontal(classes="form-row"):
                        yield Label(Text(spec.label), classes="form-label")
                        yield Input(spec.value, placeholder=spec.placeholder, id=f"field-{spec.name}",
                                    compact=True, select_on_focus=False,
                                    suggester=SuggestFromList(spec.suggestions, case_sensitive=False)
                                    if spec.suggestions else None)
                        yield Static("", id=f"error-{spec.name}", classes="form-error", markup=False)
            yield Static("", id="form-general", markup=False)
            yield Static(KEYS_HINT if len(self._fields) > 1 else "enter or ctrl+s: save · esc: cancel",
                         classes="form-keys")

    def on_mount(self) -> None:
        # The label column is the longest label and two spaces: a label never runs into its field.
        width = max(len(spec.label) for spec in self._fields) + 2
        for label in self.query(".form-label"):
            label.styles.width = max(width, 15)
        self.query_one(f"#field-{self._fields[0].name}", Input).focus()

    def values(self) -> dict[str, str]:
        return {spec.name: self.query_one(f"#field-{spec.name}", Input).value for spec in self._fields}

    def show_errors(self, errors: dict[str, str]) -> None:
        names = {spec.name for spec in self._fields}
        general = []
        for spec in self._fields:
            message = errors.get(spec.name, "")
            self.query_one(f"#error-{spec.name}", Static).update(Text(f"✗ {message}" if message else ""))
        for name, message in errors.items():
            if name not in names:
                general.append(f"{name}: {message}" if name else message)
        self.query_one("#form-general", Static).update(Text("✗ " + "; ".join(general) if general else ""))
        self.errors_shown({name: message for name, message in errors.items() if name in names})
        first = next((spec.name for spec in self._fields if spec.name in errors), None)
        if first is not None:
            self.query_one(f"#field-{first}", Input).focus()

    def check_fields(self) -> dict[str, str] | None:
        return self.check(self.values())

    def clear_field_error(self, name: str) -> None:
        self.query_one(f"#error-{name}", Static).update("")

    def action_save(self) -> None:
        if not self._saving:
            self._saving = True
            self._save()

    @work(exclusive=True, group="aid-form", exit_on_error=False)
    async def _save(self) -> None:
        try:
            record, message = await self.submit(self.values())
        except ValidationError as error:
            self.show_errors(error.errors)
        except StoreError as error:
            self.show_errors({"": str(error)})
        else:
            if message:
                self.app.notify(message, timeout=3, markup=False)
            self.dismiss(record)
        finally:
            self._saving = False


def _labels(choices) -> tuple[str, ...]:
    return tuple(member.label for member in choices)


class MovementForm(AidForm):
    """A new movement (a convoy through a crossing)."""

    TITLE_TEXT = "New movement"
    HINT = "A convoy through a crossing. Trucks, tonnes and pallets are each optional (one is needed)."

    def __init__(self, crossings: Sequence[Crossing], *, crossing: str = "", day: str = "today",
                 releasability: str = "ALL") -> None:
        self.crossings = list(crossings)
        self.crossing = crossing
        self.day = day
        self.releasability = releasability
        super().__init__()

    def fields(self) -> Sequence[FormField]:
        codes = tuple(c.code for c in self.crossings) + tuple(c.name for c in self.crossings)
        return (
            FormField("planned_date", "Date (Z)", "today, yesterday or YYYY-MM-DD", ("today", "yesterday"), self.day),
            FormField("crossing", "Crossing", "code or name, e.g. KS", codes, self.crossing),
            FormField("organisation", "Organisation", "e.g. WFP", ("WFP", "UNRWA", "UNICEF", "WHO", "UNOPS", "ICRC")),
            FormField("commodity", "Commodity", ", ".join(_labels(Commodity))[:60], _labels(Commodity)),
            FormField("load_type", "Load", "humanitarian or commercial", _labels(LoadType), "humanitarian"),
            FormField("trucks", "Trucks", "e.g. 24"),
            FormField("tonnes", "Tonnes", "optional, e.g. 410.5"),
            FormField("pallets", "Pallets", "optional"),
            FormField("reference", "Reference", "waybill / manifest number"),
            FormField("figure_source", "Source", "un2720, cogat, partner, own observation",
                      _labels(FigureSource), "own observation"),
            FormField("status", "Status", "scheduled unless already further", _labels(MovementStatus), "scheduled"),
            FormField("status_note", "Note", "needed for held, rejected, intercepted"),
            FormField("releasability", "Releasable", "ALL or nation codes, e.g. USA,GBR", ("ALL",),
                      self.releasability),
        )

    def _parse(self, values: dict[str, str]) -> tuple[Movement, dict[str, str]]:
        return movement_from_fields(values, crossing_lookup(self.crossings))

    def check(self, values: dict[str, str]) -> dict[str, str] | None:
        return self._parse(values)[1]

    async def submit(self, values: dict[str, str]) -> tuple[object, str]:
        movement, errors = self._parse(values)
        if errors:
            raise ValidationError(errors)
        saved = await self.app.store.aid.create_movement(self.app.actor, movement)
        return saved, f"movement {saved.id} recorded: {saved.trucks or 0} trucks at {saved.crossing_code}"


class StepForm(AidForm):
    """A record's next step along its pipeline: only the moves its transition table allows, refused
    in the table's words (the store's own)."""

    #: reads the status field's text
    STATUS_TYPE: type = MovementStatus

    def __init__(self, table: Transitions, current, final: str) -> None:
        self.table = table
        self.current = current
        self.allowed = allowed = table[current]
        self.HINT = ("Next: " + ", ".join(s.to.label + (" (note)" if s.needs_note else "") for s in allowed)
                     if allowed else final)
        super().__init__()

    def _step(self, values: dict[str, str]):
        """(the step chosen or None, the errors)."""
        try:
            target = self.STATUS_TYPE.parse(values["status"])
        except ValueError as error:
            return None, {"status": str(error)}
        try:
            chosen = step(self.table, self.current, target)
        except ValueError as error:
            return None, {"status": str(error)}
        return chosen, missing_note(self.table, chosen, values["note"])

    def check(self, values: dict[str, str]) -> dict[str, str] | None:
        return self._step(values)[1]

    def chosen_step(self, values: dict[str, str]):
        step, errors = self._step(values)
        if errors:
            raise ValidationError(errors)
        return step


class MovementStatusForm(StepForm):
    """Move one movement along its pipeline (only to what ``MOVEMENT_TRANSITIONS`` allows)."""

    def __init__(self, movement: Movement) -> None:
        self.movement = movement
        self.TITLE_TEXT = (f"Movement {movement.id}: {movement.trucks or 0} trucks {movement.organisation}"
                           f" at {movement.crossing_code}, now {movement.status.label}")
        super().__init__(MOVEMENT_TRANSITIONS, movement.status,
                         "This movement is final: no further status.")

    def fields(self) -> Sequence[FormField]:
        first = self.allowed[0].to.label if self.allowed else ""
        return (
            FormField("status", "New status", "see the list above", tuple(s.to.label for s in self.allowed), first),
            FormField("note", "Note / reason", "why (needed where marked)"),
        )

    async def submit(self, values: dict[str, str]) -> tuple[object, str]:
        target = self.chosen_step(values).to
        saved = await self.app.store.aid.set_movement_status(self.app.actor, self.movement.id, target,
                                                             values["note"], expected_version=self.movement.version)
        return saved, f"movement {saved.id}: {target.label}"


class CrossingForm(AidForm):
    """Close a crossing (a reason is needed) or reopen it."""

    def __init__(self, crossing: Crossing) -> None:
        self.crossing = crossing
        closing = crossing.is_open
        self.TITLE_TEXT = f"{'Close' if closing else 'Reopen'} {crossing.name}"
        self.HINT = ("The board flags it ✗ SHUT until reopened; the reason and time are journaled."
                     if closing else f"Closed: {crossing.status_reason or 'no reason given'}")
        super().__init__()

    def fields(self) -> Sequence[FormField]:
        placeholder = "why it closed (needed)" if self.crossing.is_open else "optional note"
        return (FormField("reason", "Reason", placeholder),)

    def check(self, values: dict[str, str]) -> dict[str, str] | None:
        return crossing_change_errors(self.crossing.is_open, values["reason"])

    async def submit(self, values: dict[str, str]) -> tuple[object, str]:
        closing = self.crossing.is_open
        if errors := self.check(values):
            raise ValidationError(errors)
        saved = await self.app.store.aid.set_crossing_open(self.app.actor, self.crossing.code, not closing,
                                                           values["reason"])
        return saved, f"{saved.name} {'closed' if closing else 'reopened'}"


class DualUseForm(AidForm):
    """A new request to the dual-use working group."""

    TITLE_TEXT = "New dual-use request"
    HINT = "Items needing approval before entry (generators, pipes, some medical equipment)."

    def fields(self) -> Sequence[FormField]:
        return (
            FormField("item", "Item", "e.g. Diesel generator 250 kVA"),
            FormField("list_reference", "List ref", "e.g. DU-ELEC-04"),
            FormField("quantity", "Quantity", "e.g. 4 units"),
            FormField("organisation", "Organisation", "requesting organisation"),
            FormField("justification", "Justification", "why it is needed"),
            FormField("movement_id", "Movement", "optional: the movement id it travels with"),
        )

    def check(self, values: dict[str, str]) -> dict[str, str] | None:
        # the other fields are the store's to judge: their messages stay until the next save
        return parse_movement_id(values["movement_id"])[1]

    async def submit(self, values: dict[str, str]) -> tuple[object, str]:
        movement_id, errors = parse_movement_id(values["movement_id"])
        if errors:
            raise ValidationError(errors)
        request = DualUseRequest(item=values["item"], list_reference=values["list_reference"],
                                 quantity=values["quantity"], organisation=values["organisation"],
                                 justification=values["justification"], movement_id=movement_id)
        saved = await self.app.store.aid.create_dual_use(self.app.actor, request)
        return saved, f"dual-use request {saved.id} submitted"


class DualUseDecisionForm(StepForm):
    """The working group's next step on a request: review, decide, ask for more, resubmit."""

    STATUS_TYPE = DualUseStatus

    def __init__(self, request: DualUseRequest) -> None:
        self.request = request
        self.TITLE_TEXT = f"Dual-use {request.id}: {request.item} ({request.status.label})"
        super().__init__(DUAL_USE_TRANSITIONS, request.status,
                         "This request is decided: no further step.")

    def fields(self) -> Sequence[FormField]:
        first = self.allowed[0].to.label if self.allowed else ""
        return (
            FormField("status", "Decision", "see the list above", tuple(s.to.label for s in self.allowed), first),
            FormField("note", "Note", "decision note (needed where marked)"),
        )

    async def submit(self, values: dict[str, str]) -> tuple[object, str]:
        target = self.chosen_step(values).to
        saved = await self.app.store.aid.set_dual_use_status(self.app.actor, self.request.id, target,
                                                             values["note"], expected_version=self.request.version)
        return saved, f"dual-use request {saved.id}: {target.label}"
