"""An HTTP server on 127.0.0.1 that misbehaves on purpose, one behaviour per path.

Unlike tests/feed_server.py (fixed bodies), these routes stream: an endless
body, a trickle that never finishes, a declared 100 MB body, a connection
reset, a hang, garbage. Nothing big is ever held in this process's memory,
so memory measured in the test process is the client's, not the server's.
Each path's behaviour can be changed while the server runs (bad for a while,
then good again).
"""

from __future__ import annotations

import os
import socket
import struct
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CHUNK = b"<item><title>x</title></item>" * 2000  # ~60 KB of plausible feed


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def log_message(self, format, *args):  # noqa: A002
        pass

    def do_GET(self):  # noqa: N802
        owner = self.server.owner
        path = self.path.split("?", 1)[0]
        owner.hit(path)
        behaviour, argument = owner.routes.get(path, ("status", 404))
        try:
            getattr(self, f"_{behaviour}")(argument)
        except (BrokenPipeError, ConnectionResetError, TimeoutError, OSError):
            pass  # the client gave up, as it should

    def _head(self, status: int = 200, content_type: str = "application/rss+xml", length: int | None = None,
              extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length is None:
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(length))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()

    def _status(self, status: int) -> None:
        self._head(status, "text/plain", 4)
        self.wfile.write(b"nope")

    def _body(self, document: tuple[bytes, str]) -> None:
        body, content_type = document
        self._head(200, content_type, len(body))
        self.wfile.write(body)

    def _endless(self, _argument) -> None:
        """A body that never ends, as fast as the client reads it."""
        self._head(200, "application/rss+xml")
        self.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
        while not self.server.owner.stopping.is_set():
            self.wfile.write(CHUNK)

    def _declared(self, size: int) -> None:
        """Declares ``size`` bytes, then streams them (zeros, generated, never held)."""
        self._head(200, "application/rss+xml", size)
        sent = 0
        block = b" " * 65536
        while sent < size and not self.server.owner.stopping.is_set():
            piece = block[: min(len(block), size - sent)]
            self.wfile.write(piece)
            sent += len(piece)

    def _undeclared(self, size: int) -> None:
        """``size`` bytes with no Content-Length: the body ends when the connection closes."""
        self._head(200, "application/rss+xml")
        sent = 0
        block = b" " * 65536
        while sent < size and not self.server.owner.stopping.is_set():
            piece = block[: min(len(block), size - sent)]
            self.wfile.write(piece)
            sent += len(piece)

    def _gzipped(self, body: bytes) -> None:
        """A gzip-encoded body (a bomb: small on the wire, huge decoded)."""
        self._head(200, "application/rss+xml", len(body), {"Content-Encoding": "gzip"})
        self.wfile.write(body)

    def _trickle(self, interval: float) -> None:
        """One byte every ``interval`` seconds, for ever: each read succeeds, the body never ends."""
        self._head(200, "application/rss+xml")
        self.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel><title>')
        self.wfile.flush()
        while not self.server.owner.stopping.wait(interval):
            self.wfile.write(b"x")
            self.wfile.flush()

    def _hang(self, _argument) -> None:
        """Accept, read the request, answer nothing until the server stops."""
        self.server.owner.stopping.wait(60)
        self.close_connection = True

    def _reset(self, _argument) -> None:
        """Close the connection with a TCP reset before answering."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def _garbage(self, size: int) -> None:
        body = os.urandom(size)
        self._head(200, "application/rss+xml", len(body))
        self.wfile.write(body)

    def _garbage_status_line(self, _argument) -> None:
        self.wfile.write(b"SMTP READY \x00\xff\xfe garbage\r\n\r\n")
        self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, owner: "HostileServer"):
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request, client_address):
        pass


class HostileServer:
    def __init__(self) -> None:
        self.routes: dict[str, tuple[str, object]] = {}
        self.hits: Counter[str] = Counter()
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._server: _Server | None = None

    def __enter__(self) -> "HostileServer":
        self._server = _Server(self)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True,
                         name="hostile-server").start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        time.sleep(0.05)

    def hit(self, path: str) -> None:
        with self._lock:
            self.hits[path] += 1

    def url(self, path: str) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def set(self, path: str, behaviour: str, argument: object = None) -> None:
        self.routes[path] = (behaviour, argument)

    def document(self, path: str, body: bytes, content_type: str = "application/rss+xml") -> None:
        self.set(path, "body", (body, content_type))
