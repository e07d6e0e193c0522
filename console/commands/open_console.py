"""Open the console on a database: the command with no subcommand."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from pathlib import Path

from console import collector, low_bandwidth, terminal
from console.config import load_settings
from console.sanitize import clean_line


def run_console(args: argparse.Namespace, *, prepare=None, live=None) -> int:
    """Open the store (one-line errors before any screen appears), then run the App.

    ``prepare(store)`` may fill or adjust the database first (the demo does).
    ``live(store, settings)``, an async context manager, runs around the App in its
    event loop and yields the settings the App gets (the demo's feed simulator).
    """
    settings = load_settings()
    #: Said in the console once it is open (not remembering a choice is no reason not to start).
    warnings: list[str] = []
    if getattr(args, "low_bandwidth", None):
        from dataclasses import replace

        settings = replace(settings, low_bandwidth=True)
    if getattr(args, "theme", None):
        from dataclasses import replace

        settings = replace(settings, theme=args.theme)
        from console.config import save_setting
        from console.theming import known_theme

        if known_theme(args.theme):  # remembered for the next run; an unknown one falls back with a notice
            try:
                save_setting("theme", args.theme)
            except OSError as error:  # a config file it cannot parse or write: kept as it is
                warnings.append(f"could not remember the theme: {clean_line(error)}")
    if getattr(args, "ascii", None) or terminal.wants_ascii(os.environ):
        # Automatic on a terminal or locale that cannot show the marks; like --ascii, not remembered.
        from dataclasses import replace

        settings = replace(settings, ascii=True)

    collector.pause()  # until the first frame is drawn (console/collector.py)
    low_bandwidth.set_frame_rate(settings)  # before Textual is imported

    async def main() -> None:
        from console.app import CmccApp
        from console.identity import current_actor
        from console.store import Store

        store = await Store.open(Path(args.db))
        try:
            if prepare is not None:
                await prepare(store)
            actor, notice = await current_actor(store, getattr(args, "view_as", None))
        except BaseException:
            await store.close()
            raise
        async with (live(store, settings) if live is not None else _as_is(settings)) as app_settings:
            app = CmccApp(store, actor, app_settings, "; ".join(filter(None, [notice, *warnings])))
            await app.run_async(mouse=app.use_mouse)

    asyncio.run(main())
    return 0


@contextlib.asynccontextmanager
async def _as_is(settings):
    yield settings
