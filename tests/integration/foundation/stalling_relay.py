"""A TCP relay in front of the real Toxiproxy API that holds its first connection silent.

The first connection is accepted and never answered until `release()`; every later one is
piped byte for byte to the real server. One client pointed here has one call stuck while its
other calls reach the real Toxiproxy: the way to show that a client's calls do not wait on
each other.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType


class StallingRelay:
    def __init__(self, upstream: str) -> None:
        host, _, port = upstream.rpartition(":")
        self._upstream = (host, int(port))
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)  # accept() polls, so closing never races a blocked call
        self._closing = threading.Event()
        self.address = f"127.0.0.1:{self._listener.getsockname()[1]}"
        self.stalled = threading.Event()  # set once the first connection is held
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._accepting = threading.Thread(target=self._accept, name="relay-accept")

    def __enter__(self) -> StallingRelay:
        self._accepting.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._closing.set()
        self._accepting.join(5)
        self._listener.close()
        self.release()
        for thread in self._threads:
            thread.join(5)

    def release(self) -> None:
        """Close every connection: the held call fails at once instead of timing out."""
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            # shutdown() wakes a thread blocked in recv() on it; close() alone does not
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            conn.settimeout(None)
            with self._lock:
                self._sockets.append(conn)
            if not self.stalled.is_set():
                self.stalled.set()
                continue
            server = socket.create_connection(self._upstream, timeout=5)
            server.settimeout(None)
            with self._lock:
                self._sockets.append(server)
            for src, dst in ((conn, server), (server, conn)):
                thread = threading.Thread(target=_pipe, args=(src, dst), name="relay-pipe")
                self._threads.append(thread)
                thread.start()


def _pipe(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass  # the other side or release() closed the connection
    finally:
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)
