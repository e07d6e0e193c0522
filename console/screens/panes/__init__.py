"""One module per watch-floor pane: what it loads from the store and what its keys do.

Each pane is wiring (it may use ``self.app.store``); the widgets inside it
only render records and post messages.
"""
