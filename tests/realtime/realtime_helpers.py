"""Helpers of the realtime tests: terminals that keep their state the way docs/protocol.md says a terminal
does (a snapshot, then numbered ``event`` pushes and the unnumbered ``attendance``, ``progress``, ``me``
and ``me_vote`` pushes), in-process (Flask-SocketIO's test client) and as real python-socketio clients
against a ``run.py`` process; a scan of every received payload for what must not be there; a dump of
every table to show that a refused command changed nothing.

Everything runs on 127.0.0.1; every process started here is killed by its owner's ``stop``."""
from __future__ import annotations

import contextlib
import copy
import importlib.util
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import argon2
from flask_socketio.test_client import SocketIOTestClient
from socketio import packet as sio_packet
from sqlalchemy import select

from voting_server import demo, models
from voting_server.services import Actor, accounts

ROOT = Path(__file__).resolve().parents[2]
PASSWORDS = {username: password for username, password, _role, _name in demo.STAFF}


def root_conftest() -> Any:
    """tests/conftest.py as a module of its own (every conftest.py is imported as ``conftest``, so
    importing it by that name would give whichever was loaded last)."""
    name = "biaojue_tests_root_conftest"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "tests" / "conftest.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def need_service(name: str, host: str, port: int) -> None:
    root_conftest().need_service(name, host, port)


def wait_for(check: Callable[[], Any], timeout: float = 5.0, interval: float = 0.02) -> Any:
    """Poll ``check`` until it returns something true; returns it, or the last value at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


# --- the seeded committee ---------------------------------------------------------------------------

FAST_HASHER = argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
CLERK = Actor(role="clerk", name="办公室 何静")


@dataclass(frozen=True)
class Seed:
    path: str
    body_id: int
    sitting_id: int
    member_ids: list[int]
    observer_ids: list[int]
    items: list[int]
    ballots: list[int]


def app_config(db_url: str, instance: str, **extra: Any) -> dict[str, Any]:
    return {"DATABASE_URL": db_url, "INSTANCE_PATH": instance, "ASYNC_MODE": "threading", "TESTING": True,
            "WTF_CSRF_ENABLED": False, "PROGRESS_INTERVAL": 0.05,
            "SECRET_KEY": "realtime-test-secret-0123456789abcdef", **extra}


def seed_store(store: Any) -> dict[str, Any]:
    """The demo committee, with cheap password hashes (a login or PIN check then takes a millisecond)."""
    original = accounts._hasher
    accounts._hasher = FAST_HASHER
    try:
        ids = demo.seed(store)
    finally:
        accounts._hasher = original
    with store.read() as s:
        observers = list(s.scalars(select(models.Person.id).where(models.Person.role == "observer")
                                   .order_by(models.Person.id)))
        items = list(s.scalars(select(models.AgendaItem.id).order_by(models.AgendaItem.position)))
        ballots = list(s.scalars(select(models.Ballot.id).order_by(models.Ballot.id)))
    return {**ids, "observer_ids": observers, "items": items, "ballots": ballots}


# --- the database -----------------------------------------------------------------------------------


def dump_database(store: Any) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table (all columns) in a stable order."""
    out: dict[str, list[tuple[str, ...]]] = {}
    with store.engine.connect() as conn:
        for table in models.Base.metadata.sorted_tables:
            out[table.name] = sorted(tuple(repr(v) for v in row) for row in conn.execute(select(table)).all())
    return out


