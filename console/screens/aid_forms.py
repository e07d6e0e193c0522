"""Keyboard forms of the Aid flow pane: a movement, a status change, a crossing closure or
reopening, a dual-use request and its decision.

Each is a ``FormScreen`` (``console.screens.forms``) with the aid cell's look: one line per
field (label, input, and the field's message beside it). Nothing is written until every field
is valid: the form parses the text with the same functions the importer uses and the store
checks again (a ``ValidationError`` from the store lands beside its field); a message goes as
soon as its field is put right. The status change and the decision are the one status dialog
(``console.screens.status_dialog``), offering what ``MOVEMENT_TRANSITIONS`` and
``DUAL_USE_TRANSITIONS`` allow. The form dismisses with the saved record, or None when cancelled,
and says what it saved in a notice.
"""

from __future__ import annotations

from collections.abc import Sequence
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
from console.model.errors import ValidationError
from console.screens.forms import DROPDOWN, TEXT, FormField, FormScreen, Values
from console.screens.status_dialog import StatusDialog


class AidForm(FormScreen):
    """An aid form: the message beside its field, the form as wide as the screen allows."""

    DEFAULT_CSS = """
    AidForm > #form-box { width: 100%; max-width: 110; }
    AidForm #form-fields { max-height: 100%; }
    AidForm .form-row Input { width: 30; }
    """
    ERRORS_BESIDE = True
    SELECT_ON_FOCUS = False
    REFUSAL = "{error}"

    def fields(self) -> list[FormField]:
        """The form's fields, in order."""
        return self.specs


def _labels(choices) -> tuple[str, ...]:
    return tuple(member.label for member in choices)


def source_choice(source: FigureSource) -> str:
    """A figure source as the form offers it: the board's short name first, then the full one."""
    return source.short if source.short == source.full_name else f"{source.short} ({source.full_name})"


def text(name: str, label: str, placeholder: str = "", suggestions: tuple[str, ...] = (), value: str = ""
         ) -> FormField:
    return FormField(name, label, value, kind=TEXT, placeholder=placeholder, suggestions=suggestions)


class MovementForm(AidForm):
    """A new movement (a convoy through a crossing)."""

    def __init__(self, crossings: Sequence[Crossing], *, crossing: str = "", day: str = "today",
                 releasability: str = "ALL") -> None:
        super().__init__("New movement", about="A convoy through a crossing. Trucks, tonnes and pallets are each"
                                                " optional (one is needed).")
        self.crossings = list(crossings)
        self.crossing = crossing
        self.day = day
        self.releasability = releasability

    def field_specs(self) -> Sequence[FormField]:
        codes = tuple(c.code for c in self.crossings) + tuple(c.name for c in self.crossings)
        return (
            text("planned_date", "Date (Z)", "today, yesterday or YYYY-MM-DD", ("today", "yesterday"), self.day),
            text("crossing", "Crossing", "code or name, e.g. KS", codes, self.crossing),
            text("organisation", "Organisation", "e.g. WFP", ("WFP", "UNRWA", "UNICEF", "WHO", "UNOPS", "ICRC")),
            text("commodity", "Commodity", ", ".join(_labels(Commodity))[:60], _labels(Commodity)),
            text("load_type", "Load", "humanitarian or commercial", _labels(LoadType), "humanitarian"),
            text("trucks", "Trucks", "e.g. 24"),
            text("tonnes", "Tonnes", "optional, e.g. 410.5"),
            text("pallets", "Pallets", "optional"),
            text("reference", "Reference", "waybill / manifest number"),
            # A list of the names the board shows ("UN"), not a code to type ("un2720").
            FormField("figure_source", "Source", FigureSource.OWN.value, kind=DROPDOWN,
                      choices=tuple((source.value, source_choice(source)) for source in FigureSource)),
            text("status", "Status", "scheduled unless already further", _labels(MovementStatus), "scheduled"),
            text("status_note", "Note", "needed for held, rejected, intercepted"),
            text("releasability", "Releasable", "ALL or nation codes, e.g. USA,GBR", ("ALL",), self.releasability),
        )

    def _parse(self, values: Values) -> tuple[Movement, dict[str, str]]:
        return movement_from_fields(values, crossing_lookup(self.crossings))

    def check(self, values: Values) -> dict[str, str]:
        return self._parse(values)[1]

    async def save(self, values: Values) -> Movement:
        movement, errors = self._parse(values)
        if errors:
            raise ValidationError(errors)
        return await self.app.store.aid.create_movement(self.app.actor, movement)

    def notice(self, result: Movement) -> str:
        return f"movement {result.id} recorded: {result.trucks or 0} trucks at {result.crossing_code}"


