"""One-line summaries above each pane, built from store figures. Pure text."""

from __future__ import annotations

from rich.text import Text

from console.domain import (
    SEVERITY_MARKS,
    Contributor,
    DualUseRequest,
    DualUseStatus,
    IncidentStatus,
    IsfStatus,
    Officer,
    PlanPoint,
    PlanStatus,
    Presence,
)
from console.dtg import utc_now
from console.store.incidents import IncidentSummary
from widgets.aid_board import CrossingRow
from widgets.cells import sparkline

WAITING = {DualUseStatus.SUBMITTED, DualUseStatus.UNDER_REVIEW, DualUseStatus.MORE_INFO, DualUseStatus.RESUBMITTED}


def incident_title(summary: IncidentSummary) -> Text:
    text = Text("Incidents", "bold")
    if summary.unacknowledged_high:
        text.append(f"  ! {summary.unacknowledged_high} unacknowledged sev 4-5 (a to acknowledge)", "bold red")
    return text


def incident_summary(summary: IncidentSummary, shown: int, total: int | None, filter_text: str) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    for status in (IncidentStatus.REPORTED, IncidentStatus.VERIFYING, IncidentStatus.VERIFIED,
                   IncidentStatus.UNSUBSTANTIATED):
        text.append(f"{status.mark} {summary.by_status.get(status.value, 0)}  ")
    text.append("open sev ")
    text.append(" ".join(f"{s}{SEVERITY_MARKS[s]}{summary.by_severity.get(s, 0)}" for s in range(5, 0, -1)))
    text.append("\n24h: " + "  ".join(f"{g} {n}" for g, n in sorted(summary.last_24h_by_governorate.items())))
    if filter_text:
        text.append(f"\nfilter {filter_text!r}: {total if total is not None else shown} match", "bold")
    return text


def aid_summary(rows: list[CrossingRow], history: dict, days: list[str], target: int,
                queue: list[DualUseRequest]) -> Text:
    entered = sum(r.entered for r in rows)
    overall = [sum(n for (code, day), n in history.items() if day == d) for d in days]
    waiting = [q for q in queue if q.status in WAITING]
    now = utc_now()
    overdue = sum(1 for q in waiting if q.submitted_at and (now - q.submitted_at).total_seconds() > 72 * 3600)
    closed = [r.crossing.name for r in rows if not r.crossing.is_open]
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"Today {entered}/{target} trucks ", "bold yellow" if entered < target else "bold green")
    text.append(f"{sparkline(overall)}  dual-use waiting {len(waiting)}")
    if overdue:
        text.append(f" ({overdue} > 72h)", "bold yellow")
    if closed:
        text.append("\nCLOSED: " + ", ".join(closed), "bold red")
    return text


def partner_summary(officers: list[Officer], contributors: list[Contributor], planned: int) -> Text:
    on_floor = [o for o in officers if o.presence is Presence.ON_FLOOR]
    nations = len({o.partner_code for o in on_floor})
    pledged = sum(c.troops + c.police for c in contributors if c.status is IsfStatus.PLEDGED)
    accepted = sum(c.troops + c.police for c in contributors if c.status is IsfStatus.ACCEPTED)
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"On floor {len(on_floor)}/{len(officers)} from {nations} partners")
    text.append(f"\nISF: pledged {pledged:,}, accepted {accepted:,} of {planned:,} planned; ")
    text.append(", ".join(f"{c.nation} {c.status.label}" for c in contributors[:6]))
    return text


def plan_summary(points: list[PlanPoint]) -> Text:
    counts = {status: sum(1 for p in points if p.status is status) for status in PlanStatus}
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("  ".join(f"{s.mark} {s.label} {n}" for s, n in counts.items()))
    text.append("\n" + "".join(f"{p.number}{p.status.mark} " for p in points))
    return text
