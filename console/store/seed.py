"""The demo database: invented records built on the public facts of ../shared/domain.md.

Written in bulk (one transaction, executemany) so a fresh demo takes well
under a second; every seeded record still gets its journal row, chained.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from typing import Any, TypeAlias

from console.model.journal import SEED_LOGIN
from console.model.access import Role
from console.model.aid import Commodity, DualUseStatus, FigureSource
from console.model.incidents import LOCALITIES, Governorate, IncidentCategory
from console.dtg import utc_now
from console.store.database import Database
from console.store.journal import INSERT_ROW, Changes, JournalRow, chained_rows, changes_body, last_hash
from console.store.rows import to_iso, value_in

#: One row of a table, its columns' values in the order the INSERT names them.
_Row: TypeAlias = tuple[Any, ...]

CROSSINGS = [
    ("KS", "Kerem Shalom", "Israel (south)", 1, "", 350),
    ("RAF", "Rafah", "Egypt", 0, "closed pending agreement on two-way opening", 100),
    ("ZIK", "Zikim", "Israel (north)", 1, "", 60),
    ("EREZ", "Erez West", "Israel (north)", 1, "", 40),
    ("G96", "Gate 96", "Israel (centre)", 1, "", 30),
    ("ALB", "Allenby / King Hussein Bridge", "Jordan corridor", 1, "", 20),
    ("NIZ", "Nitzana / Al-Awja", "Egypt-Israel inspection", 1, "", None),
    ("ASH", "Ashdod port", "Sea", 1, "", None),
]

PARTNERS = [
    ("USA", "United States", "military", "CMCC HQ"), ("ISR", "Israel", "military", "Liaison"),
    ("GBR", "United Kingdom", "military", "Plans"), ("DEU", "Germany", "military", "Logistics"),
    ("FRA", "France", "military", "Plans"), ("GRC", "Greece", "military", "Maritime"),
    ("CYP", "Cyprus", "civil_government", "Maritime"), ("AUS", "Australia", "military", "Intelligence"),
    ("CAN", "Canada", "military", "Logistics"), ("DNK", "Denmark", "military", "Logistics"),
    ("JOR", "Jordan", "military", "Aid corridor"), ("ITA", "Italy", "military", "Policing"),
    ("ARE", "United Arab Emirates", "civil_government", "Aid"), ("SGP", "Singapore", "military", "Medical"),
    ("EGY", "Egypt", "military", "Rafah cell"), ("WFP", "World Food Programme", "un_agency", "Aid"),
    ("UNICEF", "UNICEF", "un_agency", "Aid"), ("OCHA", "UN OCHA", "un_agency", "Aid"),
    ("ICRC", "International Committee of the Red Cross", "ngo", "Humanitarian"),
]
ORGANISATIONS = ["WFP", "UNRWA", "UNICEF", "WHO", "OCHA", "UNOPS", "Egyptian Red Crescent",
                 "Palestine Red Crescent", "ICRC", "World Central Kitchen", "ANERA", "UAE aid"]
RANKS = ["CPT", "MAJ", "LTC", "COL", "LT", "WO2", "SGT", "Mr", "Ms"]
FIRST = ["Alex", "Sam", "Noa", "Yusuf", "Maria", "Jonas", "Claire", "Omar", "Eleni", "Liam", "Hana", "Marco",
         "Sofia", "Daniel", "Layla", "Tom", "Ines", "Karim", "Anna", "Ravi"]
LAST = ["Hale", "Weber", "Laurent", "Papas", "Costa", "Nguyen", "Jensen", "Haddad", "Rossi", "Tan", "Morgan",
        "Cohen", "Farah", "Keller", "Dubois", "Walsh", "Mansour", "Berg", "Novak", "Reyes"]
CELLS = ["Ops", "Plans", "Logistics", "Aid", "Liaison", "Intelligence", "Medical", "Maritime", "Policing"]

CONTRIBUTORS = [
    ("IDN", "pledged", 8000, 0, "troops", "no operations against armed groups"),
    ("EGY", "accepted", 2000, 1500, "police training", "training in Egypt"),
    ("TUR", "vetoed", 0, 0, "troops", "vetoed by Israel"),
    ("ARE", "under_discussion", 0, 0, "funding", ""),
    ("AZE", "under_discussion", 1000, 0, "troops", "needs UN mandate text"),
    ("PAK", "under_discussion", 3000, 0, "troops", ""),
    ("MAR", "under_discussion", 800, 0, "troops", ""),
    ("KAZ", "pledged", 500, 0, "logistics", ""),
    ("XKX", "pledged", 150, 0, "troops", ""),
    ("ALB", "pledged", 200, 0, "troops", ""),
    ("BGD", "under_discussion", 1200, 0, "troops", ""),
    ("ITA", "accepted", 0, 300, "police training", "carabinieri trainers"),
    ("JOR", "accepted", 0, 500, "police training", "training in Jordan"),
]
OPEN_QUESTIONS = ["mandate", "command", "legal_basis", "funding", "rules_of_engagement"]

PLAN_TITLES = [
    "Gaza a deradicalised, terror-free zone", "Gaza redeveloped for its people",
    "War ends; IDF withdraws to the agreed line; lines frozen",
    "All hostages, living and dead, returned within 72 hours", "Prisoner and detainee releases; remains exchanged",
    "Amnesty for those who decommission; safe passage out",
    "Full aid at once (water, power, sewage, hospitals, bakeries, rubble)",
    "Aid through the UN, Red Crescent and neutral bodies; Rafah opens both ways",
    "Technocratic Palestinian committee under a Board of Peace", "Economic development plan",
    "Special economic zone", "No one forced to leave; free return",
    "No Hamas role in governance; tunnels and weapons destroyed; monitored decommissioning",
    "Regional partners guarantee compliance", "Temporary ISF; trains vetted Palestinian police; secures borders",
    "No occupation or annexation; IDF hands ground to ISF by milestones",
    "Plan proceeds in terror-free areas if delayed", "Interfaith dialogue",
    "Pathway to self-determination after PA reform", "US-led dialogue on a political horizon",
]
PLAN_STATE = ["in_progress", "in_progress", "done", "disputed", "in_progress", "in_progress", "in_progress",
              "blocked", "in_progress", "not_started", "not_started", "in_progress", "disputed", "in_progress",
              "in_progress", "in_progress", "not_started", "not_started", "not_started", "in_progress"]

INCIDENT_TEXT = {
    "yellow_line_approach": "Group of {n} persons approached the yellow line near {loc}; warning shots reported",
    "small_arms_fire": "Small-arms fire reported near {loc}; {party} alleged",
    "anti_tank_fire": "Anti-tank missile fired at vehicle near {loc}",
    "air_or_drone_strike": "Drone strike reported on a structure in {loc}",
    "shelling": "Artillery shelling reported east of {loc}",
    "armed_clash": "Armed clash between factions reported in {loc}",
    "tunnel_emergence": "Armed persons reported emerging from a tunnel shaft near {loc}",
    "demolition": "Controlled demolition of buildings observed near {loc}",
    "aid_looting": "Aid convoy of {n} trucks looted by crowd near {loc}",
    "crossing_closure_or_aid_obstruction": "Aid convoy held at checkpoint; route to {loc} obstructed",
    "remains_handover_delay": "Handover of remains delayed; ICRC team waiting near {loc}",
    "rocket_or_mortar_launch": "Mortar launch detected from {loc}",
    "other": "Unexplained explosion heard in {loc}",
}
CATEGORY_WEIGHTS = [14, 16, 2, 6, 5, 8, 3, 7, 6, 8, 4, 3, 4]
PARTIES = ["IDF", "Hamas", "PIJ", "local clan", "unknown", "armed group"]
SOURCES = [("partner liaison GBR", "partner_liaison"), ("UNDSS", "un"), ("IDF spokesperson", "idf_statement"),
           ("Hamas statement", "hamas_statement"), ("Regional Daily", "media"), ("social media post", "social_media"),
           ("OCHA flash update", "un"), ("partner liaison EGY", "partner_liaison")]

HEADLINE_TEMPLATES = [
    "Aid trucks enter Gaza through {crossing} as cease-fire holds",
    "CMCC reports {n} trucks crossed on {day}",
    "Rafah crossing to remain closed, officials say",
    "Remains of hostage returned via ICRC, {n} still held",
    "Stabilization force: {nation} confirms pledge of troops",
    "UN warns of winter shelter shortfall in {gov}",
    "Shots fired near yellow line in {gov}, IDF says",
    "WFP: food availability improving in {gov} markets",
    "Dual-use items working group approves generators for hospitals",
    "Board of Peace meets to discuss technocratic committee",
    "Fuel deliveries below target for third day",
    "Zikim crossing reopens for aid after closure",
    "Police trainees complete course in {nation}",
    "Drone strike reported in {gov}; casualties unclear",
]
FEEDS = [("Wire Service", "http://127.0.0.1:1/rss.xml"), ("Regional Daily", "http://127.0.0.1:1/atom.xml"),
         ("OCHA Updates", "http://127.0.0.1:1/feed.json"), ("Social Monitor", "http://127.0.0.1:1/social.json")]
WATCH_WORDS = ("hostage", "Rafah", "looted", "strike")
#: The demo's note for each movement status that needs one (console.model.aid.MOVEMENT_NOTE_REQUIRED).
STATUS_NOTES = {"held": "held for inspection", "rejected": "refused at the crossing",
                "intercepted": "stopped on the road"}


class _Journal:
    """Collects journal rows for the seed, chained like the store's own."""

    def __init__(self, prev_hash: str, at: str):
        self.rows: list[JournalRow] = []
        self.prev_hash = prev_hash
        self.at = at

    def add(self, entity: str, entity_id: int, changes: Changes) -> None:
        (row,) = chained_rows(self.prev_hash, self.at, SEED_LOGIN, "local",
                              [(entity, entity_id, "seed", changes_body(changes))])
        self.rows.append(row)
        self.prev_hash = row[-1]


