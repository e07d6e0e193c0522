"""Stopped and continued (``ctrl+z`` / ``fg``, SIGSTOP / SIGCONT): one keyboard reader, always.

Textual's Linux driver starts its application mode again, with a new keyboard-reading and a new
writing thread, on every SIGCONT, whether or not it was the one that stopped: a console stopped
with SIGSTOP (a stopped SSH session, ``kill -STOP``) and continued gained two threads each time,
until keys went to a reader nobody listened to and ``q`` no longer quit.

Here, through Textual's public ``App.suspend()``: SIGTSTP leaves application mode (the terminal
as the shell expects it), stops the process, and on continuing enters it again, once. A SIGCONT
after a stop this module did not make (SIGSTOP, from anyone) goes out of application mode and
back in, so whatever the shell did to the terminal meanwhile is undone and the screen is drawn
again, with exactly one reader.
"""

from __future__ import annotations

import asyncio
import os
import signal

from textual.app import App


class JobControl:
    def __init__(self, app: App) -> None:
        self.app = app
        self._stopped_here = False  # the next SIGCONT continues our own stop: already resumed

    def install(self) -> list[int]:
        """Handle SIGTSTP and SIGCONT in the event loop; the signals handled (none when headless)."""
        if self.app.is_headless:
            return []
        loop = asyncio.get_running_loop()
        handled = []
        for signum, handler in ((signal.SIGTSTP, self.stop), (signal.SIGCONT, self.continued)):
            try:
                loop.add_signal_handler(signum, handler)
            except (RuntimeError, ValueError):  # not in the main thread: its host's to handle
                break
            handled.append(signum)
        return handled

    def stop(self) -> None:
        """SIGTSTP: give the terminal back, stop; continued, take it again."""
        self._stopped_here = True
        with self.app.suspend():
            os.kill(os.getpid(), signal.SIGSTOP)  # returns once the process is continued

    def continued(self) -> None:
        if self._stopped_here:
            self._stopped_here = False
            return
        with self.app.suspend():
            pass  # out of application mode and back in: the terminal set up again, one reader
