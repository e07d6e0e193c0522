"""What the journal records: the kinds of record (``Entity``), a journal row, and a status change read
from one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any


class Entity(str, Enum):
    INCIDENT = "incident"
    INCIDENT_NOTE = "incident_note"
    MOVEMENT = "movement"
    CROSSING = "crossing"
    DUAL_USE = "dual_use"
    PARTNER = "partner"
    OFFICER = "officer"
    CONTRIBUTOR = "contributor"
    PLAN_POINT = "plan_point"
    FEED = "feed"
    HEADLINE = "headline"
    OPERATOR = "operator"
    LOG = "log"
    HANDOVER = "handover"
    SEED = "seed"
    LEASE = "lease"  # who holds the feed-polling lease (acquire, takeover, release)


#: Who writes the journal rows no person made: the feed poller and inbox (``SYSTEM_ACTOR``) and
#: the demo seed. With the feed-polling lease (kept by whichever console polls), they swamp a watch
#: log of people's actions, which shows them only when asked.
SEED_LOGIN = "cmcc-seed"
MACHINE_LOGINS = ("cmcc-system", SEED_LOGIN)
HOUSEKEEPING = (Entity.LEASE,)


@dataclass(frozen=True)
class JournalEntry:
    id: int
    at: datetime
    actor: str
    origin: str
    entity: Entity
    entity_id: int | None
    action: str
    changes: dict[str, Any] = field(default_factory=dict)



@dataclass(frozen=True)
class StatusChange:
    """One change in a record's history, read from the journal: who, when, from what to what, why."""

    at: datetime
    actor: str
    old: str
    new: str
    note: str = ""
    action: str = ""

