"""Who may do what: roles, permissions, actors and operators, and releasability markings. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, IntEnum


class Role(IntEnum):
    """Ordered: each role may do everything the ones below it may."""

    VIEWER = 0
    OPERATOR = 1
    WATCH_OFFICER = 2
    ADMIN = 3

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", " ")

    @classmethod
    def parse(cls, text: str) -> Role:
        key = text.strip().upper().replace(" ", "_").replace("-", "_")
        try:
            return cls[key]
        except KeyError:
            raise ValueError(
                f"{text!r} is not a role (viewer, operator, watch_officer, admin)"
            ) from None


class Permission(str, Enum):
    CREATE = "create"  # new records of any kind
    EDIT = "edit"  # edits, notes, links, acknowledgement, presence
    VERIFY = "verify"  # verification outcomes, closing, reopening
    SIGN_HANDOVER = "sign_handover"
    MANAGE_FEEDS = "manage_feeds"
    MANAGE_OPERATORS = "manage_operators"


#: The least role that holds each permission. The store checks this table.
REQUIRED_ROLE: dict[Permission, Role] = {
    Permission.CREATE: Role.OPERATOR,
    Permission.EDIT: Role.OPERATOR,
    Permission.VERIFY: Role.WATCH_OFFICER,
    Permission.SIGN_HANDOVER: Role.WATCH_OFFICER,
    Permission.MANAGE_FEEDS: Role.ADMIN,
    Permission.MANAGE_OPERATORS: Role.ADMIN,
}


def may(role: Role, permission: Permission) -> bool:
    return role >= REQUIRED_ROLE[permission]


def may_write(actor: Actor) -> bool:
    """Whether the actor's role writes at all (what each write needs beyond that, the store says):
    what the screens grey out for a viewer, or for anyone viewing as another operator."""
    return actor.role >= Role.OPERATOR and not actor.viewing_as


@dataclass(frozen=True)
class Actor:
    """Who makes a change, and from where. Every mutation takes one.

    The store judges a write by the operator's role and nation as the database has them at that
    moment (looked up by ``login`` inside the write's transaction), so ``role`` and ``nation`` here
    are what the screen shows, not a grant. ``viewer_login`` is set when a real operator views the
    floor as this one (``--view-as``): such an actor reads as this operator and never writes.
    ``system`` marks the feed poller's own identity, the only one the store does not look up.
    """

    login: str
    name: str
    role: Role
    nation: str
    origin: str = "local"
    viewer_login: str = ""
    system: bool = False

    @property
    def label(self) -> str:
        return f"{self.name} ({self.nation}, {self.role.label})"

    @property
    def viewing_as(self) -> bool:
        """True when someone else views the floor as this operator: read-only."""
        return bool(self.viewer_login)


#: The feed poller acts under this identity (inbox files under their owner's).
SYSTEM_ACTOR = Actor("cmcc-system", "System", Role.ADMIN, "ALL", "local", system=True)


@dataclass(frozen=True)
class Operator:
    login: str
    name: str
    nation: str
    role: Role
    id: int | None = None


# --- releasability ----------------------------------------------------------

RELEASABLE_TO_ALL = "ALL"


def widens(old_marking: str, new_marking: str) -> bool:
    """Does the new marking release the record to a nation the old one did not?"""
    if old_marking == RELEASABLE_TO_ALL:
        return False
    if new_marking == RELEASABLE_TO_ALL:
        return True
    return not set(new_marking.split(",")) <= set(old_marking.split(","))


def may_widen(actor: Actor, origin_nation: str) -> bool:
    """Only the originating nation or a watch officer (or above) may widen a marking."""
    return actor.role >= Role.WATCH_OFFICER or (bool(origin_nation) and actor.nation == origin_nation)


def parse_releasability(text: str) -> str:
    """Normalise a marking: 'ALL' or a sorted comma list of nation codes."""
    codes = sorted({c.strip().upper() for c in text.replace(";", ",").split(",") if c.strip()})
    if not codes or RELEASABLE_TO_ALL in codes:
        return RELEASABLE_TO_ALL
    for code in codes:
        if not (2 <= len(code) <= 4 and code.isalpha()):
            raise ValueError(f"{code!r} is not a nation code (2-4 letters)")
    return ",".join(codes)
