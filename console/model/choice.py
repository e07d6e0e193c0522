"""Choice: the string enum every status and kind of the model is."""

from __future__ import annotations

from enum import Enum
from typing import Self


class Choice(str, Enum):
    """A string enum whose value is what is stored and whose label is shown."""

    _value_: str

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")

    @classmethod
    def parse(cls, text: str) -> Self:
        """Accept the value, the label or the member name, case-insensitively."""
        wanted = text.strip().lower().replace(" ", "_").replace("-", "_")
        for member in cls:
            if wanted in (member.value.lower(), member.name.lower()):
                return member
        choices = ", ".join(m.value for m in cls)
        raise ValueError(f"{text!r} is not one of: {choices}")