def changed_tables(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [name for name in before if before[name] != after[name]]


# --- applying pushes, the way a terminal does ---------------------------------------------------------


class SeqError(AssertionError):
    pass


def apply_push(state: dict[str, Any], name: str, data: Any) -> None:
    """Apply one server push to a terminal's state by the rules of docs/protocol.md section 3.
    A numbered ``event`` must carry exactly the next sequence number."""
    if name == "snapshot":
        state.clear()
        state.update(copy.deepcopy(data))
    elif name == "event":
        if data["seq"] != state["seq"] + 1:
            raise SeqError(f"event {data['type']} has seq {data['seq']}, expected {state['seq'] + 1}")
        for section, value in data["changes"].items():
            state[section] = copy.deepcopy(value)
        state["seq"] = data["seq"]
    elif name == "attendance":
        state["attendance"] = copy.deepcopy(data["attendance"])
        state["ballot"] = copy.deepcopy(data["ballot"])
    elif name == "progress":
        ballot = state.get("ballot")
        if ballot is not None and ballot.get("round_id") == data["round_id"]:
            ballot["voted"] = data["voted"]
            if "non_voters" in data:
                ballot["non_voters"] = copy.deepcopy(data["non_voters"])
    elif name == "me":
        state["me"].update(copy.deepcopy(data["me"]))
    elif name == "me_vote":
        state["me"]["vote"] = copy.deepcopy(data["vote"])
    elif name in ("remind", "revoked"):
        pass
    else:
        raise AssertionError(f"unknown push {name!r}")


def shown(state: dict[str, Any]) -> dict[str, Any]:
    """What a terminal shows. ``me.vote`` counts only for the round on screen (protocol.md: "you have
    voted" is ``me.vote.round_id == ballot.round_id and me.vote.voted``): a vote of an earlier round, or a
    ``null`` vote, both mean "not voted in this round"."""
    out = copy.deepcopy(state)
    me = out.get("me")
    if me is not None:
        ballot = out.get("ballot")
        vote = me.get("vote")
        if ballot is None:
            me["vote"] = None
        elif vote is None or vote.get("round_id") != ballot["round_id"]:
            me["vote"] = {"round_id": ballot["round_id"], "voted": False, "receipt": None, "choice": None}
    return out


def first_difference(a: Any, b: Any, path: str = "") -> str | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            if key not in a or key not in b:
                return f"{path}.{key}: only in {'fresh' if key in b else 'applied'}"
            found = first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} entries applied, {len(b)} fresh"
        for i, (x, y) in enumerate(zip(a, b)):
            found = first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    if a != b:
        return f"{path}: applied {json.dumps(a, ensure_ascii=False)[:200]} != fresh {json.dumps(b, ensure_ascii=False)[:200]}"
    return None


