"""What the hardening suite tried and checked, summed over the session and printed at the end.

Tests add to the one ``TALLY``: ``case()`` for each hostile input or document
tried, ``fault()`` for each fault survived (a kill, a full disk, a reset
connection...), ``rows(n)`` for each committed row or file checked to still be
there, ``lost(n)`` for anything missing (the tests also assert it is zero, so a
loss fails the test that found it as well as showing in the table).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field


@dataclass
class Tally:
    cases: int = 0
    faults: int = 0
    rows: int = 0
    lost: int = 0
    by_area: dict[str, dict[str, int]] = field(default_factory=dict)

    def _add(self, area: str, key: str, count: int) -> None:
        setattr(self, key, getattr(self, key) + count)
        bucket = self.by_area.setdefault(area, {"cases": 0, "faults": 0, "rows": 0, "lost": 0})
        bucket[key] += count

    def case(self, area: str, count: int = 1) -> None:
        self._add(area, "cases", count)

    def fault(self, area: str, count: int = 1) -> None:
        self._add(area, "faults", count)

    def rows_checked(self, area: str, count: int) -> None:
        self._add(area, "rows", count)

    def lost_rows(self, area: str, count: int) -> None:
        self._add(area, "lost", count)

    def as_dict(self) -> dict:
        return asdict(self)


TALLY = Tally()

#: Where the session writes the tally as JSON (bench/hardening_report.py sets it).
REPORT_ENV = "CMCC_HARDENING_REPORT"

#: What bench/hardening_report.py runs: the hardening suite, and the cases of issue 15 (signals,
#: the lease, terminals, times, files and load) that live beside the features they test.
SUITE = ("tests/hardening", "tests/test_signals.py", "tests/test_lease_timing.py", "tests/test_terminal_readable.py",
         "tests/test_inbox_folder.py", "tests/test_round_trips.py", "tests/test_reloads_under_load.py")


def in_suite(nodeid: str) -> bool:
    path = nodeid.replace("\\", "/")
    return any(path.startswith(f"{part}/") or path.startswith(f"{part}::") for part in SUITE)


def table(tally: dict, outcome: dict[str, int] | None = None) -> str:
    """The summary table, one row per area and a total."""
    rows = [(area, v["cases"], v["faults"], v["rows"], v["lost"]) for area, v in sorted(tally["by_area"].items())]
    rows.append(("total", tally["cases"], tally["faults"], tally["rows"], tally["lost"]))
    header = ("area", "cases tried", "faults survived", "rows checked", "lost")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(5)]

    def line(row) -> str:
        return "  ".join(str(v).ljust(widths[0]) if i == 0 else str(v).rjust(widths[i]) for i, v in enumerate(row))

    out = [line(header), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in rows[:-1]]
    out += ["  ".join("-" * w for w in widths), line(rows[-1])]
    if outcome is not None:
        out.append(" ".join(f"{k} {v}" for k, v in outcome.items()))
    verdict = "nothing lost" if tally["lost"] == 0 else f"LOST {tally['lost']}"
    out.append(f"anything lost: {verdict}")
    return "\n".join(out)


def write_report(path: str, outcome: dict[str, int]) -> None:
    temporary = f"{path}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump({"tally": TALLY.as_dict(), "outcome": outcome}, handle)
    os.replace(temporary, path)
