"""Public verification in worker processes, off the server's event loop.

Anyone may verify a sheet, so what a verification costs (recomputing the audit chain since its
checkpoint, validating a signature, reading an uploaded PDF) must never run on the loop that serves the
terminals. A helper process (``python -m voting_server.sheets.worker``, started by the server at the first
verification, with the verification's modules loaded, at a lower priority than the server) forks one child per verification; the child opens
its own connection to the database, answers over a Unix socket and exits, so whatever it allocated goes
with it. The server waits on that socket cooperatively (a green socket under eventlet or gevent).

:class:`WorkerPool` bounds the work: ``workers`` verifications at once, ``queue`` more waiting; past
that, or after waiting ``timeout`` seconds for a place, a verification is refused with :class:`Busy`
(HTTP 503 ``busy``, with a retry hint). A child that takes longer than ``timeout`` is ended by its own
alarm (and by the kernel past as many seconds of CPU time); its address space is limited to what it
inherited plus ``memory_mb`` (``RLIMIT_AS``), so that a decompression bomb in an uploaded PDF fails in
the child (which then exits, giving all of it back) and never grows the server. A database only this process can open (in-memory SQLite) is verified in the process itself.
"""
from __future__ import annotations

import atexit
import contextlib
import json
import os
import resource
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..i18n import msg
from ..services.base import ServiceError
from .checks import CHECKS, Check, Verification, unfinished

_FRAME = struct.Struct("!I")
MAX_ANSWER_BYTES = 4 * 1024 * 1024  # a verification's answer is a few KB of checks


class Busy(ServiceError):
    """Every verification worker is taken and the queue is full: try again shortly."""

    status = 503


@dataclass(frozen=True)
class Limits:
    workers: int = 2  # verifications running at once
    queue: int = 16  # verifications waiting for a worker; past that: busy
    timeout: float = 30.0  # seconds a verification may wait for a worker, and may run
    memory_mb: int = 384  # memory a verification may take besides what its process has at the start


def busy(retry_after: int = 5) -> Busy:
    # TRANSLATORS: {retry_after} (seconds) is for English only
    return Busy("busy", msg("核验服务繁忙，请稍后再试", retry_after=retry_after), retry_after=retry_after)


# --- framing over a stream socket --------------------------------------------------------------------


def _send(sock: socket.socket, data: bytes) -> None:
    sock.sendall(_FRAME.pack(len(data)) + data)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    chunks: list[bytes] = []
    while n:
        chunk = sock.recv(min(n, 1 << 16))
        if not chunk:
            raise EOFError("the connection closed")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _recv(sock: socket.socket, limit: int) -> bytes:
    (size,) = _FRAME.unpack(_recv_exact(sock, _FRAME.size))
    if size > limit:
        raise EOFError(f"a frame of {size} bytes is over the limit of {limit}")
    return _recv_exact(sock, size)


# --- the child: one verification ---------------------------------------------------------------------


def _checks_out(checks: list[Check]) -> list[dict[str, Any]]:
    return [{"name": c.name, "ok": c.ok, "reason_zh": c.reason_zh, "reason_en": c.reason_en} for c in checks]


def _run_task(task: dict[str, Any], payload: bytes) -> Verification:
    from ..db import Store
    from . import verify

    store = Store(task["url"])
    try:
        if task["kind"] == "reference":
            return verify.verify_address(store, task["sheet"], task["h"], incremental=True)
        if task["kind"] == "upload":
            return verify.verify_upload(store, payload, instance=task["instance"], incremental=True)
        raise ValueError(f"unknown task {task['kind']!r}")
    finally:
        store.dispose()


def _address_space() -> int:
    """This process's virtual memory now (``VmSize``), in bytes."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def limit_resources(timeout: float, memory_mb: int) -> None:
    """At most ``timeout`` seconds (wall clock: an alarm; CPU: ``RLIMIT_CPU``) and ``memory_mb`` MB of
    address space more than now (``RLIMIT_AS``): past either the verification fails, in this process only."""
    seconds = max(1, int(timeout + 0.999))
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.alarm(seconds)  # the default action of SIGALRM ends the process
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    if memory_mb > 0 and os.path.exists("/proc/self/status"):
        cap = _address_space() + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def _child(conn: socket.socket, timeout: float) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    task = json.loads(_recv(conn, 64 * 1024))
    payload = _recv(conn, int(task.get("payload_limit", 0)))
    limit_resources(timeout, int(task.get("memory_mb", 0)))
    try:
        done = _run_task(task, payload)
        answer: dict[str, Any] = {"checks": _checks_out(done.checks), "shown": list(done.shown)}
    except MemoryError:
        answer = {"unfinished": True}
    except Exception as exc:  # noqa: BLE001 (reported to the server, which answers for it)
        answer = {"error": f"{type(exc).__name__}: {exc}"[:500]}
    _send(conn, json.dumps(answer, ensure_ascii=False).encode("utf-8"))


def _warm_up() -> None:
    """Load what a verification uses once, here, so that every child inherits it: the modules, the
    configured mappers, the signature validation's modules."""
    from sqlalchemy.orm import configure_mappers

    from ..db import Store
    from . import verify

    with contextlib.suppress(ImportError):
        import pyhanko.sign.validation  # noqa: F401
        import pyhanko_certvalidator  # noqa: F401
    configure_mappers()
    store = Store("sqlite://")
    try:
        store.create_all()
        verify.verify_reference(store, "B1-R1", "0" * 64, incremental=True)
        verify.verify_sheet(store, b"%PDF-1.4\n%%EOF\n", incremental=True)
    finally:
        store.dispose()


