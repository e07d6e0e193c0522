"""Fixtures of the hardening suite, and the summary table printed at the end of the session."""

from __future__ import annotations

import os

from tests.hardening.tally import REPORT_ENV, TALLY, in_suite, table, write_report


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    ran = [r for key in ("passed", "failed", "error", "skipped")
           for r in terminalreporter.stats.get(key, [])
           if in_suite(getattr(r, "nodeid", "")) and (r.when == "call" or key in ("error", "skipped"))]
    if not ran:
        return
    if getattr(config.option, "dist", "no") != "no":
        # The cases and rows are counted where the tests run, in the workers: a table here would
        # say 0. One process counts them all.
        terminalreporter.write_line("hardening summary: counted in one process: python bench/hardening_report.py")
        return
    outcome = {}
    for key in ("passed", "failed", "error", "skipped"):
        count = len({r.nodeid for r in terminalreporter.stats.get(key, []) if in_suite(r.nodeid)})
        if count:
            outcome[key] = count
    terminalreporter.write_sep("=", "hardening summary")
    terminalreporter.write_line(table(TALLY.as_dict(), outcome))
    path = os.environ.get(REPORT_ENV)
    if path:
        write_report(path, outcome)
