"""The international stabilization force: contributing nations, their status, pledges and open
questions. Pure.

A contributor's status may change to any other (no workflow); each change is journaled with its note.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from console.model.choice import Choice


class IsfStatus(Choice):
    UNDER_DISCUSSION = "under_discussion"
    PLEDGED = "pledged"
    ACCEPTED = "accepted"
    VETOED = "vetoed"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"

    @property
    def mark(self) -> str:
        """A letter, so status is never told by colour alone."""
        return {"under_discussion": "?", "pledged": "P", "accepted": "A", "vetoed": "X", "declined": "D",
                "withdrawn": "W"}[self.value]


class IsfRole(Choice):
    TROOPS = "troops"
    POLICE_TRAINING = "police_training"
    LOGISTICS = "logistics"
    FUNDING = "funding"


class OpenQuestion(Choice):
    """What each stabilization-force contributor still has to settle."""

    MANDATE = "mandate"
    COMMAND = "command"
    LEGAL_BASIS = "legal_basis"
    FUNDING = "funding"
    RULES_OF_ENGAGEMENT = "rules_of_engagement"

    @property
    def letter(self) -> str:
        return {"mandate": "M", "command": "C", "legal_basis": "L", "funding": "F", "rules_of_engagement": "R"}[
            self.value]


QUESTION_OPEN = "open"
QUESTION_SETTLED = "settled"


def parse_open_questions(text: str) -> dict[OpenQuestion, str]:
    """The contributor's JSON ``{"mandate": "open", ...}`` as a full map; unknown keys and values are dropped."""
    try:
        raw = json.loads(text or "{}")
    except (ValueError, RecursionError):
        raw = {}
    if not isinstance(raw, dict):
        raw = {}
    result = {}
    for question in OpenQuestion:
        value = raw.get(question.value)
        result[question] = value if value in (QUESTION_OPEN, QUESTION_SETTLED) else QUESTION_OPEN
    return result


def question_marks(text: str) -> str:
    """``MC·F·``: the letter of each open question, a dot for each settled one."""
    return "".join(q.letter if state == QUESTION_OPEN else "·" for q, state in parse_open_questions(text).items())


@dataclass(frozen=True)
class Contributor:
    nation: str
    status: IsfStatus
    troops: int = 0
    police: int = 0
    role_offered: str = ""
    caveats: str = ""
    open_questions: str = ""  # JSON object: question -> "open" | "settled"
    notes: str = ""
    updated_at: datetime | None = None
    version: int = 1
    id: int | None = None

    @property
    def questions(self) -> dict[OpenQuestion, str]:
        return parse_open_questions(self.open_questions)


#: More pledged than this is surely a typing error.
MAX_PLEDGE = 200_000


def check_pledges(troops: int | None, police: int | None) -> dict[str, str]:
    """The pledged numbers' messages by field (None: unchanged)."""
    errors = {}
    for name, value in (("troops", troops), ("police", police)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            errors[name] = "a whole number, 0 or more"
        elif value is not None and value > MAX_PLEDGE:
            errors[name] = "more than 200,000 is surely a typing error"
    return errors
