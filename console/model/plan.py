"""The plan's 20 points: the whiteboard's records and the limits of its fields. Pure.

A point's status may change to any other (the plan has no workflow); each change is journaled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from console.model.choice import Choice
from console.sanitize import clean_line, clean_text


class PlanStatus(Choice):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    BLOCKED = "blocked"
    DISPUTED = "disputed"

    @property
    def mark(self) -> str:
        return {"not_started": "·", "in_progress": "~", "done": "✓", "blocked": "✗", "disputed": "!"}[self.value]


@dataclass(frozen=True)
class PlanPoint:
    number: int
    title: str
    status: PlanStatus = PlanStatus.NOT_STARTED
    owner: str = ""
    next_step: str = ""
    changed_at: datetime | None = None
    changed_by: str = ""
    version: int = 1
    id: int | None = None


@dataclass(frozen=True)
class PlanNote:
    point_number: int
    text: str
    author: str
    created_at: datetime
    id: int | None = None


MAX_OWNER = 60
MAX_NEXT_STEP = 300
MAX_NOTE = 4000


def check_owner_and_step(owner: str, next_step: str) -> tuple[str, str, dict[str, str]]:
    """Clean both fields; the messages are the ones shown beside the form's fields."""
    owner, next_step = clean_line(owner, max_chars=1000), clean_line(next_step, max_chars=2000)
    errors: dict[str, str] = {}
    if len(owner) > MAX_OWNER:
        errors["owner"] = f"at most {MAX_OWNER} characters (got {len(owner)})"
    if len(next_step) > MAX_NEXT_STEP:
        errors["next_step"] = f"at most {MAX_NEXT_STEP} characters (got {len(next_step)})"
    return owner, next_step, errors


def check_note(text: str, *, required: bool = True) -> tuple[str, dict[str, str]]:
    """Clean a note of a point; the message if it is empty (when one is required) or too long."""
    text = clean_text(text, max_chars=MAX_NOTE + 1)
    if required and not text:
        return text, {"note": "a note cannot be empty"}
    if len(text) > MAX_NOTE:
        return text, {"note": f"at most {MAX_NOTE} characters"}
    return text, {}
