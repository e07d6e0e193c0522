"""The shift handover brief: what the incoming watch officer must know.

Built from the store for one actor (so releasability applies), as a plain
dict that renders to Markdown or JSON and is signed as it stands.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from console.model.access import Actor
from console.model.aid import COMBINED_MEANS, DualUseStatus, EnteredFigures, FigureSource, SourceFigure
from console.model.partners import Presence
from console.dtg import format_dtg, utc_now
from console.model.incidents import IncidentFilter

WAITING_DUAL_USE = {DualUseStatus.SUBMITTED, DualUseStatus.UNDER_REVIEW, DualUseStatus.MORE_INFO,
                    DualUseStatus.RESUBMITTED}
MAX_LISTED = 40


async def build_brief(store, actor: Actor, since: datetime, *, now: datetime | None = None,
                      daily_target: int = 600) -> dict:
    now = now or utc_now()
    open_incidents = await store.incidents.page(
        actor, IncidentFilter.open_incidents(sort="severity"), limit=MAX_LISTED)
    open_count = await store.incidents.count(actor, IncidentFilter.open_incidents())
    new_incidents = await store.incidents.page(actor, IncidentFilter(since=since), limit=MAX_LISTED)
    new_count = await store.incidents.count(actor, IncidentFilter(since=since))
    board = await store.aid.board(actor, date.fromisoformat(now.date().isoformat()))
    queue = [q for q in await store.aid.dual_use_queue(actor) if q.status in WAITING_DUAL_USE]
    officers = await store.partners.officers(actor)
    on_floor: dict[str, int] = {}
    for officer in officers:
        if officer.presence is Presence.ON_FLOOR:
            on_floor[officer.partner_code] = on_floor.get(officer.partner_code, 0) + 1
    feeds = await store.feeds.list()
    hits = [h for h in await store.headlines.latest(actor, limit=1000) if h.watch_hits and h.published_at >= since]
    log = await store.watch.log_entries(actor, since=since)
    return {
        "generated_at": format_dtg(now),
        "since": format_dtg(since),
        "for": f"{actor.name} ({actor.nation})",
        "open_incidents": {
            "total": open_count,
            "listed": [_incident(i) for i in open_incidents],
        },
        "new_incidents": {"total": new_count, "listed": [_incident(i) for i in new_incidents]},
        "aid_today": {
            "target": daily_target,
            "entered_counts": COMBINED_MEANS,  # what every "entered" below is
            **_figures(sum((d.figures for d in board), EnteredFigures())),
            "crossings": [{"crossing": d.crossing.name, "open": d.crossing.is_open, **_figures(d.figures),
                           "target": d.crossing.daily_target} for d in board],
        },
        "dual_use_waiting": [{"id": q.id, "item": q.item, "organisation": q.organisation, "status": q.status.value,
                              "hours_waiting": int((now - q.submitted_at).total_seconds() // 3600)
                              if q.submitted_at else None} for q in queue],
        "on_floor": {"total": sum(on_floor.values()), "by_partner": dict(sorted(on_floor.items()))},
        "feeds": [{"name": f.name, "enabled": f.enabled, "failures": f.consecutive_failures,
                   "last_error": f.last_error if f.consecutive_failures else ""} for f in feeds],
        "watch_list_hits": [{"published": format_dtg(h.published_at), "source": h.source, "title": h.title,
                             "hits": list(h.watch_hits)} for h in hits[:MAX_LISTED]],
        "log": [{"at": format_dtg(e.at), "author": e.author, "text": e.text} for e in log],
    }


def _figures(figures: EnteredFigures) -> dict:
    """Combined trucks entered and convoys, and each source's own (only what it reported)."""
    return {"entered": figures.combined.trucks, "entered_convoys": figures.combined.convoys,
            "by_source": {s.value: {"trucks": figures.of(s).trucks, "convoys": figures.of(s).convoys}
                          for s in figures.sources}}


def _figures_from(brief_part: dict) -> EnteredFigures:
    """``_figures`` read back, so the Markdown says the figures in the board's words."""
    by_source = {FigureSource(s): SourceFigure(f["trucks"], f["convoys"]) for s, f in brief_part["by_source"].items()}
    return EnteredFigures(SourceFigure(brief_part["entered"], brief_part["entered_convoys"]), by_source)


