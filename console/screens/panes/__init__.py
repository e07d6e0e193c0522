"""One module per watch-floor pane: what it loads from the store and what its keys do.

Each pane is wiring: it reads the store through the ``PaneContext`` it is given
(``panes/base.py``) and asks its holder for reloads and marks by posting Messages;
the widgets inside it only render records and post messages.
"""
