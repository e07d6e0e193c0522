"""The store's refusals: permissions, validation and stale versions."""

from __future__ import annotations

from console.domain import REQUIRED_ROLE, Actor, Permission, PermissionDenied, StaleRecord, may


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