def _incident(incident) -> dict:
    return {"id": incident.id, "dtg": format_dtg(incident.occurred_at), "severity": incident.severity,
            "category": incident.category.label, "where": incident.place, "status": incident.status.value,
            "acknowledged": incident.acknowledged_at is not None, "description": incident.description[:200]}


def default_since(last_signed_at: datetime | None, hours: int = 12) -> datetime:
    """Since the last signed handover, or the last ``hours`` when there was none."""
    return last_signed_at or (utc_now() - timedelta(hours=hours))


def render_json(brief: dict) -> str:
    return json.dumps(brief, indent=2, ensure_ascii=False, sort_keys=False)


def _md(text: object) -> str:
    """Text from outside, inert in Markdown: no markup, tables or links take effect."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("[", "\\[").replace("]", "\\]") \
        .replace("<", "&lt;").replace("`", "\\`").replace("*", "\\*").replace("_", "\\_")


def render_markdown(brief: dict) -> str:
    lines = [f"# Watch handover, {brief['generated_at']}", "",
             f"Since {brief['since']}, prepared for {_md(brief['for'])}.", ""]
    open_ = brief["open_incidents"]
    lines += [f"## Open incidents: {open_['total']} (by severity)", ""]
    lines += [f"- sev {i['severity']} {i['dtg']} {_md(i['category'])} at {_md(i['where'])}: {i['status']}"
              f"{'' if i['acknowledged'] else ' (UNACKNOWLEDGED)'}: {_md(i['description'])}" for i in open_["listed"]]
    new = brief["new_incidents"]
    lines += ["", f"## New since the last handover: {new['total']}", ""]
    lines += [f"- {i['dtg']} sev {i['severity']} {_md(i['category'])} at {_md(i['where'])}" for i in new["listed"]]
    lines += _aid_markdown(brief["aid_today"])
    lines += ["", f"## Dual-use requests waiting: {len(brief['dual_use_waiting'])}", ""]
    lines += [f"- #{q['id']} {_md(q['item'])} ({_md(q['organisation'])}): {q['status']}, {q['hours_waiting']} h"
              for q in brief["dual_use_waiting"]]
    floor = brief["on_floor"]
    lines += ["", f"## On the floor: {floor['total']}", "",
              ", ".join(f"{_md(p)} {n}" for p, n in floor["by_partner"].items()) or "nobody marked on the floor"]
    lines += ["", "## Feeds", ""]
    lines += [f"- {_md(f['name'])}: {'off' if not f['enabled'] else 'ok' if not f['failures'] else 'FAILING'}"
              f"{' (' + _md(f['last_error']) + ')' if f['last_error'] else ''}" for f in brief["feeds"]]
    lines += ["", f"## Watch-list hits: {len(brief['watch_list_hits'])}", ""]
    lines += [f"- {h['published']} {_md(h['source'])}: {_md(h['title'])} ({_md(', '.join(h['hits']))})"
              for h in brief["watch_list_hits"]]
    lines += ["", "## Log", ""]
    lines += [f"- {e['at']} {_md(e['author'])}: {_md(e['text'])}" for e in brief["log"]] or ["- no entries"]
    return "\n".join(lines) + "\n"


def _aid_markdown(aid: dict) -> list[str]:
    """The combined figure said as what it is, each source's own beside it, then a row per crossing."""
    day = _figures_from(aid)
    names = [s.full_name for s in day.sources]
    lines = ["", f"## Aid today: {aid['entered']} of {aid['target']} trucks combined ({_md(aid['entered_counts'])})",
             "", day.line, "", "Trucks entered (convoys), each source's own reports:", "",
             "| crossing | open | combined | " + " | ".join(names) + " | target |",
             "| --- " * (len(names) + 4) + "|"]
    for crossing in aid["crossings"]:
        figures = _figures_from(crossing)
        cells = [_md(crossing["crossing"]), "yes" if crossing["open"] else "CLOSED",
                 f"{figures.combined.trucks} ({figures.combined.convoys})",
                 *(f"{figures.of(s).trucks} ({figures.of(s).convoys})" for s in day.sources),
                 "-" if crossing["target"] is None else str(crossing["target"])]
        lines.append("| " + " | ".join(cells) + " |")
    return lines
