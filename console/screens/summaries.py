"""One-line summaries above each pane, built from store figures. Pure text."""

from __future__ import annotations

from rich.text import Text

from console.model.aid import (
    COMBINED_MEANS,
    DUAL_USE_OVERDUE_HOURS,
    DUAL_USE_WAITING,
    DualUseRequest,
    DualUseStatus,
    EnteredFigures,
)
from console.model.incidents import SEVERITY_MARKS, IncidentStatus, IncidentSummary
from console.model.isf import Contributor, IsfStatus
from console.model.partners import RosterCounts
from console.model.plan import PlanPoint, PlanStatus
from widgets.aid.aid_board import CrossingRow
from widgets.cells import sparkline
from widgets.aid.dual_use_queue import is_overdue


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


def aid_title(history: dict, days: list[str]) -> Text:
    """``Aid flow  ▇▅▆██▇▇▆▅█▄▇▂▃ 14d, all crossings``: the combined trend beside the title."""
    overall = [sum(n for (code, day), n in history.items() if day == d) for d in days]
    text = Text("Aid flow", "bold", no_wrap=True, overflow="ellipsis")
    text.append(f"  {sparkline(overall)} {len(days)}d, all crossings")
    return text


def aid_summary(rows: list[CrossingRow], target: int, queue: list[DualUseRequest], *,
                day_label: str = "Today", view: str = "", figures: EnteredFigures | None = None) -> Text:
    """Four lines: the combined figure against the overall target, said as what it is; each source's
    own figure beside it; the dual-use queue; closed crossings and the view the pane shows."""
    entered = sum(r.entered for r in rows)
    waiting = [q for q in queue if q.status in DUAL_USE_WAITING]
    overdue = sum(1 for q in waiting if is_overdue(q))
    more_info = sum(1 for q in queue if q.status is DualUseStatus.MORE_INFO)
    closed = [r.crossing for r in rows if not r.crossing.is_open]
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{day_label} combined {entered}/{target} trucks", "bold yellow" if entered < target else "bold green")
    text.append(f" ({COMBINED_MEANS})")
    if figures is not None:
        text.append(f"\n{figures.line}", "bold magenta")
    text.append(f"\nDual-use: {len(waiting)} waiting on the group")
    if overdue:
        text.append(f", ! {overdue} over {DUAL_USE_OVERDUE_HOURS}h", "bold yellow")
    if more_info:
        text.append(f", {more_info} with requester")
    if view or closed:
        text.append("\n")
    if view:
        text.append(f"[{view}] ")
    if closed:
        text.append("✗ SHUT: " + "; ".join(
            f"{c.name}" + (f" ({c.status_reason})" if c.status_reason else "") for c in closed), "bold red")
    return text


def isf_totals(contributors: list[Contributor]) -> tuple[int, int]:
    """(pledged, accepted) troops and police: what is pledged but not yet accepted, and what is accepted."""
    pledged = sum(c.troops + c.police for c in contributors if c.status is IsfStatus.PLEDGED)
    accepted = sum(c.troops + c.police for c in contributors if c.status is IsfStatus.ACCEPTED)
    return pledged, accepted


def isf_line(contributors: list[Contributor], planned: int) -> Text:
    """``ISF pledged 9,850 + accepted 4,300 = 14,150/20,000 (71%) ███████░░░``: against the planned size."""
    pledged, accepted = isf_totals(contributors)
    together = pledged + accepted
    share = together / planned if planned else 0.0
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"ISF pledged {pledged:,} + accepted {accepted:,} = {together:,}/{planned:,} planned")
    text.append(f" ({share:.0%}) ", "bold" if share >= 1 else "")
    filled = min(10, int(share * 10 + 0.5))
    text.append("█" * filled + "░" * (10 - filled))
    return text


def partner_summary(counts: RosterCounts, contributors: list[Contributor], planned: int,
                    *, filter_text: str = "", shown: int | None = None) -> Text:
    """Three lines: on floor by partner; the ISF totals; the filter and rotations ending soon."""
    ending = counts.rotations_ending
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"On floor {counts.on_floor}/{counts.total}: ")
    text.append("  ".join(f"{code} {n}" for code, n in counts.on_floor_by_partner) or "nobody")
    text.append("\n")
    text.append_text(isf_line(contributors, planned))
    extra = []
    if filter_text:
        extra.append(f"filter: {filter_text} ({shown if shown is not None else '?'} shown)")
    if ending:
        extra.append(f"! {ending} rotation{'s' if ending != 1 else ''} end within 7 days")
    if extra:
        text.append("\n" + "   ".join(extra))
    return text


def plan_summary(points: list[PlanPoint]) -> Text:
    """Two lines: how many points per status; then the board itself, every point's number and mark."""
    counts = {status: sum(1 for p in points if p.status is status) for status in PlanStatus}
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("  ".join(f"{s.mark} {s.label} {n}" for s, n in counts.items()))
    text.append("\n")
    for point in points:
        style = "bold" if point.status in (PlanStatus.BLOCKED, PlanStatus.DISPUTED) else ""
        text.append(f"{point.number}{point.status.mark}", style)
        text.append(" ")
    return text