def walk(obj: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """Every (path, key, value) of every dict inside ``obj``."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield path, key, value
            yield from walk(value, f"{path}.{key}")
    elif isinstance(obj, (list, tuple)):
        for i, value in enumerate(obj):
            yield from walk(value, f"{path}[{i}]")


OPTION_CODES = {"for", "against", "abstain", "satisfied", "basic", "unsatisfied", "mark"}


def tally_leaks(obj: Any) -> list[str]:
    """Anything in a payload that would tell per-choice counts: a result, counts, or a mapping of
    option codes to numbers."""
    found = []
    for path, key, value in walk(obj):
        if key == "result" and value is not None:
            found.append(f"{path}.result")
        if key in ("counts", "tally", "tallies") and value:
            found.append(f"{path}.{key}")
        if isinstance(value, dict) and value and set(value) <= OPTION_CODES \
                and all(isinstance(v, int) and not isinstance(v, bool) for v in value.values()):
            found.append(f"{path}.{key} (option counts)")
    return found


# --- in-process terminals (Flask-SocketIO test client) --------------------------------------------------


class TimedList(list):
    """The test client's receive queue; remembers when each push arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.times: dict[int, float] = {}

    def append(self, item: Any) -> None:
        self.times[id(item)] = time.monotonic()
        super().append(item)


class RecordingTestClient(SocketIOTestClient):
    """The Flask-SocketIO test client, keeping the ``connect_error`` data of a refused connection."""

    connect_error: Any = None

    def connect(self, namespace: str | None = None, query_string: str | None = None, headers: Any = None,
                auth: Any = None) -> None:
        self.queue = TimedList()
        server = self.socketio.server
        send = server._send_packet

        def capture(eio_sid: str, pkt: Any) -> Any:
            if eio_sid == self.eio_sid and pkt.packet_type == sio_packet.CONNECT_ERROR:
                self.connect_error = pkt.data
            return send(eio_sid, pkt)

        server._send_packet = capture
        try:
            super().connect(namespace=namespace, query_string=query_string, headers=headers, auth=auth)
        finally:
            server._send_packet = send


class Terminal:
    """One connected terminal. ``log`` keeps every push and every acknowledgement it received, in order;
    ``state`` is its snapshot with every push applied."""

    def __init__(self, app: Any, label: str, *, auth: Any = None, flask_client: Any = None) -> None:
        self.app, self.label = app, label
        self.client = RecordingTestClient(app, app.extensions["socketio"], auth=auth,
                                          flask_test_client=flask_client)
        self.log: list[tuple[str, Any, float]] = []
        self.state: dict[str, Any] = {}
        self.seqs: list[int] = []
        if self.connected:
            self.pump()

    @property
    def connected(self) -> bool:
        return self.client.is_connected()

    @property
    def refusal(self) -> Any:
        return self.client.connect_error

    def pump(self) -> list[tuple[str, Any]]:
        """Take what arrived (pop by pop: pushes from the server's threads may be appending), apply it."""
        got = []
        queue = self.client.queue
        while queue:
            item = queue.pop(0)
            at = queue.times.pop(id(item), time.monotonic()) if isinstance(queue, TimedList) else time.monotonic()
            name, data = item["name"], (item["args"][0] if item["args"] else None)
            self.log.append((name, data, at))
            got.append((name, data))
            if name == "event":
                self.seqs.append(data["seq"])
            apply_push(self.state, name, data)
        return got

    def cmd(self, name: str, *args: Any) -> Any:
        """Send a command and return its acknowledgement (also kept in ``log``)."""
        self.pump()
        ack = self.client.emit(name, *args, callback=True)
        self.log.append(("ack:" + name, ack, time.monotonic()))
        self.pump()
        return ack

    def ok(self, name: str, payload: Any = None) -> dict[str, Any]:
        ack = self.cmd(name, {} if payload is None else payload)
        assert isinstance(ack, dict) and ack.get("ok") is True, f"{self.label} {name} {payload}: {ack}"
        return ack

    def fresh(self) -> dict[str, Any]:
        return self.ok("snapshot")["snapshot"]

    def received(self, name: str) -> list[Any]:
        return [data for n, data, _t in self.log if n == name]

    def settle(self, timeout: float = 3.0) -> tuple[bool, str | None]:
        """Apply pushes until the state shows what a fresh snapshot shows (coalesced pushes come a
        little later than the acknowledgement). Returns (equal, first difference)."""
        deadline = time.monotonic() + timeout
        diff: str | None = None
        while True:
            self.pump()
            fresh = self.fresh()
            diff = first_difference(shown(self.state), shown(fresh))
            if diff is None or time.monotonic() > deadline:
                return diff is None, diff
            time.sleep(0.03)

    def disconnect(self) -> None:
        if self.connected:
            self.client.disconnect()

    def forget(self) -> None:
        SocketIOTestClient.clients.pop(self.client.eio_sid, None)


# --- a running server (run.py) -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerProcess:
    """``python run.py`` on 127.0.0.1 with its own log file."""

    def __init__(self, database: str, instance: Path, *, mode: str = "eventlet", message_queue: str | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.database, self.instance, self.mode = database, instance, mode
        self.message_queue, self.env = message_queue, dict(env or {})
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = instance / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 40) -> ServerProcess:
        cmd = [sys.executable, "run.py", "--host", "127.0.0.1", "--port", str(self.port), "--database",
               self.database, "--instance", str(self.instance), "--async-mode", self.mode]
        if self.message_queue:
            cmd += ["--message-queue", self.message_queue]
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env}
        for var in ("DATABASE_URL", "MESSAGE_QUEUE", "ASYNC_MODE"):
            if var not in self.env:
                env.pop(var, None)
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        self._wait_healthy(timeout)
        return self

    def _wait_healthy(self, timeout: float) -> None:
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}:\n{self.log_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the server did not answer within {timeout} s:\n{self.log_text()[-3000:]}")

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def staff_cookie(base_url: str, username: str) -> str:
    """Log a staff account in over HTTP (session probe for the CSRF token, then the login) and return
    the ``Cookie`` header a console sends with its Socket.IO connection."""
    import requests

    http = requests.Session()
    r = http.get(f"{base_url}/api/session", timeout=10)
    r.raise_for_status()
    r = http.post(f"{base_url}/api/login", json={"username": username, "password": PASSWORDS[username]},
                  headers={"X-CSRFToken": r.json()["csrf_token"]}, timeout=10)
    assert r.status_code == 200, r.text
    return "; ".join(f"{c.name}={c.value}" for c in http.cookies)


class RealTerminal:
    """A python-socketio client over a real WebSocket, keeping its state like a terminal."""

    def __init__(self, url: str, label: str, *, token: str | None = None, cookie: str | None = None) -> None:
        import socketio

        self.url, self.label, self.token, self.cookie = url, label, token, cookie
        self.sio = socketio.Client(reconnection=False)
        self.lock = threading.Lock()
        self.log: list[tuple[str, Any, float]] = []
        self.state: dict[str, Any] = {}
        self.errors: list[str] = []
        self.refusal: Any = None
        self.sio.on("connect_error", self._on_refused)
        for name in ("snapshot", "event", "attendance", "progress", "me", "me_vote", "remind", "revoked"):
            self.sio.on(name, self._handler(name))

    def _on_refused(self, data: Any = None) -> None:
        self.refusal = data

    def _handler(self, name: str) -> Callable[..., None]:
        def on(data: Any = None, *_rest: Any) -> None:
            with self.lock:
                self.log.append((name, data, time.monotonic()))
                try:
                    apply_push(self.state, name, data)
                except AssertionError as err:
                    self.errors.append(str(err))
        return on

    def connect(self, timeout: float = 10) -> RealTerminal:
        auth = {"token": self.token} if self.token else None
        headers = {"Cookie": self.cookie} if self.cookie else None
        with self.lock:
            self.state.clear()
        self.sio.connect(self.url, transports=["websocket"], auth=auth, headers=headers, wait_timeout=timeout)
        assert wait_for(lambda: "seq" in self.state, timeout), f"{self.label}: no snapshot after connect"
        return self

    def call(self, name: str, payload: Any = None, timeout: float = 15) -> Any:
        ack = self.sio.call(name, {} if payload is None else payload, timeout=timeout)
        with self.lock:
            self.log.append(("ack:" + name, ack, time.monotonic()))
        return ack

    def ok(self, name: str, payload: Any = None) -> dict[str, Any]:
        ack = self.call(name, payload)
        assert isinstance(ack, dict) and ack.get("ok") is True, f"{self.label} {name} {payload}: {ack}"
        return ack

    def fresh(self) -> dict[str, Any]:
        return self.ok("snapshot")["snapshot"]

    def received(self, name: str) -> list[Any]:
        with self.lock:
            return [data for n, data, _t in self.log if n == name]

    def view(self) -> dict[str, Any]:
        with self.lock:
            return shown(self.state)

    def settle(self, timeout: float = 5.0) -> tuple[bool, str | None]:
        deadline = time.monotonic() + timeout
        while True:
            diff = first_difference(self.view(), shown(self.fresh()))
            if diff is None or time.monotonic() > deadline:
                return diff is None, diff
            time.sleep(0.05)

    def disconnect(self) -> None:
        with contextlib.suppress(Exception):
            self.sio.disconnect()


def new_cast_id() -> str:
    return secrets.token_hex(8)