async def is_seeded(database: Database) -> bool:
    return bool(await database.scalar("SELECT count(*) FROM plan_points"))


async def seed_demo(database: Database, *, operator_login: str, now: datetime | None = None,
                    seed: int = 2610) -> None:
    """Fill an empty database with the demo data. ``operator_login`` becomes its admin."""
    now = (now or utc_now()).astimezone(timezone.utc).replace(microsecond=0)
    rng = random.Random(seed)
    async with database.transaction() as conn:
        journal = _Journal(await last_hash(conn), to_iso(now))

        async def insert(table: str, columns: list[str], rows: list[_Row], entity: str) -> None:
            marks = ",".join("?" * len(columns))
            first_id = int(await value_in(conn, f"SELECT coalesce(max(id), 0) FROM {table}")) + 1
            await conn.executemany(f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})", rows)
            for offset, row in enumerate(rows):
                journal.add(entity, first_id + offset, dict(zip(columns, row)))

        demo_operators = [
            ("wo_gbr", "Maj. Claire Morgan", "GBR", int(Role.WATCH_OFFICER), to_iso(now)),
            ("op_deu", "Capt. Jonas Weber", "DEU", int(Role.OPERATOR), to_iso(now)),
            ("viewer_egy", "Lt. Omar Haddad", "EGY", int(Role.VIEWER), to_iso(now)),
        ]
        await insert("operators", ["login", "name", "nation", "role", "created_at"], [
            (operator_login, f"{operator_login} (demo admin)", "USA", int(Role.ADMIN), to_iso(now)),
            *[row for row in demo_operators if row[0] != operator_login],
        ], "operator")

        await insert("crossings", ["code", "name", "border", "is_open", "status_reason", "status_changed_at",
                                   "daily_target"],
                     [(c, n, b, o, r, to_iso(now - timedelta(days=2)), t) for c, n, b, o, r, t in CROSSINGS],
                     "crossing")
        await insert("partners", ["code", "name", "kind", "cell"], PARTNERS, "partner")
        await insert("plan_points", ["number", "title", "status", "owner", "next_step", "changed_at", "changed_by"],
                     [(i + 1, t, PLAN_STATE[i], rng.choice(["CMCC", "Board of Peace", "ISF cell", "Aid cell", "USA",
                                                           "EGY", "Mediators"]),
                       rng.choice(["Working group meets Thursday", "Awaiting partner reply", "Draft in review",
                                   "Brief the commander", ""]),
                       to_iso(now - timedelta(hours=rng.randint(1, 300))), SEED_LOGIN)
                      for i, t in enumerate(PLAN_TITLES)], "plan_point")
        await insert("contributors", ["nation", "status", "troops", "police", "role_offered", "caveats",
                                      "open_questions", "notes", "updated_at"],
                     [(n, s, t, p, r, c, json.dumps({q: rng.choice(["open", "open", "settled"])
                                                     for q in OPEN_QUESTIONS}), "", to_iso(now - timedelta(days=3)))
                      for n, s, t, p, r, c in CONTRIBUTORS], "contributor")

        officers = []
        for partner_id, (code, _name, _kind, cell) in enumerate(PARTNERS, start=1):
            for _ in range(rng.randint(2, 6)):
                start = now.date() - timedelta(days=rng.randint(10, 150))
                officers.append((rng.choice(RANKS), f"{rng.choice(FIRST)} {rng.choice(LAST)}", partner_id,
                                 rng.choice(["Army", "Navy", "Air Force", "Marines", "Civil"]),
                                 rng.choice([cell] + CELLS), rng.choice(["liaison", "planner", "analyst", "lead"]),
                                 f"chat:{code.lower()}-{rng.randint(10, 99)}", rng.choice(["day", "day", "night"]),
                                 start.isoformat(),
                                 (start + timedelta(days=rng.choice([90, 120, 150, 180]))).isoformat(),
                                 rng.choice(["on_floor", "on_floor", "away", "off_shift"]),
                                 to_iso(now - timedelta(minutes=rng.randint(5, 600)))))
        await insert("officers", ["rank", "name", "partner_id", "service", "cell", "role", "contact", "shift",
                                  "rotation_start", "rotation_end", "presence", "presence_changed_at"], officers,
                     "officer")

        incidents, fts = _incidents(rng, now)
        columns = ["occurred_at", "governorate", "locality", "latitude", "longitude", "category", "description",
                   "severity", "killed", "injured", "alleged_party", "source", "source_type", "reliability",
                   "credibility", "status", "acknowledged_by", "acknowledged_at", "releasability", "created_at",
                   "updated_at"]
        await insert("incidents", columns, incidents, "incident")
        await conn.executemany("INSERT INTO incidents_fts (rowid, description, notes) VALUES (?, ?, '')", fts)

        # held, rejected and intercepted movements carry the note the store requires of them (an
        # export of the demo imports back: the importer refuses such a movement without one)
        await insert("movements", ["planned_date", "crossing_id", "organisation", "commodity", "load_type", "trucks",
                                   "tonnes", "pallets", "reference", "figure_source", "status", "status_note",
                                   "releasability", "created_at", "updated_at"],
                     [(*row[:11], STATUS_NOTES.get(row[10], ""), *row[11:]) for row in _movements(rng, now)],
                     "movement")
        await insert("dual_use_requests", ["item", "list_reference", "quantity", "organisation", "justification",
                                           "status", "submitted_at", "updated_at"], _dual_use(rng, now), "dual_use")
        await insert("feeds", ["name", "url", "interval_seconds", "enabled", "keywords"],
                     [(n, u, 300, 0, ",".join(WATCH_WORDS)) for n, u in FEEDS], "feed")
        await insert("headlines", ["feed_id", "source", "title", "link", "summary", "guid", "dedup_key",
                                   "published_at", "fetched_at", "read", "watch_hits"], _headlines(rng, now),
                     "headline")
        await conn.executemany(INSERT_ROW, journal.rows)


