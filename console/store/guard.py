"""The store's refusals: permissions, validation and stale versions."""

from __future__ import annotations

from console.model.access import REQUIRED_ROLE, Actor, Permission, may
from console.model.errors import PermissionDenied, StaleRecord, StoreError, ValidationError
from console.model.transitions import S, Step, Transitions, missing_note, step


def require(actor: Actor, permission: Permission, what: str) -> None:
    """Refuse ``what`` unless the actor's role holds ``permission``."""
    if not may(actor.role, permission):
        needed = REQUIRED_ROLE[permission].label
        raise PermissionDenied(f"{actor.name} ({actor.role.label}) may not {what}: it needs {needed}")


def check_version(kind: str, record_id: int, expected: int | None, actual: int) -> None:
    """Optimistic concurrency: a save based on an old read is refused, not applied over a newer one."""
    if expected is not None and expected != actual:
        raise StaleRecord(
            f"{kind} {record_id} was changed by someone else since you opened it "
            f"(version {expected}, now {actual}); reload to see the new values"
        )


def allowed_step(actor: Actor, table: Transitions[S], current: S, target: S, note: str) -> Step[S]:
    """A status change checked against its transition table (``console.model.transitions``): allowed at
    all, allowed to this role, and with a note where the table asks for one. The refusals use the
    table's words."""
    try:
        chosen = step(table, current, target)
    except ValueError as error:
        raise StoreError(str(error)) from None
    require(actor, chosen.permission, table.act_on(target))
    if errors := missing_note(table, chosen, note):
        raise ValidationError(errors)
    return chosen
