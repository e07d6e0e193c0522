"""What a promoted headline pre-fills in the incident form (pure: no Textual, no store)."""

from __future__ import annotations

import re

from console.model.headlines import Headline
from console.model.incidents import LOCALITIES, Governorate, Incident, IncidentCategory, SourceType
from console.sanitize import clean_line, clean_text

#: The form's description field is free text; a summary longer than this is cut.
MAX_DESCRIPTION_CHARS = 2000


def guess_place(text: str) -> tuple[Governorate | None, str]:
    """The governorate (and locality) a headline names first; None when it names none."""
    best: tuple[int, Governorate, str] | None = None
    for governorate, localities in LOCALITIES.items():
        for name in (*localities, governorate.value):
            match = re.search(r"(?<!\w)" + re.escape(name) + r"(?!\w)", text, re.IGNORECASE)
            if match and (best is None or match.start() < best[0]):
                best = (match.start(), governorate, name if name != governorate.value else "")
    if best is None:
        return None, ""
    return best[1], best[2]


def source_type_for(headline: Headline) -> SourceType:
    """Media, or social media when the feed's name says so."""
    return SourceType.SOCIAL_MEDIA if "social" in headline.source.lower() else SourceType.MEDIA


def left_to_choose(headline: Headline) -> frozenset[str]:
    """The form's fields the operator must choose for an incident from ``headline``: what happened
    and how severe (a headline never says in those terms), and where, when it names no place. The
    incident from ``incident_from_headline`` holds placeholders there, never shown as a choice."""
    governorate, _locality = guess_place(f"{headline.title}\n{headline.summary}")
    return frozenset({"category", "severity"} | ({"governorate"} if governorate is None else set()))


def incident_from_headline(headline: Headline) -> Incident:
    """A new incident (no id) for the operator to complete: the headline's words, time and source
    (and placeholders for what is ``left_to_choose``)."""
    title = clean_line(headline.title, max_chars=500)
    summary = clean_text(headline.summary, max_chars=MAX_DESCRIPTION_CHARS)
    description = title if not summary or summary == title else f"{title}\n\n{summary}"
    governorate, locality = guess_place(f"{headline.title}\n{headline.summary}")
    return Incident(
        occurred_at=headline.published_at,
        governorate=governorate or Governorate.GAZA,
        locality=locality,
        category=IncidentCategory.OTHER,
        description=description[:MAX_DESCRIPTION_CHARS],
        severity=2,
        source=clean_line(headline.source, max_chars=200),
        source_type=source_type_for(headline),
        releasability=headline.releasability,
    )