def _incidents(rng: random.Random, now: datetime) -> tuple[list[_Row], list[tuple[int, str]]]:
    rows: list[_Row] = []
    fts: list[tuple[int, str]] = []
    categories = list(IncidentCategory)
    for index in range(420):
        occurred = now - timedelta(minutes=int(rng.random() ** 1.3 * 30 * 24 * 60))
        gov = rng.choice(list(Governorate))
        loc = rng.choice(LOCALITIES[gov])
        category = rng.choices(categories, CATEGORY_WEIGHTS)[0]
        party = rng.choice(PARTIES)
        text = INCIDENT_TEXT[category.value].format(n=rng.randint(3, 40), loc=loc, party=party)
        age_days = (now - occurred).days
        status = (rng.choice(["closed", "closed", "verified", "unsubstantiated"]) if age_days > 5 else
                  rng.choice(["reported", "verifying", "verified", "unsubstantiated", "closed"]))
        acknowledged = age_days > 0 or rng.random() < 0.7
        severity = rng.choices([1, 2, 3, 4, 5], [20, 30, 28, 15, 7])[0]
        killed = rng.choice([None, 0, 0, 0, 1, 2]) if severity >= 3 else 0
        source, source_type = rng.choice(SOURCES)
        lat = round(31.25 + rng.random() * 0.3, 4) if rng.random() < 0.4 else None
        lon = round(34.25 + rng.random() * 0.25, 4) if lat is not None else None
        # markings as the store writes them (parse_releasability: sorted), so an export imports back the same
        marking = "ALL" if rng.random() < 0.9 else rng.choice(["GBR,USA", "ISR,USA", "DEU,FRA,GBR,USA"])
        rows.append((to_iso(occurred), gov.value, loc, lat, lon, category.value, text, severity, killed,
                     rng.choice([None, 0, 1, 3, 5]) if severity >= 2 else 0, party, source, source_type,
                     rng.choice("ABCDEF"), rng.randint(1, 6), status,
                     SEED_LOGIN if acknowledged else "",
                     to_iso(occurred + timedelta(minutes=7)) if acknowledged else None,
                     marking, to_iso(occurred), to_iso(occurred)))
        fts.append((index + 1, text))
    rows.sort(key=lambda r: r[0])
    fts = [(i + 1, r[6]) for i, r in enumerate(rows)]
    return rows, fts


