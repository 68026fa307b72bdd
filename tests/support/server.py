"""``python run.py`` in a process of its own, on a free port of 127.0.0.1: started with a database URL,
an instance folder, an async mode and optionally a Redis message queue and channel; ready once
``/healthz`` answers. Each start writes a log file of its own; ``stop`` ends the process (SIGTERM, then
SIGKILL), ``kill9`` kills it as a crash does (nothing of the server's shutdown code runs).

Loopback only. Whoever makes a ServerProcess stops it (the fixtures do, in their teardown)."""
from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

from .env import ROOT, free_port

PROBLEM = re.compile(r"Traceback \(most recent call last\)|\bERROR\b|\bCRITICAL\b")
# Settings run.py would read from the environment: the arguments given here decide, not the caller's shell.
SERVER_ENVIRONMENT = ("DATABASE_URL", "MESSAGE_QUEUE", "ASYNC_MODE", "BIAOJUE_INSTANCE", "HOST", "PORT",
                      "SOCKETIO_CHANNEL")


class ServerProcess:
    name = "server"

    def __init__(self, database: str | None, instance: Path, *, mode: str = "eventlet",
                 message_queue: str | None = None, channel: str | None = None, demo: bool = False,
                 port: int | None = None, logs: Path | None = None, env: dict[str, str] | None = None) -> None:
        self.database, self.instance, self.mode = database, instance, mode
        self.message_queue, self.channel, self.demo = message_queue, channel, demo
        self.port = port or free_port()
        self.log_folder = logs or instance
        self.env = dict(env or {})
        self.proc: subprocess.Popen[bytes] | None = None
        self.logs: list[Path] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None, "not started"
        return self.proc.pid

    def command(self) -> list[str]:
        cmd = [sys.executable, "run.py", "--host", "127.0.0.1", "--port", str(self.port), "--instance",
               str(self.instance), "--async-mode", self.mode]
        if self.database:
            cmd += ["--database", self.database]
        if self.message_queue:
            cmd += ["--message-queue", self.message_queue]
        if self.demo:
            cmd.append("--demo")
        return cmd

    # --- the process ------------------------------------------------------------------------------------

    def start(self, timeout: float = 60) -> ServerProcess:
        """Start (or start again, on the same port) and wait until ``/healthz`` answers."""
        assert self.proc is None or self.proc.poll() is not None, "already running"
        env = {k: v for k, v in os.environ.items() if k not in SERVER_ENVIRONMENT}
        env.update(PYTHONUNBUFFERED="1", **self.env)
        if self.channel:
            env["SOCKETIO_CHANNEL"] = self.channel
        log_path = self.log_folder / f"{self.name}-{self.port}-{len(self.logs) + 1}.log"
        self.logs.append(log_path)
        # mode 0600, like every file of the instance folder (the log names members and rounds)
        with os.fdopen(os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as log:
            self.proc = subprocess.Popen(self.command(), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        self._wait_healthy(timeout)
        return self

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.log_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer within {timeout} s:\n{self.log_text()[-3000:]}")

    def stop(self) -> None:
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        self._signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            self._signal(signal.SIGKILL)
            proc.wait(10)

    def kill9(self) -> None:
        """SIGKILL: no shutdown code runs; whatever was not committed is lost."""
        if self.proc is not None and self.proc.poll() is None:
            self._signal(signal.SIGKILL)

    def wait_dead(self, timeout: float = 10) -> None:
        if self.proc is not None:
            self.proc.wait(timeout)

    def _signal(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, sig)

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # --- what it wrote and what it uses --------------------------------------------------------------------

    def log_text(self, index: int = -1) -> str:
        """The log of the last start (or of start number ``index``)."""
        if not self.logs:
            return ""
        try:
            return self.logs[index].read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def problems_in_logs(self) -> list[str]:
        """Lines of any start's log that show an exception or an error."""
        return [f"{path.name}: {line}" for i, path in enumerate(self.logs)
                for line in self.log_text(i).splitlines() if PROBLEM.search(line)]

    def assert_clean_logs(self) -> None:
        problems = self.problems_in_logs()
        assert not problems, "\n".join(problems[:20])

    def _proc_file(self, name: str) -> str:
        with open(f"/proc/{self.pid}/{name}") as fh:
            return fh.read()

    def memory_mb(self, field: str = "VmRSS") -> float:
        """Resident memory now (``VmRSS``) or at its peak (``VmHWM``), in MB."""
        for line in self._proc_file("status").splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
        return 0.0

    def cpu_seconds(self) -> float:
        """User and system CPU time used so far."""
        fields = self._proc_file("stat").rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    # --- a staff login ------------------------------------------------------------------------------------

    def staff_cookie(self, username: str, password: str | None = None) -> str:
        """Log a staff account in over HTTP, as a console does (the session probe for the CSRF token, then
        the login), and return the ``Cookie`` header its Socket.IO connection sends. The demo's password
        unless another is given."""
        if password is None:
            from .apps import PASSWORDS

            password = PASSWORDS[username]
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with opener.open(f"{self.url}/api/session", timeout=10) as r:
            token = json.load(r)["csrf_token"]
        login = urllib.request.Request(f"{self.url}/api/login", method="POST",
                                       data=json.dumps({"username": username, "password": password}).encode(),
                                       headers={"Content-Type": "application/json", "X-CSRFToken": token})
        try:
            opener.open(login, timeout=30).close()
        except urllib.error.HTTPError as err:
            raise RuntimeError(f"login of {username} failed: {err.code} {err.read()[:300]!r}") from err
        return "; ".join(f"{c.name}={c.value}" for c in jar)
