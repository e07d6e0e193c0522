"""Exports: ``cmcc export KIND`` and the panes' ``x`` key write records as csv, json or md.

- ``console.exporting.registry``: ``EXPORTERS``, every export kind -> its exporter, listed in one place.
- ``console.exporting.formats``: ``FORMATS`` and ``write_records``, the formatting every exporter shares.
- ``console.exporting.aid``, ``.incidents``, ``.roster``: one exporter each. It writes what the actor
  may see (releasability-filtered), reading the store a page at a time; it only chooses the
  columns and yields rows.

This package imports nothing: a child never pulls in its siblings, and nothing here imports a child.
"""