def _movements(rng: random.Random, now: datetime) -> list[_Row]:
    rows: list[_Row] = []
    counter = 0
    today = now.date()
    commodities = list(Commodity)
    for days_ago in range(30, -2, -1):
        day = today - timedelta(days=days_ago)
        for crossing_id, (code, _n, _b, is_open, _r, target) in enumerate(CROSSINGS, start=1):
            if code == "RAF" or (code in ("NIZ", "ASH") and rng.random() < 0.6):
                continue
            convoys = rng.randint(2, 9) if (target or 0) >= 60 else rng.randint(0, 3)
            for _ in range(convoys):
                counter += 1
                trucks = rng.randint(5, 60)
                if days_ago > 1:
                    status = rng.choices(["reached_destination", "collected", "offloaded", "intercepted", "rejected"],
                                         [60, 15, 10, 5, 3])[0]
                elif days_ago >= 0:
                    status = rng.choice(["scheduled", "at_crossing", "inspected", "offloaded", "collected", "held"])
                else:
                    status = "scheduled"
                rows.append((day.isoformat(), crossing_id, rng.choice(ORGANISATIONS), rng.choice(commodities).value,
                             "humanitarian" if rng.random() < 0.8 else "commercial", trucks,
                             round(trucks * rng.uniform(14, 22), 1), None, f"WB-{day:%m%d}-{counter:05d}",
                             rng.choice([FigureSource.UN2720.value, FigureSource.COGAT.value]), status, "ALL",
                             to_iso(now), to_iso(now)))
    # COGAT reporting some of the same convoys (same waybill) with other counts: the board shows both figures.
    recent = (today - timedelta(days=1)).isoformat()
    for row in [r for r in rows if r[0] >= recent and r[1] in (1, 3) and r[9] == FigureSource.UN2720.value
                and r[10] in ("offloaded", "collected")][:4]:
        rows.append(row[:5] + (row[5] + 3,) + row[6:9] + (FigureSource.COGAT.value,) + row[10:])
    return rows


