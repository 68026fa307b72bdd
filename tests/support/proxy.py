"""A TCP proxy on loopback between a server process and a service (Redis), for network faults: ``hold``
keeps every byte where it is (connections stay open, nothing is forwarded in either direction, as when
packets are held on the way) until ``release``; ``cut`` resets every connection and refuses new ones until
``restore``. Threads only: one listener, two pumps per connection.

Whoever starts a proxy closes it (a context manager)."""
from __future__ import annotations

import contextlib
import socket
import struct
import threading
from types import TracebackType


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(128)
        self.port: int = self._listener.getsockname()[1]
        self._flowing = threading.Event()
        self._flowing.set()
        self._up = True
        self._closed = False
        self._lock = threading.Lock()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._thread = threading.Thread(target=self._accept, name="tcp-proxy", daemon=True)

    def url(self, scheme: str = "redis", path: str = "/0") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def start(self) -> TcpProxy:
        self._thread.start()
        return self

    # --- faults --------------------------------------------------------------------------------------------

    def hold(self) -> None:
        """Forward nothing more, in either direction, until ``release``; connections stay open."""
        self._flowing.clear()

    def release(self) -> None:
        self._flowing.set()

    def cut(self) -> None:
        """Reset every connection; refuse new ones until ``restore``."""
        with self._lock:
            self._up = False
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for sock in pair:
                _reset(sock)

    def restore(self) -> None:
        with self._lock:
            self._up = True
        self._flowing.set()

    @property
    def connections(self) -> int:
        with self._lock:
            return len(self._pairs)

    # --- forwarding ----------------------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _addr = self._listener.accept()
            except OSError:
                return
            with self._lock:
                up = self._up
            if not up:
                _reset(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _reset(client)
                continue
            with self._lock:
                up = self._up and not self._closed  # a cut while this one was being connected
                if up:
                    self._pairs.append((client, upstream))
            if not up:
                _reset(client)
                _reset(upstream)
                continue
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                self._flowing.wait()
                data = src.recv(65536)
                if not data:
                    break
                self._flowing.wait()  # held: what was read waits here, the rest in the kernel's buffers
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            with self._lock:
                self._pairs = [p for p in self._pairs if src not in p]

    def close(self) -> None:
        self._closed = True
        self._flowing.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        self.cut()

    def __enter__(self) -> TcpProxy:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _reset(sock: socket.socket) -> None:
    """Close with a reset (SO_LINGER 0), as a broken link or a restarted service does."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()
