"""Run a program in a pseudo-terminal and count every byte it writes to it.

``PtyCapture`` starts the program with its stdin/stdout/stderr on the slave
side of a fresh pty (window size set with TIOCSWINSZ before the program
starts), and a reader thread drains the master side, recording
``(seconds since start, bytes)`` for every read. The figures the bandwidth
bench reports are all computed from that timeline:

- ``first_paint()``: bytes written until the output has been quiet for
  ``quiet`` seconds (the screen has settled);
- ``between(a, b)``: bytes written in a time window;
- ``peak_second(a, b)``: the largest number of bytes in any one-second bucket;
- ``settle_at_baud(...)``: when the first paint would have finished arriving
  over a serial-speed link (a queue drained at ``baud / 10`` bytes per second,
  fed by the recorded writes at the times they happened).

Keys can be sent to the program with ``send()``; ``visible()`` is what was
written with the escape sequences taken out. Nothing here knows about cmcc.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Sequence

#: CSI (colours, cursor moves, modes), OSC (titles, colour queries), charset and keypad switches.
ANSI = re.compile(rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|[=>78cM])")


def visible(data: bytes) -> bytes:
    """The bytes a program wrote without its escape sequences: the text it drew."""
    return ANSI.sub(b"", data)


class PtyCapture:
    def __init__(self, argv: Sequence[str], *, size: tuple[int, int] = (80, 24),
                 env: dict[str, str] | None = None, cwd: str | None = None) -> None:
        self.argv = list(argv)
        self.size = size
        self.env = dict(os.environ if env is None else env)
        self.env.setdefault("TERM", "xterm-256color")
        self.cwd = cwd
        self.events: list[tuple[float, int]] = []
        self.data = bytearray()
        self.keep_data = True
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._master = -1
        self._reader: threading.Thread | None = None
        self._started = 0.0

    # --- lifetime --------------------------------------------------------------

    def start(self) -> "PtyCapture":
        master, slave = os.openpty()
        columns, rows = self.size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self._master = master
        self._started = time.monotonic()
        self._process = subprocess.Popen(
            self.argv, stdin=slave, stdout=slave, stderr=slave, env=self.env, cwd=self.cwd,
            start_new_session=True, preexec_fn=_take_controlling_tty, close_fds=True)
        os.close(slave)
        self._reader = threading.Thread(target=self._read, name="pty-reader", daemon=True)
        self._reader.start()
        return self

    def _read(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self._master], [], [], 0.2)
            except (OSError, ValueError):
                return
            if not ready:
                if self._process is not None and self._process.poll() is not None:
                    return
                continue
            try:
                chunk = os.read(self._master, 65536)
            except OSError:  # EIO: the slave side closed
                return
            if not chunk:
                return
            now = time.monotonic() - self._started
            with self._lock:
                self.events.append((now, len(chunk)))
                if self.keep_data:
                    self.data.extend(chunk)

    def send(self, keys: str | bytes) -> None:
        os.write(self._master, keys.encode() if isinstance(keys, str) else keys)

    def stop(self, timeout: float = 5.0) -> int | None:
        """End the program: SIGTERM to its session, then SIGKILL if it lingers."""
        process = self._process
        if process is None:
            return None
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait(timeout)
        if self._reader is not None:
            self._reader.join(2)
        try:
            os.close(self._master)
        except OSError:
            pass
        return process.returncode

    def __enter__(self) -> "PtyCapture":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- time --------------------------------------------------------------------

    def now(self) -> float:
        return time.monotonic() - self._started

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def signal(self, signum: int) -> None:
        """Send ``signum`` to the program (not to its session: as a terminal's hang-up reaches it)."""
        if self._process is not None:
            self._process.send_signal(signum)

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    @property
    def returncode(self) -> int | None:
        return None if self._process is None else self._process.poll()

    def wait_quiet(self, quiet: float = 1.0, timeout: float = 30.0, after: float = 0.0) -> float:
        """Wait until nothing was written for ``quiet`` seconds; returns that moment (or the timeout)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                last = self.events[-1][0] if self.events else None
            now = self.now()
            if last is not None and last >= after and now - last >= quiet:
                return last
            if last is None and not self.running():
                break
            time.sleep(0.05)
        return self.now()

    # --- figures -----------------------------------------------------------------

    def total(self) -> int:
        with self._lock:
            return sum(n for _, n in self.events)

    def between(self, start: float, end: float) -> int:
        with self._lock:
            return sum(n for t, n in self.events if start <= t < end)

    def first_paint(self, quiet: float = 1.0) -> tuple[int, float]:
        """(bytes, seconds) written before the first gap of ``quiet`` seconds after output began."""
        with self._lock:
            events = list(self.events)
        if not events:
            return 0, 0.0
        total = 0
        last = events[0][0]
        for t, n in events:
            if t - last >= quiet:
                break
            total += n
            last = t
        return total, last

    def peak_second(self, start: float, end: float) -> int:
        buckets: dict[int, int] = {}
        with self._lock:
            for t, n in self.events:
                if start <= t < end:
                    buckets[int(t - start)] = buckets.get(int(t - start), 0) + n
        return max(buckets.values(), default=0)

    def settle_at_baud(self, baud: int = 9600, until: float | None = None) -> float:
        """When the bytes written before ``until`` would have arrived over a ``baud`` link (8N1: baud/10 B/s)."""
        rate = baud / 10
        finished = 0.0
        with self._lock:
            for t, n in self.events:
                if until is not None and t > until:
                    break
                finished = max(finished, t) + n / rate
        return finished


def _take_controlling_tty() -> None:
    """In the child (a new session already): make stdin, the pty slave, its controlling terminal."""
    try:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    except OSError:
        pass
