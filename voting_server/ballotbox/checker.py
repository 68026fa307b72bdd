"""Checking the ballots tablets encrypted, and encrypting the ballots the server encrypts, off the
server's event loop.

Verifying one ballot's proofs costs about a millisecond of CPU per few slots (each 0/1 and sum proof is
a handful of group operations), so a hall of 2,000 casting at once is seconds of work: the server must
not do it on the loop that serves the terminals. :class:`CheckerPool` keeps ``workers`` processes
(``serve`` in a ``python -c`` process, started at the first use or by :meth:`warm`), each on
one end of a socket pair; a batch of ballots is split between them, sent as pickled frames, and the
answers are read back. The server waits on the sockets, which are green sockets under eventlet or
gevent (the server monkey-patches the standard library before it starts), so the loop goes on serving
while the workers compute; batches wait for each other on a lock. A worker that dies or answers
nonsense is ended and replaced at the next batch, and its part of the batch is checked in the server
process (logged): no ballot is refused for a worker's failure.

:func:`check` is the one check, the same in a worker and in the server: the ballot's form, its size
(no larger than any well-formed ballot of its layout), every proof under the round's key and context;
its answer is ``("ok", receipt, wire text, α's)`` -- the ballot's hash, its canonical JSON text as
stored, and the hex α of each ciphertext (a ciphertext cast twice in one round is refused by the
server, as by :meth:`Box.add`) -- or ``("refused", code, zh, en)``.

:func:`seal` is the server's encryption of a validated choice (its 0/1 vector and write-in names, a
:data:`Plain` job): a ballot of a 票决 of 15 projects is 45 ciphertexts with their proofs, some 50 ms of
CPU, so a hall casting at once would hold the loop for seconds; :meth:`CheckerPool.seal` has the same
workers encrypt (the vector travels over the socket pair only, nothing of it is written). Its answer is
``("ok", receipt, wire text)`` or ``("refused", code, zh, en)``.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import pickle
import socket
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .ballot import Layout, encrypt_ballot, load_ballot, verify_ballot
from .errors import BallotBoxError
from .keys import KeySet

__all__ = ["CheckerPool", "Job", "Outcome", "Plain", "check", "check_all", "seal", "seal_all"]

log = logging.getLogger(__name__)

Job = tuple[Layout, KeySet, str, object]  # the round's layout, key set and context; the wire ballot
Plain = tuple[Layout, KeySet, str, tuple[int, ...], tuple[str, ...]]  # … and a choice's vector and write-in names
Outcome = tuple[Any, ...]  # ("ok", receipt, wire text, alphas) | ("refused", code, zh, en)
_FRAME = struct.Struct("!Q")
MAX_FRAME = 256 * 1024 * 1024


def check(job: Job) -> Outcome:
    """One ballot checked completely (see the module's docstring)."""
    layout, keys, context, wire = job
    try:
        text = json.dumps(wire, separators=(",", ":"), ensure_ascii=True)
    except (TypeError, ValueError):
        return ("refused", "malformed", "选票数据不是有效的 JSON", "the ballot is not valid JSON")
    try:
        ballot = verify_ballot(layout, keys, context, load_ballot(text, layout))
    except BallotBoxError as err:
        return ("refused", err.code, err.zh, err.en)
    return ("ok", ballot.receipt, text, tuple(a.hex() for a, _ in ballot.cts))


def check_all(jobs: Sequence[Job]) -> list[Outcome]:
    return [check(job) for job in jobs]


def seal(job: Plain) -> Outcome:
    """One validated choice encrypted for the round's box, with its proofs (see the module's docstring)."""
    layout, keys, context, values, names = job
    try:
        ballot, wire = encrypt_ballot(layout, keys, context, values, names)
    except BallotBoxError as err:
        return ("refused", err.code, err.zh, err.en)
    return ("ok", ballot.receipt, json.dumps(wire, separators=(",", ":")))


def seal_all(jobs: Sequence[Plain]) -> list[Outcome]:
    return [seal(job) for job in jobs]


_TASKS: dict[str, Callable[[Sequence[Any]], list[Outcome]]] = {"check": check_all, "seal": seal_all}


def _send(sock: socket.socket, data: bytes) -> None:
    sock.sendall(_FRAME.pack(len(data)) + data)


def _recv(sock: socket.socket) -> bytes:
    def exact(n: int) -> bytes:
        buf = bytearray()
        while len(buf) < n:
            chunk = sock.recv(min(n - len(buf), 1 << 20))
            if not chunk:
                raise EOFError("the checker's socket closed")
            buf += chunk
        return bytes(buf)

    (size,) = _FRAME.unpack(exact(_FRAME.size))
    if size > MAX_FRAME:
        raise EOFError(f"a frame of {size} bytes")
    return exact(size)


class _Worker:
    def __init__(self) -> None:
        ours, theirs = socket.socketpair()
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([package_root, *filter(None, [os.environ.get("PYTHONPATH")])]))
        start = f"from voting_server.ballotbox.checker import serve; serve({theirs.fileno()})"
        self.proc = subprocess.Popen([sys.executable, "-c", start],
                                     pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, env=env, cwd=package_root)
        theirs.close()
        self.sock = ours

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait(5)