def serve(path: str) -> None:
    """The helper: accept on the Unix socket ``path``, fork a child per connection; end when the server
    goes (its end of our standard input closes)."""
    os.nice(10)  # verifications (and their children) yield the machine's cores to the hall's server
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C at the server's terminal is the server's to handle
    _warm_up()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path + ".new")
    listener.listen(64)
    os.rename(path + ".new", path)
    parent = os.getppid()
    while os.getppid() == parent:
        ready, _, _ = select.select([listener, sys.stdin], [], [], 2.0)
        if sys.stdin in ready and not os.read(sys.stdin.fileno(), 1):
            break
        if listener not in ready:
            continue
        conn, _ = listener.accept()
        timeout = float(os.environ.get("BIAOJUE_VERIFY_TIMEOUT", "30"))
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                listener.close()
                _child(conn, timeout)
            except BaseException:  # noqa: BLE001 (the server sees the closed connection)
                code = 1
            finally:
                os._exit(code)
        conn.close()


# --- the server's side -------------------------------------------------------------------------------


class _Helper:
    """The helper process, one for this server process (every app's pool shares it)."""

    lock = threading.Lock()
    proc: subprocess.Popen[bytes] | None = None
    folder: str | None = None

    @classmethod
    def socket_path(cls) -> str:
        assert cls.folder is not None
        return os.path.join(cls.folder, "worker.sock")

    @classmethod
    def ensure(cls, timeout: float) -> None:
        with cls.lock:
            if cls.proc is not None and cls.proc.poll() is None:
                return
            cls.folder = tempfile.mkdtemp(prefix="biaojue-verify-")  # mode 0700: this user only
            package_root = str(Path(__file__).resolve().parents[2])
            env = dict(os.environ, BIAOJUE_VERIFY_TIMEOUT=str(timeout),
                       PYTHONPATH=os.pathsep.join([package_root] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
            cls.proc = subprocess.Popen([sys.executable, "-m", "voting_server.sheets.worker", cls.socket_path()],
                                        stdin=subprocess.PIPE, env=env, cwd=package_root, close_fds=True)
            atexit.register(cls.close)

    @classmethod
    def connect(cls, timeout: float) -> socket.socket:
        cls.ensure(timeout)
        deadline = time.monotonic() + 60  # the helper's first start loads the PDF and signature modules
        while True:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(cls.socket_path())
                return sock
            except (FileNotFoundError, ConnectionRefusedError):
                sock.close()
                proc = cls.proc
                if time.monotonic() > deadline or proc is None or proc.poll() is not None:
                    raise
                time.sleep(0.05)

    @classmethod
    def close(cls) -> None:
        with cls.lock:
            proc, cls.proc = cls.proc, None
        if proc is not None:
            with contextlib.suppress(OSError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait(5)
        if cls.folder is not None:
            with contextlib.suppress(OSError):
                os.unlink(cls.socket_path())
            with contextlib.suppress(OSError):
                os.rmdir(cls.folder)


class WorkerPool:
    """Runs verifications in children of the helper process, at most ``limits.workers`` at once."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(self.limits.workers)
        self._pending = 0

    # one verification

    def run(self, task: dict[str, Any], payload: bytes = b"", *,
            inline: Callable[[], Verification] | None = None) -> Verification:
        """The checks of ``task`` (``kind`` reference or upload, the database ``url``…), computed in a
        child process; ``inline`` computes them here instead (a database no other process can open)."""
        with self._lock:
            if self._pending >= self.limits.workers + self.limits.queue:
                raise busy()
            self._pending += 1
        try:
            if not self._slots.acquire(timeout=self.limits.timeout):
                raise busy()
            try:
                if inline is not None:
                    return inline()
                return self._in_child(task, payload)
            finally:
                self._slots.release()
        finally:
            with self._lock:
                self._pending -= 1

    def _in_child(self, task: dict[str, Any], payload: bytes) -> Verification:
        names = ("result_matches", "audit_chain", "retally") if task["kind"] == "reference" else tuple(CHECKS)
        try:
            sock = _Helper.connect(self.limits.timeout)
        except OSError as err:
            raise busy() from err
        try:
            sock.settimeout(self.limits.timeout + 5)
            _send(sock, json.dumps({**task, "payload_limit": len(payload),
                                    "memory_mb": self.limits.memory_mb}).encode("utf-8"))
            _send(sock, payload)
            answer = json.loads(_recv(sock, MAX_ANSWER_BYTES))
        except (OSError, EOFError, ValueError):
            return Verification(unfinished(names))
        finally:
            sock.close()
        if answer.get("unfinished"):
            return Verification(unfinished(names))
        if "error" in answer:
            raise RuntimeError(f"the verification failed: {answer['error']}")
        return Verification([Check(c["name"], bool(c["ok"]), c["reason_zh"], c["reason_en"]) for c in answer["checks"]],
                            tuple(str(x) for x in answer.get("shown", [])))


if __name__ == "__main__":
    serve(sys.argv[1])
