"""Fixtures of the hardening suite, and the summary table printed at the end of the session."""

from __future__ import annotations

import os

import pytest

from tests.hardening.tally import REPORT_ENV, TALLY, table, write_report


@pytest.fixture
def tally():
    return TALLY


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    ran = [r for key in ("passed", "failed", "error", "skipped")
           for r in terminalreporter.stats.get(key, [])
           if "tests/hardening/" in getattr(r, "nodeid", "").replace("\\", "/") and r.when == "call"
           or (key in ("error", "skipped") and "tests/hardening/" in getattr(r, "nodeid", ""))]
    if not ran:
        return
    outcome = {}
    for key in ("passed", "failed", "error", "skipped"):
        count = len({r.nodeid for r in terminalreporter.stats.get(key, []) if "tests/hardening/" in r.nodeid})
        if count:
            outcome[key] = count
    terminalreporter.write_sep("=", "hardening summary")
    terminalreporter.write_line(table(TALLY.as_dict(), outcome))
    path = os.environ.get(REPORT_ENV)
    if path:
        write_report(path, outcome)