class MovementStatusForm(AidForm, StatusDialog):
    """Move one movement along its pipeline (only to what ``MOVEMENT_TRANSITIONS`` allows)."""

    STATUS_KIND = TEXT

    def __init__(self, movement: Movement) -> None:
        super().__init__(MOVEMENT_TRANSITIONS, movement.status,
                         title=f"Movement {movement.id}: {movement.trucks or 0} trucks {movement.organisation}"
                               f" at {movement.crossing_code}, now {movement.status.label}",
                         status_label="New status", note_label="Note / reason",
                         final="This movement is final: no further status.")
        self.movement = movement

    async def move(self, target: MovementStatus, note: str) -> Movement:
        return await self.app.store.aid.set_movement_status(self.app.actor, self.movement.id, target, note,
                                                            expected_version=self.movement.version)

    def notice(self, result: Movement) -> str:
        return f"movement {result.id}: {result.status.label}"


class CrossingForm(AidForm):
    """Close a crossing (a reason is needed) or reopen it."""

    def __init__(self, crossing: Crossing) -> None:
        closing = crossing.is_open
        super().__init__(f"{'Close' if closing else 'Reopen'} {crossing.name}",
                         about="The board flags it ✗ SHUT until reopened; the reason and time are journaled."
                         if closing else f"Closed: {crossing.status_reason or 'no reason given'}")
        self.crossing = crossing

    def field_specs(self) -> Sequence[FormField]:
        placeholder = "why it closed (needed)" if self.crossing.is_open else "optional note"
        return (text("reason", "Reason", placeholder),)

    def check(self, values: Values) -> dict[str, str]:
        return crossing_change_errors(self.crossing.is_open, values["reason"])

    async def save(self, values: Values) -> Crossing:
        return await self.app.store.aid.set_crossing_open(self.app.actor, self.crossing.code,
                                                          not self.crossing.is_open, values["reason"])

    def notice(self, result: Crossing) -> str:
        return f"{result.name} {'closed' if self.crossing.is_open else 'reopened'}"


class DualUseForm(AidForm):
    """A new request to the dual-use working group."""

    def __init__(self) -> None:
        super().__init__("New dual-use request",
                         about="Items needing approval before entry (generators, pipes, some medical equipment).")

    def field_specs(self) -> Sequence[FormField]:
        return (
            text("item", "Item", "e.g. Diesel generator 250 kVA"),
            text("list_reference", "List ref", "e.g. DU-ELEC-04"),
            text("quantity", "Quantity", "e.g. 4 units"),
            text("organisation", "Organisation", "requesting organisation"),
            text("justification", "Justification", "why it is needed"),
            text("movement_id", "Movement", "optional: the movement id it travels with"),
        )

    def check(self, values: Values) -> dict[str, str]:
        # the other fields are the store's to judge: their messages stay until the next save
        return parse_movement_id(values["movement_id"])[1]

    async def save(self, values: Values) -> DualUseRequest:
        movement_id, errors = parse_movement_id(values["movement_id"])
        if errors:
            raise ValidationError(errors)
        request = DualUseRequest(item=values["item"], list_reference=values["list_reference"],
                                 quantity=values["quantity"], organisation=values["organisation"],
                                 justification=values["justification"], movement_id=movement_id)
        return await self.app.store.aid.create_dual_use(self.app.actor, request)

    def notice(self, result: DualUseRequest) -> str:
        return f"dual-use request {result.id} submitted"


class DualUseDecisionForm(AidForm, StatusDialog):
    """The working group's next step on a request: review, decide, ask for more, resubmit."""

    STATUS_KIND = TEXT

    def __init__(self, request: DualUseRequest) -> None:
        super().__init__(DUAL_USE_TRANSITIONS, request.status,
                         title=f"Dual-use {request.id}: {request.item} ({request.status.label})",
                         status_label="Decision", note_placeholder="decision note (needed where marked)",
                         final="This request is decided: no further step.")
        self.request = request

    async def move(self, target: DualUseStatus, note: str) -> DualUseRequest:
        return await self.app.store.aid.set_dual_use_status(self.app.actor, self.request.id, target, note,
                                                            expected_version=self.request.version)

    def notice(self, result: DualUseRequest) -> str:
        return f"dual-use request {result.id}: {result.status.label}"
