"""The store's refusals: permissions, validation and stale versions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from console.domain import (
    REQUIRED_ROLE,
    Actor,
    Permission,
    PermissionDenied,
    StaleRecord,
    StoreError,
    ValidationError,
    may,
)


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


def allowed_step(actor: Actor, lookup: Callable[[Any, Any], Any], current: Any, target: Any, note: str, *,
                 what: str, note_needed: str) -> Any:
    """A status change checked against its transition table: allowed at all, allowed to this
    role (``what`` names it in the refusal), and with a note where the table asks for one."""
    try:
        step = lookup(current, target)
    except ValueError as error:
        raise StoreError(str(error)) from None
    require(actor, step.permission, what)
    if step.needs_note and not note:
        raise ValidationError({"note": note_needed})
    return step
