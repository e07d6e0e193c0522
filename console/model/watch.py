"""The watch: free-text log entries and signed shift handovers. Pure."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from console.model.access import RELEASABLE_TO_ALL


@dataclass(frozen=True)
class LogEntry:
    at: datetime
    author: str
    text: str
    releasability: str = RELEASABLE_TO_ALL
    id: int | None = None


@dataclass(frozen=True)
class Handover:
    id: int
    since: datetime
    brief: dict[str, Any]
    brief_hash: str
    signed_by: str
    signed_at: datetime
    acknowledged_by: str | None
    acknowledged_at: datetime | None


def brief_digest(brief: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(brief, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