class CheckerPool:
    """``workers`` processes checking ballots; ``workers=0`` checks them in this process."""

    def __init__(self, workers: int) -> None:
        self.workers = max(0, workers)
        self._lock = threading.Lock()
        self._procs: list[_Worker] = []
        atexit.register(self.close)

    def warm(self) -> None:
        """Start the workers now (a tablet round opens), so that the first casts do not wait for them."""
        if self.workers:
            with self._lock:
                self._ensure()

    def _ensure(self) -> list[_Worker]:
        kept = [w for w in self._procs if w.alive()]
        for w in self._procs:
            if w not in kept:
                w.close()
        while len(kept) < self.workers:
            kept.append(_Worker())
        self._procs = kept
        return kept

    def __call__(self, jobs: Sequence[Job]) -> list[Outcome]:
        """Tablets' ballots checked (:func:`check`)."""
        return self._run("check", jobs)

    def seal(self, jobs: Sequence[Plain]) -> list[Outcome]:
        """Validated choices encrypted for their rounds' boxes (:func:`seal`)."""
        return self._run("seal", jobs)

    def _run(self, task: str, jobs: Sequence[Any]) -> list[Outcome]:
        if not jobs:
            return []
        if not self.workers:
            return _TASKS[task](jobs)
        with self._lock:
            procs = self._ensure()
            n = min(len(procs), len(jobs))
            parts = [list(jobs[i::n]) for i in range(n)]
            sent: list[bool] = []
            for w, part in zip(procs, parts, strict=False):
                try:
                    _send(w.sock, pickle.dumps((task, part), protocol=pickle.HIGHEST_PROTOCOL))
                    sent.append(True)
                except OSError:
                    sent.append(False)
            answers: list[list[Outcome]] = []
            for w, part, ok in zip(procs, parts, sent, strict=False):
                answers.append(self._answer(w, task, part, ok))
        out: list[Outcome] = [()] * len(jobs)
        for i, answer in enumerate(answers):
            out[i::n] = answer
        return out

    def _answer(self, w: _Worker, task: str, part: list[Any], sent: bool) -> list[Outcome]:
        if sent:
            try:
                answer = pickle.loads(_recv(w.sock))
                if isinstance(answer, list) and len(answer) == len(part):
                    return answer
            except (OSError, EOFError, pickle.UnpicklingError, ValueError):
                pass
        log.warning("a ballot checker failed: %d ballots done in the server process (%s)", len(part), task)
        w.close()
        return _TASKS[task](part)

    def close(self) -> None:
        with self._lock:
            procs, self._procs = self._procs, []
        for w in procs:
            w.close()


def serve(fd: int) -> None:
    """A worker: check (or encrypt) each batch the server sends until its socket closes."""
    sock = socket.socket(fileno=fd)
    sock.setblocking(True)  # the server's end is a green socket, which made the pair non-blocking
    with contextlib.suppress(OSError):
        os.nice(5)  # the server's loop comes first
    while True:
        try:
            task, jobs = pickle.loads(_recv(sock))
        except EOFError:
            return
        _send(sock, pickle.dumps(_TASKS[task](jobs), protocol=pickle.HIGHEST_PROTOCOL))

