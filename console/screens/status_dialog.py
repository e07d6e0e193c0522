"""The one status dialog: a record's next status, as its ``Transitions`` table allows, and a note.

``StatusDialog(table, current, ...)`` offers exactly the steps the table allows from ``current``
(``table[current]``), each marked with what it needs: a note, or a role the operator does not
have ("watch officer only": the store refuses it, in the table's words). The status is picked from
an open list (``STATUS_KIND = LIST``, the arrows choose) or typed, completed from the allowed ones
(``TEXT``); either way the form checks it with the table's own ``step`` (one not allowed is refused
beside it, naming the allowed ones) and asks for the note where the step needs one. A subclass
says what a step does (``async move(target, note)``); by default the dialog dismisses with
``(target, note)`` for its caller to write.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from console.model.access import REQUIRED_ROLE, Actor, may
from console.model.choice import Choice
from console.model.errors import ValidationError
from console.model.transitions import Step, Transitions, missing_note, step
from console.screens.forms import LIST, TEXT, FormField, FormScreen, Values

STATUS = "status"
NOTE = "note"


def step_needs(rule: Step[Any], actor: Actor | None) -> list[str]:
    """What a step needs that the operator must know before choosing it."""
    needs = ["needs a note"] if rule.needs_note else []
    if actor is not None and not may(actor.role, rule.permission):
        needs.append(f"{REQUIRED_ROLE[rule.permission].label} only")
    return needs


def step_label(rule: Step[Any], actor: Actor | None) -> str:
    """A step as the status list shows it: "closed  (needs a note, watch officer only)"."""
    needs = step_needs(rule, actor)
    return rule.to.label + (f"  ({', '.join(needs)})" if needs else "")


def steps_hint(rules: Sequence[Step[Any]], actor: Actor | None) -> str:
    """The steps in one line, for a typed status: "Next: inspected, held (note), rejected (note)"."""
    def short(rule: Step[Any]) -> str:
        needs = ["note" if need == "needs a note" else need for need in step_needs(rule, actor)]
        return rule.to.label + (f" ({', '.join(needs)})" if needs else "")

    return "Next: " + ", ".join(short(rule) for rule in rules)


class StatusDialog(FormScreen):
    """A record's next status and a note, offered from its ``Transitions`` table."""

    STATUS_KIND = LIST

    def __init__(self, table: Transitions[Any], current: Choice, *, title: str, actor: Actor | None = None,
                 status_label: str = "Status", note_label: str = "Note",
                 note_placeholder: str = "why (needed where marked)", final: str = "", hint: str = "") -> None:
        super().__init__(title, hint=hint)
        self.table = table
        self.current = current
        self.steps: tuple[Step[Any], ...] = table[current]
        self.actor = actor
        self.status_label = status_label
        self.note_label = note_label
        self.note_placeholder = note_placeholder
        self.final = final

    def field_specs(self) -> Sequence[FormField]:
        actor = self.actor if self.actor is not None else getattr(self.app, "actor", None)
        if self.STATUS_KIND == LIST:
            status = FormField(STATUS, self.status_label, self.steps[0].to.value if self.steps else "", kind=LIST,
                               choices=tuple((rule.to.value, step_label(rule, actor)) for rule in self.steps))
        else:
            self.about = steps_hint(self.steps, actor) if self.steps else self.final
            status = FormField(STATUS, self.status_label, self.steps[0].to.label if self.steps else "",
                               placeholder="see the list above", suggestions=tuple(r.to.label for r in self.steps))
        return (status, FormField(NOTE, self.note_label, placeholder=self.note_placeholder, kind=TEXT))

    def chosen(self, values: Values) -> tuple[Step[Any] | None, dict[str, str]]:
        """(the step chosen or None, the errors): the table's own words for a step it does not allow."""
        status_type = type(self.current)
        try:
            target = status_type.parse(values[STATUS])
            chosen = step(self.table, self.current, target)
        except ValueError as error:
            return None, {STATUS: str(error)}
        return chosen, missing_note(self.table, chosen, values[NOTE])

    def check(self, values: Values) -> dict[str, str]:
        return self.chosen(values)[1]

    async def save(self, values: Values) -> Any:
        chosen, errors = self.chosen(values)
        if errors or chosen is None:
            raise ValidationError(errors)
        return await self.move(chosen.to, values[NOTE])

    async def move(self, target: Choice, note: str) -> Any:
        """Make the step (a store call), returning the form's result; by default, (target, note) for
        the caller to make."""
        return target, note.strip()