def _dual_use(rng: random.Random, now: datetime) -> list[_Row]:
    items = [("Diesel generator 250 kVA", "DU-ELEC-04"), ("Water pipes, steel, 6 inch", "DU-PIPE-02"),
             ("X-ray machine", "DU-MED-11"), ("Water desalination membranes", "DU-WASH-07"),
             ("Solar panels", "DU-ELEC-09"), ("Oxygen concentrators", "DU-MED-03"),
             ("Excavator for rubble removal", "DU-HEAVY-01"), ("Satellite phones", "DU-COMM-02")]
    rows: list[_Row] = []
    for item, reference in items:
        submitted = now - timedelta(hours=rng.randint(6, 200))
        rows.append((item, reference, f"{rng.randint(2, 40)} units", rng.choice(ORGANISATIONS),
                     "Needed for winter and health care", rng.choice(list(DualUseStatus)).value,
                     to_iso(submitted), to_iso(submitted)))
    return rows


def _headlines(rng: random.Random, now: datetime) -> list[_Row]:
    rows: list[_Row] = []
    for index in range(320):
        published = now - timedelta(minutes=int(rng.random() ** 2 * 14 * 24 * 60))
        feed_id = rng.randint(1, len(FEEDS))
        title = rng.choice(HEADLINE_TEMPLATES).format(
            crossing=rng.choice(["Kerem Shalom", "Zikim", "Kissufim", "Erez West"]), n=rng.randint(3, 700),
            day=published.strftime("%d %b"), nation=rng.choice(["Indonesia", "Egypt", "Azerbaijan", "Italy", "Jordan"]),
            gov=rng.choice(list(Governorate)).value)
        hits = ",".join(w for w in WATCH_WORDS if w.lower() in title.lower())
        guid = f"demo-{feed_id}-{index}"
        rows.append((feed_id, FEEDS[feed_id - 1][0], title, f"https://news.example/{guid}", title + ".", guid,
                     f"guid:{guid}", to_iso(published), to_iso(published), int(rng.random() < 0.5), hits))
    return rows

