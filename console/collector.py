"""Start-up without garbage-collector pauses.

Opening the console creates a few hundred thousand objects that live as long
as it does (modules, CSS rules, widgets, the first page of records). Python's
cyclic collector kept stopping to look through them: on the year-long bench
database ~170 passes during start-up, ~80 ms in all (one full pass alone
37 ms), for almost no garbage. So the console pauses the collector from the
moment it starts until its first frame is on screen; then one collection
clears what start-up left behind, ``gc.freeze()`` moves the survivors out of
every later pass (fewer, shorter pauses over a twelve-hour shift), and the
collector runs as usual again.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    """Called by the console command before it imports the interface."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Called once the first frame is drawn. Does nothing unless ``pause()`` turned the collector off."""
    global _paused
    if _paused:
        _paused = False
        gc.collect()
        gc.freeze()
        gc.enable()
