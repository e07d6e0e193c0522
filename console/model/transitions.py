"""Status machines: one table type and one step function for every record that has a workflow.

A ``Transitions`` table names, for each status, the steps allowed from it and what each needs (a
note, a permission). ``step(table, current, target)`` is the one lookup: the step, or a
``ValueError`` naming the allowed ones. The store enforces the tables (``console/store/guard.py``
``allowed_step``); forms ask the same tables what to offer, so both give the same words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from console.model.access import Permission
from console.model.choice import Choice

S = TypeVar("S", bound=Choice)


@dataclass(frozen=True)
class Step(Generic[S]):
    """One allowed status change: where to, whether it needs a note, and the permission it needs."""

    to: S
    needs_note: bool = False
    permission: Permission = Permission.EDIT


@dataclass(frozen=True)
class Transitions(Generic[S]):
    """Every allowed status change of one kind of record, and the words its refusals use.

    ``record`` names the record in a refused step ("an incident cannot go from ..."); ``act`` is
    what a step does, for a refused permission ("move an incident to {to}"); ``note_needed`` is
    the message beside the note when a step needs one ("moving to {to} needs a note saying why").
    ``{to}`` is the target status's label.
    """

    record: str
    steps: Mapping[S, tuple[Step[S], ...]]
    act: str
    note_needed: str

    def __getitem__(self, current: S) -> tuple[Step[S], ...]:
        """The steps allowed from ``current`` (none for a final status)."""
        return self.steps[current]

    def act_on(self, target: S) -> str:
        return self.act.format(to=target.label)

    def note_message(self, target: S) -> str:
        return self.note_needed.format(to=target.label)


def step(table: Transitions[S], current: S, target: S) -> Step[S]:
    """The step from ``current`` to ``target``; ValueError (naming the allowed ones) if there is none."""
    for candidate in table[current]:
        if candidate.to is target:
            return candidate
    allowed = ", ".join(s.to.label for s in table[current]) or "none"
    raise ValueError(f"{table.record} cannot go from {current.label} to {target.label} (allowed: {allowed})")


def missing_note(table: Transitions[S], chosen: Step[S], note: str) -> dict[str, str]:
    """The note's error when ``chosen`` needs one and ``note`` is empty, else none."""
    return {"note": table.note_message(chosen.to)} if chosen.needs_note and not note.strip() else {}
